"""User administration (admins only)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import select

from vendorrisk.core import sessions, two_factor, users
from vendorrisk.core.access import allow
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import DomainError, NotFound
from vendorrisk.core.models import ROLES, User
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.findings import held_by_owner
from vendorrisk.vendors.models import VendorOwner

bp = Blueprint("admin", __name__, template_folder="../templates", url_prefix="/admin")
NAV = [NavItem("admin.users", _l("Users"), 80)]


@bp.get("/users", endpoint="users")
@allow("admin")
def users_list(values: dict | None = None, errors=(), status: int = 200):
    """List users with their roles (after a refused new user: the form as typed, with errors)."""
    db = get_session()
    rows = db.exec(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, roles=ROLES, values=values or {},
                           owned=owned_counts(db), held=held_by_owner(db), errors=list(errors)), status


def owned_counts(db) -> dict[int, int]:
    """How many vendors each user is assigned to (Art. 26(2)), in one grouped query."""
    return dict(db.exec(select(VendorOwner.user_id, func.count()).group_by(VendorOwner.user_id)).all())


def owned_vendors(db, user_id: int) -> list[int]:
    """The vendors a user is assigned to."""
    return list(db.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == user_id)).all())


@bp.post("/users")
@allow("admin")
def create():
    """Create a user with a role and an initial password."""
    db = get_session()
    values = {key: request.form.get(key, "") for key in ("email", "role", "display_name")}
    try:
        users.create_user(db, email=values["email"], role=values["role"], password=request.form.get("password", ""),
                          display_name=values["display_name"])
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        details = [d for d in exc.details if isinstance(d, dict)]
        # a problem without a field of the form is said at the top
        for detail in details:
            if detail.get("field") not in values and detail.get("field") != "password" and detail.get("message"):
                flash(detail["message"], "error")
        return users_list(values, details, exc.status)
    db.commit()
    flash(_("The user was created."), "info")
    return redirect(url_for("admin.users"))


def _user(db, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


@bp.post("/users/<int:user_id>")
@allow("admin")
def update(user_id: int):
    """Change a user's role, or deactivate (their sessions end, their API tokens are revoked
    for good) or reactivate them."""
    db = get_session()
    user = _user(db, user_id)
    role = request.form.get("role") or user.role  # a form that changes only the state sends no role
    active = request.form["active"] == "1" if "active" in request.form else user.is_active
    try:
        users.refuse_unknown_role(role)  # not ignored: the page would say the user was updated
        users.refuse_leaving_no_admin(db, user, role, active)
    except DomainError as exc:
        flash(exc.message, "error")
        return users_list(status=exc.status)
    user.role = role
    vendor_ids, held = [], 0
    if active != user.is_active:
        held = held_by_owner(db, user.id).get(user.id, 0) if not active else 0
        # their vendors' reviews are re-planned (monitoring listens); their findings passed on (vendors)
        users.set_active(db, user, active)
        vendor_ids = owned_vendors(db, user.id)
    db.commit()
    flash(_("The user was updated."), "info")
    name = user.display_name or user.email
    if held:
        flash(_("%(name)s owned %(count)s findings not closed. They now go to the vendor's assigned staff, or have "
                "no owner and are followed up by compliance.", name=name, count=held), "error")
    if vendor_ids and not active:
        flash(_("%(name)s is assigned to %(count)s vendors. Their reviews now go to another assigned person, "
                "or have no owner and are reminded to compliance, until you assign someone on each vendor's page.",
                name=name, count=len(vendor_ids)), "error")
        return redirect(url_for("reviews.index", owner="none"))
    if held:
        return redirect(url_for("findings.board", owner="none"))
    return redirect(url_for("admin.users"))


@bp.get("/users/<int:user_id>/sessions", endpoint="user_sessions")
@allow("admin")
def user_sessions(user_id: int):
    """A user's sessions in force and their two-factor state."""
    db = get_session()
    user = _user(db, user_id)
    return render_template("admin/user_sessions.html", user=user, sessions=sessions.open_sessions(db, user.id),
                           revoke_url=lambda s: url_for("admin.revoke_session", user_id=user.id, session_id=s.id),
                           two_factor_on=two_factor.enabled(user), two_factor_required=two_factor.required(user))


@bp.post("/users/<int:user_id>/sessions/<int:session_id>/revoke")
@allow("admin")
def revoke_session(user_id: int, session_id: int):
    """End one of a user's sessions."""
    db = get_session()
    sessions.revoke(db, _user(db, user_id).id, session_id)
    db.commit()
    flash(_("The session was ended."), "info")
    return redirect(url_for("admin.user_sessions", user_id=user_id))


@bp.post("/users/<int:user_id>/sessions/revoke-all")
@allow("admin")
def revoke_all_sessions(user_id: int):
    """End every session of a user."""
    db = get_session()
    count = sessions.end_all(db, _user(db, user_id), "revoked")
    db.commit()
    flash(_("%(count)s sessions were ended.", count=count), "info")
    return redirect(url_for("admin.user_sessions", user_id=user_id))


@bp.post("/users/<int:user_id>/two-factor/reset")
@allow("admin")
def reset_two_factor(user_id: int):
    """Turn a user's second factor off (a lost phone); their sessions end. If their role
    requires it, they set it up again at their next sign-in."""
    db = get_session()
    user = _user(db, user_id)
    two_factor.disable(db, user)
    sessions.end_all(db, user, "revoked")
    db.commit()
    flash(_("Two-factor sign-in was reset for %(email)s.", email=user.email), "info")
    return redirect(url_for("admin.user_sessions", user_id=user_id))
