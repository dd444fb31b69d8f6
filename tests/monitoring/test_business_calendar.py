"""The business calendar in monitoring: a due date on a weekend, a national holiday or a
closing day (年末年始 by default) moves to the previous business day — in the review plan,
in the reminder e-mail (real SMTP) and in the .ics feed — and each says why. Fixed dates
across 年末年始 and ゴールデンウィーク."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.monitoring import calendar as feeds
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors.findings import Finding

SUBJECT = "[vendorrisk] {vendor}のモニタリング期限 2026-05-01"


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _review(app, db, start, owner=None):
    """A tier-1 vendor (medium: every 12 months) that entered its chain on ``start``."""
    _arr, (vendor,) = gen_chain(db, start=start, owner=owner, tiers=1)
    db.commit()
    with app.app_context():
        regenerate_plans(db)
    db.commit()
    return db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor.id)).one(), vendor


def _unfolded(ics: str) -> str:
    return ics.replace("\r\n ", "")


def test_a_plan_due_on_new_years_day_moves_before_the_year_end_closing(app, db, client, login):
    login("compliance")
    review, _vendor = _review(app, db, date(2026, 1, 1))  # 12 months later: 2027-01-01, 元日 in 年末年始
    assert (review.due_date, review.nominal_due_date) == (date(2026, 12, 28), date(2027, 1, 1))
    page = client.get(f"/reviews/{review.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "2026-12-28" in page and "1/1(休業日: 年末年始) → 12/28" in page
    month = client.get("/reviews/calendar?month=2026-12", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "1/1(休業日: 年末年始) → 12/28" in month
    # the closing days in view are named: 12/29, 12/30, 12/31 and, in the last week, 1/1 and 1/2
    assert month.count('data-test="closed-day"') == 5 and month.count("休業日: 年末年始") == 5 + 1


def test_golden_week_moves_the_plan_and_the_mail_says_why(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    review, vendor = _review(app, db, date(2025, 5, 3), owner)  # due 2026-05-03, 憲法記念日 (a Sunday)
    assert (review.due_date, review.nominal_due_date) == (date(2026, 5, 1), date(2026, 5, 3))
    assert run_sweep(app, today=date(2026, 4, 23)).sent == 1  # 8 days before 5/1: the 30-day stage
    assert run_sweep(app, today=date(2026, 4, 24)).sent == 1  # 7 days before: the 7-day stage
    db.rollback()  # read what the sweeps committed
    assert [r.kind for r in db.scalars(select(Reminder).order_by(Reminder.id))] == ["due_in_30", "due_in_7"]
    mail = smtp.by_recipient(owner.email)[-1]
    assert mail["Subject"] == SUBJECT.format(vendor=vendor.name)
    assert "5/3(祝日: 憲法記念日) → 5/1" in mail.get_content()


def test_a_reminder_day_on_a_holiday_comes_the_business_day_before(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    review, _vendor = _review(app, db, date(2025, 5, 11), owner)  # due Monday 2026-05-11, a business day
    assert (review.due_date, review.nominal_due_date) == (date(2026, 5, 11), None)
    # 7 days before is 5/4 (みどりの日), then 5/2-5/3 weekend, 5/5-5/6: the reminder comes on Friday 5/1
    assert run_sweep(app, today=date(2026, 4, 29)).sent == 1  # the 30-day stage
    assert run_sweep(app, today=date(2026, 4, 30)).sent == 0
    assert run_sweep(app, today=date(2026, 5, 1)).sent == 1
    db.rollback()  # read what the sweeps committed
    assert [r.kind for r in db.scalars(select(Reminder).order_by(Reminder.id))] == ["due_in_30", "due_in_7"]
    # 30 days before, 4/11, is a Saturday: that reminder came on Friday 4/10 (already past here)
    with app.app_context():
        from vendorrisk.monitoring.reminders import review_stage
        assert review_stage(date(2026, 5, 11), date(2026, 4, 9), [30, 7]) is None
        assert review_stage(date(2026, 5, 11), date(2026, 4, 10), [30, 7]) == "due_in_30"


def test_the_ics_feed_shows_the_moved_date_and_why(app, db):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    review, _vendor = _review(app, db, date(2026, 1, 1), owner)
    with app.test_request_context():
        from vendorrisk.vendors.findings import raise_finding
        finding, _ = raise_finding(db, vendor_id=review.vendor_id, source="manual", title="年末の指摘",
                                   owner_id=owner.id, due_date=date(2030, 1, 3))
        db.commit()
        ics = _unfolded(feeds.build_ics(db, owner))
    assert (finding.due_date, finding.nominal_due_date) == (date(2029, 12, 28), date(2030, 1, 3))
    review_event = ics.split(f"UID:review-{review.id}@")[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20261228" in review_event
    assert "前営業日に繰り上げ：1/1(休業日: 年末年始) → 12/28" in review_event
    finding_event = ics.split(f"UID:finding-{finding.id}@")[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20291228" in finding_event and "1/3(休業日: 年末年始) → 12/28" in finding_event


def test_a_due_date_typed_on_a_closing_day_moves_and_the_page_says_why(app, db, api, client, login):
    compliance = api("compliance")
    vendor = factories.gen_vendor(db)
    with app.test_request_context():
        from vendorrisk.vendors.findings import raise_finding
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="期限の調整")
    db.commit()
    changed = compliance.patch(f"/api/v1/findings/{finding.id}", json={"due_date": "2030-01-01"})
    assert changed.status_code == 200
    assert (changed.json["due_date"], changed.json["nominal_due_date"]) == ("2029-12-28", "2030-01-01")
    login("auditor")
    page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Moved to the previous business day: 1/1 (closed: Year-end holidays) → 12/28" in page
    db.rollback()
    db.expire_all()
    assert db.get(Finding, finding.id).due_date == date(2029, 12, 28)


def test_a_moved_due_dates_note_is_stored_as_a_message_and_read_in_each_language(app, db, api, client, login):
    """The history note of a due date moved off a closed day kept the calendar's note as two
    finished texts (ja and en); it is now a message and its parameters (the closure's name in
    both languages is data), rendered for each reader like the rest of the note."""
    import json

    from vendorrisk.vendors.findings import FindingEvent
    compliance = api("compliance")
    vendor = factories.gen_vendor(db)
    with app.test_request_context():
        from vendorrisk.vendors.findings import raise_finding
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="期限の再調整")
    db.commit()
    assert compliance.patch(f"/api/v1/findings/{finding.id}", json={"due_date": "2030-01-01"}).status_code == 200
    db.expire_all()
    event = db.execute(select(FindingEvent).where(FindingEvent.finding_id == finding.id)
                       .order_by(FindingEvent.id.desc())).scalars().first()
    stored = json.dumps(event.note_params, ensure_ascii=False)
    assert "%(original)s (%(reason)s) → %(day)s" in stored and "closed: %(name)s" in stored
    assert "休業日" not in stored  # no text translated when written
    login("auditor")
    for language, note in (("ja", "2029-12-28（1/1(休業日: 年末年始) → 12/28）"),
                           ("en", "2029-12-28 (1/1 (closed: Year-end holidays) → 12/28)")):
        page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": language}).get_data(as_text=True)
        assert note in page, re.findall(r"[^<>]*12/28[^<>]*", page)


@pytest.mark.parametrize("closing, expected", [("", date(2026, 12, 31)),
                                               ("12-30..12-31=大掃除|Cleaning", date(2026, 12, 29))])
def test_the_company_closing_days_are_a_setting(database_url, tmp_path, closing, expected):
    from tests.conftest import _make_app
    from vendorrisk.core.business_days import business_day
    app = _make_app(database_url, tmp_path, CLOSING_DAYS=closing)
    with app.app_context():
        assert business_day(date(2026, 12, 31)) == expected
    app.extensions["vendorrisk.engine"].dispose()


def test_notice_dates_moved_into_the_window_by_closed_days_are_reminded(app, db):
    """An arrangement's notice date (end date − notice period) on a closed day comes on the
    business day before it; the sweep looks the calendar up only for notice dates that can
    land in the 30-day window, so a date past it by a run of closed days must still come."""
    from vendorrisk.monitoring.reminders import arrangement_reminders
    today = date(2026, 12, 1)
    ends = {  # notice period 90 days: the notice date is the end date − 90 days
        "year_end": date(2027, 4, 3),  # notice Sunday 2027-01-03 (年末年始, 33 days ahead) → 12/28
        "thursday": date(2027, 3, 10),  # notice 2026-12-10, a business day
        "saturday": date(2027, 3, 12),  # notice 2026-12-12 → Friday 12/11
        "past": date(2027, 2, 28),  # notice 2026-11-30, the day before today: none
        "after": date(2027, 4, 6),  # notice 2027-01-06, a Wednesday 36 days ahead: none
    }
    factories.gen_user(db, role="compliance")  # who is reminded
    arrangements = {name: factories.gen_arrangement(db, factories.gen_vendor(db), end_date=end,
                                                    notice_period_days=90, status="active")
                    for name, end in ends.items()}
    db.commit()
    with app.test_request_context():
        found = {(spec.subject_id, spec.kind): spec.due_date for spec in arrangement_reminders(db, today)}
    notices = {name: found.get((arrangement.id, "notice_date")) for name, arrangement in arrangements.items()}
    assert notices == {"year_end": date(2026, 12, 28), "thursday": date(2026, 12, 10),
                       "saturday": date(2026, 12, 11), "past": None, "after": None}


def test_the_matrix_gives_the_review_due_date_the_plan_gives(app, db, contributions):
    """Art. 26(1)'s reason named the frequency's date (2026-12-29, in 年末年始) while the review
    page, the tasks and the reminders ask for the review by 12/28: one due date everywhere."""
    from flask_babel import force_locale

    from vendorrisk.core.messages import render
    from vendorrisk.monitoring.plans import desired_plans
    _arr, (vendor,) = gen_chain(db, start=date(2025, 1, 5), tiers=1)  # medium: every 12 months
    db.add(MonitoringReview(vendor_id=vendor.id, status="completed", due_date=date(2026, 1, 5),
                            performed_on=date(2025, 12, 29)))
    db.commit()
    with app.app_context():
        plan = desired_plans(db, [vendor.id])[vendor.id]
        verdict = contributions.obligations["26-1"].rule(db, [vendor.id], today=date(2026, 12, 6))[vendor.id]
        late = contributions.obligations["26-1"].rule(db, [vendor.id], today=date(2026, 12, 29))[vendor.id]
    assert (plan.due_date, plan.nominal_due_date) == (date(2026, 12, 28), date(2026, 12, 29))
    with app.test_request_context(), force_locale("en"):
        assert render(verdict.reason) == "Reviewed on 2025-12-29; next due 2026-12-28."
        assert render(late.reason) == "Last reviewed on 2025-12-29; overdue since 2026-12-28."
    assert (verdict.status, late.status) == ("met", "gap")
