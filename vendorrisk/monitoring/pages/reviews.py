"""Review pages: due and overdue reviews, a month calendar, and the review record form."""
import calendar
from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorrisk.core import auth, business_days, clock, conflicts, uploads
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.models import StoredFile, User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.monitoring import calendar as feeds
from vendorrisk.monitoring import reviews, sweep, vendor_summary
from vendorrisk.monitoring.findings import may_raise
from vendorrisk.monitoring.models import CHECK_RESULTS, REVIEW_CHECKS, REVIEW_METHODS, REVIEW_OUTCOMES, ReviewAttachment
from vendorrisk.vendors.findings import SEVERITIES, Finding
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("reviews", __name__, template_folder="../templates", url_prefix="/reviews")
NAV = [NavItem("reviews.index", _l("Reviews"), 50)]

CHECK_LABELS = {
    "service_levels": _l("Service levels met"),
    "incidents": _l("Incidents and their handling"),
    "sub_outsourcing_changes": _l("Changes in sub-outsourcing"),
    "certificates_reports": _l("Certificates and reports (ISO/IEC 27001, SOC2, ...)"),
    "user_data_handling": _l("Handling of user data (Art. 26(3))"),
    "data_locations": _l("Locations of user data"),
}
FINDING_ROWS = 3


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Due (next 30 days), overdue, open or completed reviews; optionally only mine, or only
    those nobody owns (``owner=none``: their vendor has no active assigned staff)."""
    status = request.args.get("status", "open")
    status = status if status in reviews.REVIEW_FILTERS else "open"
    mine = request.args.get("mine") == "1"
    unowned = request.args.get("owner") == "none"
    user = auth.current_user()
    db = get_session()
    query = reviews.review_query(status, clock.today(), mine=user if mine else None, unowned=unowned)
    page = paginate(db, query, request.args.get("page", 1, type=int), 50, scalars=False)
    owners = _names(db, {r.owner_id for r, _v in page.items})
    left = reviews.left_chains(db, {v.id for r, v in page.items if r.status != "completed"})
    return render_template("monitoring/reviews.html", page=page, status=status, mine=mine, owners=owners, left=left,
                           unowned=unowned, unowned_open=reviews.unowned_count(db),
                           today=clock.today(), filters=reviews.REVIEW_FILTERS,
                           schedule=sweep.schedule(db))


def _names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u: n or e for u, n, e in session.execute(select(User.id, User.display_name, User.email).where(User.id.in_(ids)))}


@bp.get("/calendar")
@allow(*ALL_ROLES)
def month():
    """A month calendar of open reviews and unresolved findings by due date, and the other
    areas' dated obligations (campaigns, 反社会的勢力チェック); a date moved off a closed day
    says from where and why."""
    today = clock.today()
    try:
        first = date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    db = get_session()
    events: dict[date, list] = {}
    for review, vendor in db.execute(reviews.review_query("open", today)
                                     .where(reviews.MonitoringReview.due_date.between(first, last))):
        events.setdefault(review.due_date, []).append(("review", review.id, vendor, review.due_date < today,
                                                        business_days.moved_note(review.due_date, review.nominal_due_date)))
    for finding, vendor in db.execute(select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
                                      .where(Finding.status.in_(("open", "in_progress")),
                                             Finding.due_date.between(first, last))):
        events.setdefault(finding.due_date, []).append(("finding", finding.id, vendor, finding.due_date < today,
                                                        business_days.moved_note(finding.due_date, finding.nominal_due_date)))
    for entry in feeds.entries(db, None, first, last):
        events.setdefault(entry.day, []).append((entry.kind, entry, None, entry.day < today,
                                                 business_days.moved_note(entry.day, entry.nominal)))
    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    business = business_days.current()
    closures = {day: closure for week in weeks for day in week if (closure := business.closure(day))}
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    following = (last + timedelta(days=1)).strftime("%Y-%m")
    return render_template("monitoring/calendar.html", weeks=weeks, events=events, first=first, today=today,
                           closures=closures,
                           previous=previous, following=following)


def _form_data(form) -> dict:
    checks = {name: {"result": form.get(f"check_{name}", ""), "note": form.get(f"note_{name}", "")}
              for name in REVIEW_CHECKS}
    findings = [{"title": form.get(f"finding_title_{i}", ""), "severity": form.get(f"finding_severity_{i}", "medium"),
                 "due_date": form.get(f"finding_due_{i}", ""), "description": form.get(f"finding_description_{i}", "")}
                for i in range(FINDING_ROWS)]
    return {"performed_on": form.get("performed_on", ""), "method": form.get("method", ""),
            "outcome": form.get("outcome", ""), "summary": form.get("summary", ""), "checks": checks,
            "findings": findings}


def _render_review(review, errors=(), form=None, status=200, conflict=None):
    db = get_session()
    vendor = db.get(Vendor, review.vendor_id)
    user = auth.current_user()
    owner = db.get(User, review.owner_id) if review.owner_id else None
    findings = db.scalars(select(Finding).where(Finding.source == "review",
                                             Finding.source_ref.like(f"review:{review.id}:%"))
                       .order_by(Finding.id)).all()
    return render_template("monitoring/review.html", review=review, vendor=vendor, owner=owner, errors=list(errors),
                           form=form, findings=findings,
                           left=review.status != "completed" and bool(reviews.left_chains(db, [vendor.id])),
                           attachments=reviews.review_attachments(db, review.id),
                           editable=review.status != "completed" and reviews.may_change_vendor(db, user, review.vendor_id),
                           checks=REVIEW_CHECKS, check_labels=CHECK_LABELS, results=CHECK_RESULTS,
                           methods=REVIEW_METHODS, outcomes=REVIEW_OUTCOMES, severities=SEVERITIES,
                           finding_rows=range(FINDING_ROWS), today=clock.today(), conflict=conflict), status


@bp.get("/<int:review_id>")
@allow(*ALL_ROLES)
def show(review_id):
    """A review: what was checked, its outcome, files and findings; the form while open."""
    return _render_review(reviews.get_review(get_session(), review_id))


@bp.post("/<int:review_id>")
@allow("admin", "compliance", "procurement", "vendor_owner")
def record(review_id):
    """Save a draft of the review, or complete it (raising its findings, planning the next)."""
    db = get_session()
    review = reviews.get_review(db, review_id)
    complete = request.form.get("action") == "complete"
    data = _form_data(request.form)
    try:
        files = [uploads.inspect_upload(f.read(), f.filename, reviews.ATTACHMENT_KINDS)
                 for f in request.files.getlist("attachments") if f and f.filename]
        raised = reviews.record_review(db, review, auth.current_user(), data, today=clock.today(),
                                       complete=complete, attachments=files)
    except ValidationFailed as exc:
        db.rollback()
        return _render_review(reviews.get_review(db, review_id), exc.details, data, 422)
    except Conflict as exc:  # completed by someone else since the form was opened
        conflicts.for_page(exc)
        db.rollback()
        return _completed_meanwhile(reviews.get_review(db, review_id), exc, data)
    db.commit()
    if complete:
        flash(_("Review completed. Findings raised: %(count)s. The next review is planned.", count=len(raised)), "info")
    else:
        flash(_("Review saved as draft."), "info")
    return redirect(url_for("reviews.show", review_id=review_id))


def _completed_meanwhile(review, exc: Conflict, data: dict):
    """The review's page (409) when it was completed while the form was open: who completed
    it and when, what to do, and the typed texts to copy (the form is no longer shown)."""
    completer = get_session().get(User, review.completed_by_id) if review.completed_by_id else None
    kept = [(_("Summary"), data["summary"])]
    kept += [(CHECK_LABELS[name], data["checks"][name]["note"]) for name in REVIEW_CHECKS]
    kept += [(_("Finding %(n)s", n=n), "\n\n".join(part for part in (row["title"], row["description"]) if part.strip()))
             for n, row in enumerate(data["findings"], start=1)]
    return _render_review(review, (), data, 409, conflicts.notice(
        exc, by=conflicts.person(completer), at=review.completed_at, kept=kept,
        advice=_("What you typed was not saved. Read the completed record below; a finding it misses can "
                 "be raised from the vendor's page, and the next review is already planned.")))


@bp.get("/<int:review_id>/files/<int:file_id>")
@allow(*ALL_ROLES)
def attachment(review_id, file_id):
    """Download a file attached to a review (recorded in the audit trail)."""
    db = get_session()
    linked = db.execute(select(ReviewAttachment.id).where(ReviewAttachment.review_id == review_id,
                                                          ReviewAttachment.file_id == file_id)).first()
    stored = db.get(StoredFile, file_id)
    if linked is None or stored is None:
        abort(404)
    require_file_access(db, g.user, db.get(reviews.MonitoringReview, review_id).vendor_id)
    return send_stored(db, stored, entity="monitoring_review", entity_id=review_id)


def monitoring_panel(session, vendor: Vendor) -> str:
    """Reviews and open findings of ``vendor``, with links to record and raise."""
    user = auth.current_user()
    findings = vendor_summary.open_findings(session, vendor.id)
    return render_template("monitoring/_vendor_panel.html", vendor=vendor, reviews=vendor_summary.vendor_reviews(session, vendor.id),
                           left=bool(reviews.left_chains(session, [vendor.id])),
                           findings=findings, total_findings=findings[0][2] if findings else 0,
                           can_raise=user is not None and may_raise(session, user, vendor.id), today=clock.today(),
                           schedule=sweep.schedule(session))
