"""The contract checker's tuned constants compared over fold seeds (development documents only).

For each fold seed and each sentence-model configuration (``REGULARISATION_C``,
``POSITIVE_WEIGHT``, ``MIN_FEATURE_COUNT``) the scorer is trained as
``bench/contracts_cv_errors.py --seeds`` does (nothing written, no held-out document read);
then, on the same out-of-fold sentence scores, the document model is refitted with each
``STACKER_C`` and each evidence variant, and the shipped threshold rule is applied by nested
cross-validation. Printed: one line per seed and configuration (the real documents'
present→found, present→not_found, absent→found per language, needs review, ja present→found),
then per configuration the means over the seeds and on how many seeds present→found beat the
shipped configuration's.

Evidence variants: ``shipped`` (``evidence.FEATURES``); ``heading×top1`` (a clause heading
anywhere in the document times the best sentence's logit); ``heading article`` (the best
article whose heading names the clause, noisy-or of its three best sentences, as a logit).

    .venv/bin/python bench/contracts_constants.py --seeds 20261206,20261207,20261208 \
        --sentence 2,5,2 --sentence 0.5,5,2 --stacker-c 0.1,0.3
"""
import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import contracts_thresholds as thresholds  # noqa: E402
from bench.contracts_cv_errors import constants, cross_validated, shares  # noqa: E402
from vendorrisk.contracts import training  # noqa: E402
from vendorrisk.contracts.checker import evidence, library  # noqa: E402

VARIANTS = ("shipped", "heading×top1", "heading article")


def heading_article(units, probabilities, clause_id) -> float:
    """The best article whose heading names the clause (noisy-or of its three best usable
    sentences) as a logit; ``-CLIP`` when no heading names it."""
    by_section: dict[tuple, list[float]] = {}
    for p, unit in zip(probabilities, units):
        if clause_id in unit.heading_hits and training.usable(unit, clause_id):
            by_section.setdefault(evidence._section(unit), []).append(p)
    best = -evidence.CLIP
    for scores in by_section.values():
        miss = 1.0
        for p in sorted(scores, reverse=True)[:3]:
            miss *= 1 - p
        best = max(best, evidence.logit(1 - miss))
    return best


def rows(table, variant: str, readings: dict) -> list[list[float]]:
    """The document model's input of every pair for one evidence variant."""
    ids = [c.id for c in library.library()]
    out = []
    for i, features in enumerate(table.features):
        features = list(features)
        if variant == "heading×top1":
            features.append(features[evidence.FEATURES.index("heading")] * features[0])
        elif variant == "heading article":
            key, clause_id = table.documents[i], ids[table.clauses[i]]
            features.append(heading_article(readings[key], table.sentence_scores[key][clause_id], clause_id))
        out.append(evidence.stacker_row(features, table.clauses[i], len(ids)))
    return out


def figures(table, status) -> dict[str, float]:
    """The real documents' shares: all, and absent→found and present→found per language."""
    real = shares(table, lambda i: table.real[i], status)
    ja = shares(table, lambda i: table.real[i] and table.langs[i] == "ja", status)
    en = shares(table, lambda i: table.real[i] and table.langs[i] == "en", status)
    return {"p→f": real["p→found"], "p→nf": real["p→not_found"], "a→f": real["a→found"], "ja a→f": ja["a→found"],
            "en a→f": en["a→found"], "review": real["review"], "ja p→f": ja["p→found"], "en p→f": en["p→found"]}


def main() -> None:
    """Run the grid and print the per-seed lines and the means per configuration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", required=True, help="comma-separated fold seeds")
    parser.add_argument("--sentence", action="append", required=True,
                        help="REGULARISATION_C,POSITIVE_WEIGHT,MIN_FEATURE_COUNT (repeatable)")
    parser.add_argument("--stacker-c", default=str(training.STACKER_C), help="comma-separated STACKER_C values")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated evidence variants")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    sentence = [tuple(float(x) for x in s.split(",")) for s in args.sentence]
    stacker_cs = [float(c) for c in args.stacker_c.split(",")]
    variants = args.variants.split(",")
    documents = [d for d in training.real_documents() if not d.heldout] + training.own_documents()
    readings = {d.key: d.reading().units for d in documents}
    results: dict[tuple, list[dict]] = {}
    for seed in seeds:
        for c, weight, min_count in sentence:
            with constants({"REGULARISATION_C": c, "POSITIVE_WEIGHT": weight, "MIN_FEATURE_COUNT": min_count}):
                table, _status = cross_validated(documents, seed)
            for variant in variants:
                stack_rows = rows(table, variant, readings)
                for stacker_c in stacker_cs:
                    values = thresholds.restacked(table, lambda i, r=stack_rows: r[i], stacker_c)
                    status = thresholds.nested(table, thresholds.per_language(table, values))
                    config = (c, weight, min_count, stacker_c, variant)
                    results.setdefault(config, []).append(figures(table, status))
                    line = ", ".join(f"{k} {v:.3f}" for k, v in results[config][-1].items())
                    print(f"seed {seed} C {c:g} pw {weight:g} min {min_count:g} sC {stacker_c:g} {variant}: {line}",
                          flush=True)
    shipped = (training.REGULARISATION_C, training.POSITIVE_WEIGHT, float(training.MIN_FEATURE_COUNT),
               training.STACKER_C, "shipped")
    print(f"over {len(seeds)} seeds ({args.seeds}): mean (sd of p→f); wins = seeds where p→f beats the shipped "
          "configuration's")
    for config, runs in results.items():
        means = {k: statistics.mean(r[k] for r in runs) for k in runs[0]}
        sd = statistics.stdev(r["p→f"] for r in runs) if len(runs) > 1 else 0.0
        wins = (sum(r["p→f"] > b["p→f"] for r, b in zip(runs, results[shipped]))
                if shipped in results else "-")
        c, weight, min_count, stacker_c, variant = config
        print(f"  C {c:g} pw {weight:g} min {min_count:g} sC {stacker_c:g} {variant:<16} "
              + ", ".join(f"{k} {v:.3f}" for k, v in means.items()) + f" (sd {sd:.3f}) wins {wins}")


if __name__ == "__main__":
    main()
