"""Accuracy of the contract clause checker on the real corpus and on the project's own
corpus, the effect of reviewer examples, and its speed.

Real corpus (tests/contracts/corpus_real: 40 CUAD contracts and 10 Japanese documents,
labelled by hand; split.yaml holds 12 + 3 of them out of every training and tuning): for
the documents trained on and the held-out ones apart, and for Japanese and English apart,
it prints the share of present clauses reported found / not found, of absent clauses
reported found / not found, and of all pairs left for review, against the targets. The
held-out figures are the only estimate for a contract the checker has not seen.

Own corpus (tests/contracts/corpus, written here): precision and recall of *found* per
writing round, as before.

Reviewer examples: for each held-out document, 20 confirmed examples drawn from the other
held-out documents (quotes as found, decoys as not found) adapt the scorer; recall and
false found with and without them.

Speed: a 200-page contract's text (600,000 characters of real English contracts, 300,000
of Japanese) read, structured and checked, and PDF text extraction of a generated
Japanese PDF, timed apart. ``--small`` times one round instead of five.

    .venv/bin/python bench/contracts_accuracy.py [--small] [--verbose]
"""
import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.contracts.factories import corpus_labels, corpus_sets, evaluate, japanese_pdf, precision_recall  # noqa: E402
from vendorrisk.contracts import checker, training  # noqa: E402
from vendorrisk.contracts.checker import library as contracts_library  # noqa: E402
from vendorrisk.contracts.checker import matcher, scorer  # noqa: E402
from vendorrisk.contracts.checker import text as contracts_text  # noqa: E402

TARGETS = (("present→found", "pf", ">=", 0.80), ("present→not_found", "pnf", "<=", 0.10),
           ("absent→found", "af", "<=", 0.03), ("absent→not_found", "anf", ">=", 0.85),
           ("needs_review of all pairs", "nr", "<=", 0.15))
EXAMPLES = 20


def outcomes(documents, examples_for=None) -> tuple[Counter, list]:
    """Count (present, status) over ``documents``; ``examples_for(document)`` gives the
    reviewer examples used when checking that document."""
    clauses = contracts_library.library()
    counts, wrong = Counter(), []
    for document in documents:
        examples = examples_for(document) if examples_for else ()
        results = {r.clause_id: r for r in matcher.check_contract(None, clauses, examples=examples,
                                                                   reading=document.reading())}
        for clause_id, present in document.present.items():
            status = results[clause_id].status
            counts[(present, status)] += 1
            if (status == "found") != present:
                wrong.append((document.name[:48], clause_id, present, status, results[clause_id].location))
    return counts, wrong


def rates(counts: Counter) -> dict:
    present = sum(v for (p, _s), v in counts.items() if p)
    absent = sum(v for (p, _s), v in counts.items() if not p)
    review = counts[(True, "needs_review")] + counts[(False, "needs_review")]
    return {"P": present, "A": absent,
            "pf": counts[(True, "found")] / max(1, present), "pnf": counts[(True, "not_found")] / max(1, present),
            "af": counts[(False, "found")] / max(1, absent), "anf": counts[(False, "not_found")] / max(1, absent),
            "nr": review / max(1, present + absent)}


def print_rates(label: str, r: dict) -> None:
    marks = []
    for name, key, op, target in TARGETS:
        ok = r[key] >= target if op == ">=" else r[key] <= target
        marks.append(f"{name} {r[key]:.2f}{'' if ok else '✗'}")
    print(f"  {label:<28} present {r['P']:>3} absent {r['A']:>3} | " + " | ".join(marks))


def language(document) -> str:
    return "ja" if document.source == "ja" or document.language == "ja" else "en"


def real_tables(verbose: bool) -> list:
    documents = training.real_documents()
    print("\n== Real corpus (targets: present→found ≥0.80, present→not_found ≤0.10, absent→found ≤0.03, "
          "absent→not_found ≥0.85, needs_review ≤0.15; ✗ = missed)")
    for part, held in (("trained on", False), ("held out", True)):
        chosen = [d for d in documents if d.heldout == held]
        print(f" {part} ({len(chosen)} documents)")
        for lang in ("ja", "en"):
            counts, wrong = outcomes([d for d in chosen if language(d) == lang])
            print_rates(f"{lang}", rates(counts))
            if verbose and held:
                for row in wrong:
                    print("     wrong:", *row)
        counts, _wrong = outcomes(chosen)
        print_rates("all", rates(counts))
    return documents


def own_tables() -> None:
    print("\n== Own corpus (written here; tests/contracts/corpus): precision / recall of found")
    sets, labels = corpus_sets(), corpus_labels()
    for name in sets:
        entries = [e for e in labels if e["set"] == name]
        counts, _rows = evaluate(entries)
        total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn", "tn")}
        p, r = precision_recall(total)
        print(f"  {name:<12} {len(entries):>2} contracts  precision {p:.2f}  recall {r:.2f}  "
              f"(TP {total['tp']}, FP {total['fp']}, FN {total['fn']})")
    own = training.own_documents()
    for lang in ("ja", "en"):
        counts, _wrong = outcomes([d for d in own if d.language == lang])
        print_rates(f"own {lang}", rates(counts))


def example_pool(document) -> list[scorer.Example]:
    """Confirmed examples a reviewer would have left on ``document``: the sentences holding
    its labelled quotes (found) and decoys (not found)."""
    pool = []
    units = document.reading().units
    for clause_id, quotes in document.quotes.items():
        for quote in quotes:
            unit = next((u for u in units if training._holds(u.text, quote)), None)
            if unit is not None:
                pool.append(scorer.Example(clause_id, frozenset(unit.features), 1))
    for clause_id, decoys in document.decoys.items():
        for quote in decoys:
            unit = next((u for u in units if training._holds(u.text, quote)), None)
            if unit is not None:
                pool.append(scorer.Example(clause_id, frozenset(unit.features), 0))
    return pool


def reviewer_effect(documents) -> None:
    held = [d for d in documents if d.heldout]
    pools = {d.name: example_pool(d) for d in held}

    def examples_for(document):
        others = [e for d in held if d.name != document.name for e in pools[d.name]]
        return random.Random(f"{training.SEED}-{document.name}").sample(others, min(EXAMPLES, len(others)))
    base = rates(outcomes(held)[0])
    adapted = rates(outcomes(held, examples_for)[0])
    print(f"\n== Reviewer examples: each held-out document checked with {EXAMPLES} confirmed examples from the "
          f"other held-out documents (never its own)")
    print_rates("shipped model", base)
    print_rates(f"+ {EXAMPLES} reviewer examples", adapted)
    print(f"  recall change {adapted['pf'] - base['pf']:+.3f} (target ≥ +0.05), "
          f"false found change {adapted['af'] - base['af']:+.3f} (target ≤ 0)")


def timing(rounds: int) -> None:
    root = training.REAL
    english = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "cuad" / "texts").glob("*.txt")))
    own = "\n".join(p.read_text(encoding="utf-8") for p in sorted(training.OWN.glob("ja_*")))
    clauses = contracts_library.library()
    scorer.load_model()
    print("\n== Speed (a 200-page contract's text; PDF extraction apart)")
    for label, text in (("English, 600,000 characters", english[:600_000]), ("Japanese, 300,000 characters",
                                                                                (own * 40)[:300_000])):
        data = text.encode()
        start = time.perf_counter()
        for _ in range(rounds):
            checker.check(data, "contract.txt", clauses)
        print(f"  {label}: {(time.perf_counter() - start) / rounds:.2f} s per check (target < 1 s)")
    lines = [line for line in own.splitlines() if line.strip()][:2400]
    pdf = japanese_pdf(lines, lines_per_page=45)
    start = time.perf_counter()
    extracted = contracts_text.extract(pdf, "pdf")
    print(f"  PDF text extraction, Japanese, {len(lines) // 45 + 1} pages: {time.perf_counter() - start:.2f} s "
          f"({len(extracted.text)} characters)")


def main() -> None:
    """Print the tables, the reviewer-example effect and the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="one timing round instead of five")
    parser.add_argument("--verbose", action="store_true", help="list the held-out rows got wrong")
    args = parser.parse_args()
    model = scorer.load_model()
    print(f"model {model.version}: trained on {len(model.meta.get('documents', []))} documents")
    documents = real_tables(args.verbose)
    own_tables()
    reviewer_effect(documents)
    timing(1 if args.small else 5)


if __name__ == "__main__":
    main()
