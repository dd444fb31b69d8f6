"""Issue 16, defect 4: concurrent decisions — exactly one wins, the others get 409, never 500.

Each test starts the requests together (a barrier) from threads against the app served
live, so that they really overlap in the database: on PostgreSQL
(``VENDORRISK_TEST_DB=postgres``) each request has its own connection and READ COMMITTED
snapshot; on SQLite the writers queue on the write lock. Either way the outcome must be
one winner, clear 409 answers for the rest, and data that shows one decision."""
import io
from collections import Counter

from sqlalchemy import func, select

from tests import factories
from tests.helpers import race
from tests.selection.factories import gen_assessment
from vendorrisk.certificates.models import Certificate
from vendorrisk.core import users
from vendorrisk.core.models import AuditEntry, StoredFile
from vendorrisk.monitoring.findings import move_finding
from vendorrisk.selection.models import SelectionAssessment
from vendorrisk.vendors.findings import FindingEvent, raise_finding
from vendorrisk.vendors.models import OutsourcingLink, Vendor

N = 8


def _tokens(db, role: str, count: int = N) -> list[tuple]:
    """``count`` users of ``role`` with a token each: [(user, token)]."""
    made = []
    for _ in range(count):
        user = factories.gen_user(db, role=role)
        _record, token = users.create_token(db, user, "race")
        made.append((user, token))
    db.commit()
    return made


def _statuses(answers) -> Counter:
    return Counter(getattr(a, "status_code", repr(a)) for a in answers)


def _conflicts_are_clear(answers) -> None:
    for answer in answers:
        if answer.status_code == 409:
            error = answer.json()["error"]
            assert error["code"] == "conflict" and len(error["message"]) > 20, error


def _one_wins(base: str, calls: list[tuple], ok: int = 200) -> list:
    """Race ``calls``: exactly one answers ``ok``, every other a clear 409; the answers."""
    answers = race(base, calls)
    assert _statuses(answers) == Counter({ok: 1, 409: len(calls) - 1}), [getattr(a, "text", a) for a in answers]
    _conflicts_are_clear(answers)
    return answers


def _winner_and_row(db, answers, model, row_id) -> tuple[dict, object]:
    """The winning answer's body, and the row as the race left it in the database."""
    winner = next(a.json() for a in answers if a.status_code == 200)
    db.rollback()
    db.expire_all()
    return winner, db.get(model, row_id)


def test_four_approvals_and_four_rejections_at_once_one_decision_wins(app, db, live_server):
    vendor = factories.gen_vendor(db)
    preparer = factories.gen_user(db, role="procurement")
    assessment = gen_assessment(db, vendor, preparer, state="submitted")
    deciders = _tokens(db, "compliance")
    path = f"/api/v1/selection/assessments/{assessment.id}"
    calls = [("POST", f"{path}/{'approve' if i % 2 == 0 else 'reject'}", token, {"json": {"note": f"decider {i}"}})
             for i, (_user, token) in enumerate(deciders)]
    answers = _one_wins(live_server, calls)
    winner, stored = _winner_and_row(db, answers, SelectionAssessment, assessment.id)
    assert stored.status == winner["status"] and stored.decided_by_id == winner["decided_by_id"]
    assert db.get(Vendor, vendor.id).status == {"approved": "approved", "rejected": "rejected"}[stored.status]
    decisions = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "selection_assessment", AuditEntry.action.in_(("approve", "reject"))))
    assert decisions == 1


def test_eight_closes_of_one_finding_record_one_close(app, db, live_server):
    vendor = factories.gen_vendor(db)
    owner = factories.gen_user(db, role="vendor_owner")
    finding, _created = raise_finding(db, vendor_id=vendor.id, source="manual", title="鍵管理の不備",
                                      owner_id=owner.id)
    finding.action_plan = "鍵管理手順を改訂する"  # closing needs a plan and evidence (the closers bring it)
    db.flush()
    with app.test_request_context():
        move_finding(db, finding, owner, "resolved")
    closers = _tokens(db, "compliance")
    calls = [("POST", f"/api/v1/findings/{finding.id}/transitions", token,
              {"json": {"status": "closed", "evidence": f"checked by closer {i}"}})
             for i, (_user, token) in enumerate(closers)]
    _one_wins(live_server, calls)
    db.rollback()
    closed = db.scalar(select(func.count()).select_from(FindingEvent).where(
        FindingEvent.finding_id == finding.id, FindingEvent.to_status == "closed"))
    assert closed == 1


def test_eight_approvals_of_one_link_record_one_approver(app, db, live_server):
    from tests.vendors.factories import dag_chain
    _arrangement, v = dag_chain(db)
    link = db.scalars(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v["e"].id)).one()
    approvers = _tokens(db, "compliance")
    calls = [("PATCH", f"/api/v1/links/{link.id}", token,
              {"json": {"approval_status": "approved", "approval_basis": "prior_consent",
                        "approval_note": f"approver {i}"}})
             for i, (_user, token) in enumerate(approvers)]
    answers = _one_wins(live_server, calls)
    winner, stored = _winner_and_row(db, answers, OutsourcingLink, link.id)
    assert stored.approval_status == "approved" and stored.approved_by_id == winner["approved_by_id"]
    assert stored.approval_note == winner["approval_note"]
    events = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "link_decision", AuditEntry.entity_id == str(link.id)))
    assert events == 1


def test_opposite_vendor_status_changes_at_once_leave_one_change(app, db, live_server):
    # approval itself follows an assessment (raced above); these are the changes a status makes
    vendor = factories.gen_vendor(db, status="approved")
    deciders = _tokens(db, "compliance")
    calls = [("PATCH", f"/api/v1/vendors/{vendor.id}", token,
              {"json": {"status": "under_assessment" if i % 2 == 0 else "terminated"}})
             for i, (_user, token) in enumerate(deciders)]
    answers = race(live_server, calls)
    codes = _statuses(answers)
    assert set(codes) <= {200, 409} and codes[409] == N // 2, [getattr(a, "text", a) for a in answers]
    _conflicts_are_clear(answers)
    db.rollback()
    db.expire_all()
    final = db.get(Vendor, vendor.id).status
    winners = {a.json()["status"] for a in answers if a.status_code == 200}
    assert winners == {final}  # the decisions that lost were refused, none overwrote the winner
    changes = [e for e in db.scalars(select(AuditEntry).where(AuditEntry.entity == "vendor",
                                                              AuditEntry.entity_id == str(vendor.id),
                                                              AuditEntry.action == "update"))
               if "status" in (e.after or "")]
    assert len(changes) == 1


def test_one_corporate_number_registered_eight_times_at_once(app, db, live_server):
    staff = _tokens(db, "procurement")
    number = factories.corporate_number(424242)
    calls = [("POST", "/api/v1/vendors", token, {"json": {"name": f"同時登録{i}株式会社", "corporate_number": number}})
             for i, (_user, token) in enumerate(staff)]
    answers = _one_wins(live_server, calls, ok=201)
    assert all("corporate number" in a.json()["error"]["message"] for a in answers if a.status_code == 409)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Vendor).where(Vendor.corporate_number == number)) == 1


def test_the_same_file_stored_for_eight_vendors_at_once(app, db, live_server):
    vendors = [factories.gen_vendor(db) for _ in range(N)]
    staff = _tokens(db, "compliance")
    pdf = b"%PDF-1.4\n% the same SOC 2 report for every vendor\n" + b"x" * 50_000 + b"\n%%EOF\n"
    form = {"type": "soc2_type2", "issuer": "Audit LLC", "period_start": "2025-01-01", "period_end": "2025-12-31"}
    calls = [("POST", f"/api/v1/vendors/{vendor.id}/certificates", token,
              {"data": form, "files": {"file": ("soc2.pdf", io.BytesIO(pdf), "application/pdf")}})
             for vendor, (_user, token) in zip(vendors, staff)]
    answers = race(live_server, calls)
    assert _statuses(answers) == Counter({201: N}), [getattr(a, "text", a) for a in answers]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 1
    assert db.scalar(select(func.count(func.distinct(Certificate.vendor_id)))) == N


def test_the_same_file_for_one_vendor_at_once_is_recorded_once(app, db, live_server):
    vendor = factories.gen_vendor(db)
    staff = _tokens(db, "compliance")
    pdf = b"%PDF-1.4\n% one report uploaded eight times\n" + b"y" * 20_000 + b"\n%%EOF\n"
    form = {"type": "iso27001", "issuer": "Cert Body", "issue_date": "2025-01-01", "expiry_date": "2027-12-31"}
    calls = [("POST", f"/api/v1/vendors/{vendor.id}/certificates", token,
              {"data": form, "files": {"file": ("iso.pdf", io.BytesIO(pdf), "application/pdf")}})
             for _user, token in staff]
    _one_wins(live_server, calls, ok=201)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Certificate)) == 1
