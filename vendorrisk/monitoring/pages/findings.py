"""Findings: the board by status with filters, and each finding's page with its history."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorrisk.core import auth, business_days, clock, conflicts, uploads
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from vendorrisk.core.models import StoredFile, User
from vendorrisk.core.registry import NavItem
from vendorrisk.monitoring import findings, remediation, reviews
from vendorrisk.vendors.findings import FINDING_SOURCES, FINDING_STATUSES, SEVERITIES
from vendorrisk.vendors.models import READING_ORDER, Arrangement, Vendor, VendorOwner
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("findings", __name__, template_folder="../templates", url_prefix="/findings")
NAV = [NavItem("findings.board", _l("Findings"), 55)]
PER_COLUMN = 100
EVIDENCE_KINDS = {"pdf", "docx", "xlsx", "txt", "md", "png", "jpeg", "csv"}


def _filters() -> dict:
    args = request.args
    return {"severity": args.get("severity") if args.get("severity") in SEVERITIES else None,
            "source": args.get("source") if args.get("source") in FINDING_SOURCES else None,
            "mine": auth.current_user() if args.get("mine") == "1" else None,
            "unowned": args.get("owner") == "none",
            "vendor_id": args.get("vendor_id", type=int),
            "overdue_on": clock.today() if args.get("overdue") == "1" else None}


@bp.get("/")
@allow(*ALL_ROLES)
def board():
    """Findings in columns by status (open, in progress, resolved, closed), filtered
    (``owner=none``: only those nobody owns)."""
    db = get_session()
    filters = _filters()
    columns = {}
    for status in FINDING_STATUSES:
        query = findings.finding_query(status=status, **filters)
        columns[status] = db.execute(query.limit(PER_COLUMN)).all()
    owner_ids = {f.owner_id for rows in columns.values() for f, _v in rows if f.owner_id}
    owners = {u.id: u.display_name or u.email for u in db.scalars(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    vendors = db.execute(select(Vendor.id, Vendor.name).order_by(*READING_ORDER)).all()
    left = reviews.left_chains(db, {v.id for status in ("open", "in_progress") for _f, v in columns[status]})
    return render_template("monitoring/board.html", columns=columns, owners=owners, today=clock.today(), left=left,
                           severities=SEVERITIES, sources=FINDING_SOURCES, vendors=vendors,
                           args=request.args, vendor_filter=filters["vendor_id"], per_column=PER_COLUMN,
                           unowned=filters["unowned"], unowned_open=findings.unowned_count(db))


RAISERS = ("admin", "compliance", "procurement", "vendor_owner")


def _raisable_vendors(db, user):
    query = select(Vendor.id, Vendor.name).order_by(*READING_ORDER)
    if user.role == "vendor_owner":
        query = query.join(VendorOwner, VendorOwner.vendor_id == Vendor.id).where(VendorOwner.user_id == user.id)
    return db.execute(query).all()


def _render_new(vendor, form=None, errors=(), status=200):
    """The form to raise a finding by hand; without a vendor, first choose one."""
    db = get_session()
    user = auth.current_user()
    if vendor is None:
        return render_template("monitoring/finding_new.html", vendor=None, vendors=_raisable_vendors(db, user),
                               form={}, errors=list(errors)), status
    if not findings.may_raise(db, user, vendor.id):
        raise Forbidden(_("Only the vendor's owners, procurement or compliance may raise a finding about it."))
    staff = db.scalars(select(User).where(User.is_active, User.role != "auditor").order_by(User.display_name)).all()
    form = form or {"arrangement_id": request.args.get("arrangement_id", "")}
    return render_template("monitoring/finding_new.html", vendor=vendor, form=form, errors=list(errors),
                           arrangements=findings.arrangements_of(db, vendor.id), staff=staff,
                           severities=SEVERITIES, today=clock.today()), status


@bp.get("/new")
@allow(*RAISERS)
def new():
    """Raise a finding by hand (from the board, or from a vendor's page with ``vendor_id``)."""
    vendor_id = request.args.get("vendor_id", type=int)
    vendor = get_session().get(Vendor, vendor_id) if vendor_id else None
    if vendor_id and vendor is None:
        abort(404)
    return _render_new(vendor)


@bp.post("/new")
@allow(*RAISERS)
def create():
    """Store a finding raised by hand (its history starts with "raised"; the audit trail
    records the rows), then show it."""
    db = get_session()
    form = request.form.to_dict()
    try:
        finding = findings.create_finding(db, auth.current_user(), form, clock.today())
    except ValidationFailed as exc:
        db.rollback()
        vendor_id = request.form.get("vendor_id", type=int)
        vendor = db.get(Vendor, vendor_id) if vendor_id else None
        return _render_new(vendor, form, exc.details, 422)
    db.commit()
    flash(_("The finding was raised."), "info")
    return redirect(url_for("findings.show", finding_id=finding.id))


EVENT_LABELS = {
    "plan": _l("Action plan"), "response": _l("Vendor response"), "evidence": _l("Evidence added"),
    "acceptance_requested": _l("Risk acceptance requested"), "acceptance_approved": _l("Risk acceptance approved"),
    "acceptance_rejected": _l("Risk acceptance rejected"), "acceptance_withdrawn": _l("Risk acceptance withdrawn"),
    "acceptance_expired": _l("Risk acceptance expired"), "acceptance_ended": _l("Risk acceptance ended"),
}


def render_finding(finding, status=200, form=None, errors=(), message=None, conflict=None):
    """The finding's page; a refused form is shown again with what was typed (``form``),
    its errors next to their fields, and ``message`` above (``conflict``: the form no longer
    applies, someone changed the finding first)."""
    db = get_session()
    user = auth.current_user()
    vendor = db.get(Vendor, finding.vendor_id)
    arrangement = db.get(Arrangement, finding.arrangement_id) if finding.arrangement_id else None
    staff = db.scalars(select(User).where(User.is_active, User.role != "auditor").order_by(User.display_name)).all()
    people = {u.id: u for u in db.scalars(select(User))}
    pending = remediation.open_acceptance(db, finding.id)
    today = clock.today()
    return render_template("monitoring/finding.html", finding=finding, vendor=vendor, arrangement=arrangement,
                           people=people, staff=staff, form=form or {}, errors=list(errors), message=message,
                           conflict=conflict,
                           events=findings.history(db, finding.id), moves=findings.allowed_moves(finding, user),
                           can_edit=user.role in findings.VERIFIERS and finding.status != "closed",
                           may_work=remediation.may_work_on(finding, user) and finding.status != "closed",
                           evidence=remediation.evidence_of(db, finding.id),
                           acceptances=remediation.acceptances_of(db, finding.id), pending=pending,
                           can_decide=(pending is not None and pending.status == "requested"
                                       and user.role in remediation.APPROVERS and pending.requested_by_id != user.id),
                           can_withdraw=(pending is not None and pending.status == "requested" and user.role != "auditor"
                                         and (pending.requested_by_id == user.id or user.role in remediation.APPROVERS)),
                           latest_expiry=remediation.latest_expiry(today), event_labels=EVENT_LABELS,
                           due_note=business_days.moved_note(finding.due_date, finding.nominal_due_date),
                           severities=SEVERITIES, evidenced=findings.EVIDENCED_SEVERITIES, today=today,
                           left=finding.status in ("open", "in_progress") and bool(reviews.left_chains(db, [vendor.id]))
                           ), status


@bp.get("/<int:finding_id>")
@allow(*ALL_ROLES)
def show(finding_id):
    """A finding with its history, status moves and closure evidence."""
    return render_finding(findings.get_finding(get_session(), finding_id))


@bp.post("/<int:finding_id>/move")
@allow("admin", "compliance", "procurement", "vendor_owner")
def move(finding_id):
    """Move a finding to another status (closing needs an action plan, evidence and a second
    person); a refused move shows the page again with what was typed."""
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
        return refused(db, finding_id, exc)
    db.commit()
    flash(_("The finding is now %(status)s.", status=_(finding.status.replace("_", " "))), "info")
    return redirect(url_for("findings.show", finding_id=finding_id))


# The typed texts of the finding's forms, kept to copy when the finding changed first
TYPED_TEXTS = {"note": _l("Note"), "evidence": _l("Evidence"), "description": _l("Description"),
               "action_plan": _l("Action plan"), "vendor_response": _l("Vendor response"),
               "evidence_note": _l("What shows it is remediated"), "decision_note": _l("Note"),
               "rationale": _l("Why the risk can be accepted")}


def refused(db, finding_id, exc: DomainError):
    """The finding's page again, with the typed values, the problems by field and the reason;
    a conflict (the finding moved on since the form was opened) also says who changed it last,
    when, and keeps the typed texts to copy, since the form may no longer be shown."""
    details = exc.details if isinstance(exc.details, list) else []
    if isinstance(exc, Conflict):
        last = findings.history(db, finding_id)[-1:]
        event, actor = last[0] if last else (None, None)
        notice = conflicts.notice(
            exc, by=conflicts.person(actor), at=event.at if event else None,
            advice=_("Read the finding's status and history below; if your change is still needed, make it "
                     "again from there."),
            kept=[(TYPED_TEXTS[name], value) for name, value in request.form.items() if name in TYPED_TEXTS])
        return render_finding(findings.get_finding(db, finding_id), exc.status, request.form.to_dict(), details,
                              conflict=notice)
    return render_finding(findings.get_finding(db, finding_id), exc.status, request.form.to_dict(), details,
                          exc.message)


@bp.post("/<int:finding_id>/edit")
@allow("admin", "compliance")
def edit(finding_id):
    """Change severity, owner, due date or description."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    try:
        findings.update_finding(db, finding, auth.current_user(), request.form.to_dict())
    except DomainError as exc:
        db.rollback()
        return refused(db, finding_id, exc)
    db.commit()
    flash(_("The finding was updated."), "info")
    return redirect(url_for("findings.show", finding_id=finding_id))


@bp.get("/<int:finding_id>/evidence")
@allow(*ALL_ROLES)
def evidence(finding_id):
    """Download the closure evidence file (recorded in the audit trail)."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    require_file_access(db, g.user, finding.vendor_id)
    stored = db.get(StoredFile, finding.closure_file_id) if finding.closure_file_id else None
    if stored is None:
        abort(404)
    return send_stored(db, stored, entity="finding", entity_id=finding_id)
