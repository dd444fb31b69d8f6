"""The scheduler process: APScheduler 3 running the reminder sweep at an interval and the
compliance matrix's monthly snapshot once a day.

It runs only in its own process (``vendorrisk scheduler``); the web app never starts it,
whatever the number of workers. Running two schedulers by mistake sends nothing twice:
reminders are unique in the database and claimed atomically before sending. The first
sweep runs at start-up, so a day the scheduler was down is caught up at once.
"""
import logging
from datetime import date, datetime, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

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
            rows = compliance.take_snapshot(session, compliance.month_start(date.today()))
        log.info("compliance snapshot refreshed: %d obligations", len(rows))
    except Exception:
        log.exception("compliance snapshot failed")


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
        record_job(app, job.id, ran_at=None, ok=True, next_run_at=None)


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
    return scheduler
