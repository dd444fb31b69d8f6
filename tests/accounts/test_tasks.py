"""「自分のタスク」: for each role, one item of each kind is found on the start page with its
due date, the navigation counts them, and done items leave."""
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from tests import factories
from tests.certificates.factories import gen_certificate
from tests.questionnaires.factories import KEY
from tests.selection.factories import gen_assessment
from vendorrisk.core import clock
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.business_days import business_day
from vendorrisk.core.models import StoredFile
from vendorrisk.monitoring import findings as finding_service
from vendorrisk.monitoring import remediation
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.questionnaires import campaigns
from vendorrisk.questionnaires.models import QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors import antisocial
from vendorrisk.vendors.findings import raise_finding
from vendorrisk.vendors.models import VendorContact

TODAY = clock.today()
# the person's own vendors' work; a campaign awaiting the return of a vendor they own and
# that vendor's 反社会的勢力チェック falling due included
OWN = {"record_review", "remediate_finding", "renew_certificate", "renew_acceptance",
       "questionnaires_awaiting_return", "antisocial_check_due"}
CHECKED_DAYS_AGO = 350  # the next check falls due ANTISOCIAL_CHECK_MONTHS (12) later: in about 15 days
CAMPAIGN_DAYS = 18
EXPECTED = {
    "compliance": OWN | {"decide_assessment", "approve_links", "review_proposals", "verify_finding",
                         "decide_acceptance"},
    "admin": OWN | {"verify_finding", "decide_acceptance"},
    "procurement": OWN | {"review_proposals"},
    "vendor_owner": OWN,
    "auditor": set(),
}


def _response(db, vendor, importer):
    stored = db.exec(select(StoredFile).where(StoredFile.sha256 == "ab" * 32)).first()
    if stored is None:
        stored = StoredFile(sha256="ab" * 32, size=1, media_type="application/vnd.ms-excel",
                            original_filename="回答.xlsx")
        db.add(stored)
        db.flush()
    response = QuestionnaireResponse(vendor_id=vendor.id, file_id=stored.id, file_sha256=stored.sha256,
                                     filename="回答.xlsx", imported_by_id=importer.id)
    db.add(response)
    db.flush()
    return response


def _proposal(db, vendor, importer):
    response = _response(db, vendor, importer)
    proposal = SubcontractorProposal(response_id=response.id, vendor_id=vendor.id, row=1, name="再委託候補株式会社")
    db.add(proposal)
    db.flush()
    return proposal


def _world(app, db, me):
    """One item of each kind that someone may have to do, ``me`` owning the vendor ones;
    returns ``{kind: (subject, due)}`` and the records to finish them."""
    colleague = factories.gen_user(db, role="compliance")  # prepares, records, resolves, asks
    approver = factories.gen_user(db, role="compliance")
    mine = factories.gen_vendor(db, name="株式会社担当先")
    factories.gen_owner(db, mine, me)
    db.add(VendorContact(vendor_id=mine.id, name="回答 担当", email="kaito@tanto.example"))
    with app.test_request_context():
        review = MonitoringReview(vendor_id=mine.id, status="planned", open_vendor_id=mine.id, risk_tier="high",
                                  frequency_months=6, due_date=business_day(TODAY + timedelta(days=10)),
                                  owner_id=me.id)
        db.add(review)
        to_fix, _ = raise_finding(db, vendor_id=mine.id, source="manual", title="手順書の改訂", owner_id=me.id,
                                  due_date=TODAY + timedelta(days=20))
        certificate = gen_certificate(db, mine, expiry_date=TODAY + timedelta(days=40))
        accepted, _ = raise_finding(db, vendor_id=mine.id, source="manual", title="暗号鍵の保管", owner_id=me.id,
                                    due_date=TODAY + timedelta(days=5))
        acceptance = remediation.request_acceptance(db, accepted, approver if me.role == "auditor" else me,
                                                    {"rationale": "代替統制あり",
                                                     "expires_on": TODAY + timedelta(days=20)}, TODAY)
        remediation.decide_acceptance(db, acceptance, colleague, "approve")
        others = factories.gen_vendor(db, name="株式会社審査先")
        assessment = gen_assessment(db, others, colleague, state="submitted")
        arrangement = factories.gen_arrangement(db, others, title="決済基盤の運用委託")
        sub = factories.gen_vendor(db, name="株式会社再委託先")
        link = factories.gen_link(db, arrangement, others, sub, recorded_by_id=colleague.id)
        proposal = _proposal(db, others, colleague)
        to_verify, _ = raise_finding(db, vendor_id=others.id, source="manual", title="SLA未達", owner_id=colleague.id)
        to_verify.action_plan = "SLA の改善計画"
        db.flush()  # moving a finding re-reads its row
        finding_service.move_finding(db, to_verify, colleague, "resolved")
        to_accept, _ = raise_finding(db, vendor_id=others.id, source="manual", title="ログ保管期間",
                                     owner_id=colleague.id)
        requested = remediation.request_acceptance(db, to_accept, colleague, {
            "rationale": "次期契約で対応", "expires_on": TODAY + timedelta(days=60)}, TODAY)
        approval = core_tasks.approval_due(TODAY)
        campaign = campaigns.create_campaign(db, {
            "title": "定期質問票", "template_id": "general_outsourcing", "vendor_ids": [mine.id],
            "due_date": TODAY + timedelta(days=CAMPAIGN_DAYS)}, colleague, KEY, today=TODAY)
        checked_on = TODAY - timedelta(days=CHECKED_DAYS_AGO)
        check = antisocial.record_check(db, mine, {"checked_on": checked_on, "method": "database", "result": "clear",
                                                   "evidence_text": "記事検索: 該当なし"}, colleague.id, today=TODAY)
        # the dates asked for, placed on the business calendar here, not read back from the records
        campaign_due = business_day(TODAY + timedelta(days=CAMPAIGN_DAYS))
        check_due = business_day(antisocial.add_months(checked_on, 12))
    db.commit()
    due = {"record_review": review.due_date, "remediate_finding": to_fix.due_date,
           "renew_certificate": business_day_in(app, certificate.expiry_date),
           "renew_acceptance": acceptance.expires_on, "decide_assessment": approval, "approve_links": approval,
           "review_proposals": approval, "verify_finding": approval, "decide_acceptance": approval,
           "questionnaires_awaiting_return": campaign_due, "antisocial_check_due": check_due}
    records = dict(review=review, to_fix=to_fix, certificate=certificate, accepted=accepted, assessment=assessment,
                   link=link, proposal=proposal, to_verify=to_verify, requested=requested, approver=approver,
                   colleague=colleague, mine=mine, others=others, campaign=campaign, check=check)
    return due, records


def business_day_in(app, day):
    with app.app_context():
        return business_day(day)


def _tasks(client, path="/"):
    page = client.get(path, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    rows = re.findall(r'<tr data-test="task" data-kind="([a-z_]+)">\s*<td data-test="task-due">(\d{4}-\d\d-\d\d)', page)
    count = re.search(r'data-test="nav-count-main.home"[^>]*>(\d+)<', page)
    return page, rows, int(count.group(1)) if count else 0


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_finds_its_tasks_with_due_dates_and_the_count(app, db, client, login, role):
    me = login(role)
    due, _records = _world(app, db, me)
    page, rows, count = _tasks(client)
    assert {kind for kind, _day in rows} == EXPECTED[role]
    for kind, day in rows:
        assert day == due[kind].isoformat(), kind
    assert count == len(rows)
    assert "自分のタスク" in page
    if role == "auditor":
        assert 'data-test="no-tasks"' in page and 'data-test="nav-count-main.home"' not in page


def test_approvals_never_include_ones_own_preparation(app, db, client, login):
    me = login("compliance")
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db)
    with app.test_request_context():
        gen_assessment(db, vendor, me, state="submitted")  # prepared by me (Art. 8(5))
        factories.gen_link(db, arrangement, arrangement_vendor(db, arrangement), vendor, recorded_by_id=me.id)
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="自分で解決", owner_id=None)
        finding.action_plan = "計画"
        finding_service.move_finding(db, finding, me, "resolved")
    db.commit()
    _page, rows, count = _tasks(client)
    assert {kind for kind, _day in rows} == set() and count == 0


def arrangement_vendor(db, arrangement):
    from vendorrisk.vendors.models import Vendor
    return db.get(Vendor, arrangement.vendor_id)


def test_done_items_leave_the_list_and_the_count(app, db, client, login):
    from vendorrisk.questionnaires import reviews as proposals
    from vendorrisk.selection import service as selection
    from vendorrisk.vendors import chains
    me = login("compliance")
    _due, r = _world(app, db, me)
    _page, rows, count = _tasks(client)
    assert count == 11
    with app.test_request_context():
        r["review"].status, r["review"].open_vendor_id, r["review"].performed_on = "completed", None, TODAY
        finding_service.move_finding(db, r["to_fix"], me, "resolved")  # mine: now for someone else to verify
        gen_certificate(db, r["mine"], expiry_date=TODAY + timedelta(days=400))  # the renewal
        finding_service.move_finding(db, r["accepted"], me, "in_progress")  # the acceptance ends
        factories.gen_check(db, r["others"])  # approval needs a current 反社 check
        selection.approve(db, r["assessment"], user=me)
        chains.decide_link(db, r["link"], {"approval_status": "approved", "approval_basis": "prior_consent"}, me)
        proposals.reject_proposal(db, r["proposal"].id, me.id, "対象外")
        r["to_verify"].status = "resolved"
        finding_service.move_finding(db, r["to_verify"], me, "closed", evidence="改善報告書を確認")
        remediation.decide_acceptance(db, r["requested"], me, "reject", "代替統制が不十分")
        returned = _response(db, r["mine"], me)  # the campaign's workbook came back
        assert campaigns.record_return(db, r["campaign"].id, r["mine"].id, returned.id)
        antisocial.record_check(db, r["mine"], {"checked_on": TODAY, "method": "news", "result": "clear",
                                                "evidence_text": "再チェック: 該当なし"}, me.id, today=TODAY)
    db.commit()
    _page, rows, count = _tasks(client)
    # only the finding I put back to work is left (an in-progress finding of mine)
    assert [kind for kind, _day in rows] == ["remediate_finding"] and count == 1


def test_the_count_is_gathered_once_per_page_in_a_few_queries(app, db, client, login):
    """One pass: every source once, a bounded number of set queries however many items."""
    from sqlalchemy import event
    me = login("compliance")
    _world(app, db, me)
    with app.test_request_context():
        for n in range(15):  # many more items of each kind cost no more queries
            vendor = factories.gen_vendor(db, name=f"株式会社追加{n}")
            factories.gen_owner(db, vendor, me)
            raise_finding(db, vendor_id=vendor.id, source="manual", title=f"追加{n}", owner_id=me.id,
                          due_date=TODAY + timedelta(days=n + 1))
            gen_certificate(db, vendor, expiry_date=TODAY + timedelta(days=30))
            factories.gen_check(db, vendor, checked_on=TODAY - timedelta(days=CHECKED_DAYS_AGO))
    db.commit()
    engine = app.extensions["vendorrisk.engine"]
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page, rows, count = _tasks(client)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    _page, more, _count = _tasks(client, "/?page=2")
    assert len(rows) == 50 and count == len(rows + more) == 11 + 45  # a page of 50, the rest on the next
    task_queries = [s for s in statements if "selection_assessment" in s or "outsourcing_link" in s
                    or "subcontractor_proposal" in s or "certificate" in s or "risk_acceptance" in s
                    or "antisocial_check" in s or "questionnaire_campaign" in s or "monitoring_review" in s
                    or "finding" in s]
    # every source's queries, the monitoring area's reviews and findings too (they name the chain's
    # tables since a vendor that left every chain is not chased): 21 with 11 + 45 tasks
    assert len(task_queries) <= 21, task_queries


def test_tasks_of_a_vendor_owner_are_only_their_own(app, db, client, login):
    login("vendor_owner")
    someone = factories.gen_user(db, role="vendor_owner")
    theirs = factories.gen_vendor(db, name="株式会社他人の担当")
    factories.gen_owner(db, theirs, someone)
    with app.test_request_context():
        raise_finding(db, vendor_id=theirs.id, source="manual", title="他人の指摘", owner_id=someone.id)
        gen_certificate(db, theirs, expiry_date=TODAY + timedelta(days=10))
        db.add(MonitoringReview(vendor_id=theirs.id, status="planned", open_vendor_id=theirs.id, risk_tier="high",
                                frequency_months=6, due_date=TODAY, owner_id=someone.id))
    db.commit()
    _page, rows, count = _tasks(client)
    assert rows == [] and count == 0


def test_a_certificate_ending_on_a_closed_day_is_due_the_business_day_before(app, db):
    me = factories.gen_user(db, role="vendor_owner")
    vendor = factories.gen_vendor(db, name="株式会社年末")
    factories.gen_owner(db, vendor, me)
    gen_certificate(db, vendor, expiry_date=date(2027, 1, 2))  # a Saturday in 年末年始
    db.commit()
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        found = core_tasks.gather(db, me, today=date(2026, 12, 1))
    assert [(t.kind, t.due, t.note) for t in found] == [
        ("renew_certificate", date(2026, 12, 28), "1/2(休業日: 年末年始) → 12/28")]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_counter_equals_its_source_and_the_navigation_counts_without_gathering(app, db, client, login, role):
    """A source's counter (``task_counts``) answers the length of its list, for every role;
    a page other than the list shows that number without building the tasks."""
    from vendorrisk.core import registry
    me = login(role)
    _due, records = _world(app, db, me)
    owned = []
    for n, status in enumerate(("approved", "approved", "conditionally_approved", "rejected", "approved")):
        vendor = factories.gen_vendor(db, name=f"株式会社反社確認{n}", status=status)
        factories.gen_owner(db, vendor, me if n % 2 else records["colleague"])
        owned.append(vendor)
    factories.gen_check(db, owned[0], checked_on=TODAY - timedelta(days=400), next_due=TODAY - timedelta(days=35))
    factories.gen_check(db, owned[0], checked_on=TODAY - timedelta(days=20), next_due=TODAY + timedelta(days=20))
    factories.gen_check(db, owned[1], next_due=TODAY + timedelta(days=10))
    factories.gen_check(db, owned[3], next_due=TODAY - timedelta(days=3))  # rejected: not reminded
    factories.gen_check(db, owned[4], next_due=TODAY + timedelta(days=200))
    db.commit()
    with app.test_request_context():
        reg = registry.current()
        assert {"antisocial_checks_due", "monitoring", "vendors"} <= set(reg.task_counts)
        for name, counter in reg.task_counts.items():
            assert counter(db, me, TODAY) == len(list(reg.task_sources[name](db, me, TODAY))), name
    _page, rows, count = _tasks(client)
    sources = []
    engine = app.extensions["vendorrisk.engine"]
    listener = lambda *args: sources.append(args[2])  # noqa: E731
    from sqlalchemy import event
    event.listen(engine, "before_cursor_execute", listener)
    try:
        other = client.get("/vendors/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    shown = re.search(r'data-test="nav-count-main.home"[^>]*>(\d+)<', other)
    assert (int(shown.group(1)) if shown else 0) == count >= len(rows)  # (undated tasks have no row match)
    assert not any("row_number() OVER" in s and "count(" not in s for s in sources)  # no list was built
