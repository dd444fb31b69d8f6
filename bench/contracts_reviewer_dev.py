"""Reviewer examples measured on the development documents only.

The held-out bench (``contracts_accuracy.py``) shows the effect of 20 confirmed examples on
unseen contracts; settings of the memory cannot be chosen there. This bench trains five
models, each without one fold of the training documents (the folds of ``vendorrisk
contracts train``), and checks every real document of a fold with the model that did not
see it, without and with 20 confirmed examples drawn from the other real documents of the
same fold (quotes as found, decoys as not found, as the held-out bench draws them). Each
setting (``--setting '{"rate": 1.0}'``) prints recall and false found, as rates and as pairs,
against the run without examples:

- the memory: ``epochs``, ``rate``, ``pull`` of ``scorer.Memory``; ``near`` and ``boost``
  for its nearest-neighbour change; ``"memory": false`` leaves it out;
- round 8's variants, none shipped (docs/contracts_accuracy.md, *Reviewer memory, round 8*):
  ``band`` ("knn" or "signature": examples settle pairs of the review band, see
  ``_band_match``), ``demote`` (a found pair whose best sentence is nearest a corrected
  example goes back to review) and ``recalibrate`` (the document model's intercept per
  clause re-fitted on the examples).

``--cache DIR`` keeps the five fold models as JSON (a digest of the training code, the
reading code, the clause library and the documents names the files), so that many settings
can be run without training again; ``--draws N`` also draws N sets of examples per document
and prints the spread (draw 0 is the one every round measured). No held-out document is
read. Training the five models takes a few minutes; with the cache a setting takes seconds.

    .venv/bin/python bench/contracts_reviewer_dev.py [--cache /tmp/folds] [--draws 6] [--setting JSON ...]
"""
import argparse
import dataclasses
import hashlib
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_accuracy import EXAMPLES, example_pool
from vendorrisk.contracts import training
from vendorrisk.contracts.checker import evidence, library, matcher, scorer
from vendorrisk.contracts.checker.parties import CUSTOMER

ROOT = Path(__file__).resolve().parent.parent
# what a fold model depends on: the training code, the reading of documents and the clause
# library (the memory and the decision, which the settings vary, are left out)
TRAINING_CODE = [ROOT / "vendorrisk/contracts/training.py", ROOT / "vendorrisk/contracts/corpus.py",
                 *(ROOT / "vendorrisk/contracts/checker" / f"{name}.py" for name in (
                     "concepts", "evidence", "features", "library", "numbering", "parties", "reading", "structure",
                     "text", "document")),
                 *sorted((ROOT / "contract_clauses").glob("*.yaml"))]


def fold_models(documents, cache: Path | None = None) -> tuple[dict, list]:
    """The fold of each document (as training draws them) and one model per fold trained
    without it. With ``cache`` (a directory), each fold's model is written there as JSON and
    read back on later runs, as long as the training code and the documents are the same
    (the file name holds a digest of both)."""
    order = list(range(len(documents)))
    random.Random(training.SEED).shuffle(order)
    fold_of = {documents[i].key: k % training.FOLDS for k, i in enumerate(order)}
    digest = hashlib.sha256()
    for path in sorted(TRAINING_CODE):
        digest.update(path.read_bytes())
    for document in documents:
        digest.update(f"{document.key}:{fold_of[document.key]}:{sorted(document.present.items())}".encode())
    models = []
    for fold in range(training.FOLDS):
        path = cache / f"fold{fold}-{digest.hexdigest()[:12]}.json" if cache else None
        if path is not None and path.exists():
            models.append(scorer.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            print(f"  fold {fold}: read from {path}", flush=True)
            continue
        kept = [d for d in documents if fold_of[d.key] != fold]
        data = training.train(kept, log=lambda *_a: None)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data), encoding="utf-8")
        models.append(scorer.from_dict(data))
        print(f"  fold {fold}: trained on {len(kept)} documents", flush=True)
    return fold_of, models


def draw(real, fold_of, pools, document, number: int = 0) -> list:
    """The 20 confirmed examples of ``document``, drawn from the other real documents of its
    fold (``number`` 0 is the draw every earlier round measured; 1, 2... are further draws,
    to see how much one draw decides)."""
    fold = fold_of[document.key]
    others = [e for d in real if fold_of[d.key] == fold and d.name != document.name for e in pools[d.name]]
    tag = f"{training.SEED}-{document.name}" + (f"-{number}" if number else "")
    return random.Random(tag).sample(others, min(EXAMPLES, len(others)))


CLASS_FEATURES = ("k:", "ko:", "hk:", "re:", "rh:", "rs:", "rn:", "obl:")


def _class(features) -> set:
    return {f for f in features if f.startswith(CLASS_FEATURES)}


def _cosine(a, b) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def _band_match(setting: dict, model, slot: int, clause_id: str, tops: list, examples) -> bool:
    """Whether a pair of the review band is settled as found by the examples (round 8, not
    shipped): ``band`` "knn" — one of the ``top`` best sentences is at least ``band_near``
    similar (cosine over ``similarity`` "class" features, or "weighted": every feature
    weighted by its positive weight for the clause) to a confirmed example of the clause, and
    that example is nearer than every corrected example of the clause and every confirmed
    example of another clause; "signature" — the concept combination of a confirmed example
    (its features of the ``kinds`` prefixes, at least ``min_size`` of them, not held whole by
    a corrected example of the clause; with ``distinct``, nor by a confirmed example of another
    clause; with ``positive``, one of its concept pairs weighs for the clause in the model; with
    ``specific``, one of its concept pairs weighs more for the clause than for any other) is
    held by one of the ``top`` best sentences."""
    if setting["band"] == "signature":
        kinds = tuple(setting.get("kinds", ("k:", "ko:")))
        corrected = [e.features for e in examples if e.clause_id == clause_id and not e.label]
        for example in examples:
            if example.clause_id != clause_id or not example.label:
                continue
            signature = frozenset(f for f in example.features if f.startswith(kinds))
            if len(signature) < setting.get("min_size", 3) or any(signature <= c for c in corrected):
                continue
            if setting.get("distinct") and any(signature <= e.features for e in examples
                                               if e.label and e.clause_id != clause_id):
                continue
            if setting.get("positive") and not any(
                    w > 0 for f in signature if "+" in f for s, w in model.index.get(f, ()) if s == slot):
                continue
            if setting.get("specific") and not any(
                    max(model.index.get(f, ()), key=lambda t: t[1], default=(None, 0.0))[0] == slot
                    for f in signature if "+" in f):
                continue
            if any(signature <= features for features in tops):
                return True
        return False

    def weight(feature):
        return max(0.0, sum(w for s, w in model.index.get(feature, ()) if s == slot)) ** 2

    def similarity(a, b):
        if setting.get("similarity", "class") == "class":
            return _cosine(_class(a), _class(b))
        norm = math.sqrt(sum(map(weight, a)) * sum(map(weight, b)))
        return sum(map(weight, a & b)) / norm if norm else 0.0
    best = {"confirmed": 0.0, "corrected": 0.0, "other": 0.0}
    for features in tops:
        for example in examples:
            side = ("confirmed" if example.label else "corrected") if example.clause_id == clause_id else (
                "other" if example.label else None)
            if side:
                best[side] = max(best[side], similarity(features, example.features))
    return best["confirmed"] >= setting.get("band_near", 0.5) and best["confirmed"] > max(best["corrected"],
                                                                                           best["other"])


def _recalibrated(model, examples, strength: float):
    """A copy of ``model`` whose document model's intercept per clause is moved by the
    logistic fit of the examples' sentence scores under the shipped model, with a Gaussian
    prior of ``strength`` towards no change (round 8, not shipped)."""
    shift = {}
    for slot in {model.slot(e.clause_id) for e in examples} - {None}:
        logits = [(math.log(max(p, 1e-9) / max(1 - p, 1e-9)), e.label) for e in examples
                  if model.slot(e.clause_id) == slot for p in [model.scores(e.features)[slot]]]
        b = 0.0
        for _ in range(30):  # Newton steps on the penalised log-likelihood
            fitted = [1 / (1 + math.exp(-max(-30.0, min(30.0, x + b)))) for x, _y in logits]
            gradient = sum(y - f for (_x, y), f in zip(logits, fitted)) - strength * b
            b += gradient / (sum(f * (1 - f) for f in fitted) + strength)
        shift[slot] = b
    stacker = dict(model.stacker, weights=list(model.stacker["weights"]))
    for slot, b in shift.items():
        stacker["weights"][len(evidence.FEATURES) + slot] += b
    return dataclasses.replace(model, stacker=stacker)


def check(document, model, examples, setting: dict) -> dict:
    """The status per clause of ``document`` with ``examples`` used as ``setting`` says:
    the memory (unless ``"memory": false``), then the round-8 variants on top of it."""
    clauses, reading = library.library(), document.reading()
    if "recalibrate" in setting:
        model = _recalibrated(model, examples, setting["recalibrate"])
    memory = model.adapt(list(examples)) if examples and setting.get("memory", True) else None
    scored = matcher.score_units(reading, model, memory)
    lang = evidence.language(reading.units)
    results = {c.id: matcher.decide(c, reading, scored, model, lang) for c in clauses}
    if not examples or not ("band" in setting or "demote" in setting):
        return {clause_id: r.status for clause_id, r in results.items()}
    plain = scored if memory is None else matcher.score_units(reading, model)
    out = {}
    for clause in clauses:
        result, slot = results[clause.id], model.slot(clause.id)
        usable = [i for i, u in enumerate(reading.units) if u.candidate and not (
            clause.id in matcher.PROVIDER_DUTIES and u.obligor == (CUSTOMER, "shall"))]
        ranked = sorted(usable, key=lambda i: -plain[i][slot])
        status = result.status
        if "band" in setting and result.reason_key == "weak":
            tops = [reading.units[i].features for i in ranked[:setting.get("top", 1)]]
            if _band_match(setting, model, slot, clause.id, tops, examples):
                status = matcher.FOUND
        if "demote" in setting and status == matcher.FOUND and ranked:
            best = _class(reading.units[ranked[0]].features)
            near = [(_cosine(best, _class(e.features)), e.label)
                    for e in examples if e.clause_id == clause.id]
            nearest = max(near, default=(0.0, 1))
            if nearest[0] >= setting["demote"] and not nearest[1]:
                status = matcher.NEEDS_REVIEW
        out[clause.id] = status
    return out


def outcome(real, fold_of, models, pools, with_examples: bool, setting: dict, number: int = 0) -> dict:
    """Found pairs, present and absent, over the real training documents, each checked by
    the model of its fold (``setting``: the memory's parameters and the round-8 variants;
    ``number``: which draw of examples)."""
    scorer.NEAR, scorer.BOOST = setting.get("near", 0.5), setting.get("boost", 8.0)
    memory_defaults = scorer.Memory.__init__.__defaults__
    scorer.Memory.__init__.__defaults__ = (setting.get("epochs", 12), setting.get("rate", 0.4),
                                           setting.get("pull", 0.02))
    counts = Counter()
    try:
        for document in real:
            examples = draw(real, fold_of, pools, document, number) if with_examples else ()
            results = check(document, models[fold_of[document.key]], examples, setting)
            for clause_id, present in document.present.items():
                counts[(present, results[clause_id])] += 1
    finally:
        scorer.Memory.__init__.__defaults__ = memory_defaults
        scorer.NEAR, scorer.BOOST = 0.5, 8.0
    present = sum(n for (p, _s), n in counts.items() if p)
    absent = sum(n for (p, _s), n in counts.items() if not p)
    return {"present": present, "absent": absent, "found": counts[(True, "found")],
            "false": counts[(False, "found")], "pf": counts[(True, "found")] / max(1, present),
            "af": counts[(False, "found")] / max(1, absent)}


def main() -> None:
    """Train the fold models (or read them from ``--cache``), then print each setting's
    effect on the first draw of examples and, with ``--draws N``, on N draws."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", action="append", default=[], help="memory parameters as JSON")
    parser.add_argument("--cache", type=Path, help="directory keeping the five fold models as JSON")
    parser.add_argument("--draws", type=int, default=1, help="draws of examples per setting (default 1)")
    args = parser.parse_args()
    settings = [{}] + [json.loads(s) for s in args.setting]
    documents = [d for d in training.real_documents() if not d.heldout] + training.own_documents()
    real = [d for d in documents if d.source != "own"]
    print(f"{training.FOLDS} fold models on {len(documents)} documents")
    fold_of, models = fold_models(documents, args.cache)
    pools = {d.name: example_pool(d) for d in real}
    base = outcome(real, fold_of, models, pools, False, {})
    print(f"without examples: present {base['present']} absent {base['absent']} | present→found {base['pf']:.3f} "
          f"absent→found {base['af']:.3f}")
    for setting in settings:
        runs = [outcome(real, fold_of, models, pools, True, setting, n) for n in range(args.draws)]
        r = runs[0]
        label = json.dumps(setting) if setting else "shipped memory"
        print(f"+ {EXAMPLES} examples, {label:<32} present→found {r['pf']:.3f} "
              f"({r['pf'] - base['pf']:+.3f}) absent→found {r['af']:.3f} ({r['af'] - base['af']:+.3f})"
              f" | pairs: found {r['found'] - base['found']:+d}, false found {r['false'] - base['false']:+d}")
        if args.draws > 1:
            found = [x["found"] - base["found"] for x in runs]
            false = [x["false"] - base["false"] for x in runs]
            print(f"    {args.draws} draws: found {found} (mean {sum(found) / len(found) / base['present']:+.3f}), "
                  f"false found {false} (mean {sum(false) / len(false) / base['absent']:+.4f})")


if __name__ == "__main__":
    main()
