"""The contract checker on Japanese-drafted clause passages (issue 13, round 5, measurement only).

The passages are excerpts of web pages that may not be redistributed, so the repository holds
only their facts and hand labels (``bench/contracts_ja_passages.yaml``: URL, SHA-256 of the
text file, the clause ids present); the texts are read from a local folder of ``<id>.txt``
files. Each file is checked exactly as an upload of one ``.txt`` document is
(``checker.check`` with the product's clause library, no reviewer examples), and for every
clause of every passage the labelled presence is compared with the status. It prints, per
clause and overall, present→found / present→not_found / present→needs_review,
absent→found / absent→not_found / absent→needs_review and the share of pairs left for
review, against issue 13's targets (docs/contracts.md, *Accuracy on real contracts — where it stands*;
the passage rounds in docs/contracts_accuracy.md). A file whose hash differs from the label
file is reported and left out (the labels belong to the text that was labelled).
``--verbose`` lists every pair whose status disagrees with its label, with the place, reason
and the judged sentence (parties marked), and for each passage how it was read (articles
recognised or not, the parties found): the material for the failure classes.

    .venv/bin/python bench/contracts_ja_passages.py FOLDER [--labels FILE] [--verbose]
"""
import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vendorrisk.contracts import checker  # noqa: E402
from vendorrisk.contracts.checker import library as contracts_library  # noqa: E402
from vendorrisk.contracts.checker.parties import find_parties  # noqa: E402

LABELS = Path(__file__).resolve().parent / "contracts_ja_passages.yaml"
STATUSES = ("found", "not_found", "needs_review")
TARGETS = (("present→found", "pf", ">=", 0.80), ("present→not_found", "pnf", "<=", 0.10),
           ("absent→found", "af", "<=", 0.03), ("absent→not_found", "anf", ">=", 0.85),
           ("needs_review of all pairs", "nr", "<=", 0.15))


def load_labels(path: Path) -> tuple[list[str], list[dict]]:
    """The clause ids and the labelled passages of the label file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc["clause_ids"], doc["passages"]


def read_passages(folder: Path, passages: list[dict]) -> tuple[list[tuple[dict, bytes]], list[str]]:
    """The passages whose file is in ``folder`` with the labelled hash, and the problems of the others."""
    kept, problems = [], []
    for passage in passages:
        path = folder / f"{passage['id']}.txt"
        if not path.exists():
            problems.append(f"{passage['id']}: no file {path}")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != passage["sha256"]:
            problems.append(f"{passage['id']}: the file's SHA-256 differs from the labelled text's")
            continue
        kept.append((passage, data))
    return kept, problems


def check_all(kept, clause_ids: list[str]) -> tuple[Counter, list, list]:
    """Check every passage; count (clause, present, status) and collect the disagreements and readings."""
    clauses = contracts_library.library()
    counts, wrong, readings = Counter(), [], []
    for passage, data in kept:
        result = checker.check(data, f"{passage['id']}.txt", clauses)
        by_clause = {r.clause_id: r for r in result.results}
        parties = find_parties(result.extracted.text)
        readings.append((passage["id"], result.structure.detected, result.structure.style,
                         sorted(parties.provider), sorted(parties.customer)))
        for clause_id in clause_ids:
            present = clause_id in passage["present"]
            r = by_clause[clause_id]
            counts[(clause_id, present, r.status)] += 1
            if (r.status == "found") != present:
                wrong.append((passage["id"], clause_id, present, r))
    return counts, wrong, readings


def rates(counts: Counter, clause_ids) -> dict:
    """The counts and shares over ``clause_ids``."""
    n = Counter()
    for (clause_id, present, status), v in counts.items():
        if clause_id in clause_ids:
            n[(present, status)] += v
    p = sum(n[(True, s)] for s in STATUSES)
    a = sum(n[(False, s)] for s in STATUSES)
    review = n[(True, "needs_review")] + n[(False, "needs_review")]
    return {"P": p, "A": a, "n": n,
            "pf": n[(True, "found")] / max(1, p), "pnf": n[(True, "not_found")] / max(1, p),
            "pnr": n[(True, "needs_review")] / max(1, p),
            "af": n[(False, "found")] / max(1, a), "anf": n[(False, "not_found")] / max(1, a),
            "anr": n[(False, "needs_review")] / max(1, a), "nr": review / max(1, p + a)}


def print_table(counts: Counter, clause_ids: list[str]) -> None:
    """Per clause and overall: the counts of each (label, status) and the shares."""
    print(f"{'clause':24s} {'P':>3s} {'p→f':>4s} {'p→nf':>4s} {'p→nr':>4s} {'A':>4s} {'a→f':>4s} {'a→nf':>4s} "
          f"{'a→nr':>4s}   p→f   a→f   nr")
    for clause_id in clause_ids + ["overall"]:
        r = rates(counts, clause_ids if clause_id == "overall" else [clause_id])
        n = r["n"]
        print(f"{clause_id:24s} {r['P']:3d} {n[(True, 'found')]:4d} {n[(True, 'not_found')]:4d} "
              f"{n[(True, 'needs_review')]:4d} {r['A']:4d} {n[(False, 'found')]:4d} {n[(False, 'not_found')]:4d} "
              f"{n[(False, 'needs_review')]:4d}  " + (f"{r['pf']:.2f}" if r["P"] else "   –") +
              f"  {r['af']:.2f}  {r['nr']:.2f}")
    r = rates(counts, clause_ids)
    marks = []
    for name, key, op, target in TARGETS:
        ok = r[key] >= target if op == ">=" else r[key] <= target
        marks.append(f"{name} {r[key]:.2f}{'' if ok else '✗'}")
    print(f"\noverall ({r['P']} present / {r['A']} absent pairs): " + ", ".join(marks) +
          f"; present→needs_review {r['pnr']:.2f}, absent→needs_review {r['anr']:.2f}")


def print_details(wrong, readings) -> None:
    """How each passage was read, and every pair whose status disagrees with its label."""
    print("\nreading (passage, articles recognised, style, provider, customer):")
    for pid, detected, style, provider, customer in readings:
        print(f"  {pid}  {'articles' if detected else 'NO ARTICLES'} ({style})  provider={provider} customer={customer}")
    print("\npairs whose status disagrees with the label (passage, clause, label → status, confidence, place, reason):")
    for pid, clause_id, present, r in wrong:
        label = "present" if present else "absent"
        print(f"  {pid} {clause_id}: {label} → {r.status} ({r.confidence:.2f}) at {r.location or '-'}; "
              f"{r.reason_key}; {r.sentence[:140]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder holding <id>.txt for each passage")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    clause_ids, passages = load_labels(args.labels)
    kept, problems = read_passages(args.folder, passages)
    for problem in problems:
        print("left out:", problem)
    print(f"{len(kept)} of {len(passages)} passages checked\n")
    counts, wrong, readings = check_all(kept, clause_ids)
    print_table(counts, clause_ids)
    if args.verbose:
        print_details(wrong, readings)


if __name__ == "__main__":
    main()
