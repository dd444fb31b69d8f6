"""Campaigns on the business calendar: a due date asked for on a closed day moves to the
previous business day and says why — on the campaign page, in the vendors' e-mails (real
SMTP), on 「自分のタスク」, the month calendar and the .ics feed; reminder days land on
business days. Fixed dates across 年末年始 and ゴールデンウィーク."""
from datetime import date

import pytest
from sqlmodel import select

from tests import factories
from tests.questionnaires.factories import KEY
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.monitoring import calendar as feeds
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.questionnaires import campaigns
from vendorrisk.vendors.models import VendorContact

NEW_YEAR = "1/1(休業日: 年末年始) → 12/28"


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _campaign(app, db, sender, due: date, sent_on: date, vendors=None):
    """A campaign sent on ``sent_on`` (its request e-mails go with the next sweep)."""
    if vendors is None:
        vendor = factories.gen_vendor(db, name="株式会社年末回答", country="JP")
        db.add(VendorContact(vendor_id=vendor.id, name="回答 担当", email=f"kaito@v{vendor.id}.example"))
        vendors = [vendor]
    with app.test_request_context():
        campaign = campaigns.create_campaign(db, {"title": "年度末質問票", "template_id": "general_outsourcing",
                                                  "due_date": due, "vendor_ids": [v.id for v in vendors]},
                                             sender, KEY, today=sent_on)
    db.commit()
    return campaign, vendors


def test_a_due_date_on_new_years_day_moves_and_the_request_mail_and_page_say_why(app, db, client, login, smtp):
    sender = login("compliance")
    campaign, (vendor,) = _campaign(app, db, sender, date(2027, 1, 1), date(2026, 12, 1))
    assert (campaign.due_date, campaign.nominal_due_date) == (date(2026, 12, 28), date(2027, 1, 1))
    assert run_sweep(app, today=date(2026, 12, 1)).sent == 1  # the request
    [mail] = smtp.by_recipient(f"kaito@v{vendor.id}.example")
    body = mail.get_body().get_content()
    assert "2026-12-28" in mail["Subject"] and "2027-01-01" not in mail["Subject"]
    assert f"期限は前営業日に繰り上げました：{NEW_YEAR}。" in body
    page = client.get(f"/questionnaires/campaigns/{campaign.id}", headers={"Accept-Language": "ja"})
    due = page.get_data(as_text=True).split('data-test="campaign-due">')[1].split("</dd>")[0]
    assert due.startswith("2026-12-28") and f"前営業日に繰り上げ：{NEW_YEAR}" in due


def test_the_campaign_list_says_why_a_due_date_moved_in_the_readers_language(app, db, client, login):
    sender = login("compliance")
    moved, _vendors = _campaign(app, db, sender, date(2027, 1, 1), date(2026, 12, 1))
    kept, _vendors = _campaign(app, db, sender, date(2026, 12, 25), date(2026, 12, 1))  # a Friday
    for language, note in (("ja", NEW_YEAR), ("en", "1/1 (closed: Year-end holidays) → 12/28")):
        page = client.get("/questionnaires/campaigns/", headers={"Accept-Language": language}).get_data(as_text=True)
        row = page.split(f'data-campaign="{moved.id}"')[1].split("</tr>")[0]
        assert f'<small class="muted" data-test="due-note">{note}</small>' in row
        assert "due-note" not in page.split(f'data-campaign="{kept.id}"')[1].split("</tr>")[0]


def test_golden_week_reminder_comes_the_business_day_before(app, db, smtp):
    sender = factories.gen_user(db, role="procurement", language="ja")
    # due Monday 5/11, a business day: 7 days before is 5/4 (みどりの日) after the 5/2-5/3
    # weekend, so the reminder comes on Friday 5/1
    campaign, (vendor,) = _campaign(app, db, sender, date(2026, 5, 11), date(2026, 4, 20))
    assert (campaign.due_date, campaign.nominal_due_date) == (date(2026, 5, 11), None)
    address = f"kaito@v{vendor.id}.example"
    assert run_sweep(app, today=date(2026, 4, 20)).sent == 1  # the request
    assert run_sweep(app, today=date(2026, 4, 30)).sent == 0
    assert run_sweep(app, today=date(2026, 5, 1)).sent == 1
    assert run_sweep(app, today=date(2026, 5, 4)).sent == 0  # not again on the day first asked for
    db.rollback()  # read what the sweeps committed
    kinds = db.exec(select(Reminder.kind).where(Reminder.recipient == address).order_by(Reminder.id)).all()
    assert kinds == ["request", "due_in_7"]
    assert "前営業日" not in smtp.by_recipient(address)[-1].get_body().get_content()  # the due date did not move


def test_a_due_date_in_golden_week_moves_before_it_and_a_reminder_day_too(app, db, smtp):
    sender = factories.gen_user(db, role="compliance", language="ja")
    # asked for 5/6 (振替休日): due Friday 5/1; 7 days before it is 4/24, a Friday
    campaign, (vendor,) = _campaign(app, db, sender, date(2026, 5, 6), date(2026, 4, 17))
    assert (campaign.due_date, campaign.nominal_due_date) == (date(2026, 5, 1), date(2026, 5, 6))
    address = f"kaito@v{vendor.id}.example"
    run_sweep(app, today=date(2026, 4, 17))
    assert run_sweep(app, today=date(2026, 4, 23)).sent == 0
    assert run_sweep(app, today=date(2026, 4, 24)).sent == 1
    reminder = smtp.by_recipient(address)[-1]
    assert "2026-05-01" in reminder["Subject"]
    assert "5/6(祝日: 憲法記念日 振替休日) → 5/1" in reminder.get_body().get_content()
    # overdue from the business day it moved to: week 1 starts on Saturday 5/2
    assert run_sweep(app, today=date(2026, 5, 2)).sent == 2  # the vendor, and the sender told
    mails = smtp.by_recipient(sender.email)
    assert len(mails) == 1 and "5/6(祝日: 憲法記念日 振替休日) → 5/1" in mails[0].get_body().get_content()


def test_a_date_that_moves_to_today_is_refused_and_says_why(app, db):
    sender = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db)
    db.add(VendorContact(vendor_id=vendor.id, name="担当", email="a@b.example"))
    db.commit()
    with app.test_request_context(headers={"Accept-Language": "ja"}), pytest.raises(ValidationFailed) as refused:
        campaigns.create_campaign(db, {"title": "急ぎ", "template_id": "general_outsourcing",
                                       "due_date": date(2026, 12, 29), "vendor_ids": [vendor.id]},
                                  sender, KEY, today=date(2026, 12, 28))
    [problem] = refused.value.details
    assert problem["field"] == "due_date"
    assert problem["message"] == "期限は前営業日に繰り上がり（12/29(休業日: 年末年始) → 12/28）、明日以降になりません。"


def test_the_task_the_month_calendar_and_the_feed_show_the_moved_date(app, db, client, login):
    sender = factories.gen_user(db, role="procurement", language="ja")
    vendors = [factories.gen_vendor(db, name=name, country="JP") for name in ("株式会社年末回答", "株式会社他社回答")]
    for vendor in vendors:
        db.add(VendorContact(vendor_id=vendor.id, name="回答 担当", email=f"kaito@v{vendor.id}.example"))
    campaign, (vendor, _other) = _campaign(app, db, sender, date(2027, 1, 1), date(2026, 12, 1), vendors)
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    factories.gen_owner(db, vendor, owner)
    stranger = factories.gen_user(db, role="vendor_owner", language="ja")
    db.commit()
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        # who sent it counts every vendor; who owns one of them, that vendor
        for person, label in ((sender, "質問票の返送待ち：2 社中 2 社"), (owner, "質問票の返送待ち：1 社中 1 社")):
            [task] = [t for t in core_tasks.gather(db, person, today=date(2026, 12, 1))
                      if t.kind == "questionnaires_awaiting_return"]
            assert (task.due, task.note, task.label) == (date(2026, 12, 28), NEW_YEAR, label)
        assert not [t for t in core_tasks.gather(db, stranger, today=date(2026, 12, 1))
                    if t.kind == "questionnaires_awaiting_return"]
        ics = feeds.build_ics(db, owner).replace("\r\n ", "")
        assert f"questionnaire-campaign-{campaign.id}@" not in feeds.build_ics(db, stranger)
    event = ics.split(f"UID:questionnaire-campaign-{campaign.id}@")[1].split("END:VEVENT")[0]
    assert "DTSTART;VALUE=DATE:20261228" in event and f"前営業日に繰り上げ：{NEW_YEAR}" in event
    assert f"/questionnaires/campaigns/{campaign.id}" in event
    login("auditor")
    month = client.get("/reviews/calendar?month=2026-12", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    entry = month.split(f'href="/questionnaires/campaigns/{campaign.id}"')[1].split("</a>")[0]
    assert "年度末質問票" in entry and NEW_YEAR in entry
