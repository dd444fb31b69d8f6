"""The signed-in user's own settings: language, password, personal API tokens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.core import auth, users
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import ApiToken

bp = Blueprint("account", __name__, template_folder="../templates", url_prefix="/account")


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Show the user's settings and tokens."""
    user = auth.current_user()
    tokens = get_session().exec(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id.desc())).all()
    return render_template("account/index.html", tokens=tokens, new_token=None)


@bp.post("/tokens")
@allow("admin", "compliance", "procurement", "vendor_owner")
def create_token():
    """Create a personal API token and show it once."""
    db = get_session()
    user = auth.current_user()
    _record, token = users.create_token(db, user, request.form.get("name", "")[:100])
    db.commit()
    tokens = db.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()
    return render_template("account/index.html", tokens=tokens, new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@allow("admin", "compliance", "procurement", "vendor_owner")
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    db = get_session()
    users.revoke_token(db, auth.current_user(), token_id)
    db.commit()
    flash(_("The token was revoked."), "info")
    return redirect(url_for("account.index"))


@bp.post("/password")
@allow("admin", "compliance", "procurement", "vendor_owner")
def change_password():
    """Change the password after checking the current one; other sessions end."""
    db = get_session()
    user = auth.current_user()
    if users.verify_login(db, user.email, request.form.get("current", ""), request.remote_addr or "") is None:
        db.commit()
        flash(_("The current password is not correct."), "error")
        return redirect(url_for("account.index"))
    try:
        users.set_password(user, request.form.get("new", ""))
    except ValidationFailed as exc:
        db.rollback()
        for detail in exc.details:
            flash(detail["message"], "error")
        return redirect(url_for("account.index"))
    db.commit()
    auth.sign_in(user)
    flash(_("Your password was changed."), "info")
    return redirect(url_for("account.index"))
