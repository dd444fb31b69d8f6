"""Vendor pages: the register, a vendor's page, and the forms to add and edit vendors,
their contacts and the staff assigned to them (Art. 26(2))."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.core import clock, registry
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors import listing, people
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import RISK_TIERS, VENDOR_STATUSES, Arrangement, VendorContact, VendorOwner

bp = Blueprint("vendors", __name__, template_folder="../templates", url_prefix="/vendors")
NAV = [NavItem("vendors.index", _l("Vendors"), 10)]
WRITERS = ("compliance", "procurement", "vendor_owner")
# The risk tier is not typed in: it is computed (selection), and overridden only by
# compliance with a reason. The form has no such field; a request that sends one anyway is
# refused by the service.
VENDOR_FIELDS = ("name", "name_kana", "name_en", "corporate_number", "lei", "country", "address", "representative",
                 "risk_tier", "notes")
VENDOR_FLAGS = ("is_system_subsidiary", "is_cloud")
POSITIONS = ("tier1", "subcontractor", "none")


def form_data(fields, flags=(), optional=()) -> dict:
    """The posted form as service input: text fields, checkboxes as booleans, blanks of
    ``optional`` fields as ``None``."""
    data = {}
    for name in fields:
        if name in request.form:
            value = request.form.get(name, "").strip()
            data[name] = None if (name in optional and value == "") else value
    for name in flags:
        data[name] = request.form.get(name) in ("on", "1", "true", "y")
    return data


def refused(exc: DomainError) -> list[dict]:
    """Roll back after a refused form and flash its message; return the field errors."""
    get_session().rollback()
    flash(exc.message, "error")
    return [d for d in exc.details if isinstance(d, dict)]


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The vendor register: search in Japanese or English, filter (``owner=none``: vendors with
    no active assigned staff), paginate."""
    args = request.args
    filters = {"q": args.get("q", "").strip(), "status": args.get("status", ""),
               "risk_tier": args.get("tier", ""), "position": args.get("position", ""),
               "cloud": args.get("cloud") == "1", "subsidiary": args.get("subsidiary") == "1",
               "unowned": args.get("owner") == "none", "user_data": args.get("user_data") == "1"}
    query = listing.vendor_query(**filters)
    page = paginate(get_session(), query, args.get("page", 1, type=int), 50,
                    total=listing.register_total(get_session(), **filters), total_order=True)
    staff = get_session().exec(select(User).where(User.is_active.is_(True), User.role != "auditor")
                               .order_by(User.display_name)).all() if current_user().role in vendor_service.EDITORS else []
    return render_template("vendors/index.html", page=page, q=filters["q"], status=filters["status"],
                           tier=filters["risk_tier"], position=filters["position"], filters=filters,
                           statuses=VENDOR_STATUSES, tiers=RISK_TIERS, positions=POSITIONS, staff=staff)


@bp.route("/new", methods=["GET", "POST"])
@allow("compliance", "procurement")
def new():
    """Register a vendor; a possible duplicate by name asks for confirmation."""
    errors, values, duplicate = [], {}, None
    if request.method == "POST":
        values = form_data(VENDOR_FIELDS + ("confirm_duplicate",), VENDOR_FLAGS)
        values["confirm_duplicate"] = request.form.get("confirm_duplicate") == "1"
        try:
            vendor = vendor_service.create_vendor(get_session(), values)
            get_session().commit()
            flash(_("Vendor registered."), "info")
            return redirect(url_for("vendors.show", vendor_id=vendor.id))
        except (ValidationFailed, Conflict) as exc:
            errors = refused(exc)
            duplicate = next((e.get("vendor_id") for e in errors if e.get("field") == "name"), None)
    return render_template("vendors/form.html", vendor=None, values=values, errors=errors,
                           duplicate=duplicate), 422 if errors else 200


@bp.route("/<int:vendor_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit(vendor_id: int):
    """Edit a vendor's details (vendor owners: only their own vendors)."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    vendor_service.require_edit(db, current_user(), vendor.id)
    errors, values, duplicate = [], vendor.model_dump(), None
    if request.method == "POST":
        values = form_data(VENDOR_FIELDS, VENDOR_FLAGS, optional=("corporate_number", "lei", "risk_tier"))
        values["confirm_duplicate"] = request.form.get("confirm_duplicate") == "1"
        try:
            vendor_service.update_vendor(db, vendor, values)
            db.commit()
            flash(_("Vendor saved."), "info")
            return redirect(url_for("vendors.show", vendor_id=vendor.id))
        except (ValidationFailed, Conflict) as exc:
            errors = refused(exc)
            duplicate = next((e.get("vendor_id") for e in errors if e.get("field") == "name"), None)
    return render_template("vendors/form.html", vendor=vendor, values=values, errors=errors,
                           duplicate=duplicate), 422 if errors else 200


@bp.get("/<int:vendor_id>")
@allow(*ALL_ROLES)
def show(vendor_id: int, form: str = "", values: dict | None = None, errors=(), status: int = 200):
    """A vendor: details, contacts, assigned staff, arrangements where it is tier 1, its
    exposure in other chains, then the sections other areas contribute (after a refused
    form, ``form`` names it: it keeps what was typed and shows its errors)."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    contacts = db.exec(select(VendorContact).where(VendorContact.vendor_id == vendor.id)
                       .order_by(VendorContact.name)).all()
    owners = db.exec(select(VendorOwner, User).join(User, User.id == VendorOwner.user_id)
                     .where(VendorOwner.vendor_id == vendor.id).order_by(User.display_name)).all()
    # those in force first; one terminated (the exit) stays listed, marked as ended
    direct = db.exec(select(Arrangement).where(Arrangement.vendor_id == vendor.id)
                     .order_by(Arrangement.status != "active", Arrangement.title)).all()
    elsewhere = [e for e in chains_queries.exposure(db, vendor.id) if e.tier1_vendor_id != vendor.id]
    ended_links = chains_queries.ended_links_of(db, vendor.id, clock.today())
    staff = db.exec(select(User).where(User.is_active.is_(True), User.role != "auditor")
                    .order_by(User.display_name)).all()
    user = current_user()
    return render_template("vendors/show.html", vendor=vendor, contacts=contacts, owners=owners,
                           direct=direct, elsewhere=elsewhere, ended_links=ended_links, staff=staff,
                           can_edit=vendor_service.can_edit_vendor(db, user, vendor.id),
                           can_assign=user.role in vendor_service.EDITORS,
                           next_statuses=[s for s in VENDOR_STATUSES if s in vendor_service.TRANSITIONS[vendor.status]
                                          and s not in vendor_service.FOLLOW_ASSESSMENT],
                           panels=registry.current().panels(db, vendor), form=form, values=values or {},
                           errors=list(errors)), status


@bp.post("/<int:vendor_id>/status")
@allow("compliance", "procurement")
def change_status(vendor_id: int):
    """Move the vendor along its lifecycle (rejection: compliance only; approval follows a
    selection assessment and is refused here)."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    try:
        vendor_service.change_status(db, vendor, request.form.get("status", ""), current_user())
        db.commit()
        flash(_("Status changed."), "info")
    except (ValidationFailed, Conflict, Forbidden) as exc:
        return show(vendor.id, "status", {"status": request.form.get("status", "")}, refused(exc), exc.status)
    return redirect(url_for("vendors.show", vendor_id=vendor.id))


@bp.post("/<int:vendor_id>/contacts")
@allow(*WRITERS)
def add_contact(vendor_id: int):
    """Add a contact person at the vendor."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    vendor_service.require_edit(db, current_user(), vendor.id)
    values = form_data(("name", "email", "phone", "title"))
    try:
        people.add_contact(db, vendor, dict(values))
        db.commit()
        flash(_("Contact added."), "info")
    except ValidationFailed as exc:
        return show(vendor.id, "contact", values, refused(exc), exc.status)
    return redirect(url_for("vendors.show", vendor_id=vendor.id) + "#contacts")


@bp.post("/<int:vendor_id>/contacts/<int:contact_id>/delete")
@allow(*WRITERS)
def remove_contact(vendor_id: int, contact_id: int):
    """Remove a contact person."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    vendor_service.require_edit(db, current_user(), vendor.id)
    people.remove_contact(db, vendor, contact_id)
    db.commit()
    return redirect(url_for("vendors.show", vendor_id=vendor.id) + "#contacts")


@bp.post("/<int:vendor_id>/owners")
@allow("compliance", "procurement")
def assign_owner(vendor_id: int):
    """Assign a member of staff to the vendor (Art. 26(2))."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    user_id = request.form.get("user_id", type=int)
    if user_id is None:
        abort(400)
    try:
        people.assign_owner(db, vendor, user_id, request.form.get("is_primary") == "on")
        db.commit()
        flash(_("Staff assigned."), "info")
    except (ValidationFailed, Conflict) as exc:
        refused(exc)
    return redirect(url_for("vendors.show", vendor_id=vendor.id) + "#owners")


@bp.post("/<int:vendor_id>/owners/<int:owner_id>/delete")
@allow("compliance", "procurement")
def remove_owner(vendor_id: int, owner_id: int):
    """End a staff assignment."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    people.remove_owner(db, vendor, owner_id)
    db.commit()
    return redirect(url_for("vendors.show", vendor_id=vendor.id) + "#owners")
