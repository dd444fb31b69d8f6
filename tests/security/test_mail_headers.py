"""Issue 16, defect 3: a line break in a vendor name must not stop reminder e-mail.

Names with line breaks or other control characters are refused where they are typed
(API, form, register import); names already stored with them still produce a safe
subject (the break folded into a space, no injected header); and one message that
cannot be sent is marked failed with its reason while the sweep sends the others."""
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors.models import Vendor

TODAY = date(2026, 3, 2)
EVIL = "Evil KK\r\nBcc: x@evil.example"


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


@pytest.mark.parametrize("field,value", [("name", EVIL), ("name", "Evil\nKK"), ("name", "Tab\tKK"),
                                         ("name", "VT\x0bKK"), ("name", "NUL\x00KK"),
                                         ("name_en", "Evil KK\r\nBcc: x@evil.example"),
                                         ("name", "Line\u2028Separator KK")])
def test_api_refuses_control_characters_in_vendor_names(api, db, field, value):
    body = {"name": "正しい株式会社", field: value}
    response = api("procurement").post("/api/v1/vendors", json=body)
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    assert [d["field"] for d in details] == [field]
    assert "control character" in details[0]["message"] or "line break" in details[0]["message"]
    db.rollback()
    assert db.scalars(select(Vendor)).all() == []


def test_api_refuses_line_breaks_when_a_name_is_changed(api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    response = api("procurement").patch(f"/api/v1/vendors/{vendor.id}", json={"name": EVIL})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "name"


def test_other_single_line_names_refuse_line_breaks_too(app, api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    arrangement = client.post("/api/v1/arrangements", json={"vendor_id": vendor.id, "title": "勘定系\r\nBcc: x"})
    assert arrangement.status_code == 422
    assert arrangement.get_json()["error"]["details"][0]["field"] == "title"
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.vendors import people
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            people.add_contact(db, vendor, {"name": "山田\r\nBcc: x@evil"})
    assert refused.value.details[0]["field"] == "name"


def test_japanese_user_reads_the_refusal_in_japanese(api, db):
    response = api("procurement").post("/api/v1/vendors", json={"name": EVIL},
                                       headers={"Accept-Language": "ja"})
    assert response.status_code == 422
    assert "改行" in response.get_json()["error"]["details"][0]["message"]


def test_register_import_refuses_an_excel_cell_with_alt_enter(api, db):
    data = factories.workbook({"vendors": [["ref", "name"], ["v1", "改行\n株式会社"], ["v2", "普通株式会社"]]})
    response = api("procurement").post("/api/v1/register/import", data=data,
                                       content_type="application/octet-stream")
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [(d["sheet"], d["row"], d["column"]) for d in details] == [("vendors", 2, "name")]
    db.rollback()
    assert db.scalars(select(Vendor)).all() == []


def _overdue_reviews(db, *names, owner=None):
    """An overdue chain per name (stored directly, as legacy data would be); one owner."""
    owner = owner or factories.gen_user(db, role="vendor_owner", language="en")
    vendors = []
    for name in names:
        _arr, chain = gen_chain(db, start=date(2025, 2, 1), owner=owner, tiers=1)
        chain[0].name = chain[0].name_en = name
        vendors.append(chain[0])
    db.commit()
    return owner, vendors


def test_stored_name_with_line_break_gets_a_folded_subject_and_every_reminder_is_sent(app, db, smtp):
    owner, vendors = _overdue_reviews(db, "First KK", EVIL, "Last KK")
    result = run_sweep(app, today=TODAY)
    db.rollback()
    statuses = db.scalars(select(Reminder.status)).all()
    assert statuses and set(statuses) == {"sent"}, db.scalars(select(Reminder.last_error)).all()
    assert result.failed == 0
    received = smtp.by_recipient(owner.email)
    assert len(received) == 3
    evil = next(m for m in received if "Evil KK" in m["Subject"])
    assert "Evil KK Bcc: x@evil.example" in evil["Subject"]
    assert "\r" not in evil["Subject"] and "\n" not in evil["Subject"]
    assert evil["Bcc"] is None
    assert all("x@evil.example" not in m["to"] for m in smtp.messages)


def test_one_unsendable_reminder_is_marked_failed_and_the_sweep_goes_on(app, db, smtp):
    good_owner = factories.gen_user(db, role="vendor_owner", language="en")
    bad_owner = factories.gen_user(db, role="vendor_owner", language="en")
    bad_owner.email = "owner@member.example.jp\r\nBcc: x@evil.example"  # as a legacy row might hold
    _overdue_reviews(db, "Bad Owner KK", owner=bad_owner)
    _overdue_reviews(db, "Good One KK", "Good Two KK", owner=good_owner)
    result = run_sweep(app, today=TODAY)
    db.rollback()
    rows = db.scalars(select(Reminder)).all()
    [bad] = [r for r in rows if r.recipient == bad_owner.email]
    assert bad.status == "failed" and "recipient" in bad.last_error.lower()
    assert bad.next_attempt_at is None  # retrying cannot help; it waits in the outbox
    others = [r for r in rows if r.recipient != bad_owner.email]
    assert others and all(r.status == "sent" for r in others)
    assert result.failed == 1 and result.sent == len(others)
    assert len(smtp.by_recipient(good_owner.email)) == 2
    assert all("x@evil.example" not in m["to"] for m in smtp.messages)
