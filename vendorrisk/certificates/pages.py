"""Certificate pages: expiry view, coverage of important vendors, a vendor's evidence,
upload, record, review and download."""
from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.certificates import reminders as certificates_reminders  # noqa: F401  (registers the reminder source)
from vendorrisk.certificates import service
from vendorrisk.certificates.coverage import coverage, end_of, expiry_query, important_vendor_ids
from vendorrisk.certificates.models import (
    CERTIFICATE_TYPES,
    DATE_KIND,
    OPINIONS,
    TYPE_LABELS,
    Certificate,
    counts_until,
)
from vendorrisk.core import auth, clock, conflicts
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.i18n import format_local
from vendorrisk.core.models import StoredFile, User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.findings import SEVERITIES
from vendorrisk.vendors.models import READING_ORDER, Vendor
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("certificates", __name__, template_folder="templates", url_prefix="/certificates")
NAV = [NavItem("certificates.index", _l("Certificates"), 60)]
WRITERS = ("compliance", "procurement", "vendor_owner")
REVIEWERS = ("compliance", "vendor_owner")
CHAIN_EDITORS = ("compliance", "procurement")


def state_of(certificate: Certificate, today: date, soon_days: int = 60) -> str:
    """``valid``, ``expiring`` (stops counting within ``soon_days``), ``expired`` (no longer
    counts), or for a report whose period has ended but that still counts (``GAP_MONTHS``
    after it), ``period ended``."""
    until = counts_until(certificate)
    if until is None:
        return "valid"
    if until < today:
        return "expired"
    if (until - today).days <= soon_days:
        return "expiring"
    end = end_of(certificate)
    return "period ended" if DATE_KIND[certificate.type] == "period" and end and end < today else "valid"


@bp.app_context_processor
def _helpers():
    return {"certificate_type_label": lambda t: TYPE_LABELS.get(t, t), "certificate_state": state_of,
            "certificate_end": end_of, "certificate_counts_until": counts_until, "date_kind": DATE_KIND}


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Organisation-wide expiry view: certificates and report periods ending within N days, and expired."""
    today = clock.today()
    within = max(0, min(request.args.get("within", 60, type=int) or 0, 3650))
    show = request.args.get("show", "all")
    if show == "expired":
        query = expiry_query(today, -1)  # ended before today
    else:
        query = expiry_query(today, within, include_expired=show != "expiring")
    page = paginate(get_session(), query, request.args.get("page", 1, type=int), 50, scalars=False)
    return render_template("certificates/index.html", page=page, within=within, show=show, today=today)


@bp.get("/coverage")
@allow(*ALL_ROLES)
def coverage_view():
    """Important vendors (any tier): is there today a current, reviewed audit or report?"""
    db = get_session()
    today = clock.today()
    important = important_vendor_ids(db)
    query = select(Vendor).where(Vendor.id.in_(important or [0])).order_by(*READING_ORDER)
    page = paginate(db, query, request.args.get("page", 1, type=int), 50)
    results = coverage(db, [v.id for v in page.items], today)
    return render_template("certificates/coverage.html", page=page, results=results)


@bp.get("/vendor/<int:vendor_id>")
@allow(*ALL_ROLES)
def vendor_evidence(vendor_id: int):
    """A vendor's evidence: every certificate and report, its state and latest review."""
    db = get_session()
    vendor = service.get_vendor(db, vendor_id)
    today = clock.today()
    certificates = db.exec(select(Certificate).where(Certificate.vendor_id == vendor_id)
                           .order_by(Certificate.created_at.desc(), Certificate.id.desc())).all()
    found = coverage(db, [vendor_id], today)[vendor_id]
    return render_template("certificates/vendor.html", vendor=vendor, certificates=certificates,
                           found=found, today=today)


def panel(session, vendor) -> str:
    """The certificates section of the vendor page."""
    today = clock.today()
    certificates = session.exec(select(Certificate).where(Certificate.vendor_id == vendor.id)
                                .order_by(Certificate.id.desc()).limit(20)).all()
    found = coverage(session, [vendor.id], today)[vendor.id]
    return render_template("certificates/_panel.html", vendor=vendor, certificates=certificates,
                           found=found, today=today)


def _form_data() -> dict:
    return {key: request.form.get(key, "") for key in request.form}


@bp.route("/vendor/<int:vendor_id>/new", methods=["GET", "POST"])
@allow(*WRITERS)
def upload(vendor_id: int):
    """Upload a certificate or report with its details."""
    db = get_session()
    vendor = service.get_vendor(db, vendor_id)
    user = auth.current_user()
    service.ensure_can_change(db, user, vendor_id)
    errors, data, chosen_file, conflict = [], {}, "", None
    if request.method == "POST":
        data = _form_data()
        file = request.files.get("file")
        try:
            recorded = service.record_certificate(
                db, vendor_id=vendor_id, data=data, user=user,
                file_bytes=file.read() if file else b"", filename=file.filename if file else "")
        except ValidationFailed as exc:
            db.rollback()
            errors = exc.details or [{"field": "file", "message": exc.message}]
            chosen_file = file.filename if file else ""
        except Conflict as exc:  # the same file is recorded for this vendor already: name it, keep the rest
            conflicts.for_page(exc)
            db.rollback()
            conflict = _already_recorded(exc)
        else:
            db.commit()
            if recorded.duplicate:
                flash(_("This file was uploaded before (same SHA-256); it is stored once and now "
                        "also recorded here."), "warning")
            flash(_("The certificate was recorded."), "success")
            return redirect(url_for("certificates.record", certificate_id=recorded.certificate.id))
    return render_template("certificates/upload.html", vendor=vendor, errors=errors, data=data,
                           chosen_file=chosen_file, types=CERTIFICATE_TYPES,
                           opinions=OPINIONS, conflict=conflict), (409 if conflict else 422 if errors else 200)


def _already_recorded(exc: Conflict) -> conflicts.ConflictNotice:
    """The words for "this file is recorded for this vendor already": which certificate, who
    uploaded it and when, with its link; the form keeps the other fields as typed."""
    db = get_session()
    existing = service.get_certificate(db, exc.details[0]["certificate_id"])
    uploader = db.get(User, existing.uploaded_by_id) if existing.uploaded_by_id else None
    when = format_local(existing.created_at, with_time=False)
    uploaded = (_("It was uploaded by %(name)s on %(date)s.", name=conflicts.person(uploader), date=when)
                if uploader else _("It was uploaded on %(date)s.", date=when))
    notice = conflicts.notice(exc, advice=" ".join((_("Nothing was recorded."), uploaded, _(
        "To correct it, open it; if you meant another certificate, choose its file below (the other fields "
        "are kept)."))))
    notice.link = (_("Open the %(type)s uploaded as “%(filename)s”", filename=existing.original_filename,
                     type=_(TYPE_LABELS.get(existing.type, existing.type))),
                   url_for("certificates.record", certificate_id=existing.id))
    return notice


@bp.get("/<int:certificate_id>")
@allow(*ALL_ROLES)
def record(certificate_id: int):
    """One certificate: its details, file, subservice organisations and reviews."""
    db = get_session()
    certificate = service.get_certificate(db, certificate_id)
    vendor = db.get(Vendor, certificate.vendor_id)
    stored = db.get(StoredFile, certificate.file_id)
    reviews = service.reviews_of(db, certificate_id)
    reviewers = {u.id: u for u in db.exec(select(User).where(
        User.id.in_([r.reviewer_id for r in reviews] or [0])))}
    same_file = db.exec(select(Certificate).where(Certificate.file_id == certificate.file_id,
                                                  Certificate.id != certificate.id)).all()
    return render_template("certificates/record.html", certificate=certificate, vendor=vendor,
                           stored=stored, reviews=reviews, reviewers=reviewers, same_file=same_file,
                           subservices=service.subservices_of(db, certificate_id), today=clock.today())


@bp.get("/<int:certificate_id>/file")
@allow(*ALL_ROLES)
def download(certificate_id: int):
    """Send the certificate's file under its original name; the download is audited."""
    db = get_session()
    certificate, stored = service.file_of(db, certificate_id)
    require_file_access(db, g.user, certificate.vendor_id)
    return send_stored(db, stored, certificate.original_filename, entity="certificate", entity_id=certificate.id)


@bp.route("/<int:certificate_id>/review", methods=["GET", "POST"])
@allow(*REVIEWERS)
def review(certificate_id: int):
    """Record a review of the report: who read it, when, conclusions and follow-up."""
    db = get_session()
    certificate = service.get_certificate(db, certificate_id)
    vendor = db.get(Vendor, certificate.vendor_id)
    user = auth.current_user()
    service.ensure_can_change(db, user, certificate.vendor_id)
    errors, data = [], {}
    if request.method == "POST":
        data = _form_data()
        try:
            service.record_review(db, certificate, user=user, data=data, today=clock.today())
        except ValidationFailed as exc:
            db.rollback()
            errors = exc.details or [{"field": "conclusion", "message": exc.message}]
        else:
            db.commit()
            flash(_("The review was recorded."), "success")
            return redirect(url_for("certificates.record", certificate_id=certificate_id))
    return render_template("certificates/review.html", certificate=certificate, vendor=vendor,
                           errors=errors, data=data, severities=SEVERITIES,
                           today=clock.today()), (422 if errors else 200)


@bp.post("/<int:certificate_id>/add-to-chains")
@allow(*CHAIN_EDITORS)
def add_to_chains(certificate_id: int):
    """Add the report's carved-out subservice organisations to the vendor's chains."""
    db = get_session()
    certificate = service.get_certificate(db, certificate_id)
    result = service.add_carved_out_to_chains(db, certificate, auth.current_user())
    db.commit()
    flash(_("%(links)s sub-outsourcing links added, %(vendors)s vendors created, %(skipped)s "
            "already present.", links=len(result.created_links), vendors=len(result.created_vendors),
            skipped=result.skipped_duplicates), "success")
    for name in result.refused_self:
        flash(_("%(name)s is the vendor itself; a vendor cannot sub-outsource to itself.", name=name),
              "error")
    for name in result.ambiguous:
        flash(_("%(name)s could be more than one registered vendor (the same name with another legal form); "
                "no link was added for it: add it to the chain yourself.", name=name), "warning")
    return redirect(url_for("certificates.record", certificate_id=certificate_id))
