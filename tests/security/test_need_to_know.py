"""Issue 16, finding 15: a vendor's files follow need-to-know.

Generated from the URL map, not from a list: every GET route with a record in its path is
read with a real record of the demo portfolio (plus a review attachment and a selection
evidence file); each answer that is a file (``Content-Disposition: attachment``) names a file
route. For each such route: a vendor owner assigned to the record's vendor, compliance,
admin, procurement and auditors get the file; a vendor owner of another vendor gets 403 and
the attempt is in the audit trail."""
import pytest
from sqlalchemy import func, select, text

from tests import factories
from tests.helpers import sign_in_session
from vendorrisk.core import storage, users
from vendorrisk.core.access import rule_for
from vendorrisk.core.models import AuditEntry
from vendorrisk.core.uploads import Upload
from vendorrisk.monitoring.models import ReviewAttachment
from vendorrisk.selection.models import AssessmentEvidence
from vendorrisk.vendors.models import Vendor, VendorOwner

# How the vendor of a record is found from the argument that names it.
VENDOR_OF = {
    "vendor_id": "SELECT :id",
    "certificate_id": "SELECT vendor_id FROM certificate WHERE id = :id",
    "version_id": "SELECT a.vendor_id FROM contract_version v JOIN contract c ON c.id = v.contract_id "
                  "JOIN arrangement a ON a.id = c.arrangement_id WHERE v.id = :id",
    "contract_id": "SELECT a.vendor_id FROM contract c JOIN arrangement a ON a.id = c.arrangement_id WHERE c.id = :id",
    "response_id": "SELECT vendor_id FROM questionnaire_response WHERE id = :id",
    "review_id": "SELECT vendor_id FROM monitoring_review WHERE id = :id",
    "finding_id": "SELECT vendor_id FROM finding WHERE id = :id",
    "assessment_id": "SELECT vendor_id FROM selection_assessment WHERE id = :id",
}
FIRST = {"vendor_id": "SELECT vendor_id FROM arrangement ORDER BY id LIMIT 1",
         "certificate_id": "SELECT id FROM certificate ORDER BY id LIMIT 1",
         "version_id": "SELECT id FROM contract_version ORDER BY id LIMIT 1",
         "contract_id": "SELECT id FROM contract ORDER BY id LIMIT 1",
         "response_id": "SELECT id FROM questionnaire_response ORDER BY id LIMIT 1",
         "review_id": "SELECT review_id FROM review_attachment ORDER BY id LIMIT 1",
         "file_id": "SELECT file_id FROM review_attachment ORDER BY id LIMIT 1",
         "finding_id": "SELECT id FROM finding WHERE closure_file_id IS NOT NULL ORDER BY id LIMIT 1",
         "assessment_id": "SELECT assessment_id FROM assessment_evidence ORDER BY id LIMIT 1",
         "evidence_id": "SELECT id FROM assessment_evidence ORDER BY id LIMIT 1"}


def _attach_files(db, user):
    """A review attachment and a selection evidence file (the demo has neither)."""
    pdf = Upload(data=b"%PDF-1.4\n% need to know\n%%EOF\n", filename="evidence.pdf", kind="pdf",
                 media_type="application/pdf")
    stored, _same = storage.store(db, pdf, user.id)
    review_id = db.execute(text("SELECT id FROM monitoring_review ORDER BY id LIMIT 1")).scalar_one()
    db.add(ReviewAttachment(review_id=review_id, file_id=stored.id, added_by_id=user.id))
    assessment_id = db.execute(text("SELECT id FROM selection_assessment ORDER BY id LIMIT 1")).scalar_one()
    db.add(AssessmentEvidence(assessment_id=assessment_id, criterion_id="c1", file_id=stored.id,
                              uploaded_by_id=user.id))
    finding_id = db.execute(text("SELECT id FROM finding ORDER BY id LIMIT 1")).scalar_one()
    db.execute(text("UPDATE finding SET closure_file_id = :f WHERE id = :id"), {"f": stored.id, "id": finding_id})
    db.commit()


def _record_routes(app, db, template_id: str):
    """(rule, url, vendor id) for every GET route with a record in its path."""
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments)
        if "GET" not in rule.methods or not names & set(VENDOR_OF) or names - set(FIRST) - {"template_id"}:
            continue
        values = {name: db.execute(text(FIRST[name])).scalar() for name in names if name in FIRST}
        if any(v is None for v in values.values()):
            continue
        if "template_id" in names:
            values["template_id"] = template_id
        scoping = next(n for n in ("assessment_id", "review_id", "finding_id", "version_id", "contract_id",
                                   "response_id", "certificate_id", "vendor_id") if n in names)
        vendor_id = db.execute(text(VENDOR_OF[scoping]), {"id": values[scoping]}).scalar()
        yield rule.rule, rule.build(values, append_unknown=False)[1], vendor_id
    # routes naming the vendor in the query (the questionnaire workbook)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments == {"template_id"} and rule.rule.endswith("/workbook"):
            vendor_id = db.execute(text(FIRST["vendor_id"])).scalar()
            yield rule.rule, rule.build({"template_id": template_id, "vendor_id": vendor_id})[1], vendor_id


@pytest.fixture
def portfolio(app, db, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    _attach_files(db, factories.gen_user(db, role="compliance"))
    from vendorrisk.questionnaires.template_files import catalogue
    with app.app_context():
        return catalogue().latest()[0].id


def _as(app, db, user):
    """A page client signed in as ``user`` and an API token of the same user."""
    client = app.test_client()
    sign_in_session(client, user)
    _record, token = users.create_token(db, user, "need-to-know")
    db.commit()
    return client, token


def _get(clients, url):
    client, token = clients
    headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
    return client.get(url, headers=headers)


def test_file_routes_follow_need_to_know(app, db, portfolio):
    mine, other = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    factories.gen_owner(db, factories.gen_vendor(db), other)  # owns a vendor, not these
    staff = {role: factories.gen_user(db, role=role) for role in ("admin", "compliance", "procurement", "auditor")}
    db.commit()
    clients = {name: _as(app, db, user) for name, user in [("mine", mine), ("other", other), *staff.items()]}
    file_routes, refused = [], 0
    for rule, url, vendor_id in _record_routes(app, db, portfolio):
        if not db.scalar(select(func.count()).select_from(VendorOwner).where(
                VendorOwner.vendor_id == vendor_id, VendorOwner.user_id == mine.id)):
            factories.gen_owner(db, db.get(Vendor, vendor_id), mine)
            db.commit()
        answer = _get(clients["compliance"], url)
        if "attachment" not in answer.headers.get("Content-Disposition", ""):
            continue
        file_routes.append(rule)
        endpoint = app.url_map.bind("localhost").match(url.split("?")[0])[0]
        access = rule_for(app, endpoint)
        for name in ("mine", "admin", "procurement", "auditor"):
            if not access.admits("vendor_owner" if name == "mine" else name):
                continue  # the route's own rule refuses this role (tested in tests/core/test_access.py)
            allowed = _get(clients[name], url)
            assert allowed.status_code == 200, (name, url, allowed.status_code, allowed.get_data(as_text=True)[:200])
        before = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "denied"))
        denied = _get(clients["other"], url)
        assert denied.status_code == 403, (url, denied.status_code)
        db.rollback()
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "denied")) == before + 1
        refused += 1
    # certificates, contracts (file and checklist), questionnaires (file and workbook), review and
    # finding evidence, selection evidence and record, the evidence pack — pages and API
    assert len(file_routes) >= 12, sorted(file_routes)
    assert refused == len(file_routes)


def test_refusals_raised_by_services_are_in_the_audit_trail(app, db, api):
    """Follow-up of the roles walk: a vendor owner changing another owner's vendor or finding is
    refused by the service (``Forbidden``), not by the route's rule; each 403 — answered by the
    error handler or by the view re-showing its form — is recorded once, with its path."""
    from vendorrisk.vendors.findings import raise_finding

    owner, stranger = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    vendor = factories.gen_vendor(db)
    factories.gen_owner(db, vendor, owner)
    factories.gen_owner(db, factories.gen_vendor(db), stranger)  # owns a vendor, not this one
    with app.test_request_context():
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="アクセスログの保管不足",
                                   owner_id=owner.id)
    db.commit()
    _record, token = users.create_token(db, stranger, "test")
    db.commit()
    browser, integrator = app.test_client(), app.test_client()
    sign_in_session(browser, stranger)
    bearer = {"Authorization": f"Bearer {token}"}
    refusals = [(browser, "post", f"/vendors/{vendor.id}/antisocial-checks",
                 {"data": {"checked_on": "2026-01-15", "method": "database", "result": "clear"}}),
                (browser, "post", f"/findings/{finding.id}/move", {"data": {"status": "in_progress"}}),
                (integrator, "post", f"/api/v1/findings/{finding.id}/transitions",
                 {"json": {"status": "in_progress"}, "headers": bearer})]
    paths = []
    for client, method, path, kwargs in refusals:
        db.rollback()
        before = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "denied"))
        answer = getattr(client, method)(path, **kwargs)
        assert answer.status_code == 403, (path, answer.status_code)
        db.rollback()
        denied = db.scalars(select(AuditEntry).where(AuditEntry.action == "denied").order_by(AuditEntry.id)).all()
        assert len(denied) == before + 1, path
        assert denied[-1].actor_id == stranger.id and path in denied[-1].after
        paths.append(path)
    assert len(paths) == 3
