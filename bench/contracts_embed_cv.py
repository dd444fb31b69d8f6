"""Round 18 (issue 13): does a static word embedding help the sentence scorer? Measured only.

Runs ``bench/contracts_cv_errors.py --seeds N`` (same documents, folds, training and nested rule)
with the sentence models given a semantic signal from a static embedding table, without
changing the product: ``training``'s fitting functions are replaced for the run only.

The embedding: ``wordllama`` 0.4.0.post1 (MIT), whose wheel bundles a 32k-token × 256 table
distilled from Llama-2's token embeddings (``weights/l2_supercat_256.safetensors``) and its
tokenizer; read here with ``tokenizers`` and ``safetensors`` (``--wordllama DIR``: the unpacked
``wordllama`` package folder; by default the installed package). A sentence's vector is the
mean of its tokens' vectors, L2-normalised (text as written; the heading is not included).
Units the pre-filter leaves out get no vector (zero), as they get no score in the product.

Variants (``--variant``):
 - ``dense`` (a): the 256 numbers, times ``--scale``, appended as dense features of every
   candidate sentence in each clause's logistic regression;
 - ``proto`` (b): two features per clause: the cosine of the sentence's vector (less the mean
   vector of the fit's sentences) to that clause's positive prototype and to its negative one,
   times ``--scale``; the prototypes are the means of the fit's own positive / negative
   sentences (a model fitted on four folds never sees the fifth's), leaving the sentence's own
   vector out of its prototype while it is fitted on (no self-match).
The document model, the thresholds and the rule are the shipped ones. Training stops after the
cross-validated table (the final fit is not needed for the figures).

    nice -n 19 .venv/bin/python bench/contracts_embed_cv.py --variant proto [--scale 3] -- \
        --seeds 12 --added-by label9a --added-by label9b --added-by label10
"""
import argparse
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import contracts_cv_errors  # noqa: E402
from vendorrisk.contracts import training  # noqa: E402


class Embedding:
    """Mean-of-tokens sentence vectors from the wordllama table."""

    def __init__(self, folder: Path):
        from safetensors import safe_open
        from tokenizers import Tokenizer
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        with safe_open(str(folder / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
            self.table = f.get_tensor("embedding.weight").astype(np.float32)

    def vectors(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for i, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                v = self.table[encoding.ids].mean(axis=0)
                norm = float(np.linalg.norm(v))
                out[i] = v / norm if norm else v
        return out


class Weights(list):
    """Sparse weights (a list, as ``training`` indexes them) with the dense part beside them."""

    dense = None  # variant dense: weights of the 256 numbers
    proto = None  # variant proto: (mean, positive prototype, negative prototype, two weights)


STATE: dict = {}


def _rows_vectors(rows) -> np.ndarray:
    keys = STATE["keys"]
    return STATE["vectors"][[keys.get(tuple(r), 0) for r in rows]]


def _prepare(documents) -> None:
    """The row of each candidate unit (as ``training.train`` builds it) -> its vector."""
    per_doc = [d.reading().units for d in documents]
    counts: dict[str, int] = {}
    for units in per_doc:
        for unit in units:
            for f in unit.features:
                counts[f] = counts.get(f, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= training.MIN_FEATURE_COUNT)
    position = {f: i for i, f in enumerate(vocabulary)}
    texts, keys = [], {}
    for units in per_doc:
        for unit in units:
            if not unit.candidate:
                continue
            key = tuple(position[f] for f in unit.features if f in position)
            if key and key not in keys:  # the same row, the same sentence but for stop words / digits
                keys[key] = len(texts) + 1
                texts.append(unit.text)
    STATE["keys"] = keys
    STATE["vectors"] = np.vstack([np.zeros((1, STATE["embedding"].table.shape[1]), np.float32),
                                  STATE["embedding"].vectors(texts)])


def _proto_features(vectors, proto, labels=None) -> np.ndarray:
    """Cosine to the positive and negative prototypes; with ``labels`` (the fit's own rows) each
    row's own vector is left out of its prototype's mean."""
    mean, pos_sum, n_pos, neg_sum, n_neg = proto
    centred = vectors - mean
    present = np.abs(vectors).sum(axis=1) > 0
    norms = np.linalg.norm(centred, axis=1)
    norms[norms == 0] = 1
    out = np.zeros((len(vectors), 2))
    for k, (total, n, side) in enumerate(((pos_sum, n_pos, 1), (neg_sum, n_neg, 0))):
        if labels is None:
            p = np.broadcast_to(total / max(1, n), centred.shape)
        else:
            own = (np.asarray(labels) == side)[:, None]
            p = np.where(own, (total - centred) / max(1, n - 1), total / max(1, n))
        pn = np.linalg.norm(p, axis=1)
        pn[pn == 0] = 1
        out[:, k] = (centred * p).sum(axis=1) / norms / pn
    out[~present] = 0.0
    return out * STATE["scale"]


def _fit(rows, labels, vocabulary_size):
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    if len(set(labels)) < 2:
        return -10.0, Weights([0.0] * vocabulary_size)
    vectors = _rows_vectors(rows)
    if STATE["variant"] == "dense":
        extra = vectors * STATE["scale"]
        proto = None
    else:
        live = np.abs(vectors).sum(axis=1) > 0
        mean = vectors[live].mean(axis=0) if live.any() else np.zeros(vectors.shape[1], np.float32)
        lab = np.asarray(labels)
        centred = vectors - mean
        pos, neg = live & (lab == 1), live & (lab == 0)
        proto = (mean, centred[pos].sum(axis=0), int(pos.sum()), centred[neg].sum(axis=0), int(neg.sum()))
        extra = _proto_features(vectors, proto, labels)
    matrix = hstack([training._matrix(rows, vocabulary_size), csr_matrix(extra)]).tocsr()
    model = LogisticRegression(C=training.REGULARISATION_C, class_weight={0: 1.0, 1: training.POSITIVE_WEIGHT},
                               solver="liblinear", max_iter=400)
    model.fit(matrix, labels)
    coef = model.coef_[0]
    weights = Weights(coef[:vocabulary_size].tolist())
    if proto is None:
        weights.dense = coef[vocabulary_size:] * STATE["scale"]
    else:
        weights.proto = (proto, coef[vocabulary_size:])
    return float(model.intercept_[0]), weights


def _probabilities(bias, weights, rows) -> list[float]:
    totals = np.array([bias + sum(weights[i] for i in row) for row in rows], dtype=float)
    if getattr(weights, "dense", None) is not None:
        totals += _rows_vectors(rows) @ weights.dense
    elif getattr(weights, "proto", None) is not None:
        proto, w = weights.proto
        totals += _proto_features(_rows_vectors(rows), proto) @ w
    return [1 / (1 + math.exp(-max(-30.0, min(30.0, t)))) for t in totals]


class _Done(Exception):
    pass


def install(variant: str, scale: float, folder: Path) -> None:
    """Replace ``training``'s sentence fitting for this process (never written anywhere)."""
    STATE.update(variant=variant, scale=scale, embedding=Embedding(folder))
    original = training.train

    def train(documents=None, log=print, on_cross_validated=None):
        _prepare(documents)

        def keep(table):
            on_cross_validated(table)
            raise _Done

        try:
            original(documents, log=log, on_cross_validated=keep)
        except _Done:
            return None

    training.train = train
    training._fit = _fit
    training._probabilities = _probabilities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=("dense", "proto"), required=True)
    parser.add_argument("--scale", type=float, default=None, help="dense: 8; proto: 3")
    spec = importlib.util.find_spec("wordllama")
    parser.add_argument("--wordllama", type=Path,
                        default=Path(spec.origin).parent if spec and spec.origin else None,
                        help="the wordllama package folder (weights/, tokenizers/)")
    args, rest = parser.parse_known_args()
    if args.wordllama is None:
        parser.error("wordllama is not installed: give --wordllama DIR (the unpacked package folder)")
    scale = args.scale if args.scale is not None else (8.0 if args.variant == "dense" else 3.0)
    install(args.variant, scale, args.wordllama)
    print(f"embedding variant {args.variant}, scale {scale}, table {args.wordllama}", flush=True)
    sys.argv = [sys.argv[0], *[a for a in rest if a != "--"]]
    contracts_cv_errors.main()


if __name__ == "__main__":
    main()
