"""What the page and API routes of the export jobs share: queueing a job (202 and its URL)
and answering a job's URL (its status while it runs, then its file)."""
from datetime import datetime
from typing import Literal, Optional

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from pydantic import Field

from vendorrisk.compliance import jobs
from vendorrisk.core import downloads
from vendorrisk.core.api import Public
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session, new_session
from vendorrisk.core.errors import Conflict, wants_json
from vendorrisk.core.i18n import language
from vendorrisk.core.models import StoredFile


class ExportJobPublic(Public):
    """An export job: its status and progress; ``url`` answers the file once it is done."""

    id: int
    kind: Literal[tuple(jobs.KINDS)]
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(description="Units done (vendors of the matrix, arrangements of the register)")
    total: int = Field(description="Units in all (0 until known)")
    filename: str
    size: int
    error: str
    created_at: datetime
    finished_at: Optional[datetime]
    url: str


def status_of(job, url: str) -> dict:
    """The job as JSON: status, progress, and where to follow or fetch it."""
    return ExportJobPublic.dump(job, url=url)


def queue(kind: str, params: dict, url_of, api: bool = False):
    """Record the export job (in a writing transaction of its own: export links are GETs) and
    answer 202 with its URL (``Location``), as JSON (API, or asked for) or as the job's page."""
    user = current_user()
    session = new_session(writes=True)
    session.info["actor_id"], session.info["actor"] = user.id, user.email
    try:
        job = jobs.start(session, user, kind, params, language())
        session.commit()
    finally:
        session.close()
    url = url_of(job.id)
    if api or wants_json():
        body = jsonify(status_of(job, url))
    else:
        body = render_template("compliance/job.html", job=job, url=url)
    response = make_response(body, 202)
    response.headers["Location"] = url
    return response


def answer(job, url: str, restart_url: str, api: bool = False):
    """A job's URL: its status while queued or running (202), the file once done, why it
    failed (JSON 409, or the page with a restart button). ``?status``: the status as JSON
    whatever it is (what the page polls)."""
    if "status" in request.args:
        return jsonify(status_of(job, url)), 202 if job.status in jobs.PENDING else 200
    if job.status == "done":
        session = get_session()
        stored = session.get(StoredFile, job.file_id)
        return downloads.send_stored(session, stored, job.filename, entity="export_job", entity_id=job.id)
    if api or wants_json():
        if job.status == "failed":
            raise Conflict(_("The export failed. Restart it; if it fails again, send the technical message "
                             "below to your administrator."),
                           [{"status": "failed", "restart": restart_url, "error": job.error}], technical=job.error)
        return jsonify(status_of(job, url)), 202
    html = render_template("compliance/job.html", job=job, url=url, restart_url=restart_url)
    return html, 200 if job.status == "failed" else 202
