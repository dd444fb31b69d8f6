"""API of the exports: each export starts a background job (202 and the job's URL); the job's
URL answers its status while it runs, then the file."""
from typing import Literal, Optional

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from pydantic import Field

from vendorrisk.compliance import jobs, matrix
from vendorrisk.compliance.api import MatrixQuery
from vendorrisk.compliance.job_views import ExportJobPublic, answer, queue, status_of
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, operation
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("api_exports", __name__, url_prefix="/api/v1")


class ExportQuery(MatrixQuery):
    """What to export: the matrix's filters, the DORA template, the evidence pack's vendor."""

    template: Optional[Literal["b0501", "b0502"]] = Field(default=None, description="DORA template (kind dora)")
    language: Optional[Literal["ja", "en"]] = Field(default=None, description="Board report language")


@bp.get("/exports/<kind>")
@allow(*ALL_ROLES)
@operation("startExport", "Start an export as a background job (matrix, register, board_report, dora, "
           "evidence_pack); the answer's url follows it", ok=ExportJobPublic, status=202, query=ExportQuery,
           errors=(404, 422))
def start_export(kind: str):
    """Queue the export ``kind`` with the query's parameters; a job already queued or running
    for the same user and parameters is answered instead of a new one."""
    if kind not in jobs.KINDS:
        raise NotFound(f"No such export; use one of {', '.join(jobs.KINDS)}.")
    args = request.args
    if kind == "matrix":
        params = matrix.MatrixFilters.from_args(args).as_args()
    elif kind == "dora":
        if args.get("template") not in ("b0501", "b0502"):
            raise ValidationFailed(_("Give the template: b0501 or b0502."),
                                   [{"field": "template", "message": "b0501 or b0502"}])
        params = {"template": args["template"]}
    elif kind == "evidence_pack":
        vendor_id = args.get("vendor_id", type=int)
        if vendor_id is None or get_session().get(Vendor, vendor_id) is None:
            raise NotFound(_("No such vendor."))
        require_file_access(get_session(), current_user(), vendor_id)
        params = {"vendor_id": vendor_id}
    elif kind == "board_report":
        params = {"language": args.get("language") or "ja"}
    else:
        params = {}
    return queue(kind, params, lambda job_id: url_for("api_exports.get_job", job_id=job_id), api=True)


@bp.get("/jobs/<int:job_id>")
@allow(*ALL_ROLES)
@operation("getExportJob", "An export job: 202 and its status while it is queued or running, then the file",
           ok=Binary("*/*", "The exported file (xlsx, docx, csv or zip)"),
           also={202: ("Still queued or running (or ?status: the status whatever it is)", ExportJobPublic)},
           errors=(404, 409))
def get_job(job_id: int):
    """The job's file once done; its status before; 409 naming the error when it failed."""
    job = jobs.get(get_session(), job_id, current_user())
    return answer(job, url_for("api_exports.get_job", job_id=job.id),
                  url_for("api_exports.restart_job", job_id=job.id), api=True)


@bp.post("/jobs/<int:job_id>/restart")
@allow("admin", "compliance", "procurement", "vendor_owner")
@operation("restartExportJob", "Queue a failed export job again", ok=ExportJobPublic, status=202, errors=(404, 409))
def restart_job(job_id: int):
    """Queue a failed job again (its file is built anew)."""
    session = get_session()
    job = jobs.get(session, job_id, current_user())
    if job.status != "failed":
        raise Conflict(_("Only a failed export can be restarted."))
    jobs.restart(session, job)
    session.commit()
    url = url_for("api_exports.get_job", job_id=job.id)
    return status_of(job, url), 202, {"Location": url}
