"""Accuracy of the contract clause checker on the labelled corpus, and its speed.

Prints precision and recall of "found" per clause and overall (a false "found" on a
missing clause is the error that hurts users most) for each corpus set — the contracts
the patterns were tuned on and those held out from tuning are reported apart, since only
the held-out figures estimate accuracy on unseen contracts — then the rows it got wrong,
and the time to read and check a contract against a baseline (reading the text alone)
from the same run. ``--small`` checks the corpus once; the default repeats the timing 20
times. ``--set NAME`` prints one set's table only.

    /work/venv/bin/python bench/contracts_accuracy.py [--small] [--set heldout_r2]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.contracts.factories import corpus_documents, corpus_labels, corpus_sets, evaluate, precision_recall
from vendorrisk.contracts.checker import library as contracts_library  # noqa: E402
from vendorrisk.contracts.checker import matcher as contracts_matcher
from vendorrisk.contracts.checker import structure as contracts_structure  # noqa: E402
from vendorrisk.contracts.checker import text as contracts_text

KEYS = ("tp", "fp", "fn", "tn")


def table(title: str, entries: list[dict]) -> dict:
    """Print the per-clause table of ``entries`` and the rows it got wrong; return the totals."""
    counts, rows = evaluate(entries)
    print(f"\n== {title}: {len(entries)} contracts")
    print(f"{'clause':<26}{'TP':>4}{'FP':>4}{'FN':>4}{'TN':>4}{'precision':>11}{'recall':>8}")
    total = dict.fromkeys(KEYS, 0)
    for clause_id, c in counts.items():
        for key in KEYS:
            total[key] += c[key]
        p, r = precision_recall(c)
        print(f"{clause_id:<26}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}{p:>11.2f}{r:>8.2f}")
    p, r = precision_recall(total)
    print(f"{'overall':<26}{total['tp']:>4}{total['fp']:>4}{total['fn']:>4}{total['tn']:>4}{p:>11.2f}{r:>8.2f}")
    for name, clause, expected, got in rows:
        if (expected == "found") != (got == "found"):
            print(f"  wrong: {name} {clause}: expected {expected}, got {got}")
    return total


def main() -> None:
    """Print the accuracy tables (per set, tuned-on vs held out, all) and timing figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="one timing round instead of 20")
    parser.add_argument("--set", dest="only", help="print only this corpus set")
    args = parser.parse_args()
    sets, labels = corpus_sets(), corpus_labels()
    if args.only:
        table(f"set {args.only}", [e for e in labels if e["set"] == args.only])
        return
    for name, meta in sets.items():
        state = "tuned on" if meta["tuned_on"] else "held out, never tuned on"
        table(f"set {name} ({state}; {meta['note']})", [e for e in labels if e["set"] == name])
    tuned = [e for e in labels if sets[e["set"]]["tuned_on"]]
    held = [e for e in labels if not sets[e["set"]]["tuned_on"]]
    summary = [("tuned on", table("all sets tuned on", tuned)) if tuned else None,
               ("held out", table("all sets held out", held)) if held else None,
               ("all", table("whole corpus", labels))]
    print("\nsummary")
    for label, total in filter(None, summary):
        p, r = precision_recall(total)
        print(f"  {label:<10} precision {p:.2f}  recall {r:.2f}  (TP {total['tp']}, FP {total['fp']}, FN {total['fn']})")
    documents = corpus_documents()
    clauses = contracts_library.library()
    rounds = 1 if args.small else 20
    start = time.perf_counter()
    for _ in range(rounds):
        for _name, _entry, data, kind in documents:
            contracts_text.extract(data, kind)
    read_only = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        for _name, _entry, data, kind in documents:
            structure = contracts_structure.parse(contracts_text.extract(data, kind).blocks)
            contracts_matcher.check_contract(structure, clauses)
    full = time.perf_counter() - start
    n = rounds * len(documents)
    print(f"\n{len(documents)} contracts x {rounds} rounds: read {read_only / n * 1000:.1f} ms/contract, "
          f"read+check {full / n * 1000:.1f} ms/contract, ratio to reading alone {full / read_only:.2f}")


if __name__ == "__main__":
    main()
