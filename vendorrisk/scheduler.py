"""The scheduler process: APScheduler 3 running the reminder sweep at an interval, the
compliance matrix's monthly snapshot and the refresh of its date-dependent verdicts once a
day, the queued export jobs (built here, never in a web worker) and the OCR of scanned contracts.

It runs only in its own process (``vendorrisk scheduler``); the web app never starts it,
whatever the number of workers. Running two schedulers by mistake sends nothing twice:
reminders are unique in the database and claimed atomically before sending. The first
sweep runs at start-up, so a day the scheduler was down is caught up at once.
"""
import logging
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from vendorrisk.core import clock
from vendorrisk.core.models import ScheduledJob, utcnow
from vendorrisk.monitoring.sweep import run_sweep

log = logging.getLogger("vendorrisk.scheduler")


def sweep_job(app: Flask) -> None:
    """One sweep; errors are logged, the next run tries again."""
    try:
        result = run_sweep(app)
        log.info("sweep done: %s", result)
    except Exception:
        log.exception("sweep failed")


def snapshot_job(app: Flask) -> None:
    """Refresh the planner's statistics and this month's compliance snapshot (the last run of
    a month is what the trend keeps); idempotent, so a second scheduler or a rerun only
    rewrites the same month."""
    from vendorrisk.compliance import snapshots as compliance
    from vendorrisk.core.db import engine_of, refresh_statistics, transaction

    try:
        refresh_statistics(engine_of(app))
        with transaction(engine=engine_of(app)) as session:
            rows = compliance.take_snapshot(session, compliance.month_start(clock.today()))
        log.info("compliance snapshot refreshed: %d obligations", len(rows))
    except Exception:
        log.exception("compliance snapshot failed")


# The jobs whose last and next runs pages show (the reminder sweep above all).
RECORDED_JOBS = ("reminder_sweep", "compliance_snapshot", "compliance_verdicts")


def record_job(app: Flask, job_id: str, *, ran_at: datetime | None, ok: bool,
               next_run_at: datetime | None) -> None:
    """Store when a job last ran and when it runs next (pages show the next sweep)."""
    from vendorrisk.core.db import engine_of, transaction

    with transaction(engine=engine_of(app)) as session:
        row = session.get(ScheduledJob, job_id) or ScheduledJob(id=job_id)
        if ran_at is not None:
            row.last_run_at, row.last_ok = ran_at, ok
        row.next_run_at, row.updated_at = next_run_at, utcnow()
        session.add(row)


def _recorder(app: Flask, scheduler: BlockingScheduler):
    def on_event(event) -> None:
        if event.job_id not in RECORDED_JOBS:
            return  # the export poll runs every few seconds: recording it would write as often
        job = scheduler.get_job(event.job_id)
        try:
            record_job(app, event.job_id, ran_at=None if event.code == EVENT_JOB_MISSED else utcnow(),
                       ok=event.code == EVENT_JOB_EXECUTED, next_run_at=job.next_run_time if job else None)
        except Exception:
            log.exception("could not record the run of %s", event.job_id)
    return on_event


def stopped(app: Flask, scheduler: BlockingScheduler) -> None:
    """Record that no job will run until the scheduler is started again."""
    for job in scheduler.get_jobs():
        if job.id in RECORDED_JOBS:
            record_job(app, job.id, ran_at=None, ok=True, next_run_at=None)


def exports_job(app: Flask) -> None:
    """Build the queued export jobs, one after the other; errors are logged per job."""
    from vendorrisk.compliance.jobs import run_pending

    try:
        run_pending(app)
    except Exception:
        log.exception("export jobs failed")


def contract_ocr_job(app: Flask) -> None:
    """Read the scanned contract versions queued for OCR, one after the other; errors are logged."""
    from vendorrisk.contracts.ocr_jobs import run_pending

    try:
        run_pending(app)
    except Exception:
        log.exception("contract OCR failed")


def verdicts_job(app: Flask) -> None:
    """Bring the date-dependent compliance verdicts up to date (a review falls overdue, a
    certificate expires with the date alone); a full rebuild when the registered rules
    changed. Idempotent: a second run on the same day writes nothing."""
    from vendorrisk.compliance import maintain
    from vendorrisk.core.db import engine_of, transaction

    try:
        with app.app_context(), transaction(engine=engine_of(app)) as session:
            state = maintain.state(session)
            if state is None or maintain.needs_rebuild(session):
                changed = maintain.rebuild(session)
            elif state.refreshed_on != clock.today():
                changed = maintain.refresh_daily(session)
            else:
                changed = 0  # already brought up to date today
        log.info("compliance verdicts refreshed: %d rows", changed)
    except Exception:
        log.exception("compliance verdict refresh failed")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with the sweep job (first run now, then every N minutes)."""
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(sweep_job, "interval", args=[app], id="reminder_sweep",
                      minutes=app.config["SCHEDULER_SWEEP_MINUTES"],
                      next_run_time=datetime.now(timezone.utc),
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    # 03:00 in Tokyo, after the day's work; a missed run is made up at the next start.
    scheduler.add_job(snapshot_job, "cron", args=[app], id="compliance_snapshot", hour=18, minute=0,
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_listener(_recorder(app, scheduler), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    # Every hour (a run on a day already refreshed writes nothing): the verdicts that depend on
    # the date follow the rules' day (the server's date) within the hour it changes; first five
    # minutes after start-up, once the reminder sweep has caught up (a stop soon after start
    # does not wait for a rebuild).
    scheduler.add_job(verdicts_job, "interval", args=[app], id="compliance_verdicts", hours=1,
                      next_run_time=datetime.now(timezone.utc) + timedelta(minutes=5),
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_job(exports_job, "interval", args=[app], id="export_jobs",
                      seconds=app.config["EXPORT_JOB_POLL_SECONDS"], max_instances=1, coalesce=True,
                      misfire_grace_time=None)
    scheduler.add_job(contract_ocr_job, "interval", args=[app], id="contract_ocr",
                      seconds=app.config["CONTRACT_OCR_POLL_SECONDS"], max_instances=1, coalesce=True,
                      misfire_grace_time=None)
    return scheduler
