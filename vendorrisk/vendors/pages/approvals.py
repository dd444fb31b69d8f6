"""Bulk work on the chains and the register: approving several sub-outsourcing links at once
(each through the chain service, so mutual checks still hold: the person who recorded a
link cannot approve it, Art. 8(5)), and assigning a member of staff to several vendors."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import aliased
from sqlmodel import select

from vendorrisk.core import clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors import people
from vendorrisk.vendors.models import APPROVAL_BASES, Arrangement, OutsourcingLink, Vendor, current_link

bp = Blueprint("approvals", __name__, template_folder="../templates")
LIMIT = 500


def waiting(db) -> list[tuple]:
    """Links not approved yet (pending first), with arrangement, parent and vendor names."""
    parent = aliased(Vendor)
    return db.exec(select(OutsourcingLink, Arrangement.title, parent.name, Vendor.name, User.display_name, User.email)
                   .join(Arrangement, Arrangement.id == OutsourcingLink.arrangement_id)
                   .join(parent, parent.id == OutsourcingLink.parent_vendor_id)
                   .join(Vendor, Vendor.id == OutsourcingLink.vendor_id)
                   .outerjoin(User, User.id == OutsourcingLink.recorded_by_id)
                   .where(OutsourcingLink.approval_status != "approved", current_link())
                   .order_by(OutsourcingLink.approval_status.desc(), Arrangement.title, OutsourcingLink.id)
                   .limit(LIMIT)).all()


def _page(values: dict, errors=(), status: int = 200):
    return render_template("chains/approvals.html", rows=waiting(get_session()), bases=APPROVAL_BASES,
                           values=values, errors=list(errors), limit=LIMIT, today=clock.today()), status


@bp.get("/arrangements/approvals")
@allow(*ALL_ROLES)
def index():
    """Sub-outsourcing awaiting approval, across every chain, to approve several at once."""
    return _page({"approval_basis": "prior_consent", "link_ids": []})


@bp.post("/arrangements/approvals")
@allow("compliance")
def approve():
    """Approve the links ticked, all or none: a link the signed-in person recorded, or one
    approved meanwhile, refuses the whole batch and says which."""
    db, user = get_session(), current_user()
    values = {"approval_basis": request.form.get("approval_basis", ""),
              "approved_on": request.form.get("approved_on", "").strip(),
              "approval_note": request.form.get("approval_note", "").strip(),
              "link_ids": request.form.getlist("link_ids", type=int)}
    errors = [] if values["link_ids"] else [{"field": "link_ids", "message": _("Tick the links to approve.")}]
    decision = {"approval_status": "approved", "approval_basis": values["approval_basis"] or None,
                "approved_on": values["approved_on"] or None, "approval_note": values["approval_note"]}
    for link_id in values["link_ids"]:
        try:
            chain_service.decide_link(db, chain_service.get_link(db, link_id), decision, user)
        except ValidationFailed as exc:
            errors += [dict(d, link_id=link_id) for d in exc.details if isinstance(d, dict)] or \
                [{"field": "link_ids", "link_id": link_id, "message": exc.message}]
            break  # the same basis or date would be refused for every link
        except (Forbidden, Conflict, NotFound) as exc:
            errors.append({"field": "link_ids", "link_id": link_id, "message": exc.message})
    if errors:
        db.rollback()
        flash(_("Nothing was approved: %(problem)s", problem=errors[0]["message"]), "error")
        return _page(values, errors, 422)
    db.commit()
    flash(_("%(count)s sub-outsourcing links approved.", count=len(values["link_ids"])), "info")
    return redirect(url_for(".index"))


@bp.post("/vendors/owners")
@allow("compliance", "procurement")
def assign_owners():
    """Assign a member of staff to every vendor ticked on the register (those already
    assigned keep their assignment)."""
    db = get_session()
    vendor_ids = request.form.getlist("vendor_ids", type=int)
    user_id = request.form.get("user_id", type=int)
    try:
        if not vendor_ids:
            raise ValidationFailed(_("Tick the vendors first."), [{"field": "vendor_ids", "message": _(
                "Tick the vendors first.")}])
        assigned = people.assign_owners(db, vendor_ids, user_id or 0, request.form.get("is_primary") == "on")
        db.commit()
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        return redirect(url_for("vendors.index", **request.args))
    flash(_("Staff assigned to %(count)s vendors.", count=assigned), "info")
    return redirect(url_for("vendors.index", **request.args))
