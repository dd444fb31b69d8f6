"""The hand-made labels of the real corpus (tests/contracts/corpus_real): every label file
names every clause of the library, says present or absent, carries the quotes that make a
present clause present (verbatim in its text, line breaks aside), and says when it was
labelled; the held-out split names only labelled documents."""
import re
from datetime import datetime

import pytest
import yaml

from vendorrisk.contracts import corpus
from vendorrisk.contracts.checker import library

LABELS = sorted(path for source in corpus.SOURCES for path in (corpus.REAL / source / "labels").glob("*.yaml"))


def _flat(text: str) -> str:
    """Whitespace collapsed: a quote may join the lines a text wraps over."""
    return re.sub(r"\s+", " ", text)


def _key(path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", LABELS, ids=_key)
def test_a_label_file_labels_every_clause_with_quotes_from_its_text(path):
    label = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = _flat((path.parent.parent / "texts" / label["file"]).read_text(encoding="utf-8"))
    datetime.fromisoformat(str(label["labelled_at"]).replace("Z", "+00:00"))  # a time, not a placeholder
    assert set(label["clauses"]) == {clause.id for clause in library.library()}
    for clause_id, entry in label["clauses"].items():
        assert isinstance(entry["present"], bool), clause_id
        passages = entry.get("passages") or []
        assert bool(passages) == entry["present"], clause_id  # a present clause is shown, an absent one has none
        for item in passages + (entry.get("decoys") or []):
            assert _flat(item["quote"]) in text, (clause_id, item["quote"][:80])


def test_every_held_out_document_has_a_label_file():
    assert LABELS and corpus.heldout_names() <= {_key(path) for path in LABELS}
