"""Decision rules of the contract checker compared on the development documents only.

Trains the scorer as ``vendorrisk contracts train`` does (nothing is written), takes the
document model's cross-validated values of the training documents, and compares ways of
turning them into found / needs review / not found by nested cross-validation over the same
whole-document folds: the rule is chosen on four folds and applied to the fifth. No
held-out document is read. Printed per group (real English, real Japanese, own, all real):
present→found, present→not_found, absent→found, absent→not_found and needs review.

    .venv/bin/python bench/contracts_thresholds.py
"""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vendorrisk.contracts import training
from vendorrisk.contracts.checker import evidence

FOLDS = training.FOLDS


def rates(table, keep, status) -> str:
    """The shares of one group of pairs (``status``: ``f`` found, ``r`` review, ``n`` not found)."""
    counts = {(present, s): 0 for present in (True, False) for s in "frn"}
    for i in range(len(table.values)):
        if keep(i):
            counts[(table.present[i], status[i])] += 1
    p = sum(counts[(True, s)] for s in "frn")
    a = sum(counts[(False, s)] for s in "frn")
    review = counts[(True, "r")] + counts[(False, "r")]
    return (f"present {p:3d} absent {a:3d} | p→found {counts[(True, 'f')] / max(1, p):.2f} "
            f"p→not_found {counts[(True, 'n')] / max(1, p):.2f} a→found {counts[(False, 'f')] / max(1, a):.3f} "
            f"a→not_found {counts[(False, 'n')] / max(1, a):.2f} review {review / max(1, p + a):.2f}")


def nested(table, choose) -> list[str]:
    """Status per pair: ``choose(train_indices)`` returns a rule for a pair, applied to the
    pairs of the fold left out."""
    status = [""] * len(table.values)
    for fold in range(FOLDS):
        rule = choose([i for i in range(len(table.values)) if table.folds[i] != fold])
        for i in range(len(table.values)):
            if table.folds[i] == fold:
                status[i] = rule(i)
    return status


def per_language(table, values=None):
    """The shipped rule: ``found`` and ``review`` per language (``training.choose_thresholds``)."""
    values = values or table.values

    def choose(train_at):
        found, review = training.choose_thresholds([values[i] for i in train_at], [table.present[i] for i in train_at],
                                                   [table.langs[i] for i in train_at],
                                                   [table.real[i] for i in train_at])
        lang = table.langs
        return lambda i: "f" if values[i] >= found[lang[i]] else ("r" if values[i] >= review[lang[i]] else "n")
    return choose


def per_clause(table, shrink: float):
    """Per-clause ``found`` offsets from the language threshold (false found ≤ 3 % within
    each clause), pulled towards zero by ``shrink``."""
    def choose(train_at):
        v, lang = table.values, table.langs
        found, review = training.choose_thresholds([v[i] for i in train_at], [table.present[i] for i in train_at],
                                                   [lang[i] for i in train_at], [table.real[i] for i in train_at])
        offset = {}
        for k in set(table.clauses):
            mine = [i for i in train_at if table.clauses[i] == k]
            offset[k] = (1 - shrink) * training.found_threshold([v[i] - found[lang[i]] for i in mine],
                                                                [table.present[i] for i in mine])
        return lambda i: ("f" if v[i] - found[lang[i]] >= offset[table.clauses[i]] else
                          "r" if v[i] >= review[lang[i]] else "n")
    return choose


def balanced(values: list[float], present: list[bool], found: float) -> float:
    """Round 2's review threshold: the one below ``found`` that misses its two targets least —
    present clauses reported not found (≤ MAX_FALSE_GAP) and pairs left for review
    (≤ MAX_REVIEW), each as a share of its target; the larger share is minimised."""
    total, present_count = len(values), max(1, sum(present))
    best, best_cost = found, None
    for candidate in sorted({math.floor(v * 1e4) / 1e4 for v in values if v < found} | {found}):
        gap = sum(1 for v, p in zip(values, present) if p and v < candidate) / present_count
        review = sum(1 for v in values if candidate <= v < found) / max(1, total)
        cost = max(gap / training.MAX_FALSE_GAP, review / training.MAX_REVIEW)
        if best_cost is None or cost < best_cost:
            best, best_cost = candidate, cost
    return best


def round_two(table):
    """Round 2's rule: the shipped ``found``, ``review`` balanced against false gaps."""
    def choose(train_at):
        v, lang = table.values, table.langs
        found, _review = training.choose_thresholds([v[i] for i in train_at], [table.present[i] for i in train_at],
                                                    [lang[i] for i in train_at], [table.real[i] for i in train_at])
        review = {}
        for language in training.LANGS:
            mine = [i for i in train_at if lang[i] == language and table.real[i]]
            review[language] = balanced([v[i] for i in mine], [table.present[i] for i in mine], found[language])
        return lambda i: "f" if v[i] >= found[lang[i]] else ("r" if v[i] >= review[lang[i]] else "n")
    return choose


def restacked(table, row, c: float) -> list[float]:
    """Document-model values refitted with ``row(i)`` as input and regularisation ``c`` (out of
    fold, the same folds)."""
    from sklearn.linear_model import LogisticRegression
    out = [0.0] * len(table.values)
    for fold in range(FOLDS):
        train_at = [i for i in range(len(out)) if table.folds[i] != fold]
        model = LogisticRegression(C=c, max_iter=4000).fit([row(i) for i in train_at],
                                                           [int(table.present[i]) for i in train_at])
        test_at = [i for i in range(len(out)) if table.folds[i] == fold]
        for i, value in zip(test_at, model.decision_function([row(i) for i in test_at])):
            out[i] = float(value)
    return out


def main() -> None:
    """Train once, then print each rule's nested cross-validated shares."""
    box = {}
    training.train(log=lambda *_a: None, on_cross_validated=lambda t: box.setdefault("table", t))
    table = box["table"]
    clauses = len(set(table.clauses))
    groups = (("real en", lambda i: table.real[i] and table.langs[i] == "en"),
              ("real ja", lambda i: table.real[i] and table.langs[i] == "ja"),
              ("own", lambda i: not table.real[i]), ("real, all", lambda i: table.real[i]))
    rules = [
        ("per language, review band balanced against false gaps (round 2)", round_two(table)),
        ("per language, review band capped at 15 % (round 3, shipped)", per_language(table)),
        ("per clause found offsets", per_clause(table, 0.0)),
        ("per clause found offsets, halved", per_clause(table, 0.5)),
        ("document model C 1.0", per_language(table, restacked(
            table, lambda i: evidence.stacker_row(table.features[i], table.clauses[i], clauses), 1.0))),
    ]
    print(f"{len(set(table.documents))} training documents, {len(table.values)} pairs; nested {FOLDS}-fold "
          "cross-validation (no held-out document read)")
    for name, choose in rules:
        status = nested(table, choose)
        print(name)
        for label, keep in groups:
            print(f"  {label:<10} {rates(table, keep, status)}")


if __name__ == "__main__":
    main()
