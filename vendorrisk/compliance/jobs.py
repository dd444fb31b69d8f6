"""Exports built in the background: a queue of ``export_job`` rows that the scheduler process
works through (``vendorrisk scheduler``, or ``vendorrisk compliance run-exports``), never a
web thread.

A request only records the job (``start``) and answers ``202`` with the job's URL; the runner
claims the oldest queued job atomically (``UPDATE ... WHERE status = 'queued'``, so two
runners never build the same job), builds the file into a temporary file (streamed: the
matrix and register rows are spooled, never held in memory), stores it, and records the
export in the audit trail. Progress and a heartbeat are written as it goes; a job whose
heartbeat stopped (the runner crashed or was killed) is marked failed by the next runner
(``reap``) and can be restarted. The file is kept for its starter and the roles that may
start that export.
"""
import logging
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlmodel import Session

from vendorrisk.compliance.models import ExportJob
from vendorrisk.core import audit, clock, storage
from vendorrisk.core.access import ALL_ROLES
from vendorrisk.core.db import engine_of, new_session, transaction
from vendorrisk.core.downloads import DOCX, XLSX
from vendorrisk.core.errors import NotFound
from vendorrisk.core.models import User, utcnow

log = logging.getLogger("vendorrisk.exports")
J = ExportJob.__table__
PENDING = ("queued", "running")


@dataclass(frozen=True)
class Kind:
    """An export that runs as a job: how to build it, its file name, type and audit entity."""

    name: str
    build: Callable  # build(session, params, out, progress) -> None, writes the file into ``out``
    filename: Callable[[dict], str]
    mimetype: str
    entity: str
    roles: tuple = ALL_ROLES  # who may start it and fetch its file (besides its starter)


def _stamp() -> str:
    return clock.stamp()


def _matrix(session, params, out, progress):
    from vendorrisk.compliance import matrix
    from vendorrisk.compliance.matrix_xlsx import matrix_workbook
    matrix_workbook(session, matrix.MatrixFilters.from_args(params), out, progress)


def _register(session, params, out, progress):
    from vendorrisk.compliance.matrix_xlsx import register_workbook
    register_workbook(session, out, progress)


def _board_report(session, params, out, progress):
    from vendorrisk.compliance.board_docx import board_report
    out.write(board_report(session, clock.today(), language=params.get("language", "ja")))


def _dora(session, params, out, progress):
    from vendorrisk.compliance.dora import TEMPLATES
    TEMPLATES[params["template"]](session, out)


def _evidence_pack(session, params, out, progress):
    from vendorrisk.compliance.evidence_pack import evidence_pack
    from vendorrisk.vendors.models import Vendor
    vendor = session.get(Vendor, int(params["vendor_id"]))
    if vendor is None:
        raise NotFound(gettext("No such vendor."))
    out.write(evidence_pack(session, vendor, utcnow()))


KINDS = {kind.name: kind for kind in (
    Kind("matrix", _matrix, lambda p: f"compliance-matrix-{_stamp()}.xlsx", XLSX, "compliance_matrix"),
    Kind("register", _register, lambda p: f"outsourcing-register-{_stamp()}.xlsx", XLSX, "outsourcing_register"),
    Kind("board_report", _board_report, lambda p: f"board-report-{_stamp()}.docx", DOCX, "board_report"),
    Kind("dora", _dora, lambda p: f"dora-{p['template']}.csv", "text/csv", "dora_register"),
    Kind("evidence_pack", _evidence_pack, lambda p: f"evidence-pack-{p['vendor_id']}-{_stamp()}.zip",
         "application/zip", "vendor"),
)}


def may_see(user: User, job: ExportJob) -> bool:
    """The starter, and the roles that may start this kind of export, may follow and fetch it."""
    return job.created_by_id == user.id or user.role == "admin" or user.role in KINDS[job.kind].roles


def get(session: Session, job_id: int, user: User) -> ExportJob:
    """A job this user may see, or ``NotFound`` (an unknown job and another's look the same)."""
    job = session.get(ExportJob, job_id)
    if job is None or not may_see(user, job):
        raise NotFound(gettext("No such export job."))
    return job


def start(session: Session, user: User, kind: str, params: dict, language: str) -> ExportJob:
    """Queue an export (or return the same user's identical one still queued or running)."""
    same = session.scalars(select(ExportJob).where(ExportJob.created_by_id == user.id, ExportJob.kind == kind,
                                                ExportJob.status.in_(PENDING), ExportJob.language == language)
                        .order_by(ExportJob.id.desc())).all()
    for job in same:
        if job.params == params:
            return job
    job = ExportJob(kind=kind, params=params, language=language, created_by_id=user.id)
    session.add(job)
    session.flush()
    return job


def restart(session: Session, job: ExportJob) -> ExportJob:
    """Queue a failed job again."""
    session.execute(update(J).where(J.c.id == job.id, J.c.status == "failed")
                    .values(status="queued", progress=0, total=0, error="", runner="", started_at=None,
                            heartbeat_at=None, finished_at=None))
    audit.add_event(session, action="restart", entity="export_job", entity_id=job.id)
    session.flush()
    session.refresh(job)
    return job


def reap(session: Session, stale: timedelta) -> int:
    """Mark failed the running jobs whose runner stopped beating (crashed, killed, restarted)."""
    before = utcnow() - stale
    result = session.execute(update(J).where(J.c.status == "running", J.c.heartbeat_at < before)
                             .values(status="failed", finished_at=utcnow(),
                                     error="The export stopped (its runner crashed or was stopped); restart it."))
    return result.rowcount


def claim(session: Session, runner: str) -> int | None:
    """Take the oldest queued job for this runner; None when the queue is empty."""
    while True:
        job_id = session.execute(select(J.c.id).where(J.c.status == "queued").order_by(J.c.id).limit(1)).scalar()
        if job_id is None:
            return None
        now = utcnow()
        taken = session.execute(update(J).where(J.c.id == job_id, J.c.status == "queued")
                                .values(status="running", runner=runner, started_at=now, heartbeat_at=now,
                                        attempts=J.c.attempts + 1)).rowcount
        if taken:
            return job_id


def _progress(app: Flask, job_id: int) -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.monotonic() - last[0] < 0.5:
            return
        last[0] = time.monotonic()
        with transaction(engine=engine_of(app)) as session:
            session.execute(update(J).where(J.c.id == job_id)
                            .values(progress=done, total=total, heartbeat_at=utcnow()))
    return report


def _snapshot_reader(engine) -> Session:
    """The session a build reads through: one snapshot of the database for the whole build, so
    that an export read in batches (the matrix, the register) is one moment's data. SQLite's read
    transaction is one already; PostgreSQL's default (READ COMMITTED) takes a snapshot per
    statement, so the build reads in REPEATABLE READ."""
    reader = new_session(engine)
    if engine.dialect.name == "postgresql":
        reader.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return reader


def run(app: Flask, job_id: int) -> None:
    """Build one claimed job's file, store it and mark the job done (or failed, with why)."""
    engine = engine_of(app)
    with app.app_context():
        with transaction(engine=engine) as session:
            job = session.get(ExportJob, job_id)
            kind, params, language, starter = job.kind, dict(job.params), job.language, job.created_by_id
        try:
            with tempfile.TemporaryDirectory(prefix="vendorrisk-export-") as folder:
                path = Path(folder) / "export"
                reader = _snapshot_reader(engine)
                try:
                    with force_locale(language), open(path, "wb") as out:
                        KINDS[kind].build(reader, params, out, _progress(app, job_id))
                finally:
                    reader.close()
                filename = KINDS[kind].filename(params)
                with transaction(actor_id=starter, engine=engine) as session:
                    user = session.get(User, starter)
                    session.info["actor"] = user.email if user else "system"
                    stored = storage.store_file(session, path, filename, KINDS[kind].mimetype, starter)
                    size = os.path.getsize(path)
                    session.execute(update(J).where(J.c.id == job_id).values(
                        status="done", file_id=stored.id, filename=filename, size=size, finished_at=utcnow(),
                        heartbeat_at=utcnow()))
                    audit.add_event(session, action="export", entity=KINDS[kind].entity,
                                    entity_id=params.get("vendor_id", params.get("template", "")),
                                    after={"filename": filename, "size": size, "job_id": job_id, **params})
        except Exception as exc:  # the job fails; the runner goes on with the next one
            log.exception("export job %s failed", job_id)
            with transaction(engine=engine) as session:
                session.execute(update(J).where(J.c.id == job_id).values(
                    status="failed", finished_at=utcnow(), error=f"{type(exc).__name__}: {exc}"[:2000]))


def _anything_to_do(app: Flask, stale: timedelta) -> bool:
    """Whether a job is queued or has stalled: a read, so that polling every few seconds never
    takes SQLite's write lock (nor waits for it) when there is nothing to do."""
    session = new_session(engine_of(app))
    try:
        return session.execute(select(J.c.id).where(
            (J.c.status == "queued") | ((J.c.status == "running") & (J.c.heartbeat_at < utcnow() - stale)))
            .limit(1)).first() is not None
    finally:
        session.close()


def run_pending(app: Flask, limit: int | None = None) -> int:
    """Reap stalled jobs, then build queued ones until the queue is empty; returns how many ran."""
    runner = f"{socket.gethostname()}:{os.getpid()}"
    stale = timedelta(minutes=app.config["EXPORT_JOB_STALE_MINUTES"])
    ran = 0
    with app.app_context():
        if not _anything_to_do(app, stale):
            return 0
        with transaction(engine=engine_of(app)) as session:
            reaped = reap(session, stale)
        if reaped:
            log.warning("%d export job(s) had stalled and were marked failed", reaped)
        while limit is None or ran < limit:
            with transaction(engine=engine_of(app)) as session:
                job_id = claim(session, runner)
            if job_id is None:
                break
            run(app, job_id)
            ran += 1
    return ran
