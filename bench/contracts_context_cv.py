"""Round 20 (issue 13): does a sentence gain from its neighbours' concepts? Measured only.

Runs ``bench/contracts_cv_errors.py`` (same documents, folds, training and nested rule) with
the corpus's reading (``checker.reading.read`` as ``corpus`` calls it) wrapped for the run only:
every candidate sentence gets, besides its own features, features from the concepts of the other
sentences of its article (``context``). Training and the cross-validated checking read the
documents through that one function, so both see the same features. The product is unchanged;
the scorer, the document model and the thresholds are the shipped ones.

Variants (``--variant``, named before the first run):
 - ``nk`` (a): ``nk:<concept>`` for the concepts of the previous and the next sentence of the
   same article;
 - ``ak`` (b): ``ak:<concept>`` for the concepts of any other sentence of the same article (of
   the same paragraph where no article was recognised);
 - ``nk+kn`` (c): (a), and ``kn:<own>+<neighbour's>`` for each pair of a concept of the sentence
   and one of its neighbours (``再委託`` before, ``承諾`` here: ``kn:consent+subcontract``).

    nice -n 19 .venv/bin/python bench/contracts_context_cv.py --variant nk -- \\
        --seeds 12 --added-by label9a --added-by label9b --added-by label10 --added-by label11a --added-by label11b

``--compare MAIN.out VARIANT.out …`` reads the printed per-seed lines of such runs (main's own
``contracts_cv_errors.py`` run first) and prints the round's table: per group the mean and sd over
the seeds, and the seeds on which present→found is better / worse than main's.
"""
import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import contracts_cv_errors  # noqa: E402
from vendorrisk.contracts import corpus  # noqa: E402
from vendorrisk.contracts.checker import reading  # noqa: E402
from vendorrisk.contracts.checker.concepts import concepts  # noqa: E402
from vendorrisk.contracts.checker.features import sentences  # noqa: E402

VARIANTS = ("nk", "ak", "nk+kn")


def context(variant: str, own: set[str], neighbours: set[str], article: set[str]) -> set[str]:
    """A sentence's features from its article: ``nk:`` its neighbours' concepts, ``ak:`` those of
    the article's other sentences, ``kn:<own>+<neighbour's>`` the pairs across."""
    out: set[str] = set()
    if "nk" in variant:
        out.update(f"nk:{c}" for c in neighbours)
    if "ak" in variant:
        out.update(f"ak:{c}" for c in article)
    if "kn" in variant:
        out.update(f"kn:{a}+{b}" for a in own for b in neighbours)
    return out


def with_context(variant: str, original=reading.read):
    """``reading.read`` whose candidate units also get ``context``'s features: neighbours are the
    previous and next unit of the same article (section); "the article" of ``ak`` is the section, or
    the paragraph where no article was recognised (one section holding the whole text)."""
    def read(structure, clauses):
        result = original(structure, clauses)
        section_of, scope = [], []
        for s, section in enumerate(structure.sections):
            for passage in section.passages:
                if passage.part in reading.FURNITURE:
                    continue
                for _sentence in sentences(passage.text):
                    section_of.append(s)
                    scope.append((s, None if section.label is not None else passage.index))
        units = result.units
        assert len(units) == len(section_of), "units and sentences out of step"
        found = [concepts(reading.flat(u.text)) for u in units]
        per_scope: dict[tuple, dict[str, int]] = {}
        for where, mine in zip(scope, found):
            counts = per_scope.setdefault(where, {})
            for c in mine:
                counts[c] = counts.get(c, 0) + 1
        for i, unit in enumerate(units):
            if not unit.candidate:
                continue
            near: set[str] = set()
            for j in (i - 1, i + 1):
                if 0 <= j < len(units) and section_of[j] == section_of[i]:
                    near |= found[j]
            article = {c for c, n in per_scope[scope[i]].items() if n > (c in found[i])}
            unit.features |= context(variant, found[i], near, article)
        return result
    return read


GROUPS = ("real", "real en", "real ja", "own en", "own ja", "real old")
FIGURE = re.compile(r"([a-z ]+?) (p→found|p→not_found|a→found|review) ([0-9.]+)")


def seeds_of(path: Path) -> dict[str, dict[str, float]]:
    """The per-seed figures printed by a ``--seeds`` run: seed -> {"real ja p→found": value…}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("seed "):
            seed, _sep, rest = line.partition(": ")
            out[seed.split()[1]] = {f"{m[1].strip()} {m[2]}": float(m[3]) for m in FIGURE.finditer(rest)}
    return out


def compare(paths: list[Path]) -> None:
    """The round's table: per group and run, means (sd) over the seeds all runs finished."""
    runs = {path.stem: seeds_of(path) for path in paths}
    seeds = sorted(set.intersection(*(set(r) for r in runs.values())))
    main_run = runs[paths[0].stem]
    print(f"{len(seeds)} seeds: {', '.join(seeds)}")
    print("| run | group | p→found (sd) | p→not_found | a→found (sd) | review | p→found better / worse than main |")
    print("|---|---|---|---|---|---|---|")
    for group in GROUPS:
        for name, run in runs.items():
            def values(figure, run=run):
                return [run[s][f"{group} {figure}"] for s in seeds]
            pf, af = values("p→found"), values("a→found")
            if run is main_run:
                versus = "—"
            else:
                base = [main_run[s][f"{group} p→found"] for s in seeds]
                gain = statistics.mean(pf) - statistics.mean(base)
                versus = (f"{sum(v > b for v, b in zip(pf, base))} / {sum(v < b for v, b in zip(pf, base))} "
                          f"(mean {gain:+.3f})")
            print(f"| {name} | {group} | {statistics.mean(pf):.3f} ({statistics.stdev(pf):.3f}) | "
                  f"{statistics.mean(values('p→not_found')):.3f} | {statistics.mean(af):.3f} "
                  f"({statistics.stdev(af):.3f}) | {statistics.mean(values('review')):.3f} | {versus} |")
    print("\n| real p→found per seed | " + " | ".join(s[-2:] for s in seeds) + " |")
    print("|---|" + "---|" * len(seeds))
    for name, run in runs.items():
        print(f"| {name} | " + " | ".join(f"{run[s]['real p→found']:.3f}" for s in seeds) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, nargs="+", metavar="OUT", help="tabulate finished runs")
    parser.add_argument("--variant", choices=VARIANTS)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- then contracts_cv_errors.py's options")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare)
        return
    if not args.variant:
        parser.error("--variant or --compare")
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    corpus.read = with_context(args.variant)
    print(f"context variant: {args.variant}", flush=True)
    sys.argv = [sys.argv[0], *rest]
    contracts_cv_errors.main()


if __name__ == "__main__":
    main()
