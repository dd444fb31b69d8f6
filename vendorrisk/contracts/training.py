"""Training the clause scorer: ``vendorrisk contracts train``.

Reads the labelled corpora (the real one under ``tests/contracts/corpus_real`` less its
held-out split, and the project's own ``tests/contracts/corpus``), turns every document
into units exactly as the checker does (``checker.reading``), labels them, fits one
logistic regression per clause on the units' features (scikit-learn, needed only here),
chooses each clause's thresholds by cross-validation over whole documents, and writes the
weights as JSON (``contract_clauses/scorer_model.json``; no pickle, nothing downloaded).

Unit labels: in a real-corpus document whose label says the clause is present, a sentence
that holds one of the labelled quotes is positive and the others are left out (unknown);
where the clause is absent every sentence is negative (decoys included). In the own
corpus, whose labels are per document, a present clause's positives are the sentences
where a pattern of the library for that clause matches (weak supervision); absent: all
negative.
"""
import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from vendorrisk.contracts.checker import library as clause_library
from vendorrisk.contracts.checker.reading import Reading, read
from vendorrisk.contracts.checker.scorer import MODEL_FORMAT
from vendorrisk.contracts.checker.structure import parse
from vendorrisk.contracts.checker.text import extract
from vendorrisk.core.config import PROJECT_ROOT

REAL = PROJECT_ROOT / "tests" / "contracts" / "corpus_real"
OWN = PROJECT_ROOT / "tests" / "contracts" / "corpus"
SEED = 20261205
FOLDS = 5
MAX_FALSE_FOUND = 0.02  # on documents without the clause, in cross-validation
MAX_FALSE_GAP = 0.08  # present clauses below the review threshold, in cross-validation
# chosen on the cross-validation figures of the training documents only (C 0.2-50, weight 4-20)
REGULARISATION_C = 20.0
POSITIVE_WEIGHT = 20.0


@dataclass
class Document:
    """A labelled document: where it comes from, its language, its clause labels."""

    name: str
    source: str  # "cuad", "ja" or "own"
    language: str
    heldout: bool
    present: dict[str, bool]
    quotes: dict[str, list[str]]  # clause -> labelled quotes (real corpus)
    decoys: dict[str, list[str]]
    path: Path
    _reading: Reading | None = None

    def reading(self) -> Reading:
        if self._reading is None:
            data = self.path.read_bytes()
            structure = parse(extract(data, self.path.suffix.lstrip(".")).blocks)
            self._reading = read(structure, clause_library.library())
        return self._reading


def heldout_names(root: Path = REAL) -> set[str]:
    split = yaml.safe_load((root / "split.yaml").read_text(encoding="utf-8"))["heldout"]
    return set(split["cuad"]) | set(split["ja"])


def real_documents(root: Path = REAL) -> list[Document]:
    """The 50 real documents with their labels and whether each is held out."""
    held = heldout_names(root)
    documents = []
    for source in ("cuad", "ja"):
        for path in sorted((root / source / "labels").glob("*.yaml")):
            label = yaml.safe_load(path.read_text(encoding="utf-8"))
            clauses = label["clauses"]
            documents.append(Document(
                path.stem, source, label.get("language", "ja" if source == "ja" else "en"), path.stem in held,
                {c: bool(v["present"]) for c, v in clauses.items()},
                {c: [p["quote"] for p in v.get("passages") or []] for c, v in clauses.items()},
                {c: [p["quote"] for p in v.get("decoys") or []] for c, v in clauses.items()},
                root / source / "texts" / label["file"]))
    return documents


def own_documents(root: Path = OWN) -> list[Document]:
    """The project's own corpus (written here) with its per-document labels."""
    labels = yaml.safe_load((root / "labels.yaml").read_text(encoding="utf-8"))["contracts"]
    return [Document(e["file"], "own", "ja" if e["file"].startswith("ja_") else "en", False,
                     {**{c: True for c in e["found"]}, **{c: False for c in e["missing"]}}, {}, {}, root / e["file"])
            for e in labels]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\u3000]+", "", text)


def _holds(unit_text: str, quote: str) -> bool:
    u, q = _norm(unit_text), _norm(quote)
    if len(u) < 12 or len(q) < 12:
        return False
    return q in u or (u in q and len(u) >= 25) or (len(q) >= 50 and (q[:40] in u or q[-40:] in u))


def unit_labels(document: Document, clause_ids: list[str]) -> list[dict[str, int]]:
    """Per unit, ``clause -> 1/0`` for the clauses whose label is known for that unit."""
    units = document.reading().units
    out = [dict() for _ in units]
    for clause_id in clause_ids:
        present = document.present.get(clause_id)
        if present is None:
            continue
        for i, unit in enumerate(units):
            if not present:
                out[i][clause_id] = 0
            elif document.source == "own":
                if clause_id in unit.pattern_hits:
                    out[i][clause_id] = 1
            elif any(_holds(unit.text, q) for q in document.quotes.get(clause_id, ())):
                out[i][clause_id] = 1
            elif any(_holds(unit.text, q) for q in document.decoys.get(clause_id, ())):
                out[i][clause_id] = 0
    return out


def _fit(rows, labels, vocabulary_size):
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:  # no example of one side: a clause that is never found
        return -10.0, [0.0] * vocabulary_size
    indptr, indices = [0], []
    for row in rows:
        indices.extend(row)
        indptr.append(len(indices))
    matrix = csr_matrix(([1.0] * len(indices), indices, indptr), shape=(len(rows), vocabulary_size))
    model = LogisticRegression(C=REGULARISATION_C, class_weight={0: 1.0, 1: POSITIVE_WEIGHT}, solver="liblinear",
                               max_iter=400)
    model.fit(matrix, labels)
    return float(model.intercept_[0]), model.coef_[0]


def _sigmoid_dot(bias, weights, row):
    import math
    total = bias + sum(weights[i] for i in row)
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, total))))


def _blocked(unit, clause_id) -> bool:
    from vendorrisk.contracts.checker.matcher import PROVIDER_DUTIES
    return clause_id in PROVIDER_DUTIES and unit.obligor == ("Ⓒ", "shall")


def _thresholds(best_present: list[float], best_absent: list[float]) -> tuple[float, float]:
    """``found``: the lowest threshold keeping false *found* on absent documents within
    MAX_FALSE_FOUND (never under 0.5); ``review``: the highest keeping present documents
    below it within MAX_FALSE_GAP (never over ``found``)."""
    candidates = [round(0.5 + i * 0.01, 2) for i in range(50)]
    found = next((t for t in candidates
                  if sum(b >= t for b in best_absent) <= MAX_FALSE_FOUND * max(1, len(best_absent))), 0.99)
    review_candidates = [round(0.02 + i * 0.01, 2) for i in range(int(found * 100) - 1)]
    review = 0.05
    for t in review_candidates:
        if sum(b < t for b in best_present) <= MAX_FALSE_GAP * max(1, len(best_present)):
            review = t
    return found, min(review, found)


def train(documents: list[Document] | None = None, log=print) -> dict:
    """Fit the scorer on ``documents`` (default: the real corpus less its held-out split,
    and the own corpus) and return the model as a JSON-ready dict."""
    clause_ids = [c.id for c in clause_library.library()]
    documents = documents if documents is not None else \
        [d for d in real_documents() if not d.heldout] + own_documents()
    log(f"reading {len(documents)} documents")
    per_doc = [(d, d.reading().units, unit_labels(d, clause_ids)) for d in documents]
    counts: dict[str, int] = {}
    for _d, units, _labels in per_doc:
        for unit in units:
            for f in unit.features:
                counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= 2)
    position = {f: i for i, f in enumerate(vocabulary)}
    rows_by_doc = [[[position[f] for f in unit.features if f in position] for unit in units]
                   for _d, units, _l in per_doc]
    rng = random.Random(SEED)
    order = list(range(len(per_doc)))
    rng.shuffle(order)
    fold_of = {doc: k % FOLDS for k, doc in enumerate(order)}
    clauses, stats = {}, {}
    for clause_id in clause_ids:
        def data(keep):
            rows, labels = [], []
            for d, (_doc, _units, labels_of) in enumerate(per_doc):
                if keep(d):
                    for row, known in zip(rows_by_doc[d], labels_of):
                        if clause_id in known:
                            rows.append(row)
                            labels.append(known[clause_id])
            return rows, labels
        best_present, best_absent = [], []
        for fold in range(FOLDS):
            rows, labels = data(lambda d: fold_of[d] != fold)
            if len(set(labels)) < 2:
                continue
            bias, weights = _fit(rows, labels, len(vocabulary))
            for d, (doc, units, _l) in enumerate(per_doc):
                if fold_of[d] != fold or clause_id not in doc.present:
                    continue
                best = max((_sigmoid_dot(bias, weights, row) for row, unit in zip(rows_by_doc[d], units)
                            if not _blocked(unit, clause_id)), default=0.0)
                (best_present if doc.present[clause_id] else best_absent).append(best)
        found, review = _thresholds(best_present, best_absent)
        rows, labels = data(lambda d: True)
        bias, weights = _fit(rows, labels, len(vocabulary))
        kept = sorted(((i, round(float(w), 4)) for i, w in enumerate(weights) if abs(w) >= 0.02),
                      key=lambda t: -abs(t[1]))[:6000]
        clauses[clause_id] = {"bias": round(bias, 4), "found": found, "review": review, "weights": sorted(kept)}
        stats[clause_id] = {"positives": sum(labels), "negatives": len(labels) - sum(labels),
                            "cv_present_docs": len(best_present), "cv_absent_docs": len(best_absent)}
        cv = {"found": sum(b >= found for b in best_present), "present": len(best_present),
              "false_found": sum(b >= found for b in best_absent), "absent": len(best_absent),
              "review": sum(review <= b < found for b in best_present + best_absent)}
        stats[clause_id]["cv"] = cv
        log(f"{clause_id:<24} +{sum(labels):<4} -{len(labels) - sum(labels):<6} found≥{found:.2f} "
            f"review≥{review:.2f} weights {len(kept):<5} cv found {cv['found']}/{cv['present']} "
            f"false {cv['false_found']}/{cv['absent']} review {cv['review']}")
    totals = {k: sum(s["cv"][k] for s in stats.values()) for k in ("found", "present", "false_found", "absent", "review")}
    log(f"cross-validation: present found {totals['found'] / max(1, totals['present']):.2f}, absent found "
        f"{totals['false_found'] / max(1, totals['absent']):.2f}, needs review "
        f"{totals['review'] / max(1, totals['present'] + totals['absent']):.2f}")
    used = sorted({i for c in clauses.values() for i, _w in c["weights"]})
    remap = {old: new for new, old in enumerate(used)}
    for entry in clauses.values():
        entry["weights"] = [[remap[i], w] for i, w in entry["weights"]]
    features = [vocabulary[i] for i in used]
    digest = hashlib.sha256(json.dumps([features, clauses], sort_keys=True).encode()).hexdigest()[:12]
    return {"format": MODEL_FORMAT, "version": digest,
            "meta": {"library_version": clause_library.library_version(),
                     "documents": sorted(f"{d.source}/{d.name}" for d in documents),
                     "max_false_found": MAX_FALSE_FOUND, "max_false_gap": MAX_FALSE_GAP, "stats": stats},
            "features": features, "clauses": clauses}


def write(model: dict, path: Path) -> None:
    """Write the model as compact, stable JSON (one clause per line)."""
    head = {k: model[k] for k in ("format", "version", "meta")}
    lines = ["{", *[f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}," for k, v in head.items()],
             f"\"features\": {json.dumps(model['features'], ensure_ascii=False)},", "\"clauses\": {"]
    items = list(model["clauses"].items())
    for n, (clause_id, entry) in enumerate(items):
        lines.append(f"{json.dumps(clause_id)}: {json.dumps(entry, separators=(',', ':'))}"
                     + ("," if n < len(items) - 1 else ""))
    lines += ["}", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
