"""Where the contract checker fails on the development documents: nested cross-validation
of the shipped decision rule, per clause, and the false gaps listed with their sentences.

Trains the scorer as ``vendorrisk contracts train`` does (nothing is written), applies the
shipped thresholds by nested cross-validation over whole-document folds (the rule chosen on
four folds, applied to the fifth, as ``contracts_thresholds.py``), and prints per group the
shares of the targets, per fold the real documents' present→found and absent→found and the
spread of present→found between folds, the recall of the real documents at 2, 3 and 5 % false *found*
(a threshold-free view of the ranking), per clause found / false gaps / false found, and
with ``--errors`` every present clause of a real training document not reported found, with
the sentences holding its labelled quotes: candidate or not, their out-of-fold score, who
owes them, their heading and concepts; with ``--false-found`` every absent clause of a real
training document reported found, with its three best sentences (round 12); with ``--thresholds`` per fold
and language the ``found`` threshold of the real and of the own documents, the pairs that set each, and
where the real present pairs of the fold left out stand (round 14). No held-out document is read.

With ``--seeds N`` (or ``--seed S``) the nested cross-validation is rerun with other fold
assignments of the same documents: the same shuffle as ``training.train``, seeded with
``training.SEED``, ``SEED + 1`` … (or with ``S``). Printed per seed: the real documents'
present→found, present→not_found, absent→found and needs review, all and per language, and
the spread of present→found between folds; then the mean, min, max and standard deviation
over the seeds: the noise of the fold assignment itself, which a step's gain must exceed.
Without either option the run is the shipped assignment (``training.SEED``), as before.

With ``--seeds`` and ``--added-by LABELLER`` (repeatable) the documents whose label file names
that labeller (a round of new labels) are counted apart: besides the figures of all real
training documents, the run prints those of the older ones alone ("real old"). With
``--without-added`` as well, those documents are left out of training: the documents of the
round before, on the same seeds, for a before/after comparison.

With ``--constant NAME=VALUE`` (repeatable) a tuned constant of ``training`` (``TUNABLE``) is
replaced for the run only, never written: a candidate is measured on the same seeds as the
shipped constants. Without it the run is the shipped configuration.

    .venv/bin/python bench/contracts_cv_errors.py [--errors] [--false-found] [--thresholds] [--seeds N | --seed S] [--constant NAME=VALUE …]
        [--added-by LABELLER … [--without-added]]
"""
import argparse
import contextlib
import statistics
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import contracts_thresholds as thresholds  # noqa: E402
from vendorrisk.contracts import corpus, training  # noqa: E402
from vendorrisk.contracts.checker import library  # noqa: E402
from vendorrisk.contracts.corpus import holds  # noqa: E402

GROUPS = (("real en", lambda t, i: t.real[i] and t.langs[i] == "en"),
          ("real ja", lambda t, i: t.real[i] and t.langs[i] == "ja"),
          ("own", lambda t, i: not t.real[i]), ("real, all", lambda t, i: t.real[i]))


TUNABLE = ("REGULARISATION_C", "POSITIVE_WEIGHT", "STACKER_C", "MAX_REVIEW", "MIN_FEATURE_COUNT")


@contextlib.contextmanager
def constants(values: dict[str, float]):
    """``training``'s tuned constants replaced by ``values`` inside the block, restored after."""
    unknown = set(values) - set(TUNABLE)
    if unknown:
        raise SystemExit(f"not a tunable constant: {', '.join(sorted(unknown))} (one of {', '.join(TUNABLE)})")
    shipped = {name: getattr(training, name) for name in values}
    for name, value in values.items():
        setattr(training, name, type(shipped[name])(value))
    try:
        yield
    finally:
        for name, value in shipped.items():
            setattr(training, name, value)


def parse_constant(text: str) -> tuple[str, float]:
    """``NAME=VALUE`` of ``--constant``."""
    name, _eq, value = text.partition("=")
    try:
        return name.strip().upper(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}") from None


def cross_validated(documents=None, seed: int | None = None) -> tuple:
    """The cross-validated table of a training run and the nested statuses of the shipped rule;
    with ``seed``, the documents' folds are shuffled with that seed instead of ``training.SEED``."""
    box = {}
    shipped = training.SEED
    # train() reads the module's SEED when it shuffles; set only for this run, never written
    training.SEED = shipped if seed is None else seed
    try:
        training.train(documents, log=lambda *_a: None, on_cross_validated=lambda t: box.setdefault("table", t))
    finally:
        training.SEED = shipped
    table = box["table"]
    return table, thresholds.nested(table, thresholds.per_language(table))


def ranking(table, lang: str) -> str:
    """Recall of the real documents of ``lang`` at 2, 3 and 5 % false found (pooled folds)."""
    chosen = [i for i in range(len(table.values)) if table.langs[i] == lang and table.real[i]]
    absent = sorted((table.values[i] for i in chosen if not table.present[i]), reverse=True)
    present = [table.values[i] for i in chosen if table.present[i]]
    out = []
    for share in (0.02, 0.03, 0.05):
        cut = absent[int(share * len(absent))]
        out.append(f"recall at {share:.0%} false found {sum(v > cut for v in present) / max(1, len(present)):.2f}")
    return ", ".join(out)


def per_clause(table, status) -> list[str]:
    """Found / present, false gaps and false found / absent per clause (real documents)."""
    ids = [c.id for c in library.library()]
    counts = {}
    for i in range(len(table.values)):
        if table.real[i]:
            c = counts.setdefault(ids[table.clauses[i]], [0, 0, 0, 0, 0])
            if table.present[i]:
                c[0] += 1
                c[1] += status[i] == "f"
                c[2] += status[i] == "n"
            else:
                c[3] += 1
                c[4] += status[i] == "f"
    return [f"{k:<24} found {v[1]:>2}/{v[0]:<2} false gaps {v[2]:>2}  false found {v[4]}/{v[3]}"
            for k, v in counts.items()]


def per_fold(table, status) -> str:
    """Present→found and absent→found of the real documents in each fold left out, and the
    spread (largest less smallest) of present→found: the noise a step's gain must exceed."""
    shares = []
    for fold in range(training.FOLDS):
        at = [i for i in range(len(table.values)) if table.real[i] and table.folds[i] == fold]
        present = [i for i in at if table.present[i]]
        absent = [i for i in at if not table.present[i]]
        shares.append((sum(status[i] == "f" for i in present) / max(1, len(present)),
                       sum(status[i] == "f" for i in absent) / max(1, len(absent)), len(present)))
    found = [f for f, _a, _n in shares]
    listed = ", ".join(f"{f:.2f}/{a:.3f} (of {n})" for f, a, n in shares)
    return f"per fold p→found/a→found: {listed}; spread of p→found {max(found) - min(found):.2f}"


def errors(table, status) -> None:
    """Every present clause of a real training document not reported found, with its quotes."""
    ids = [c.id for c in library.library()]
    documents = {d.key: d for d in training.real_documents() if not d.heldout}
    for i in range(len(table.values)):
        if not (table.real[i] and table.present[i] and status[i] != "f"):
            continue
        document, clause_id = documents[table.documents[i]], ids[table.clauses[i]]
        units, scores = document.reading().units, table.sentence_scores[document.key][clause_id]
        print(f"\n## {'needs review' if status[i] == 'r' else 'not found'} {clause_id} {document.key[:60]} "
              f"(document value {table.values[i]:.2f})")
        for quote in document.quotes.get(clause_id, ()):
            held = [(k, u) for k, u in enumerate(units) if holds(u.text, quote)][:2]
            if not held:
                print(f"   [no sentence holds the quote] {quote[:200]}")
            for k, unit in held:
                concepts = sorted(f for f in unit.features if f.startswith(("k:", "hk:")) and "+" not in f)
                print(f"   candidate {unit.candidate} score {scores[k]:.2f} owner {unit.obligor} "
                      f"heading {unit.heading[:50]!r} {concepts}\n      {unit.text[:260]}")


def false_found(table, status) -> None:
    """Every absent clause of a real training document reported found, with the best sentences."""
    ids = [c.id for c in library.library()]
    documents = {d.key: d for d in training.real_documents() if not d.heldout}
    for i in range(len(table.values)):
        if not (table.real[i] and not table.present[i] and status[i] == "f"):
            continue
        document, clause_id = documents[table.documents[i]], ids[table.clauses[i]]
        units, scores = document.reading().units, table.sentence_scores[document.key][clause_id]
        print(f"\n## false found {clause_id} {document.key[:60]} ({table.langs[i]}, document value "
              f"{table.values[i]:.2f})")
        for k in sorted(range(len(units)), key=lambda k: -scores[k])[:3]:
            unit = units[k]
            concepts = sorted(f for f in unit.features if f.startswith(("k:", "hk:")) and "+" not in f)
            print(f"   score {scores[k]:.2f} owner {unit.obligor} heading {unit.heading[:50]!r} {concepts}\n"
                  f"      {unit.marked[:300]}")


def threshold_sources(table, status) -> None:
    """Per fold and language, the ``found`` threshold chosen on the four other folds from the real
    and from the own documents (the larger is used), the absent pairs at or above each (those that
    set it), and where the real present pairs of the fold left out stand (round 14)."""
    ids = [c.id for c in library.library()]
    for lang in training.LANGS:
        print(f"\n## found threshold, {lang}")
        for fold in range(training.FOLDS):
            at = [i for i in range(len(table.values)) if table.folds[i] != fold and table.langs[i] == lang]
            chosen = {}
            for name, real in (("real", True), ("own", False)):
                group = [i for i in at if table.real[i] == real]
                if not group:
                    continue
                t = training.found_threshold([table.values[i] for i in group], [table.present[i] for i in group])
                absent = sorted((i for i in group if not table.present[i]), key=lambda i: -table.values[i])
                setters = [f"{table.documents[i].split('/')[-1][:28]}:{ids[table.clauses[i]]} {table.values[i]:.2f}"
                           for i in absent[:int(training.MAX_FALSE_FOUND * len(absent)) + 1]]
                chosen[name] = t
                print(f"  fold {fold} {name:<4} threshold {t:6.2f} ({len(absent)} absent pairs, "
                      f"{int(training.MAX_FALSE_FOUND * len(absent))} allowed above): {'; '.join(setters)}")
            used = max(chosen.values())
            held = [i for i in range(len(table.values)) if table.folds[i] == fold and table.langs[i] == lang
                    and table.real[i] and table.present[i]]
            above = {name: sum(table.values[i] >= t for i in held) for name, t in chosen.items()}
            print(f"  fold {fold} used {used:.2f} (set by {max(chosen, key=chosen.get)}); real present pairs left out "
                  f"{len(held)}: found {sum(status[i] == 'f' for i in held)}, review "
                  f"{sum(status[i] == 'r' for i in held)}, not found {sum(status[i] == 'n' for i in held)}; "
                  "would be found at each threshold alone: " + ", ".join(f"{k} {v}" for k, v in above.items()))


SEED_FIGURES = (("p→found", True, "f"), ("p→not_found", True, "n"), ("a→found", False, "f"))
SEED_GROUPS = (("real", lambda t, i: t.real[i]), *((f"real {lang}", lambda t, i, lang=lang: t.real[i] and
                                                    t.langs[i] == lang) for lang in training.LANGS),
               *((f"own {lang}", lambda t, i, lang=lang: not t.real[i] and t.langs[i] == lang)
                 for lang in training.LANGS))


def shares(table, keep, status) -> dict[str, float]:
    """Present→found, present→not_found, absent→found and needs review of the pairs kept."""
    at = [i for i in range(len(table.values)) if keep(i)]
    out = {}
    for name, present, wanted in SEED_FIGURES:
        mine = [i for i in at if table.present[i] == present]
        out[name] = sum(status[i] == wanted for i in mine) / max(1, len(mine))
    out["review"] = sum(status[i] == "r" for i in at) / max(1, len(at))
    return out


def fold_spread(table, status) -> float:
    """Largest less smallest present→found of the real documents between the folds left out."""
    found = []
    for fold in range(training.FOLDS):
        present = [i for i in range(len(table.values))
                   if table.real[i] and table.present[i] and table.folds[i] == fold]
        found.append(sum(status[i] == "f" for i in present) / max(1, len(present)))
    return max(found) - min(found)


def added_by(labellers: list[str]) -> set[str]:
    """``source/name`` of the real documents whose label file names one of ``labellers``."""
    keys = set()
    for source in corpus.SOURCES:
        for path in sorted((corpus.REAL / source / "labels").glob("*.yaml")):
            if yaml.safe_load(path.read_text(encoding="utf-8")).get("labeller") in labellers:
                keys.add(f"{source}/{path.stem}")
    return keys


def over_seeds(seeds: list[int], added: frozenset[str] = frozenset(), without_added: bool = False,
               labellers: tuple[str, ...] = ()) -> None:
    """The nested figures of the real documents per fold seed, then their mean, min, max, sd;
    with ``added``, also those of the other (older) real documents alone, and with
    ``without_added`` the added documents are not trained on at all."""
    documents = [d for d in training.real_documents() if not d.heldout and not (without_added and d.key in added)]
    documents += training.own_documents()
    groups = list(SEED_GROUPS)
    if added and not without_added:
        groups += [(f"{name} old", lambda t, i, keep=keep: keep(t, i) and t.documents[i] not in added)
                   for name, keep in SEED_GROUPS if name.startswith("real")]
    columns = [f"{group} {name}" for group, _k in groups for name in (*(n for n, *_r in SEED_FIGURES), "review")]
    columns.append("fold spread p→found")
    rows = []
    note = f" ({sum(d.key in added for d in documents)} added by {', '.join(labellers)})" if added else ""
    print(f"{len(documents)} training documents{note}; nested {training.FOLDS}-fold cross-validation of the shipped "
          f"rule per fold seed (real documents; no held-out document read)")
    for seed in seeds:
        table, status = cross_validated(documents, seed)
        row = [v for _g, keep in groups for v in shares(table, lambda i, keep=keep: keep(table, i), status).values()]
        rows.append([*row, fold_spread(table, status)])
        marker = " (shipped)" if seed == training.SEED else ""
        print(f"seed {seed}{marker}: " + ", ".join(f"{c} {v:.3f}" for c, v in zip(columns, rows[-1])), flush=True)
    print(f"over {len(seeds)} seeds: mean / min / max / sd")
    for k, column in enumerate(columns):
        values = [row[k] for row in rows]
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {column:<26} {statistics.mean(values):.3f} / {min(values):.3f} / {max(values):.3f} / {sd:.3f}")


def main() -> None:
    """Train once, print the nested figures, per clause, and the errors when asked; or, with
    ``--seeds``, the nested figures over several fold assignments; with ``--constant``, for a
    candidate's constants."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the false gaps with their sentences")
    parser.add_argument("--thresholds", action="store_true",
                        help="the found threshold per fold and language: real or own documents set it, and which pairs")
    parser.add_argument("--false-found", action="store_true",
                        help="list the absent clauses reported found with their best sentences")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--seeds", type=int, help="rerun with N fold seeds (training.SEED, SEED + 1, …)")
    chosen.add_argument("--seed", type=int, help="one run with the folds shuffled by this seed")
    parser.add_argument("--constant", type=parse_constant, action="append", default=[], metavar="NAME=VALUE",
                        help=f"replace a tuned constant for this run ({', '.join(TUNABLE)})")
    parser.add_argument("--added-by", action="append", default=[], metavar="LABELLER",
                        help="with --seeds: count the documents this labeller added apart (figures of the older ones)")
    parser.add_argument("--without-added", action="store_true",
                        help="with --added-by: leave those documents out of training (the round before)")
    args = parser.parse_args()
    if (args.added_by or args.without_added) and not args.seeds:
        parser.error("--added-by and --without-added go with --seeds")
    if args.without_added and not args.added_by:
        parser.error("--without-added needs --added-by")
    with constants(dict(args.constant)):
        if args.constant:
            print("constants: " + ", ".join(f"{name}={getattr(training, name)}" for name in dict(args.constant)))
        run(args)


def run(args) -> None:
    """The run asked for, with the constants in place."""
    if args.seeds:
        added = frozenset(added_by(args.added_by)) if args.added_by else frozenset()
        if args.added_by and not added:
            raise SystemExit(f"no label file names {', '.join(args.added_by)} as its labeller")
        over_seeds([training.SEED + k for k in range(args.seeds)], added, args.without_added, tuple(args.added_by))
        return
    table, status = cross_validated(seed=args.seed)
    print(f"{len(set(table.documents))} training documents; nested {training.FOLDS}-fold cross-validation of the "
          "shipped rule (no held-out document read)")
    for label, keep in GROUPS:
        print(f"  {label:<10} {thresholds.rates(table, lambda i: keep(table, i), status)}")
    for lang in training.LANGS:
        print(f"  real {lang}: {ranking(table, lang)}")
    print(f"  real, all: {per_fold(table, status)}")
    print("per clause, real training documents:")
    for line in per_clause(table, status):
        print("  " + line)
    if args.errors:
        errors(table, status)
    if args.false_found:
        false_found(table, status)
    if args.thresholds:
        threshold_sources(table, status)


if __name__ == "__main__":
    main()
