"""Compliance-matrix rows of Art. 25(2)/25(3) from contract checks, and the evidence pack files."""
import io

import docx
from flask_babel import force_locale
from sqlmodel import select

from tests import factories
from tests.contracts.factories import CORPUS
from vendorrisk.contracts import service
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.vendors.models import Vendor

CONTRACT_IDS = ["25-2-roles_responsibilities", "25-2-audit_rights", "25-2-subcontracting",
                "25-2-service_levels", "25-3"]


def test_met_gap_and_not_applicable(app, db, contributions):
    complete = factories.gen_arrangement(db, is_cloud=True)
    partial = factories.gen_arrangement(db)
    uncontracted = factories.gen_arrangement(db)
    subcontractor = factories.gen_vendor(db)
    factories.gen_link(db, complete, db.get(Vendor, complete.vendor_id), subcontractor)
    idle = factories.gen_vendor(db)
    user = factories.gen_user(db, role="compliance")
    service.upload_version(db, arrangement_id=complete.id, user=user, filename="c.md",
                           data=(CORPUS / "en_complete_msa.md").read_bytes())
    version = service.upload_version(db, arrangement_id=partial.id, user=user, filename="p.txt",
                                     data=(CORPUS / "ja_missing_si.txt").read_bytes())
    vendor_ids = [complete.vendor_id, partial.vendor_id, uncontracted.vendor_id, subcontractor.id, idle.id]
    assert set(CONTRACT_IDS) <= set(contributions.obligations)
    verdicts = {oid: contributions.obligations[oid].rule(db, vendor_ids) for oid in CONTRACT_IDS}
    for oid in CONTRACT_IDS:
        assert set(verdicts[oid]) == set(vendor_ids)
        assert verdicts[oid][complete.vendor_id].status == "met", oid
        assert verdicts[oid][complete.vendor_id].links[0][1].startswith("/contracts/versions/")
        assert verdicts[oid][uncontracted.vendor_id].status == "gap"
        assert "no contract uploaded" in str(verdicts[oid][uncontracted.vendor_id].reason).lower()
        assert verdicts[oid][subcontractor.id].status == "not_applicable"
        assert "sub-outsourcing clause" in str(verdicts[oid][subcontractor.id].reason)
        assert verdicts[oid][idle.id].status == "not_applicable"
    assert verdicts["25-2-subcontracting"][partial.vendor_id].status == "met"
    audit = verdicts["25-2-audit_rights"][partial.vendor_id]
    assert audit.status == "gap" and "(automatic)" in str(audit.reason)
    # A reviewer's override decides: the audit clause confirmed as found turns the row to met.
    check = db.exec(select(ClauseCheck).where(ClauseCheck.version_id == version.id,
                                              ClauseCheck.clause_id == "audit_rights")).one()
    service.review_check(db, check_id=check.id, status="found", comment="Audit clause is in Annex 2.", user=user)
    assert contributions.obligations["25-2-audit_rights"].rule(db, [partial.vendor_id])[partial.vendor_id].status == "met"
    assert contributions.obligations["25-3"].doc.startswith("Met when")


def test_evidence_source_gives_the_latest_checklist_per_arrangement(app, db, contributions):
    arrangement = factories.gen_arrangement(db)
    other = factories.gen_arrangement(db, vendor=db.get(Vendor, arrangement.vendor_id))
    user = factories.gen_user(db, role="compliance")
    for name in ("ja_missing_si.txt", "ja_complete_cloud.md"):
        service.upload_version(db, arrangement_id=arrangement.id, user=user, filename=name,
                               data=(CORPUS / name).read_bytes())
    with app.test_request_context(), force_locale("ja"):
        files = list(contributions.evidence_sources["contracts"](db, arrangement.vendor_id))
    assert len(files) == 1 and other.id not in [f.path for f in files]
    assert files[0].path.startswith(f"contracts/{arrangement.id}_") and files[0].path.endswith("_v2.docx")
    document = docx.Document(io.BytesIO(files[0].data))
    assert "第2版" in document.tables[0].rows[2].cells[1].text
    with app.test_request_context(), force_locale("en"):  # the pack's language, not always Japanese
        (english,) = contributions.evidence_sources["contracts"](db, arrangement.vendor_id)
    assert "version 2" in docx.Document(io.BytesIO(english.data)).tables[0].rows[2].cells[1].text
