"""From sentence scores to the evidence of a whole document, per clause.

The sentence scorer says how much each sentence reads as a clause; a clause is often
spread over an article (several moderate sentences, a heading, the library's phrases) or
said twice. ``document_features`` sums that up for one clause of one document — the best
three sentences, the best article (the sentences of an article taken together), how many
sentences score high, the library's phrases and headings, who owes the best sentence,
the document's language — and a small logistic model learned on whole documents
(``contract_clauses/scorer_model.json``, ``stacker``) turns it into the document's score.
Its thresholds are per language, chosen by cross-validation over whole documents. The
same function serves training and checking, so both read a document alike.
"""
import math
import re

FEATURES = ("top1", "top2", "top3", "article", "n50", "n90", "phrases", "strong", "heading", "owner_provider",
            "owner_customer", "japanese", "owner_each")
JAPANESE = re.compile(r"[\u3040-\u30ff]")
CLIP = 12.0


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-CLIP, min(CLIP, math.log(p / (1 - p))))


def language(units) -> str:
    """``ja`` when most sentences are written in Japanese (kana), else ``en``."""
    if not units:
        return "en"
    sample = units[:: max(1, len(units) // 400)]
    return "ja" if sum(1 for u in sample if JAPANESE.search(u.text)) * 2 >= len(sample) else "en"


def _section(unit) -> tuple:
    passage = unit.passage
    return (passage.label, passage.part) if passage.label is not None else (None, passage.part, passage.index)


def sections(units) -> list[tuple]:
    """The article of each unit, as ``document_features`` groups them."""
    return [_section(u) for u in units]


def document_features(units, probabilities: list[float], clause_id: str, usable: list[bool], lang: str,
                      base: float = 0.0, unit_sections: list[tuple] | None = None) -> list[float]:
    """The document-level features of one clause (in ``FEATURES`` order): ``probabilities``
    per unit, ``usable`` False for sentences that cannot count (a customer's duty where the
    clause is the provider's); ``base`` is the probability of a sentence without features,
    which stands in for the second and third best in a document of fewer sentences;
    ``unit_sections``: ``sections(units)``, when the caller judges several clauses."""
    if unit_sections is None:
        unit_sections = sections(units)
    kept = [(p, u, s) for p, u, s, ok in zip(probabilities, units, unit_sections, usable) if ok]
    ranked = sorted([p for p, _u, _s in kept], reverse=True)
    top = [logit(ranked[i] if i < len(ranked) else base) for i in range(3)]
    by_section: dict[tuple, list[float]] = {}
    for p, _unit, section in kept:
        by_section.setdefault(section, []).append(p)
    article = -CLIP
    for scores in by_section.values():
        best = sorted(scores, reverse=True)[:3]
        miss = 1.0
        for p in best:
            miss *= 1 - p
        article = max(article, logit(1 - miss))
    owner = ""
    if kept:  # who owes the first of the best sentences
        owner = next(u for p, u, _s in kept if p == ranked[0]).obligor[0]
    phrases = sum(1 for u in units if clause_id in u.pattern_hits)
    strong_feature = f"rs:{clause_id}"
    strong = any(strong_feature in u.features for u in units)
    heading = any(clause_id in u.heading_hits for u in units)
    return [top[0], top[1], top[2], article, math.log1p(sum(p > 0.5 for p in ranked)),
            math.log1p(sum(p > 0.9 for p in ranked)), math.log1p(phrases), float(strong), float(heading),
            float(owner == "Ⓟ"), float(owner == "Ⓒ"), float(lang == "ja"), float(owner == "Ⓔ")]


def stacker_row(features: list[float], clause_index: int, clauses: int) -> list[float]:
    """The stacker's input: the document features, the clause (one-hot) and the clause's own
    slope on the best sentence."""
    one_hot = [0.0] * clauses
    one_hot[clause_index] = 1.0
    slope = [0.0] * clauses
    slope[clause_index] = features[0]
    return list(features) + one_hot + slope


def stacker_score(stacker: dict, features: list[float], clause_index: int, clauses: int) -> float:
    """The stacker's decision value (a logit) for one clause of one document. A model trained
    with fewer features (``owner_each`` came in round 12) reads only those it names."""
    if list(stacker["features"]) != list(FEATURES):
        values = dict(zip(FEATURES, features))
        features = [values[name] for name in stacker["features"]]
    row = stacker_row(features, clause_index, clauses)
    return stacker["bias"] + sum(w * x for w, x in zip(stacker["weights"], row))
