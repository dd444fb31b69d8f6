"""The learned scorer: a linear model per clause over sentence features, read from a JSON
file (``contract_clauses/scorer_model.json``, written by ``vendorrisk contracts train``).

Scoring needs nothing but Python: each feature of a sentence adds its weight for each
clause; the probability is the logistic of the sum. The document-level model
(``stacker``, see ``evidence``) turns the sentence scores of a document into its score per
clause; its two thresholds per language were chosen in training by cross-validation over
whole documents: ``found`` (strong evidence) and ``review`` (below it, *not found*).

Reviewer examples (``Example``: a sentence confirmed as carrying a clause, or corrected as
not carrying it) are this installation's memory (``Memory``). They adapt the weights of the
installation (a few passes of logistic gradient steps from the shipped weights, kept close
to them, over the examples' features, as in the first round), and a sentence of a later
contract that is a near neighbour of a confirmed example (cosine of their feature sets ≥ ``NEAR``) has its
score for that clause raised by ``BOOST`` times the similarity, a neighbour of a corrected
one lowered alike — for that clause, the installation's verdict weighs more than the
shipped model. The shipped weights never change. (``NEAR`` and ``BOOST`` were set before
any measurement, not tuned on the bench.)
"""
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vendorrisk.core import content

MODEL_FILE = "scorer_model.json"
NEAR = 0.5  # cosine similarity from which an example counts for a sentence
BOOST = 8.0  # logit change per unit of similarity
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
    stacker: dict
    meta: dict

    def found(self, lang: str) -> float:
        """The document-level ``found`` threshold for a document in ``lang``."""
        return self.stacker["found"]["ja" if lang == "ja" else "en"]

    def review(self, lang: str) -> float:
        """The document-level ``review`` threshold for a document in ``lang``."""
        return self.stacker["review"]["ja" if lang == "ja" else "en"]

    def scores(self, features, memory: "Memory | None" = None) -> list[float]:
        """Probability per clause (in ``clause_ids`` order) of one sentence's features, with
        the installation's reviewer examples (``memory``) where they are near."""
        totals = list(self.bias)
        index = self.index
        for feature in features:
            for slot, weight in index.get(feature, ()):
                totals[slot] += weight
        if memory is not None and features:
            for slot, change in memory.changes(features).items():
                totals[slot] += change
        return [_sigmoid(t) for t in totals]

    def slot(self, clause_id: str) -> int | None:
        try:
            return self.clause_ids.index(clause_id)
        except ValueError:
            return None

    def adapt(self, examples: list[Example]) -> "Memory":
        """The installation's reviewer examples as a memory for ``scores``."""
        return Memory(self, examples)


class Memory:
    """Reviewer examples: weight changes per clause, and the examples indexed by feature for
    the nearest-neighbour change of scores."""

    def __init__(self, model: Model, examples: list[Example], epochs: int = 12, rate: float = 0.4,
                 pull: float = 0.02):
        self.examples = [(model.slot(e.clause_id), e) for e in examples if e.features]
        self.examples = [(slot, e) for slot, e in self.examples if slot is not None]
        self.index: dict[str, list[int]] = {}
        for n, (_slot, example) in enumerate(self.examples):
            for feature in example.features:
                self.index.setdefault(feature, []).append(n)
        self.deltas: dict[int, dict[str, float]] = {}
        for slot in {slot for slot, _e in self.examples}:
            items = [e for s, e in self.examples if s == slot]
            delta: dict[str, float] = {}
            for _ in range(epochs):
                for example in items:
                    total = model.bias[slot] + sum(w for f in example.features for s, w in model.index.get(f, ())
                                                   if s == slot)
                    total += sum(delta.get(f, 0.0) for f in example.features)
                    step = rate * (example.label - _sigmoid(total)) / max(1.0, math.sqrt(len(example.features)) / 4)
                    for feature in example.features:
                        delta[feature] = delta.get(feature, 0.0) + step
                for feature in delta:
                    delta[feature] *= 1 - pull
            self.deltas[slot] = delta

    def changes(self, features) -> dict[int, float]:
        """Logit change per clause slot for a sentence with ``features``."""
        out = {slot: sum(delta.get(f, 0.0) for f in features) for slot, delta in self.deltas.items()}
        for slot, change in self._neighbours(features).items():
            out[slot] = out.get(slot, 0.0) + change
        return out

    def _neighbours(self, features) -> dict[int, float]:
        overlap: dict[int, int] = {}
        for feature in features:
            for n in self.index.get(feature, ()):
                overlap[n] = overlap.get(n, 0) + 1
        best: dict[int, list[float]] = {}  # slot -> [nearest confirmed, nearest corrected]
        size = len(features)
        for n, shared in overlap.items():
            slot, example = self.examples[n]
            similarity = shared / math.sqrt(size * len(example.features))
            if similarity >= NEAR:
                pair = best.setdefault(slot, [0.0, 0.0])
                side = 0 if example.label else 1
                pair[side] = max(pair[side], similarity)
        return {slot: BOOST * (found - missing) for slot, (found, missing) in best.items() if found != missing}


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
    bias = []
    for slot, clause_id in enumerate(clause_ids):
        entry = data["clauses"][clause_id]
        bias.append(entry["bias"])
        for i, weight in entry["weights"]:
            index.setdefault(features[i], []).append((slot, weight))
    stacker = data["stacker"]
    if len(stacker["weights"]) != len(stacker["features"]) + 2 * len(clause_ids):
        raise ModelMissing("the document-level model does not match the clauses")
    return Model(data["version"], clause_ids, bias, index, stacker, data.get("meta", {}))


def model_path(directory: Path | None = None) -> Path:
    return Path(directory or content.CONTRACT_CLAUSES_DIR) / MODEL_FILE


@lru_cache(maxsize=2)
def load_model(path: Path | None = None) -> Model:
    """The shipped model (cached); ``ModelMissing`` when there is none."""
    return read_model(path)


def read_model(path: Path | None = None) -> Model:
    """The model file read afresh, not kept: the start-up check reads it this way, so that a
    process that never checks a contract (the scheduler building exports) does not hold the
    model's ~10 MB; ``ModelMissing`` when there is none."""
    path = Path(path or model_path())
    if not path.exists():
        raise ModelMissing(f"{path.name} is missing: run 'vendorrisk contracts train'")
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ModelMissing(f"{path.name} cannot be read ({exc})") from exc
