"""The learned scorer: a linear model per clause over sentence features, read from a JSON
file (``contract_clauses/scorer_model.json``, written by ``vendorrisk contracts train``).

Scoring needs nothing but Python: each feature of a sentence adds its weight for each
clause; the probability is the logistic of the sum. Each clause has two thresholds chosen
in training by cross-validation over whole documents: ``found`` (a sentence this sure is
strong evidence) and ``review`` (below it, and with no pattern of the library, the clause
is *not found*).

Reviewer examples (``Example``: a sentence confirmed as carrying a clause, or corrected as
not carrying it) adapt the weights of one installation: a few passes of logistic
gradient steps from the shipped weights, kept close to them, over the examples' features.
"""
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vendorrisk.core import content

MODEL_FILE = "scorer_model.json"
MODEL_FORMAT = "vendorrisk-clause-scorer"


class ModelMissing(RuntimeError):
    """The model file is missing or not a model this code can read."""


@dataclass(frozen=True)
class Example:
    """A reviewer's verdict on one sentence: ``label`` 1 carries ``clause_id``, 0 does not."""

    clause_id: str
    features: frozenset
    label: int


@dataclass
class Model:
    """Weights per clause, thresholds and what the model was trained on."""

    version: str
    clause_ids: list[str]
    bias: list[float]
    index: dict[str, list[tuple[int, float]]]
    found: list[float]
    review: list[float]
    meta: dict

    def scores(self, features, deltas: dict | None = None) -> list[float]:
        """Probability per clause (in ``clause_ids`` order) of one sentence's features."""
        totals = list(self.bias)
        index = self.index
        for feature in features:
            for slot, weight in index.get(feature, ()):
                totals[slot] += weight
        if deltas:
            for slot, delta in deltas.items():
                totals[slot] += sum(delta.get(f, 0.0) for f in features)
        return [_sigmoid(t) for t in totals]

    def slot(self, clause_id: str) -> int | None:
        try:
            return self.clause_ids.index(clause_id)
        except ValueError:
            return None

    def adapt(self, examples: list[Example], epochs: int = 12, rate: float = 0.4, pull: float = 0.02) -> dict:
        """Per-clause weight changes learned from reviewer examples (the shipped weights stay)."""
        deltas: dict[int, dict[str, float]] = {}
        by_slot: dict[int, list[Example]] = {}
        for example in examples:
            if (slot := self.slot(example.clause_id)) is not None:
                by_slot.setdefault(slot, []).append(example)
        for slot, items in by_slot.items():
            delta: dict[str, float] = {}
            for _ in range(epochs):
                for example in items:
                    total = self.bias[slot] + sum(w for f in example.features for s, w in self.index.get(f, ()) if s == slot)
                    total += sum(delta.get(f, 0.0) for f in example.features)
                    step = rate * (example.label - _sigmoid(total)) / max(1.0, math.sqrt(len(example.features)) / 4)
                    for feature in example.features:
                        delta[feature] = delta.get(feature, 0.0) + step
                for feature in delta:
                    delta[feature] *= 1 - pull
            deltas[slot] = delta
        return deltas


def _sigmoid(x: float) -> float:
    if x < -30:
        return 0.0
    if x > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-x))


def from_dict(data: dict) -> Model:
    """A model from its JSON form (see ``vendorrisk.contracts.training.export``)."""
    if data.get("format") != MODEL_FORMAT:
        raise ModelMissing(f"not a {MODEL_FORMAT} file")
    features = data["features"]
    clause_ids = list(data["clauses"])
    index: dict[str, list[tuple[int, float]]] = {}
    bias, found, review = [], [], []
    for slot, clause_id in enumerate(clause_ids):
        entry = data["clauses"][clause_id]
        bias.append(entry["bias"])
        found.append(entry["found"])
        review.append(entry["review"])
        for i, weight in entry["weights"]:
            index.setdefault(features[i], []).append((slot, weight))
    return Model(data["version"], clause_ids, bias, index, found, review, data.get("meta", {}))


def model_path(directory: Path | None = None) -> Path:
    return Path(directory or content.CONTRACT_CLAUSES_DIR) / MODEL_FILE


@lru_cache(maxsize=2)
def load_model(path: Path | None = None) -> Model:
    """The shipped model (cached); ``ModelMissing`` when there is none."""
    path = Path(path or model_path())
    if not path.exists():
        raise ModelMissing(f"{path.name} is missing: run 'vendorrisk contracts train'")
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ModelMissing(f"{path.name} cannot be read ({exc})") from exc
