"""Reviewer examples measured on the development documents only.

The held-out bench (``contracts_accuracy.py``) shows the effect of 20 confirmed examples on
unseen contracts; settings of the memory cannot be chosen there. This bench trains five
models, each without one fold of the training documents (the folds of ``vendorrisk
contracts train``), and checks every real document of a fold with the model that did not
see it, without and with 20 confirmed examples drawn from the other real documents of the
same fold (quotes as found, decoys as not found, as the held-out bench draws them). Each
setting of the memory (``--setting '{"rate": 1.0}'``: ``epochs``, ``rate``, ``pull`` of
``scorer.Memory``; ``near`` and ``boost`` for the nearest-neighbour change) prints recall
and false found against the shipped memory. No held-out document is read; nothing is
written. Training the five models takes a few minutes.

    .venv/bin/python bench/contracts_reviewer_dev.py [--setting JSON ...]
"""
import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_accuracy import EXAMPLES, example_pool
from vendorrisk.contracts import training
from vendorrisk.contracts.checker import library, matcher, scorer


def fold_models(documents) -> tuple[dict, list]:
    """The fold of each document (as training draws them) and one model per fold trained
    without it."""
    order = list(range(len(documents)))
    random.Random(training.SEED).shuffle(order)
    fold_of = {documents[i].key: k % training.FOLDS for k, i in enumerate(order)}
    models = []
    for fold in range(training.FOLDS):
        kept = [d for d in documents if fold_of[d.key] != fold]
        models.append(scorer.from_dict(training.train(kept, log=lambda *_a: None)))
        print(f"  fold {fold}: trained on {len(kept)} documents", flush=True)
    return fold_of, models


def outcome(real, fold_of, models, pools, with_examples: bool, setting: dict) -> dict:
    """Recall and false found over the real training documents, each checked by the model
    of its fold (``setting``: the memory's parameters)."""
    scorer.NEAR, scorer.BOOST = setting.get("near", 0.5), setting.get("boost", 8.0)
    memory_defaults = scorer.Memory.__init__.__defaults__
    scorer.Memory.__init__.__defaults__ = (setting.get("epochs", 12), setting.get("rate", 0.4),
                                           setting.get("pull", 0.02))
    clauses, counts = library.library(), Counter()
    try:
        for document in real:
            fold = fold_of[document.key]
            examples = ()
            if with_examples:
                others = [e for d in real if fold_of[d.key] == fold and d.name != document.name for e in pools[d.name]]
                examples = random.Random(f"{training.SEED}-{document.name}").sample(others,
                                                                                      min(EXAMPLES, len(others)))
            results = {r.clause_id: r.status for r in matcher.check_contract(
                None, clauses, examples=examples, model=models[fold], reading=document.reading())}
            for clause_id, present in document.present.items():
                counts[(present, results[clause_id])] += 1
    finally:
        scorer.Memory.__init__.__defaults__ = memory_defaults
        scorer.NEAR, scorer.BOOST = 0.5, 8.0
    present = sum(n for (p, _s), n in counts.items() if p)
    absent = sum(n for (p, _s), n in counts.items() if not p)
    return {"present": present, "absent": absent, "pf": counts[(True, "found")] / max(1, present),
            "af": counts[(False, "found")] / max(1, absent)}


def main() -> None:
    """Train the fold models, then print each setting's effect."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", action="append", default=[], help="memory parameters as JSON")
    args = parser.parse_args()
    settings = [{}] + [json.loads(s) for s in args.setting]
    documents = [d for d in training.real_documents() if not d.heldout] + training.own_documents()
    real = [d for d in documents if d.source != "own"]
    print(f"training {training.FOLDS} fold models on {len(documents)} documents")
    fold_of, models = fold_models(documents)
    pools = {d.name: example_pool(d) for d in real}
    base = outcome(real, fold_of, models, pools, False, {})
    print(f"without examples: present {base['present']} absent {base['absent']} | present→found {base['pf']:.3f} "
          f"absent→found {base['af']:.3f}")
    for setting in settings:
        r = outcome(real, fold_of, models, pools, True, setting)
        label = json.dumps(setting) if setting else "shipped memory"
        print(f"+ {EXAMPLES} examples, {label:<32} present→found {r['pf']:.3f} "
              f"({r['pf'] - base['pf']:+.3f}) absent→found {r['af']:.3f} ({r['af'] - base['af']:+.3f})")


if __name__ == "__main__":
    main()
