"""Arrangement pages: the list, an arrangement with its chain drawn as a tree, forms for
arrangements, sub-outsourcing links (with approval) and data locations; concentration and
gaps."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import func, or_, select

from vendorrisk.core import clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict, Forbidden, ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors import arrangements as arrangement_service
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.identifiers import normalise_corporate_number
from vendorrisk.vendors.models import (
    APPROVAL_BASES,
    APPROVAL_STATUSES,
    LOCATION_PURPOSES,
    READING_ORDER,
    Arrangement,
    OutsourcingLink,
    Vendor,
)
from vendorrisk.vendors.names import vendor_name
from vendorrisk.vendors.pages.vendors import form_data, refused

bp = Blueprint("chains", __name__, template_folder="../templates")
NAV = [NavItem("chains.arrangements", _l("Arrangements"), 12),
       NavItem("chains.concentration", _l("Concentration"), 15)]
WRITERS = ("compliance", "procurement", "vendor_owner")
ARRANGEMENT_FIELDS = ("title", "service", "business_function", "user_data_categories", "substitutability",
                      "start_date", "end_date", "notice_period_days", "exit_plan")
ARRANGEMENT_FLAGS = ("is_important", "is_cloud", "handles_user_data", "subcontracting_allowed")
OPTIONAL = ("start_date", "end_date", "notice_period_days")
DATALIST_LIMIT = 500


def _arrangement_for_change(arrangement_id: int) -> Arrangement:
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    return arrangement


def _back(arrangement_id: int, anchor: str = ""):
    return redirect(url_for("chains.arrangement", arrangement_id=arrangement_id) + anchor)


def resolve_vendor(db, text: str) -> int | None:
    """A vendor id from what was typed: an id, a corporate number, or a unique name."""
    text = (text or "").strip()
    if not text:
        return None
    number = normalise_corporate_number(text)
    if number.isdigit() and len(number) == 13:
        found = db.exec(select(Vendor.id).where(Vendor.corporate_number == number)).first()
        if found:
            return found
    if text.isdigit() and db.get(Vendor, int(text)):
        return int(text)
    matches = db.exec(select(Vendor.id).where(or_(Vendor.name == text, Vendor.name_en == text,
                                                  Vendor.name_normalized == vendor_service.normalise_name(text)))
                      .limit(2)).all()
    return matches[0] if len(matches) == 1 else None


def vendor_for(db, text: str, field: str) -> int:
    """The vendor a form names; with the form's "register as a new vendor" button, the one
    registered from what was typed (a prospect, through the vendors service: duplicates are
    refused there), without leaving the form."""
    found = resolve_vendor(db, text)
    if request.form.get("create_vendor") == "1":
        if found:
            raise Conflict(_("A vendor with this name is already registered; choose it instead of registering "
                             "a new one."), [{"field": field, "message": _("Already registered."), "vendor_id": found}])
        try:
            return vendor_service.create_vendor(db, {"name": (text or "").strip()}).id
        except (ValidationFailed, Conflict) as exc:
            raise type(exc)(exc.message, [dict(d, field=field) for d in exc.details if isinstance(d, dict)]
                            or [{"field": field, "message": exc.message}]) from None
    if not found:
        message = _("No single vendor matches what you typed: choose one from the list, give its corporate "
                    "number, or register it as a new vendor.")
        raise ValidationFailed(message, [{"field": field, "message": message}])
    return found


@bp.get("/arrangements/")
@allow(*ALL_ROLES)
def arrangements():
    """Every outsourcing arrangement with its tier-1 vendor, searchable and paginated."""
    q = request.args.get("q", "").strip()
    important = request.args.get("important") == "1"
    query = (select(Arrangement, Vendor).join(Vendor, Vendor.id == Arrangement.vendor_id)
             .order_by(Arrangement.is_important.desc(), Arrangement.title, Arrangement.id))
    query = arrangement_service.filter_arrangements(query, q, important)
    page = paginate(get_session(), query, request.args.get("page", 1, type=int), 50, scalars=False)
    return render_template("chains/arrangements.html", page=page, q=q, important=important, today=clock.today())


@bp.route("/arrangements/new", methods=["GET", "POST"])
@allow("compliance", "procurement")
def new_arrangement():
    """Record an arrangement with its tier-1 vendor."""
    db = get_session()
    errors, values = [], {"vendor": _typed_name(db, request.args.get("vendor_id", type=int))}
    if request.method == "POST":
        values = form_data(ARRANGEMENT_FIELDS, ARRANGEMENT_FLAGS, OPTIONAL)
        values["vendor"] = request.form.get("vendor", "")
        data = {k: v for k, v in values.items() if k != "vendor"}
        try:
            # a vendor not found is one problem among the form's others, all shown at once
            data["vendor_id"] = (vendor_for(db, values["vendor"], "vendor") if request.form.get("create_vendor") == "1"
                                 else resolve_vendor(db, values["vendor"]) or 0)
            arrangement = arrangement_service.create_arrangement(db, data)
            db.commit()
            flash(_("Arrangement recorded."), "info")
            return _back(arrangement.id)
        except (ValidationFailed, Conflict) as exc:
            errors = refused(exc)
    return render_template("chains/arrangement_form.html", arrangement=None, values=values, errors=errors,
                           vendor_names=_vendor_names(db)), 422 if errors else 200


@bp.route("/arrangements/<int:arrangement_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit_arrangement(arrangement_id: int):
    """Edit an arrangement (vendor owners: only their vendors' arrangements)."""
    arrangement = _arrangement_for_change(arrangement_id)
    errors, values = [], arrangement.model_dump()
    values["user_data_categories"] = ", ".join(arrangement.user_data_categories)
    if request.method == "POST":
        values = form_data(ARRANGEMENT_FIELDS + ("status",), ARRANGEMENT_FLAGS, OPTIONAL)
        try:
            arrangement_service.update_arrangement(get_session(), arrangement, values)
            get_session().commit()
            flash(_("Arrangement saved."), "info")
            return _back(arrangement.id)
        except ValidationFailed as exc:
            errors = refused(exc)
    return render_template("chains/arrangement_form.html", arrangement=arrangement, values=values,
                           errors=errors, vendor_names=[]), 422 if errors else 200


def _typed_name(db, vendor_id: int | None) -> str:
    """What the form's vendor field starts with when the page is opened from a vendor: its
    name as a person would type it (its corporate number when the name is not unique),
    never its internal number."""
    vendor = db.get(Vendor, vendor_id) if vendor_id else None
    if vendor is None:
        return ""
    if resolve_vendor(db, vendor.name) == vendor.id:
        return vendor.name
    return vendor.corporate_number or str(vendor.id)


def _vendor_names(db) -> list[str]:
    if db.exec(select(func.count()).select_from(Vendor)).one() > DATALIST_LIMIT:
        return []
    return list(db.exec(select(Vendor.name).order_by(*READING_ORDER)))


@bp.get("/arrangements/<int:arrangement_id>")
@allow(*ALL_ROLES)
def arrangement(arrangement_id: int):
    """An arrangement and its chain as a collapsible tree down to the final contractors."""
    return _arrangement_page(arrangement_service.get_arrangement(get_session(), arrangement_id))


def _arrangement_page(item: Arrangement, form: str = "", values: dict | None = None, errors=(), status: int = 200):
    """The arrangement page; after a refused form (``form`` names it) the form keeps what was
    typed and shows every error next to its field. With ``?as_of=`` the chain as it stood on
    that day, read only; the links table always lists the ended links too, greyed."""
    db = get_session()
    as_of = chain_service.as_of_day(request.args.get("as_of", ""))
    nodes = chains_queries.chain_nodes(db, [item.id], as_of=as_of)
    locations = arrangement_service.locations_by_owner(db, [item.id])
    links = _links(db, item.id)
    approver_ids = {link.approved_by_id for link in links if link.approved_by_id}
    approvers = {u.id: u.display_name or u.email for u in db.exec(
        select(User).where(User.id.in_(approver_ids)))} if approver_ids else {}
    user = current_user()
    chain_vendors = {n.vendor_id: vendor_name(n.vendor_name, n.vendor_name_en) for n in nodes}
    gone = {i for link in links for i in (link.parent_vendor_id, link.vendor_id)} - set(chain_vendors)
    names = {**chain_vendors, **({vendor_id: vendor_name(name, name_en) for vendor_id, name, name_en
                                  in db.exec(select(Vendor.id, Vendor.name, Vendor.name_en).where(Vendor.id.in_(gone)))}
                                 if gone else {})}
    stats = {"nodes": len(nodes), "tiers": max((n.tier for n in nodes), default=1),
             "final": len({n.vendor_id for n in nodes if n.is_final}),
             "unapproved": len({n.link_id for n in nodes if n.link_id and n.approval_status != "approved"})}
    return render_template(
        "chains/arrangement.html", arrangement=item, vendor=db.get(Vendor, item.vendor_id), today=clock.today(),
        roots=chains_queries.chain_tree(nodes), locations=locations, approvers=approvers, stats=stats,
        links=[link for link in links if link.ended_on is None], links_by_id={link.id: link for link in links},
        ended_links=[link for link in links if link.ended_on is not None], names=names, as_of=as_of,
        chain_vendors=sorted(chain_vendors.items(), key=lambda p: p[1]),
        can_edit=as_of is None and vendor_service.can_edit_vendor(db, user, item.vendor_id),
        can_decide=as_of is None and user.role in chain_service.APPROVERS, vendor_names=_vendor_names(db),
        approval_statuses=APPROVAL_STATUSES, approval_bases=APPROVAL_BASES, purposes=LOCATION_PURPOSES,
        form=form, values=values or {}, errors=list(errors),
        parent=(values or {}).get("parent_vendor_id") or request.args.get("parent", type=int) or item.vendor_id,
        continuing=request.args.get("parent", type=int) is not None), status


def _links(db, arrangement_id):
    return db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement_id)
                   .order_by(OutsourcingLink.id)).all()


@bp.post("/arrangements/<int:arrangement_id>/links")
@allow(*WRITERS)
def add_link(arrangement_id: int):
    """Add a sub-outsourcing link; refusals (self, cycle, parent outside) change nothing and
    show the form again with what was typed."""
    db = get_session()
    item = _arrangement_for_change(arrangement_id)
    values = form_data(("service", "vendor"), ("touches_user_data",))
    values["parent_vendor_id"] = request.form.get("parent_vendor_id", type=int) or 0
    data = {k: v for k, v in values.items() if k != "vendor"}
    try:
        data["vendor_id"] = vendor_for(db, values.get("vendor", ""), "vendor")
        link = chain_service.add_link(db, item, data)
        db.commit()
        flash(_("Sub-outsourcing recorded as unapproved; compliance staff approve it."), "info")
    except (ValidationFailed, Conflict) as exc:
        return _arrangement_page(item, "link", values, refused(exc), exc.status)
    # the next link most often goes one tier deeper: under the vendor just added
    return redirect(url_for("chains.arrangement", arrangement_id=item.id, parent=link.vendor_id) + "#add-link")


@bp.post("/arrangements/<int:arrangement_id>/links/<int:link_id>/decision")
@allow("compliance")
def decide_link(arrangement_id: int, link_id: int):
    """Record the member's approval of a sub-outsourcing (or that it is not approved)."""
    db = get_session()
    link = chain_service.get_link(db, link_id, arrangement_id)
    data = form_data(("approval_status", "approval_basis", "approved_on", "approval_note"),
                     optional=("approval_basis", "approved_on"))
    try:
        chain_service.decide_link(db, link, data, current_user())
        db.commit()
        flash(_("Decision recorded."), "info")
    except (ValidationFailed, Conflict, Forbidden) as exc:  # Conflict: already approved (perhaps just now)
        item = arrangement_service.get_arrangement(db, arrangement_id)
        return _arrangement_page(item, f"decide-{link_id}", data, refused(exc), exc.status)
    return _back(arrangement_id, f"#link-{link_id}")


@bp.route("/arrangements/<int:arrangement_id>/links/<int:link_id>/delete", methods=["GET", "POST"])
@allow(*WRITERS)
def remove_link(arrangement_id: int, link_id: int):
    """Confirm the end of a link and give the reason (kept with the ended link, in the audit
    trail and on a questionnaire proposal that brought the link); refused while its vendor
    has subcontractors of its own here, or once the link has ended."""
    db = get_session()
    item = _arrangement_for_change(arrangement_id)
    link = chain_service.get_link(db, link_id, arrangement_id)
    errors, reason = [], request.form.get("reason", "").strip()
    if request.method == "POST":
        if len(reason) < 2:
            errors = [{"field": "reason", "message": _("Give the reason for ending this sub-outsourcing.")}]
        else:
            try:
                chain_service.end_link(db, link, reason)
                db.commit()
                flash(_("Sub-outsourcing ended; it stays in the chain's history."), "info")
                return _back(arrangement_id, "#links")
            except Conflict as exc:
                errors = refused(exc)
    names = dict(db.exec(select(Vendor.id, Vendor.name).where(Vendor.id.in_((link.vendor_id, link.parent_vendor_id)))).all())
    return render_template("chains/remove_link.html", arrangement=item, link=link, names=names,
                           errors=errors, reason=reason), 422 if errors else 200


@bp.post("/arrangements/<int:arrangement_id>/locations")
@allow(*WRITERS)
def add_location(arrangement_id: int):
    """Record where user data is stored or processed, for the arrangement or one link."""
    db = get_session()
    item = _arrangement_for_change(arrangement_id)
    link_id = request.form.get("link_id", type=int)
    link = chain_service.get_link(db, link_id, item.id) if link_id else None
    values = form_data(("country", "region", "purpose"))
    try:
        arrangement_service.add_location(db, dict(values), arrangement=None if link else item, link=link)
        db.commit()
        flash(_("Data location recorded."), "info")
    except ValidationFailed as exc:
        values["link_id"] = link_id
        return _arrangement_page(item, "location", values, refused(exc), exc.status)
    return _back(item.id, "#locations")


@bp.post("/arrangements/<int:arrangement_id>/locations/<int:location_id>/delete")
@allow(*WRITERS)
def remove_location(arrangement_id: int, location_id: int):
    """Remove a data location."""
    db = get_session()
    item = _arrangement_for_change(arrangement_id)
    arrangement_service.remove_location(db, item, location_id)
    db.commit()
    return _back(item.id, "#locations")


@bp.get("/concentration/")
@allow(*ALL_ROLES)
def concentration():
    """Vendors most depended on at any tier: where everyone ends up on the same cloud."""
    page = max(1, request.args.get("page", 1, type=int))
    rows = chains_queries.concentration(get_session(), limit=51, offset=(page - 1) * 50)
    return render_template("chains/concentration.html", rows=rows[:50], page=page, has_next=len(rows) > 50)


@bp.get("/arrangements/gaps")
@allow(*ALL_ROLES)
def gaps():
    """Arrangements with unapproved sub-outsourcing or user data in no recorded location."""
    return render_template("chains/gaps.html", rows=chains_queries.gaps(get_session()))
