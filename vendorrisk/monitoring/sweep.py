"""The reminder sweep: plan reviews, store every reminder that should exist, send the
pending ones — each exactly once, whatever the number of sweeps running.

1. ``regenerate_plans`` brings review plans up to date (idempotent), and risk acceptances
   whose expiry passed send their findings back to work (``expire_acceptances``).
2. Every reminder source in the registry yields the reminders that should exist
   today; they are inserted with ``INSERT ... ON CONFLICT DO NOTHING`` on the unique key
   (subject, kind, due date, recipient), so a reminder exists once however often the
   sweep runs, and its cost does not depend on how many were sent before.
3. Pending reminders are *claimed* one by one (``UPDATE ... SET status='sending' WHERE
   id=? AND status='pending'``; only the sweep whose update changed the row sends it),
   sent, and the result recorded. SMTP failures are recorded and retried with
   exponential backoff; after ``REMINDER_MAX_ATTEMPTS`` a reminder stays ``failed`` (on
   the outbox page, never deleted) until someone retries it.

Crash between sending and recording (deliberate choice: **at-least-once**): if the
process dies after the SMTP server accepted a message but before ``sent`` is committed,
the row stays ``sending``; a later sweep returns claims older than
``REMINDER_CLAIM_TIMEOUT_MINUTES`` to ``pending`` and sends them again. A reminder can
therefore, rarely, arrive twice (with the same Message-ID, so mail systems may fold the
copies) but is never silently lost — for a regulatory reminder, a duplicate costs less
than a review nobody was told about.
"""
import gc
import logging
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from vendorrisk.core import clock, events, mail, registry, storage
from vendorrisk.core.db import engine_of, new_session, transaction
from vendorrisk.core.models import utcnow
from vendorrisk.core.registry import ReminderSpec
from vendorrisk.monitoring.insert_ignore import insert_ignore
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.monitoring.remediation import expire_acceptances

log = logging.getLogger("vendorrisk.reminders")
MAX_BACKOFF = timedelta(days=1)
SEND_BATCH = 500
REMINDERS = Reminder.__table__


@dataclass
class SweepResult:
    """What one sweep did."""

    plans: dict = field(default_factory=dict)
    expired: int = 0  # risk acceptances whose expiry passed
    wanted: int = 0  # reminders the sources found not stored yet
    created: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0


def worker_name() -> str:
    """Identifies this process in ``Reminder.claimed_by``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def collect(session: Session, today: date) -> list[ReminderSpec]:
    """Every reminder that should exist today, from every registered source."""
    specs = []
    sources = registry.current().reminder_sources
    for name in sorted(sources):
        specs.extend(sources[name](session, today))
    return specs


def store(session: Session, specs: list[ReminderSpec], now: datetime) -> int:
    """Insert the reminders not stored yet (by unique key); return how many were new."""
    rows = {}
    for s in specs:
        key = (s.subject_type, s.subject_id, s.kind, s.due_date, s.recipient)
        rows[key] = {"subject_type": s.subject_type, "subject_id": s.subject_id, "kind": s.kind,
                     "due_date": s.due_date, "recipient": s.recipient[:254],
                     "recipient_user_id": s.recipient_user_id, "language": s.language,
                     "subject_line": s.subject_line[:300], "body": s.body, "link": s.link[:500],
                     "status": "pending", "attempts": 0, "last_error": "", "created_at": now,
                     "claimed_by": "", "attachment_file_id": s.attachment_file_id,
                     "attachment_name": s.attachment_name[:300], "reply_to": s.reply_to[:254]}
    return insert_ignore(session, REMINDERS, list(rows.values())) if rows else 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after ``attempts`` failed ones (doubling, capped)."""
    first = timedelta(minutes=current_app.config["REMINDER_RETRY_MINUTES"])
    return min(first * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


# Kept in English as the outbox's other errors (the mail server's diagnostics, also logged);
# the outbox translates this one sentence, which is the product's own.
INTERRUPTED = "interrupted while sending; sent again"


def _sendable(now: datetime):
    return or_(REMINDERS.c.status == "pending",
               and_(REMINDERS.c.status == "failed", REMINDERS.c.next_attempt_at <= now))


def release_stale_claims(session: Session, now: datetime) -> int:
    """Return to ``pending`` the claims of sweeps that died before recording a result."""
    cutoff = now - timedelta(minutes=current_app.config["REMINDER_CLAIM_TIMEOUT_MINUTES"])
    result = session.execute(update(REMINDERS)
                             .where(REMINDERS.c.status == "sending", REMINDERS.c.claimed_at < cutoff)
                             .values(status="pending", last_error=INTERRUPTED))
    return result.rowcount


def claim(session: Session, reminder_id: int, worker: str, now: datetime) -> bool:
    """Atomically take a reminder for sending; False if another sweep has it or sent it."""
    result = session.execute(update(REMINDERS)
                             .where(REMINDERS.c.id == reminder_id, _sendable(now))
                             .values(status="sending", claimed_by=worker, claimed_at=now,
                                     attempts=REMINDERS.c.attempts + 1))
    return result.rowcount == 1


def _record(engine, reminder_id: int, worker: str, row=None, **values) -> None:
    with transaction(engine=engine) as session:
        result = session.execute(update(REMINDERS).where(REMINDERS.c.id == reminder_id,
                                                         REMINDERS.c.status == "sending",
                                                         REMINDERS.c.claimed_by == worker).values(**values))
        if row is not None and values.get("status") == "sent" and result.rowcount == 1:
            events.publish(session, events.ReminderSent(row.subject_type, row.subject_id, row.kind, row.recipient))


def _attachments(row) -> tuple:
    if not row.attachment_file_id:
        return ()
    from vendorrisk.core.models import StoredFile
    with new_session(engine_of(current_app)) as session:
        stored = session.get(StoredFile, row.attachment_file_id)
        data = storage.backend().get(stored.sha256)
    return ((row.attachment_name or "attachment", data, stored.media_type or "application/octet-stream"),)


def message_for(row, sender: str):
    """The e-mail of a stored reminder, with a Message-ID stable across re-sends (and its
    stored attachment, if it has one)."""
    domain = sender.rpartition("@")[2] or "localhost"
    body = row.body + (f"\n\n{row.link}\n" if row.link else "\n")
    return mail.build_message(to=row.recipient, subject=row.subject_line, body=body, sender=sender,
                              language=row.language, message_id=f"<reminder-{row.id}@{domain}>",
                              reply_to=row.reply_to or "", attachments=_attachments(row))


def _warn_unsent(count: int, exc: mail.MailError) -> None:
    """One warning for a run that the SMTP server stopped (not one per reminder): how many
    reminders wait in the outbox, why, and what to set."""
    log.warning("%d reminder(s) not sent, kept in the outbox (Outbox page) for retry: %s", count, exc)


def deliver(app: Flask, now: datetime | None = None, worker: str | None = None,
            only: list[int] | None = None) -> tuple[int, int, int]:
    """Send the pending reminders (``only`` these ids, when given); return (sent, failed,
    released stale claims).

    A failure to reach the server stops this run (the rest stay pending for the next)."""
    with app.app_context():
        return _deliver(app, now, worker, only)


def send_now(app: Flask, specs: list[ReminderSpec]) -> tuple[int, int]:
    """Store these reminders (once, by their key) and send those of them still pending, at
    once; the sweep retries what fails. Registered as ``Registry.send_now``."""
    if not specs:
        return 0, 0
    now = utcnow()
    with app.app_context():
        with transaction(engine=engine_of(app)) as session:
            store(session, specs, now)
            keys = {(s.subject_type, s.subject_id, s.kind, s.due_date, s.recipient[:254]) for s in specs}
            rows = session.execute(select(REMINDERS.c.id, REMINDERS.c.subject_type, REMINDERS.c.subject_id,
                                          REMINDERS.c.kind, REMINDERS.c.due_date, REMINDERS.c.recipient)
                                   .where(REMINDERS.c.subject_type.in_({k[0] for k in keys}),
                                          REMINDERS.c.subject_id.in_({k[1] for k in keys}),
                                          REMINDERS.c.status == "pending")).all()
        ids = [row.id for row in rows if tuple(row[1:]) in keys]
        sent, failed, _released = _deliver(app, now, None, ids)
    return sent, failed


def _deliver(app: Flask, now: datetime | None, worker: str | None,
             only: list[int] | None = None) -> tuple[int, int, int]:
    engine = engine_of(app)
    worker = worker or worker_name()
    now = now or utcnow()
    max_attempts = app.config["REMINDER_MAX_ATTEMPTS"]
    with transaction(engine=engine) as session:
        released = release_stale_claims(session, now)
    with new_session(engine) as session:
        query = select(REMINDERS.c.id).where(_sendable(now))
        if only is not None:
            query = query.where(REMINDERS.c.id.in_(only or [0]))
        ids = list(session.scalars(query.order_by(REMINDERS.c.id).limit(SEND_BATCH)))
    sent = failed = 0
    with mail.Mailer() as mailer:
        for position, reminder_id in enumerate(ids):
            with transaction(engine=engine) as session:
                if not claim(session, reminder_id, worker, now):
                    continue
                row = session.execute(select(REMINDERS).where(REMINDERS.c.id == reminder_id)).one()
            try:
                message = message_for(row, mailer.settings.sender)
            except Exception as exc:  # noqa: BLE001  one bad message never stops the others
                # The message itself cannot be built (e.g. an address with a line break):
                # retrying cannot help, so it waits in the outbox, failed, with the reason.
                failed += 1
                log.warning("reminder %s cannot be built: %s", reminder_id, exc,
                            exc_info=not isinstance(exc, mail.MailError))
                _record(engine, reminder_id, worker, status="failed", next_attempt_at=None,
                        last_error=f"The message cannot be built: {exc}"[:1000])
                continue
            try:
                mailer.send(message)
            except mail.MailError as exc:
                failed += 1
                attempts = row.attempts
                retry_at = utcnow() + backoff(attempts) if attempts < max_attempts else None
                _record(engine, reminder_id, worker, status="failed", last_error=str(exc)[:1000],
                        next_attempt_at=retry_at)
                if exc.connection:  # this one counts only if it is kept for a retry
                    _warn_unsent(len(ids) - position - (0 if retry_at else 1), exc)
                    break
                log.warning("reminder %s failed (attempt %s): %s", reminder_id, attempts, exc)
                continue
            except Exception as exc:  # noqa: BLE001  an unexpected fault in one message
                failed += 1
                log.exception("reminder %s failed unexpectedly", reminder_id)
                mailer.close()  # the SMTP session may be mid-message: start the next one afresh
                _record(engine, reminder_id, worker, status="failed", next_attempt_at=None,
                        last_error=f"{type(exc).__name__}: {exc}"[:1000])
                continue
            _record(engine, reminder_id, worker, row, status="sent", sent_at=utcnow(), last_error="",
                    next_attempt_at=None)
            sent += 1
    return sent, failed, released


@contextmanager
def collector_paused():
    """The cyclic garbage collector off for one batch, back on after it (if it was on).

    The first sweep of a large plan allocates hundreds of thousands of objects in a few
    milliseconds: some 35 young collections fell inside it, and now and then a full one
    (0.1 s, longer than the sweep). Reference counting still frees what the batch drops; the
    few cycles it leaves are collected after it. Only the scheduler and the ``sweep`` command
    run it, never a web worker's thread."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_sweep(app: Flask, today: date | None = None, now: datetime | None = None,
              worker: str | None = None, send: bool = True) -> SweepResult:
    """One whole sweep: plans, reminders, delivery. Safe to run concurrently and repeatedly."""
    engine = engine_of(app)
    today = today or clock.today()
    now = now or utcnow()
    result = SweepResult()
    with app.app_context():
        with collector_paused():
            with transaction(engine=engine) as session:
                result.plans = regenerate_plans(session)
                result.expired = expire_acceptances(session, today)
            with transaction(engine=engine) as session:
                specs = collect(session, today)
                result.wanted = len(specs)
                result.created = store(session, specs, now)
        if send:
            result.sent, result.failed, result.released = deliver(app, now, worker)
    log.info("sweep: %s", result)
    return result


def schedule(session: Session, now: datetime | None = None) -> dict:
    """When the scheduler's reminder sweep ran last and runs next, as it recorded them:
    ``{"last_run_at", "last_ok", "next_run_at", "running"}``; ``running`` is false when no
    scheduler has recorded a next run, or that run is long overdue (the process is gone)."""
    from vendorrisk.core.models import ScheduledJob
    row = session.get(ScheduledJob, "reminder_sweep")
    if row is None:
        return {"last_run_at": None, "last_ok": True, "next_run_at": None, "running": False}
    now = now or utcnow()
    grace = timedelta(minutes=current_app.config["SCHEDULER_SWEEP_MINUTES"])
    next_run = row.next_run_at
    running = next_run is not None and next_run + grace >= now
    return {"last_run_at": row.last_run_at, "last_ok": row.last_ok, "next_run_at": next_run, "running": running}


def retry(session: Session, reminder_id: int) -> None:
    """Put a failed reminder back in the queue now (from the outbox)."""
    from vendorrisk.core.errors import Conflict, NotFound
    reminder = session.get(Reminder, reminder_id)
    if reminder is None:
        raise NotFound(_("No such reminder."))
    if reminder.status != "failed":
        raise Conflict(_("Only a failed reminder can be retried."))
    reminder.status, reminder.next_attempt_at, reminder.attempts = "pending", None, 0
    session.flush()
