"""Stored reasons read correctly for one and for many (messages have no plural forms, so no
"(s)"), and a verdict stored under a reason's earlier wording still reads in Japanese until
the rebuild that ``db upgrade`` runs rewrites it under the current one."""
from pathlib import Path

from babel.messages.extract import extract_from_file
from sqlalchemy import update

from tests import factories
from vendorrisk.compliance import maintain
from vendorrisk.compliance.models import ComplianceVerdict

ROOT = Path(__file__).resolve().parents[2] / "vendorrisk"
OLD_25_4 = "%(count)s sub-outsourcing link(s) in its chains are not approved."


def _stored_reason_ids():
    """The ids of every module whose messages are stored (``msg`` imported as ``_``)."""
    for path in ROOT.rglob("*.py"):
        if "import msg as _" in path.read_text(encoding="utf-8"):
            for _line, message, _comments, _ctx in extract_from_file("python", path, keywords={"_": None}):
                yield path.relative_to(ROOT), message


def test_no_stored_reason_counts_with_a_plural_s():
    ids = list(_stored_reason_ids())
    assert len(ids) > 50
    assert [(str(path), m) for path, m in ids if "(s)" in m] == []


def test_a_reason_stored_under_its_earlier_wording_reads_in_japanese_until_the_rebuild(api, db):
    head, sub = factories.gen_vendor(db, name="文言テスト元請"), factories.gen_vendor(db, name="文言テスト再委託先")
    factories.gen_link(db, factories.gen_arrangement(db, head), head, sub)
    maintain.rebuild(db)
    db.execute(update(ComplianceVerdict).where(ComplianceVerdict.vendor_id == head.id,
                                               ComplianceVerdict.obligation == "25-4")
               .values(reason={"m": OLD_25_4, "p": {"count": 1}}))
    db.commit()
    client = api("auditor")

    def reason(language):
        body = client.get(f"/api/v1/compliance-matrix?vendor_id={head.id}",
                          headers={"Accept-Language": language}).get_json()
        return next(row["reason"] for row in body["rows"] if row["obligation"] == "25-4")

    assert reason("ja") == "委託チェーン内の再委託1件が未承認です。"
    assert reason("en") == "1 sub-outsourcing link(s) in its chains are not approved."
    assert maintain.rebuild(db) >= 1
    db.commit()
    stored = db.execute(ComplianceVerdict.__table__.select().where(
        ComplianceVerdict.vendor_id == head.id, ComplianceVerdict.obligation == "25-4")).one()
    assert stored.reason == {"m": "Sub-outsourcing links in its chains not approved: %(count)s.", "p": {"count": 1}}
    assert (reason("ja"), reason("en")) == ("委託チェーン内の再委託1件が未承認です。",
                                           "Sub-outsourcing links in its chains not approved: 1.")
