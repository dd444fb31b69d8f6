"""JSON columns are written as UTF-8 without spaces (``core.db.json_text``), rows written
before in the escaped form still read the same, and migration 0032 rewrites the maintained
verdicts into the new form with the same values."""
import json

from sqlalchemy import Text, bindparam, cast, insert, select

from tests.factories import gen_vendor
from tests.helpers import across_migration
from vendorrisk.compliance import matrix, store
from vendorrisk.compliance.models import ComplianceVerdict
from vendorrisk.core.db import json_text
from vendorrisk.core.models import JSONText

V = ComplianceVerdict.__table__
REASON = {"m": "no contract uploaded for “%(title)s”", "p": {"title": "委託業務 5428"}}
LINKS = [["委託業務 5428", "/contracts/arrangements/5429"]]


def _as_written(value):
    """``value`` as the code before this form wrote it (``json.dumps``' defaults)."""
    return bindparam(None, json.dumps(value), type_=JSONText())


def _stored(db, vendor_id):
    return dict(db.execute(select(V.c.obligation, cast(V.c.reason, Text)).where(V.c.vendor_id == vendor_id)).all())


def test_json_is_written_as_utf8_without_spaces_and_both_forms_read_alike(db, obligations):
    vendor = gen_vendor(db)
    db.flush()
    first, second = [o.id for o in matrix.select_obligations()][:2]
    db.execute(insert(V).values(vendor_id=vendor.id, obligation=first, status="gap", reason=REASON, links=LINKS))
    # a row as the code before wrote it (``json.dumps`` defaults: escapes, spaces)
    db.execute(insert(V).values(vendor_id=vendor.id, obligation=second, status="gap",
                                reason=_as_written(REASON), links=_as_written(LINKS)))
    db.commit()
    stored = _stored(db, vendor.id)
    assert stored[first] == json_text(REASON)
    assert "委託業務 5428" in stored[first] and "\\u" not in stored[first] and ", " not in stored[first]
    assert stored[second] == json.dumps(REASON)  # the old form is kept as it was written
    links = dict(db.execute(select(V.c.obligation, cast(V.c.links, Text)).where(V.c.vendor_id == vendor.id)).all())
    assert links[first] == '[["委託業務 5428","/contracts/arrangements/5429"]]'
    cells = store.verdicts_of(db, [vendor.id], matrix.select_obligations())[vendor.id]
    assert cells[first] == cells[second]
    assert cells[first].links == [("委託業務 5428", "/contracts/arrangements/5429")]


def test_the_migration_rewrites_the_verdicts_in_the_new_form(app, db, obligations):
    vendor = gen_vendor(db)
    db.flush()
    ids = [o.id for o in matrix.select_obligations()][:3]
    old = [(REASON, LINKS), (None, []), ({"m": "Approved.", "p": {}}, [])]
    for ob, (reason, links) in zip(ids, old):
        db.execute(insert(V).values(vendor_id=vendor.id, obligation=ob, status="met",
                                    reason=_as_written(reason),  # None: JSON null, as the ORM writes it
                                    links=_as_written(links)))
    query = (f"SELECT obligation || '|' || COALESCE(CAST(reason AS TEXT), '-'), CAST(links AS TEXT) "
             f"FROM compliance_verdict WHERE vendor_id = {vendor.id}")
    before, after = across_migration(app, db, "0031_link_note_keys", query)
    assert sorted(before) == sorted(f"{ob}|{json.dumps(r)}" for ob, (r, _l) in zip(ids, old))
    assert {k.split("|", 1)[0]: k.split("|", 1)[1] for k in after} == {ob: json_text(r) for ob, (r, _l) in zip(ids, old)}
    assert sorted(after.values()) == sorted(json_text(links) for _r, links in old)
    # the same values
    assert sorted(json.loads(v) for v in after.values()) == sorted(json.loads(v) for v in before.values())
