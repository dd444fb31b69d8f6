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
def users_list(values: dict | None = None, errors=(), status: int = 200):
    """List users with their roles (after a refused new user: the form as typed, with errors)."""
    rows = get_session().exec(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows, roles=ROLES, values=values or {},
                           errors=list(errors)), status


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
