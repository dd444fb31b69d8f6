"""Accuracy of the contract clause checker on the labelled corpus, and its speed.

Prints precision and recall of "found" per clause and overall (a false "found" on a
missing clause is the error that hurts users most), the rows it got wrong, and the time
to read and check a contract against a baseline (reading the text alone) from the same
run. ``--small`` checks the corpus once; the default repeats the timing 20 times.

    /work/venv/bin/python bench/contracts_accuracy.py [--small]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.factories_contracts import corpus_documents, evaluate, precision_recall  # noqa: E402
from vendorrisk.imports import contracts_structure, contracts_text  # noqa: E402
from vendorrisk.services import contracts_library, contracts_matcher  # noqa: E402


def main() -> None:
    """Print the accuracy table and timing figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="one timing round instead of 20")
    args = parser.parse_args()
    counts, rows = evaluate()
    print(f"{'clause':<26}{'TP':>4}{'FP':>4}{'FN':>4}{'TN':>4}{'precision':>11}{'recall':>8}")
    total = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for clause_id, c in counts.items():
        for key in total:
            total[key] += c[key]
        p, r = precision_recall(c)
        print(f"{clause_id:<26}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}{p:>11.2f}{r:>8.2f}")
    p, r = precision_recall(total)
    print(f"{'overall':<26}{total['tp']:>4}{total['fp']:>4}{total['fn']:>4}{total['tn']:>4}{p:>11.2f}{r:>8.2f}")
    wrong = [row for row in rows if (row[2] == "found") != (row[3] == "found")]
    for name, clause, expected, got in wrong:
        print(f"  wrong: {name} {clause}: expected {expected}, got {got}")
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
