"""The reminder settings and business calendar page, and the administrator's test e-mail: what
the first week's set-up checks without a shell (walk of a first week)."""
import pytest

from tests.ports import refusing_port
from vendorrisk.core.models import AuditEntry

JA = {"Accept-Language": "ja"}


@pytest.fixture
def app_config(smtp_settings):
    return {**smtp_settings, "REVIEW_FREQUENCY_MONTHS": "critical=2", "REVIEW_REMINDER_DAYS": "14,3",
            "CLOSING_DAYS": "08-13..08-14=夏季休業|Summer closing", "SMTP_USERNAME": "relay-user",
            "SMTP_PASSWORD": "never-shown-secret", "SMTP_SECURITY": "none"}


def test_the_page_shows_the_settings_as_the_sweep_reads_them_and_no_secret(client, login):
    login("auditor")
    page = client.get("/reviews/settings/", headers=JA).get_data(as_text=True)
    tiers = page.split('data-test="review-settings"', 1)[1].split("</table>", 1)[0]
    assert "2か月ごと" in tiers and "6か月ごと" in tiers  # the setting over the defaults
    assert "期限の 14, 3 日前" in page
    assert "relay-user" in page and "パスワード設定済み" in page and "never-shown-secret" not in page
    assert "暗号化: なし（平文）" in page
    closed = page.split('data-test="closed-days"', 1)[1].split("</table>", 1)[0]
    assert "休業日: 夏季休業" in closed and "祝日: " in closed
    assert 'data-test="test-mail"' not in page  # the test e-mail is the administrator's


def test_closed_weekdays_leave_weekends_out_and_name_each_reason(app):
    from datetime import date

    from vendorrisk.monitoring.pages.settings import closed_weekdays
    with app.test_request_context(headers={"Accept-Language": "en"}):
        found = dict(closed_weekdays(date(2027, 8, 9), days=10))
    # 08-13 (Fri) closing day; 08-11 Mountain Day; 08-14 is a Saturday, not listed
    assert set(found) == {date(2027, 8, 11), date(2027, 8, 13)}
    assert "Summer closing" in found[date(2027, 8, 13)]


def test_an_administrator_sends_a_test_e_mail_and_learns_whether_it_went(client, login, smtp, app, db):
    admin = login("admin")
    page = client.get("/reviews/settings/", headers=JA).get_data(as_text=True)
    assert 'data-test="test-mail"' in page
    app.config["SMTP_USERNAME"] = ""  # this server takes mail without signing in
    sent = client.post("/reviews/settings/test-mail", headers=JA, follow_redirects=True).get_data(as_text=True)
    assert f"{admin.email} にテストメールを送信しました" in sent
    [message] = smtp.by_recipient(admin.email)
    assert message["Subject"] == "[vendorrisk] テストメール"
    with refusing_port() as port:  # nothing listens there
        app.config["SMTP_PORT"] = port
        failed = client.post("/reviews/settings/test-mail", headers=JA, follow_redirects=True).get_data(as_text=True)
    assert "テストメールを送信できませんでした" in failed and "Cannot reach SMTP server" in failed
    db.rollback()
    entries = db.exec(AuditEntry.__table__.select().where(AuditEntry.entity == "test_mail")).all()
    assert [e.action for e in entries] == ["send", "send"]


def test_only_an_administrator_may_send_the_test_e_mail(client, login):
    login("compliance")
    assert client.post("/reviews/settings/test-mail").status_code == 403
