"""User administration (admins only)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.core import users
from vendorrisk.core.access import allow
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import DomainError, NotFound
from vendorrisk.core.models import ROLES, User
from vendorrisk.core.registry import NavItem

bp = Blueprint("admin", __name__, template_folder="../templates", url_prefix="/admin")
NAV = [NavItem("admin.users", _l("Users"), 80)]


@bp.get("/users", endpoint="users")
@allow("admin")
def users_list():
    """List users with their roles."""
    rows = get_session().exec(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, roles=ROLES)


@bp.post("/users")
@allow("admin")
def create():
    """Create a user with a role and an initial password."""
    db = get_session()
    try:
        users.create_user(db, email=request.form.get("email", ""), role=request.form.get("role", ""),
                          password=request.form.get("password", ""),
                          display_name=request.form.get("display_name", ""))
    except DomainError as exc:
        db.rollback()
        flash(exc.message, "error")
        for detail in exc.details:
            if isinstance(detail, dict) and detail.get("message") not in (None, "invalid"):
                flash(detail["message"], "error")
        return redirect(url_for("admin.users"))
    db.commit()
    flash(_("The user was created."), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>")
@allow("admin")
def update(user_id: int):
    """Change a user's role or deactivate/reactivate them (ends their sessions)."""
    db = get_session()
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    role = request.form.get("role")
    if role in ROLES:
        user.role = role
    if "active" in request.form:
        user.is_active = request.form["active"] == "1"
        user.session_version += 1
    db.commit()
    flash(_("The user was updated."), "info")
    return redirect(url_for("admin.users"))
