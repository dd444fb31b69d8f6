"""The labelled corpora the scorer is trained and measured on (training and the bench only).

Real corpus (``tests/contracts/corpus_real``): CUAD contracts (``cuad/``), English cloud
terms, DPAs and SLAs (``en/``) and Japanese documents (``ja/``), each with a hand-made label
file (per clause: present or not, the passages as verbatim quotes, decoys). ``split.yaml``
holds its held-out rounds: a held-out document is never trained on, and the bench reports
each round apart. Own corpus (``tests/contracts/corpus``): contracts written for the tests,
labelled per document.
"""
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from vendorrisk.contracts.checker import library as clause_library
from vendorrisk.contracts.checker.reading import Reading, read
from vendorrisk.contracts.checker.structure import parse
from vendorrisk.contracts.checker.text import extract
from vendorrisk.core.config import PROJECT_ROOT

REAL = PROJECT_ROOT / "tests" / "contracts" / "corpus_real"
OWN = PROJECT_ROOT / "tests" / "contracts" / "corpus"
SOURCES = ("cuad", "en", "ja")


@dataclass
class Document:
    """A labelled document: where it comes from, its language, its clause labels and, when
    held out, the round of ``split.yaml`` that holds it (0: a training document)."""

    name: str
    source: str  # "cuad", "en", "ja" or "own"
    language: str
    heldout: bool
    present: dict[str, bool]
    quotes: dict[str, list[str]]  # clause -> labelled quotes (real corpus)
    decoys: dict[str, list[str]]
    path: Path
    round: int = 0
    _reading: Reading | None = None

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"

    def reading(self) -> Reading:
        if self._reading is None:
            data = self.path.read_bytes()
            structure = parse(extract(data, self.path.suffix.lstrip(".")).blocks)
            self._reading = read(structure, clause_library.library())
        return self._reading


def heldout_rounds(root: Path = REAL) -> dict[str, int]:
    """``source/name`` -> the held-out round that holds it."""
    split = yaml.safe_load((root / "split.yaml").read_text(encoding="utf-8"))
    out = {}
    for entry in split["rounds"]:
        for source, names in entry["heldout"].items():
            for name in names:
                out[f"{source}/{name}"] = int(entry["round"])
    return out


def heldout_names(root: Path = REAL) -> set[str]:
    """``source/name`` of every held-out document, all rounds."""
    return set(heldout_rounds(root))


def real_documents(root: Path = REAL) -> list[Document]:
    """The real documents with their labels and their held-out round."""
    rounds = heldout_rounds(root)
    documents = []
    for source in SOURCES:
        for path in sorted((root / source / "labels").glob("*.yaml")):
            label = yaml.safe_load(path.read_text(encoding="utf-8"))
            clauses = label["clauses"]
            key = f"{source}/{path.stem}"
            documents.append(Document(
                path.stem, source, label.get("language", "ja" if source == "ja" else "en"), key in rounds,
                {c: bool(v["present"]) for c, v in clauses.items()},
                {c: [p["quote"] for p in v.get("passages") or []] for c, v in clauses.items()},
                {c: [p["quote"] for p in v.get("decoys") or []] for c, v in clauses.items()},
                root / source / "texts" / label["file"], rounds.get(key, 0)))
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


def holds(unit_text: str, quote: str) -> bool:
    """Whether a sentence holds (a good part of) a labelled quote."""
    u, q = _norm(unit_text), _norm(quote)
    if len(u) < 12 or len(q) < 12:
        return False
    return q in u or (u in q and len(u) >= 25) or (len(q) >= 50 and (q[:40] in u or q[-40:] in u))
