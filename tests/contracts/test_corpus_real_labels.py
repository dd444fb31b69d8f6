"""The real corpus's label files (tests/contracts/corpus_real/<source>/labels): their shape, and
that every labelled passage and decoy is in its document. No checker or scorer runs here, so
these tests may be run on a document before anything has been measured on it."""
import datetime

import yaml

from vendorrisk.contracts.checker import library
from vendorrisk.contracts.corpus import REAL, SOURCES, _norm, heldout_rounds


def _label_files():
    return [(source, path) for source in SOURCES for path in sorted((REAL / source / "labels").glob("*.yaml"))]


def test_every_label_covers_the_fourteen_clauses_with_quotes_from_its_text():
    ids = {c.id for c in library.library()}
    errors = []
    for source, path in _label_files():
        label = yaml.safe_load(path.read_text(encoding="utf-8"))
        where = f"{source}/{path.stem}"
        text_path = REAL / source / "texts" / label["file"]
        if text_path.stem != path.stem or not text_path.is_file():
            errors.append(f"{where}: file {label['file']!r} is not its text")
            continue
        stamp = label.get("labelled_at")  # quoted: a string; unquoted: YAML reads a datetime
        if not isinstance(stamp, datetime.datetime):
            try:
                stamp = datetime.datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
            except ValueError:
                stamp = None
        if stamp is None or stamp.utcoffset() != datetime.timedelta(0):
            errors.append(f"{where}: labelled_at missing or not a UTC time")
        clauses = label["clauses"]
        if set(clauses) != ids:
            errors.append(f"{where}: clauses {sorted(set(clauses) ^ ids)} missing or unknown")
        text = _norm(text_path.read_text(encoding="utf-8"))
        for clause_id, entry in clauses.items():
            if not isinstance(entry.get("present"), bool):
                errors.append(f"{where} {clause_id}: present is not true/false")
                continue
            if entry["present"] and not entry.get("passages"):
                errors.append(f"{where} {clause_id}: present without a passage")
            if not entry["present"] and entry.get("passages"):
                errors.append(f"{where} {clause_id}: absent but has passages (decoys belong under decoys)")
            for kind in ("passages", "decoys"):
                for item in entry.get(kind) or []:
                    if _norm(item["quote"]) not in text:
                        errors.append(f"{where} {clause_id} {kind}: not in the text: {item['quote'][:60]!r}")
    assert not errors, "\n".join(errors)


def test_every_text_is_labelled_and_every_held_out_name_exists_once():
    labelled = {f"{source}/{path.stem}" for source, path in _label_files()}
    texts = {f"{source}/{p.stem}" for source in SOURCES for p in (REAL / source / "texts").iterdir() if p.is_file()}
    assert texts == labelled, sorted(texts ^ labelled)
    split = yaml.safe_load((REAL / "split.yaml").read_text(encoding="utf-8"))
    names = [f"{source}/{name}" for entry in split["rounds"] for source, listed in entry["heldout"].items()
             for name in listed]
    assert len(names) == len(set(names)), "a document is held out in two rounds"
    assert set(names) <= labelled, sorted(set(names) - labelled)
    assert set(heldout_rounds()) == set(names)
