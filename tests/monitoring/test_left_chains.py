"""What monitoring asks of a vendor that left every chain (its arrangements ended, its
sub-outsourcing ended), against a real SMTP server: no new periodic review is planned, an open
one reads "vendor no longer in a chain" and is not reminded, its open findings stay open but are
not chased; put in a chain again, it is reviewed and reminded as before. And an arrangement
still in force after its end date is said once by mail, per end date."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.core import clock
from vendorrisk.monitoring import reviews
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors import chains, exits
from vendorrisk.vendors.findings import Finding, raise_finding
from vendorrisk.vendors.models import OutsourcingLink

TODAY = date(2026, 3, 2)


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _left_chain(db):
    """A three-tier chain overdue on TODAY, the final contractor's review in progress and an
    overdue finding on it; then the arrangement ends."""
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    compliance = factories.gen_user(db, role="compliance", language="ja")
    arrangement, vendors = gen_chain(db, start=date(2025, 2, 1), owner=owner)
    regenerate_plans(db)
    final = vendors[-1]
    review = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == final.id)).one()
    review.status = "in_progress"  # someone at work on it: it stays when the vendor leaves
    finding, _created = raise_finding(db, vendor_id=final.id, source="manual", title="アクセスログ未提出",
                                      due_date=TODAY - timedelta(days=10))
    db.commit()
    exits.record_exit(db, arrangement, {"data_disposition": "no_member_data"})
    db.commit()
    return owner, compliance, vendors, review, finding


def test_a_vendor_that_left_every_chain_is_neither_planned_nor_chased_until_it_comes_back(app, db, smtp):
    owner, compliance, vendors, review, finding = _left_chain(db)
    result = run_sweep(app, today=TODAY)
    assert result.plans["created"] == 0 and (result.created, result.sent) == (0, 0)
    assert smtp.messages == []
    open_reviews = db.scalars(select(MonitoringReview).where(MonitoringReview.status != "completed")).all()
    assert [r.id for r in open_reviews] == [review.id]  # the unstarted ones dropped, none planned anew
    assert db.get(Finding, finding.id).status == "open"  # still open: it may matter for the exit
    # the vendor put in a chain again: its review and its finding are chased again
    factories.gen_arrangement(db, vendors[-1], title="再契約", start_date=date(2025, 1, 1))
    db.commit()
    back = run_sweep(app, today=TODAY)
    assert back.sent == 4, [m["message"]["Subject"] for m in smtp.messages]
    subjects = sorted(m["Subject"] for m in smtp.by_recipient(owner.email))
    assert subjects == [f"[vendorrisk] Overdue finding: アクセスログ未提出 ({vendors[-1].name_en})",
                        f"[vendorrisk] Overdue monitoring review: {vendors[-1].name_en} (due {review.due_date})"]
    assert len(smtp.by_recipient(compliance.email)) == 2


def test_a_subcontractor_whose_link_ended_is_not_chased(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    arrangement, vendors = gen_chain(db, start=date(2025, 2, 1), owner=owner, tiers=2)
    regenerate_plans(db)
    sub = vendors[-1]
    for review in db.scalars(select(MonitoringReview)):
        review.status = "in_progress"  # both at work: their dates stay as planned
    db.commit()
    link = db.scalars(select(OutsourcingLink).where(OutsourcingLink.vendor_id == sub.id)).one()
    chains.end_link(db, link, "再委託終了", today=TODAY - timedelta(days=1))
    db.commit()
    run_sweep(app, today=TODAY)
    assert {m["message"]["Subject"] for m in smtp.messages} == {
        f"[vendorrisk] Overdue monitoring review: {vendors[0].name_en} (due {date(2026, 1, 30)})"}


def test_the_review_pages_say_the_vendor_left_instead_of_overdue(app, db, client, login):
    _owner, _compliance, vendors, review, _finding = _left_chain(db)
    login("compliance")
    listing = client.get("/reviews/?status=open").get_data(as_text=True)
    row = listing[listing.index(f'data-review="{review.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-test="review-left-chains"' in row and "overdue" not in row
    assert f'data-review="{review.id}"' not in client.get("/reviews/?status=overdue").get_data(as_text=True)
    page = client.get(f"/reviews/{review.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "委託チェーンから外れた委託先" in page
    vendor_page = client.get(f"/vendors/{vendors[-1].id}").get_data(as_text=True)
    assert 'data-test="review-left-chains"' in vendor_page


def test_which_vendors_left_is_one_query_for_a_page(app, db):
    _owner, _compliance, vendors, _review, _finding = _left_chain(db)
    stays = factories.gen_arrangement(db, title="継続").vendor_id
    prospect = factories.gen_vendor(db).id  # in no chain yet: not one that left
    db.commit()
    statements = []
    engine = db.get_bind()
    def listener(_conn, _cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        left = reviews.left_chains(db, [v.id for v in vendors] + [stays, prospect])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert left == {v.id for v in vendors} and len(statements) == 1


def test_an_arrangement_in_force_after_its_end_date_is_mailed_once_per_end_date(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    factories.gen_user(db, role="compliance", language="en")
    vendor = factories.gen_vendor(db)
    factories.gen_owner(db, vendor, owner)
    arrangement = factories.gen_arrangement(db, vendor, title="保守契約", start_date=date(2024, 4, 1),
                                            end_date=date(2026, 2, 27))
    ended = factories.gen_arrangement(db, vendor, title="終了済み", start_date=date(2024, 4, 1),
                                      end_date=date(2026, 2, 27), status="terminated", terminated_on=date(2026, 2, 27))
    db.commit()

    def past_end():
        return [m for m in smtp.messages if "終了日" in m["message"]["Subject"] or "end date" in m["message"]["Subject"]]
    run_sweep(app, today=TODAY)
    mails = past_end()
    assert len(mails) == 2  # the owner (ja) and compliance (en); not for the terminated one
    ja = next(m["message"] for m in mails if owner.email in m["to"])
    assert ja["Subject"] == "[vendorrisk] 委託業務「保守契約」は終了日 2026-02-27 を過ぎても有効のままです"
    assert "「契約終了」画面" in ja.get_content() and f"/arrangements/{arrangement.id}" in ja.get_content()
    for later in (1, 8, 40):  # the same state: nothing more
        run_sweep(app, today=TODAY + timedelta(days=later))
    assert len(past_end()) == 2
    arrangement.end_date = TODAY + timedelta(days=45)  # renewed ... and the new end passes too
    db.add(arrangement)
    db.commit()
    run_sweep(app, today=TODAY + timedelta(days=50))
    assert len(past_end()) == 4
    kinds = db.execute(select(Reminder.subject_id, Reminder.due_date, func.count())
                       .where(Reminder.kind == "past_end").group_by(Reminder.subject_id, Reminder.due_date)).all()
    assert sorted(kinds) == [(arrangement.id, date(2026, 2, 27), 2), (arrangement.id, TODAY + timedelta(days=45), 2)]
    assert ended.id not in {k[0] for k in kinds} and clock.today()


def _task_rows(html: str) -> list[str]:
    return [row[:row.index("</tr>")] for row in html.split('data-test="task" ')[1:]]


def test_my_tasks_finding_page_and_board_say_the_vendor_left_instead_of_overdue(app, db, client):
    owner, _compliance, vendors, review, finding = _left_chain(db)  # both past their dates on any day now
    assert client.post("/login", data={"email": owner.email, "password": factories.PASSWORD}).status_code == 302
    home = client.get("/").get_data(as_text=True)
    rows = [r for r in _task_rows(home) if f"/reviews/{review.id}" in r or f"/findings/{finding.id}" in r]
    assert len(rows) == 2 and all("vendor no longer in a chain" in r and "overdue" not in r for r in rows), rows
    assert 'data-test="task-overdue"' not in home
    page = client.get(f"/findings/{finding.id}").get_data(as_text=True)
    assert 'data-test="finding-left-chains"' in page and 'class="badge overdue"' not in page
    board = client.get("/findings/").get_data(as_text=True)
    card = board[board.index(f'data-finding="{finding.id}"'):]
    assert 'data-test="finding-left-chains"' in card[:card.index("</a>")]
    assert f'data-finding="{finding.id}"' not in client.get("/findings/?overdue=1").get_data(as_text=True)
    # back in a chain: overdue again everywhere
    factories.gen_arrangement(db, vendors[-1], title="再契約", start_date=date(2025, 1, 1))
    db.commit()
    home = client.get("/").get_data(as_text=True)
    rows = [r for r in _task_rows(home) if f"/reviews/{review.id}" in r or f"/findings/{finding.id}" in r]
    assert len(rows) == 2 and all('class="badge overdue"' in r for r in rows), rows
    assert 'data-test="task-overdue"' in home
    assert f'data-finding="{finding.id}"' in client.get("/findings/?overdue=1").get_data(as_text=True)
