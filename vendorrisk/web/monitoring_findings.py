"""Findings: the board by status with filters, and each finding's page with its history."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import auth, storage, uploads
from ..access import ALL_ROLES, allow
from ..db import get_session
from ..errors import DomainError
from ..models.files import StoredFile
from ..models.findings import FINDING_SOURCES, FINDING_STATUSES, SEVERITIES
from ..models.users import User
from ..models.vendors import Vendor
from ..services import monitoring_findings as findings
from . import NavItem, lazy_gettext as _l

bp = Blueprint("findings", __name__, url_prefix="/findings")
NAV = [NavItem("findings.board", _l("Findings"), 55)]
PER_COLUMN = 100
EVIDENCE_KINDS = {"pdf", "docx", "xlsx", "txt", "md", "png", "jpeg", "csv"}


def _filters() -> dict:
    args = request.args
    return {"severity": args.get("severity") if args.get("severity") in SEVERITIES else None,
            "source": args.get("source") if args.get("source") in FINDING_SOURCES else None,
            "owner_id": auth.current_user().id if args.get("mine") == "1" else None,
            "vendor_id": args.get("vendor_id", type=int),
            "overdue_on": date.today() if args.get("overdue") == "1" else None}


@bp.get("/")
@allow(*ALL_ROLES)
def board():
    """Findings in columns by status (open, in progress, resolved, closed), filtered."""
    db = get_session()
    filters = _filters()
    columns = {}
    for status in FINDING_STATUSES:
        query = findings.finding_query(status=status, **filters)
        columns[status] = db.execute(query.limit(PER_COLUMN)).all()
    owner_ids = {f.owner_id for rows in columns.values() for f, _v in rows if f.owner_id}
    owners = {u.id: u.display_name or u.email for u in db.scalars(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    vendors = db.execute(select(Vendor.id, Vendor.name).order_by(Vendor.name)).all()
    return render_template("monitoring/board.html", columns=columns, owners=owners, today=date.today(),
                           severities=SEVERITIES, sources=FINDING_SOURCES, vendors=vendors,
                           args=request.args, per_column=PER_COLUMN)


def _render(finding, status=200):
    db = get_session()
    user = auth.current_user()
    vendor = db.get(Vendor, finding.vendor_id)
    staff = db.scalars(select(User).where(User.is_active, User.role != "auditor").order_by(User.display_name)).all()
    people = {u.id: u for u in staff}
    return render_template("monitoring/finding.html", finding=finding, vendor=vendor, people=people, staff=staff,
                           events=findings.history(db, finding.id), moves=findings.allowed_moves(finding, user),
                           can_edit=user.role in findings.VERIFIERS and finding.status != "closed",
                           severities=SEVERITIES, today=date.today()), status


@bp.get("/<int:finding_id>")
@allow(*ALL_ROLES)
def show(finding_id):
    """A finding with its history, status moves and closure evidence."""
    return _render(findings.get_finding(get_session(), finding_id))


@bp.post("/<int:finding_id>/move")
@allow("admin", "compliance", "procurement", "vendor_owner")
def move(finding_id):
    """Move a finding to another status (closing needs evidence and a second person)."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    upload = request.files.get("evidence_file")
    try:
        evidence_file = (uploads.inspect_upload(upload.read(), upload.filename, EVIDENCE_KINDS)
                         if upload and upload.filename else None)
        findings.move_finding(db, finding, auth.current_user(), request.form.get("status", ""),
                              note=request.form.get("note", ""), evidence=request.form.get("evidence", ""),
                              evidence_file=evidence_file)
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("findings.show", finding_id=finding_id))
    db.commit()
    flash(_("The finding is now %(status)s.", status=_(finding.status.replace("_", " "))), "info")
    return redirect(url_for("findings.show", finding_id=finding_id))


@bp.post("/<int:finding_id>/edit")
@allow("admin", "compliance")
def edit(finding_id):
    """Change severity, owner or due date."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    try:
        findings.update_finding(db, finding, auth.current_user(), request.form.to_dict())
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("findings.show", finding_id=finding_id))
    db.commit()
    flash(_("The finding was updated."), "info")
    return redirect(url_for("findings.show", finding_id=finding_id))


@bp.get("/<int:finding_id>/evidence")
@allow(*ALL_ROLES)
def evidence(finding_id):
    """Download the closure evidence file (recorded in the audit trail)."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    stored = db.get(StoredFile, finding.closure_file_id) if finding.closure_file_id else None
    if stored is None:
        abort(404)
    response = storage.download_response(db, stored, entity="finding", entity_id=finding_id)
    db.commit()
    return response
