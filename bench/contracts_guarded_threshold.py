"""The ``found`` threshold chosen as the matcher decides: measured, not shipped (round 14).

The threshold rule (``training.choose_thresholds``) counts as a false *found* every absent pair whose
document value reaches ``found``; the matcher sends to *needs review* a pair whose best usable
sentence carries a negative pattern of the clause or only refers to another document, so such a pair
is never a false *found*. Per fold seed this bench trains once (as ``contracts_cv_errors.py --seeds``)
and prints the real documents' figures of three rules by nested cross-validation:

- ``shipped``: the shipped rule, statuses from the value alone (the figures of ``--seeds``);
- ``guarded``: the shipped thresholds, statuses as the matcher gives them (a guarded pair that
  reaches ``found`` is *needs review*) — the product's figures;
- ``guard-aware``: thresholds chosen with guarded pairs unable to be found (they still count among
  the absent pairs), statuses as the matcher gives them.

No held-out document is read.

    .venv/bin/python bench/contracts_guarded_threshold.py [--seeds N]
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import contracts_thresholds as thresholds  # noqa: E402
from bench.contracts_cv_errors import cross_validated  # noqa: E402
from vendorrisk.contracts import training  # noqa: E402
from vendorrisk.contracts.checker import library, matcher  # noqa: E402

FIGURES = ("p→found", "p→not_found", "a→found", "en a→found", "ja a→found", "ja p→found", "en p→found", "review")


def guards(table, documents) -> list[bool]:
    """Per pair: the best usable sentence (out-of-fold score) has a negative hit or only refers."""
    ids = [c.id for c in library.library()]
    by_key = {d.key: d for d in documents}
    out = []
    for i in range(len(table.values)):
        units = by_key[table.documents[i]].reading().units
        clause_id = ids[table.clauses[i]]
        scores = table.sentence_scores[table.documents[i]][clause_id]
        usable = [k for k, u in enumerate(units) if matcher.counts(u, clause_id)]
        best = max(usable, key=lambda k: scores[k], default=None)
        out.append(best is not None and (clause_id in units[best].negative_hits or bool(matcher._only_refers(units[best]))))
    return out


def rule(table, guarded, aware: bool):
    def choose(train_at):
        found, review = {}, {}
        for lang in training.LANGS:
            groups = [[i for i in train_at if table.langs[i] == lang and table.real[i] == real] for real in (True, False)]
            found[lang] = max(training.found_threshold([-50.0 if aware and guarded[i] else table.values[i] for i in g],
                                                       [table.present[i] for i in g]) for g in groups if g)
            chosen = groups[0] or groups[1]
            review[lang] = training.review_threshold([table.values[i] for i in chosen], found[lang])

        def status(i):
            lang, value = table.langs[i], table.values[i]
            if value >= found[lang]:
                return "r" if guarded[i] else "f"
            return "r" if value >= review[lang] else "n"
        return status
    return choose


def figures(table, status) -> dict[str, float]:
    def share(keep, present, wanted):
        at = [i for i in range(len(table.values)) if table.real[i] and keep(i) and table.present[i] == present]
        return sum(status[i] in wanted for i in at) / max(1, len(at))
    real = [i for i in range(len(table.values)) if table.real[i]]
    return {"p→found": share(lambda i: True, True, "f"), "p→not_found": share(lambda i: True, True, "n"),
            "a→found": share(lambda i: True, False, "f"),
            "en a→found": share(lambda i: table.langs[i] == "en", False, "f"),
            "ja a→found": share(lambda i: table.langs[i] == "ja", False, "f"),
            "ja p→found": share(lambda i: table.langs[i] == "ja", True, "f"),
            "en p→found": share(lambda i: table.langs[i] == "en", True, "f"),
            "review": sum(status[i] == "r" for i in real) / max(1, len(real))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    documents = [d for d in training.real_documents() if not d.heldout] + training.own_documents()
    results = {name: [] for name in ("shipped", "guarded", "guard-aware")}
    for seed in [training.SEED + k for k in range(args.seeds)]:
        table, shipped = cross_validated(documents, seed)
        guarded = guards(table, documents)
        statuses = {"shipped": shipped, "guarded": thresholds.nested(table, rule(table, guarded, False)),
                    "guard-aware": thresholds.nested(table, rule(table, guarded, True))}
        print(f"seed {seed}: {sum(guarded)} guarded pairs ({sum(g and not p for g, p in zip(guarded, table.present))} "
              "absent)", flush=True)
        for name, status in statuses.items():
            row = figures(table, status)
            results[name].append(row)
            print(f"  {name:<12} " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    print(f"over {args.seeds} seeds: mean (sd)")
    for name, rows in results.items():
        print(f"  {name:<12} " + ", ".join(
            f"{k} {statistics.mean(r[k] for r in rows):.3f} ({statistics.stdev(r[k] for r in rows) if len(rows) > 1 else 0:.3f})"
            for k in FIGURES))


if __name__ == "__main__":
    main()
