"""The reminder sweep against a real SMTP server (aiosmtpd): content, language, recipients,
exactly-once across repeated and concurrent sweeps, server down then back, a hanging server."""
import logging
import secrets
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.monitoring.factories import gen_chain
from tests.ports import refusing_port
from tests.smtp import SilentServer
from vendorrisk.core.models import utcnow
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import deliver, run_sweep

TODAY = date(2026, 3, 2)


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _overdue_chain(db, owner_language="ja"):
    """A chain started a year before TODAY: every vendor (medium tier) is due 2026-02-01."""
    owner = factories.gen_user(db, role="vendor_owner", language=owner_language)
    compliance = factories.gen_user(db, role="compliance", language="en")
    _arr, vendors = gen_chain(db, start=date(2025, 2, 1), owner=owner)
    db.commit()
    return owner, compliance, vendors


def test_overdue_reviews_reach_owner_in_japanese_and_compliance_in_english(app, db, smtp):
    owner, compliance, vendors = _overdue_chain(db)
    result = run_sweep(app, today=TODAY)
    assert result.plans["created"] == 3  # tier 1, subcontractor and final contractor
    assert result.sent == 6 and result.failed == 0
    to_owner = smtp.by_recipient(owner.email)
    assert len(to_owner) == 3
    final = vendors[-1]
    mail = next(m for m in to_owner if final.name in m["Subject"])
    assert mail["Subject"].startswith("[vendorrisk] モニタリング期限超過")
    assert mail["From"] == "vendorrisk@member.example.jp"
    assert mail["Message-ID"].startswith("<reminder-") and mail["Content-Language"] == "ja"
    body = mail.get_content()
    review = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == final.id)).one()
    assert f"https://vr.example.jp/reviews/{review.id}" in body
    # due 2026-02-01, a Sunday: the plan moved it to Friday and the mail says why
    assert "最終受託者" in body and "2026-01-30" in body and "2/1(日曜日) → 1/30" in body
    escalations = smtp.by_recipient(compliance.email)
    assert len(escalations) == 3
    assert all(m["Subject"].startswith("[vendorrisk] Overdue monitoring review") for m in escalations)
    assert "compliance has been informed" in escalations[0].get_content()


def test_repeated_sweeps_send_nothing_twice_and_next_week_sends_again(app, db, smtp):
    _overdue_chain(db)
    first = run_sweep(app, today=TODAY)
    second = run_sweep(app, today=TODAY)
    third = run_sweep(app, today=TODAY + timedelta(days=1))  # same overdue week
    assert first.sent == 6 and (second.created, second.sent) == (0, 0) and (third.created, third.sent) == (0, 0)
    assert len(smtp.messages) == 6
    nextweek = run_sweep(app, today=TODAY + timedelta(days=7))
    assert nextweek.sent == 6 and len(smtp.messages) == 12
    kinds = {r.kind for r in db.scalars(select(Reminder))}
    assert kinds == {"overdue_w5", "overdue_w6"}


def test_stages_before_due_and_catch_up_after_downtime(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="en")
    factories.gen_user(db, role="compliance", language="ja")
    _arr, (vendor,) = gen_chain(db, start=date(2025, 4, 1), owner=owner, tiers=1)  # medium: due 2026-04-01
    db.commit()
    assert run_sweep(app, today=date(2026, 2, 28)).sent == 0  # 32 days ahead: nothing yet
    assert run_sweep(app, today=date(2026, 3, 2)).sent == 1   # 30 days ahead: the owner only
    assert smtp.messages[0]["message"]["Subject"] == (
        f"[vendorrisk] Monitoring review of {vendor.name_en} due on 2026-04-01")
    # The scheduler was down from 2026-03-20 to 2026-04-03: the current stage is caught up
    # once (owner and, escalated, compliance); the stages missed meanwhile are not replayed.
    caught = run_sweep(app, today=date(2026, 4, 3))
    assert caught.sent == 2
    db.rollback()
    assert sorted(r.kind for r in db.scalars(select(Reminder))) == ["due_in_30", "overdue_w1", "overdue_w1"]
    assert smtp.messages[-1]["message"]["Subject"].startswith("[vendorrisk] モニタリング期限超過")


def test_two_sweeps_at_once_send_each_reminder_once(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner")
    factories.gen_user(db, role="compliance")
    for _ in range(4):
        gen_chain(db, start=date(2025, 2, 1), owner=owner)
    db.commit()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep(name):
        try:
            barrier.wait()
            results.append(run_sweep(app, today=TODAY, worker=name))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    stored = db.execute(select(func.count()).select_from(Reminder)).scalar()
    assert stored == 24  # 12 reviews x (owner + compliance)
    assert sum(r.sent for r in results) == 24
    ids = [m["message"]["Message-ID"] for m in smtp.messages]
    assert len(ids) == 24 and len(set(ids)) == 24
    assert db.execute(select(func.count()).select_from(MonitoringReview)).scalar() == 12


def test_server_down_then_back_retries_with_backoff(app, db, smtp):
    _overdue_chain(db)
    smtp.stop()
    down = run_sweep(app, today=TODAY)
    assert (down.sent, down.failed) == (0, 1)  # the first failure stops the run; nothing is lost
    failed = db.scalars(select(Reminder).where(Reminder.status == "failed")).one()
    assert failed.attempts == 1 and "Cannot reach SMTP server" in failed.last_error
    assert failed.next_attempt_at > utcnow() + timedelta(minutes=4)
    assert db.execute(select(func.count()).select_from(Reminder).where(Reminder.status == "pending")).scalar() == 5
    smtp.start()
    back = run_sweep(app, today=TODAY)
    assert back.sent == 5  # the failed one waits for its backoff
    later = deliver(app, now=utcnow() + timedelta(minutes=6))
    assert later[0] == 1
    db.rollback()
    assert {r.status for r in db.scalars(select(Reminder))} == {"sent"}
    assert len(smtp.messages) == 6


@pytest.fixture
def unreachable_smtp(app):
    """The mail server's port one where nothing listens, held so for the whole test."""
    with refusing_port() as port:
        app.config.update(SMTP_PORT=port)
        yield port


def test_unreachable_server_gives_one_warning_per_sweep_that_counts_and_says_what_to_set(app, db, caplog,
                                                                                        unreachable_smtp):
    """Not a wall of warnings under ``make run`` without a mail server: one per sweep."""
    _overdue_chain(db)
    with caplog.at_level(logging.INFO, logger="vendorrisk.reminders"):
        result = run_sweep(app, today=TODAY)
    assert (result.created, result.sent) == (6, 0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("6 reminder(s) not sent, kept in the outbox")
    assert "Cannot reach SMTP server 127.0.0.1:" in warnings[0]
    assert "VENDORRISK_SMTP_HOST and VENDORRISK_SMTP_PORT" in warnings[0]
    assert db.execute(select(func.count()).select_from(Reminder).where(Reminder.status == "sent")).scalar() == 0


def test_hanging_server_times_out_and_is_recorded(app, db):
    silent = SilentServer()
    try:
        app.config.update(SMTP_PORT=silent.port, SMTP_TIMEOUT=1)
        _overdue_chain(db)
        result = run_sweep(app, today=TODAY)
    finally:
        silent.stop()
    assert (result.sent, result.failed) == (0, 1)
    failed = db.scalars(select(Reminder).where(Reminder.status == "failed")).one()
    assert "timed out" in failed.last_error.lower()


def test_interrupted_claim_is_sent_again_after_timeout(app, db, smtp):
    _overdue_chain(db)
    run_sweep(app, today=TODAY, send=False)
    reminder = db.scalars(select(Reminder).order_by(Reminder.id)).first()
    # A sweep claimed this reminder and died before recording the result.
    reminder.status, reminder.claimed_by, reminder.claimed_at = "sending", "dead:1", utcnow() - timedelta(hours=1)
    db.commit()
    sent, failed, released = deliver(app)
    assert (sent, failed, released) == (6, 0, 1)
    assert len(smtp.messages) == 6


def test_remind_once_cli_on_demo_data_sends_real_mail_then_nothing(app, runner, smtp):
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = runner.invoke(args=["remind", "--once"])
    assert first.exit_code == 0, first.output
    assert len(smtp.messages) >= 10
    recipients = {r for m in smtp.messages for r in m["to"]}
    assert {"owner@example.jp", "owner2@example.jp", "compliance@example.jp"} <= recipients
    subjects = " ".join(m["message"]["Subject"] for m in smtp.messages)
    assert "モニタリング期限超過" in subjects and "Overdue finding" in subjects
    second = runner.invoke(args=["remind", "--once"])
    assert second.exit_code == 0 and "0 new, 0 sent" in second.output
    assert len(smtp.messages) == len({m["message"]["Message-ID"] for m in smtp.messages})


def test_scheduler_runs_in_its_own_process_and_catches_up_at_start(app, db, smtp, database_url, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    owner, _compliance, _vendors = _overdue_chain(db)
    env = dict(os.environ, VENDORRISK_DATABASE_URL=database_url, VENDORRISK_SECRET_KEY=secrets.token_hex(32),
               VENDORRISK_INSTANCE_PATH=str(tmp_path / "sched"), VENDORRISK_SMTP_HOST="127.0.0.1",
               VENDORRISK_SMTP_PORT=str(smtp.port), VENDORRISK_LOG_LEVEL="WARNING")
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "scheduler"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while len(smtp.messages) < 6 and time.time() < deadline and process.poll() is None:
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=60)[0].decode()  # a liveness bound for a loaded machine
        except subprocess.TimeoutExpired:
            process.kill()  # never leave it running into the next test
            process.communicate()
            raise
    assert "Scheduler started" in output, output
    assert len(smtp.messages) == 6  # the first sweep runs at start-up: overdue reviews caught up
    assert len(smtp.by_recipient(owner.email)) == 3


def test_the_unsent_count_leaves_out_a_reminder_that_used_up_its_attempts(app, db, caplog, unreachable_smtp):
    app.config.update(REMINDER_MAX_ATTEMPTS=1)  # the first failure is the last
    _overdue_chain(db)
    with caplog.at_level(logging.INFO, logger="vendorrisk.reminders"):
        run_sweep(app, today=TODAY)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings[0].startswith("5 reminder(s) not sent, kept in the outbox"), warnings
    assert db.scalars(select(Reminder).where(Reminder.status == "failed")).one().next_attempt_at is None
