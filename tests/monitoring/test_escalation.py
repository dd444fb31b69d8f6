"""Overdue findings escalate to compliance weekly — exactly once per week — through a real
SMTP server (aiosmtpd): to COMPLIANCE_EMAIL when set, else to every active compliance user."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from vendorrisk.monitoring.findings import move_finding
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors.findings import raise_finding

DUE = date(2026, 3, 2)


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _people(db):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    ja = factories.gen_user(db, role="compliance", language="ja")
    en = factories.gen_user(db, role="compliance", language="en")
    gone = factories.gen_user(db, role="compliance")
    gone.is_active = False
    return owner, ja, en, gone


def _finding(db, owner, title="委託先の鍵管理手順が未整備", due=DUE):
    vendor = factories.gen_vendor(db, name="株式会社ペイメント基盤", name_en="Payment Base K.K.")
    finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title=title, severity="high",
                               owner_id=owner.id, due_date=due)
    return finding


def _recipients(smtp, since=0):
    return sorted(r for m in smtp.messages[since:] for r in m["to"])


def test_overdue_finding_escalates_to_every_compliance_user_once_a_week(app, db, smtp):
    owner, ja, en, gone = _people(db)
    finding = _finding(db, owner)
    _finding(db, owner, title="期限前の指摘", due=DUE + timedelta(days=10))
    db.commit()
    assert run_sweep(app, today=DUE).sent == 0  # due today: not overdue yet
    first = run_sweep(app, today=DUE + timedelta(days=1))
    assert first.sent == 3 and _recipients(smtp) == sorted([owner.email, ja.email, en.email])
    assert gone.email not in _recipients(smtp)
    japanese = smtp.by_recipient(ja.email)[0]
    assert japanese["Subject"] == "[vendorrisk] 指摘事項の期限超過：委託先の鍵管理手順が未整備（株式会社ペイメント基盤）"
    assert japanese["Content-Language"] == "ja" and f"https://vr.example.jp/findings/{finding.id}" in japanese.get_content()
    english = smtp.by_recipient(en.email)[0]
    assert english["Subject"] == "[vendorrisk] Overdue finding: 委託先の鍵管理手順が未整備 (Payment Base K.K.)"
    body = english.get_content()
    assert "was due on 2026-03-02" in body and "compliance has been informed" in body
    # The rest of the first week: nothing more, however often the sweep runs.
    for day in (1, 3, 7):
        again = run_sweep(app, today=DUE + timedelta(days=day))
        assert (again.created, again.sent) == (0, 0), day
    assert len(smtp.messages) == 3
    # Second week: once more, to the same people.
    second = run_sweep(app, today=DUE + timedelta(days=8))
    assert second.sent == 3 and _recipients(smtp, 3) == sorted([owner.email, ja.email, en.email])
    assert run_sweep(app, today=DUE + timedelta(days=10)).sent == 0  # the other finding is due only today
    db.rollback()
    kinds = sorted((r.kind, r.recipient) for r in db.scalars(select(Reminder).where(Reminder.subject_type == "finding",
                                                                                Reminder.subject_id == finding.id)))
    assert [k for k, _r in kinds] == ["overdue_w1"] * 3 + ["overdue_w2"] * 3
    # Once resolved, the finding stops escalating; the other one, now overdue, starts.
    finding.action_plan = "鍵管理手順を整備する"  # a high finding is resolved with a plan and evidence
    db.flush()
    move_finding(db, finding, owner, "resolved", evidence="整備した手順書")
    db.commit()
    later = run_sweep(app, today=DUE + timedelta(days=15))
    assert later.sent == 3 and all("期限前の指摘" in m["message"]["Subject"] for m in smtp.messages[6:])
    assert len(smtp.messages) == 9


def test_compliance_email_receives_escalations_instead_of_compliance_users(app, db, smtp):
    app.config["COMPLIANCE_EMAIL"] = "risk-desk@member.example.jp"
    owner, ja, en, _gone = _people(db)
    _finding(db, owner)
    db.commit()
    assert run_sweep(app, today=DUE + timedelta(days=2)).sent == 2
    assert _recipients(smtp) == sorted([owner.email, "risk-desk@member.example.jp"])
    assert smtp.by_recipient("risk-desk@member.example.jp")[0]["Content-Language"] == "ja"
    assert run_sweep(app, today=DUE + timedelta(days=5)).sent == 0
    assert run_sweep(app, today=DUE + timedelta(days=9)).sent == 2
    assert not smtp.by_recipient(ja.email) and not smtp.by_recipient(en.email)


def test_an_owner_in_compliance_gets_one_message_not_two(app, db, smtp):
    _owner, ja, en, _gone = _people(db)
    _finding(db, ja)
    db.commit()
    assert run_sweep(app, today=DUE + timedelta(days=1)).sent == 2
    assert _recipients(smtp) == sorted([ja.email, en.email])
