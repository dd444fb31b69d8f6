"""反社会的勢力チェック on the business calendar: the next due date (by default
ANTISOCIAL_CHECK_MONTHS after the check) moves off a closed day to the previous business day
and says why — on the vendor's section, in the reminder e-mail (real SMTP), on 「自分のタスク」,
the month calendar and the .ics feed; reminder days land on business days. Fixed dates
across 年末年始 and ゴールデンウィーク."""
from datetime import date

import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core import tasks as core_tasks
from vendorrisk.monitoring import calendar as feeds
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors import antisocial

NEW_YEAR = "1/1(休業日: 年末年始) → 12/28"
GOLDEN_WEEK = "5/6(祝日: 憲法記念日 振替休日) → 5/1"


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _checked(app, db, vendor, checked_on: date, user_id=None, **data):
    with app.test_request_context():
        check = antisocial.record_check(db, vendor, {"checked_on": checked_on, "method": "database",
                                                     "result": "clear", "evidence_text": "記事検索: 該当なし", **data},
                                        user_id, today=checked_on)
    db.commit()
    return check


def test_the_default_next_due_on_new_years_day_moves_and_the_vendor_section_says_why(app, db, client, login):
    vendor = factories.gen_vendor(db, name="株式会社年始")
    check = _checked(app, db, vendor, date(2026, 1, 1))  # 12 months later: 2027-01-01, in 年末年始
    assert (check.next_due, check.nominal_next_due) == (date(2026, 12, 28), date(2027, 1, 1))
    login("auditor")
    page = client.get(f"/vendors/{vendor.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    cell = page.split('data-test="next-due">')[1].split("</td>")[0]
    assert cell.startswith("2026-12-28") and f"前営業日に繰り上げ：{NEW_YEAR}" in cell


def test_a_next_due_typed_in_golden_week_moves_through_the_api(app, db, api):
    vendor = factories.gen_vendor(db)
    db.commit()
    created = api("compliance").post(f"/api/v1/vendors/{vendor.id}/antisocial-checks", json={
        "checked_on": "2025-06-02", "method": "declaration", "result": "clear",
        "evidence_text": "表明確約書 受領", "next_due": "2026-05-06"})
    assert created.status_code == 201, created.get_json()
    assert (created.json["next_due"], created.json["nominal_next_due"]) == ("2026-05-01", "2026-05-06")


def test_golden_week_due_date_reminds_on_business_days_and_the_mail_says_why(app, db, smtp):
    owner = factories.gen_user(db, role="procurement", language="ja")  # an owner of any role is reminded
    vendor = factories.gen_vendor(db, name="株式会社連休", status="approved")
    factories.gen_owner(db, vendor, owner)
    check = _checked(app, db, vendor, date(2025, 5, 6))  # due 2026-05-06 (振替休日): Friday 5/1
    assert (check.next_due, check.nominal_next_due) == (date(2026, 5, 1), date(2026, 5, 6))
    # 30 days before 5/1 is 4/1 (Wed); 7 days before is 4/24 (Fri)
    assert run_sweep(app, today=date(2026, 3, 31)).sent == 0
    assert run_sweep(app, today=date(2026, 4, 1)).sent == 1
    assert run_sweep(app, today=date(2026, 4, 24)).sent == 1
    mail = smtp.by_recipient(owner.email)[-1]
    assert "2026-05-01" in mail["Subject"] and f"期限は前営業日に繰り上げました：{GOLDEN_WEEK}。" in mail.get_content()
    assert run_sweep(app, today=date(2026, 5, 1)).sent == 1  # due today
    db.rollback()  # read what the sweeps committed
    kinds = db.exec(select(Reminder.kind).where(Reminder.subject_id == check.id).order_by(Reminder.id)).all()
    assert kinds == ["due_in_30", "due_in_7", "due_today"]


def test_a_reminder_day_on_a_holiday_comes_the_business_day_before(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    vendor = factories.gen_vendor(db, name="株式会社月曜")
    factories.gen_owner(db, vendor, owner)
    check = _checked(app, db, vendor, date(2025, 5, 11))  # due Monday 2026-05-11, a business day
    assert (check.next_due, check.nominal_next_due) == (date(2026, 5, 11), None)
    # 30 days before, 4/11, is a Saturday: Friday 4/10; 7 days before, 5/4 (みどりの日): Friday 5/1
    assert run_sweep(app, today=date(2026, 4, 9)).sent == 0
    assert run_sweep(app, today=date(2026, 4, 10)).sent == 1
    assert run_sweep(app, today=date(2026, 4, 30)).sent == 0
    assert run_sweep(app, today=date(2026, 5, 1)).sent == 1
    assert run_sweep(app, today=date(2026, 5, 4)).sent == 0
    assert "moved" not in smtp.by_recipient(owner.email)[-1].get_content()  # the due date did not move


def test_the_task_the_month_calendar_and_the_feed_show_the_moved_date(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    stranger = factories.gen_user(db, role="vendor_owner", language="ja")
    vendor = factories.gen_vendor(db, name="株式会社年末確認")
    factories.gen_owner(db, vendor, owner)
    check = _checked(app, db, vendor, date(2026, 1, 1))
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        [task] = [t for t in core_tasks.gather(db, owner, today=date(2026, 12, 1)) if t.kind == "antisocial_check_due"]
        assert (task.due, task.note, task.subject) == (date(2026, 12, 28), NEW_YEAR, "株式会社年末確認")
        assert not core_tasks.gather(db, stranger, today=date(2026, 12, 1))
        ics = feeds.build_ics(db, owner).replace("\r\n ", "")
        assert f"antisocial-check-{check.id}@" not in feeds.build_ics(db, stranger)
    event = ics.split(f"UID:antisocial-check-{check.id}@")[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20261228" in event and f"前営業日に繰り上げ：{NEW_YEAR}" in event
    assert "株式会社年末確認" in event and f"/vendors/{vendor.id}#antisocial" in event
    login("compliance")
    month = client.get("/reviews/calendar?month=2026-12", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    entry = month.split(f'href="/vendors/{vendor.id}#antisocial"')[1].split("</a>")[0]
    assert "株式会社年末確認" in entry and NEW_YEAR in entry
