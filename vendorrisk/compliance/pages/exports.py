"""Export jobs on the pages: an export link queues a job and answers 202 with the job's page,
which shows a progress bar while the scheduler builds the file; the same URL then answers
the file. A failed job can be restarted."""
from flask import Blueprint, redirect, url_for
from flask_babel import gettext as _

from vendorrisk.compliance import job_views, jobs
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict

bp = Blueprint("exports", __name__, template_folder="../templates", url_prefix="/compliance/jobs")


def queue(kind: str, params: dict):
    """Queue an export from a page: 202 and the job's page."""
    return job_views.queue(kind, params, lambda job_id: url_for("exports.show", job_id=job_id))


@bp.get("/<int:job_id>")
@allow(*ALL_ROLES)
def show(job_id: int):
    """The job's progress while it runs, then its file."""
    job = jobs.get(get_session(), job_id, current_user())
    return job_views.answer(job, url_for("exports.show", job_id=job.id), url_for("exports.restart", job_id=job.id))


@bp.post("/<int:job_id>/restart")
@allow("admin", "compliance", "procurement", "vendor_owner")
def restart(job_id: int):
    """Queue a failed job again."""
    session = get_session()
    job = jobs.get(session, job_id, current_user())
    if job.status != "failed":
        raise Conflict(_("Only a failed export can be restarted."))
    jobs.restart(session, job)
    session.commit()
    return redirect(url_for("exports.show", job_id=job.id), 303)
