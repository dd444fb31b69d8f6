"""The signed-in user's own settings: language, password, sessions, personal API tokens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.accounts.pages.sign_in import device
from vendorrisk.core import auth, sessions, two_factor, users
from vendorrisk.core.access import ALL_ROLES, allow, own_sign_in
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import ApiToken

bp = Blueprint("account", __name__, template_folder="../templates", url_prefix="/account")


def _page(new_token=None):
    db = get_session()
    user = auth.current_user()
    tokens = db.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).all()
    current = auth.current_session()
    return render_template("account/index.html", tokens=tokens, new_token=new_token,
                           sessions=sessions.open_sessions(db, user.id), current_session_id=current.id if current else None,
                           revoke_url=lambda s: url_for("account.revoke_session", session_id=s.id),
                           two_factor_on=two_factor.enabled(user))


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Show the user's settings, sessions and tokens."""
    return _page()


@bp.post("/tokens")
@allow("admin", "compliance", "procurement", "vendor_owner")
def create_token():
    """Create a personal API token and show it once."""
    db = get_session()
    _record, token = users.create_token(db, auth.current_user(), request.form.get("name", "")[:100])
    db.commit()
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@allow("admin", "compliance", "procurement", "vendor_owner")
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    db = get_session()
    users.revoke_token(db, auth.current_user(), token_id)
    db.commit()
    flash(_("The token was revoked."), "info")
    return redirect(url_for("account.index"))


@bp.post("/sessions/<int:session_id>/revoke")
@allow(*ALL_ROLES)
@own_sign_in
def revoke_session(session_id: int):
    """End one of the user's sessions (another browser, or this one)."""
    db = get_session()
    sessions.revoke(db, auth.current_user().id, session_id)
    db.commit()
    flash(_("The session was ended."), "info")
    return redirect(url_for("account.index"))


@bp.post("/sessions/revoke-others")
@allow(*ALL_ROLES)
@own_sign_in
def revoke_other_sessions():
    """End every session of the user but this one."""
    db = get_session()
    current = auth.current_session()
    count = sessions.end_all(db, auth.current_user(), "revoked", keep_id=current.id if current else None)
    db.commit()
    flash(_("%(count)s other sessions were ended.", count=count), "info")
    return redirect(url_for("account.index"))


@bp.post("/password")
@allow("admin", "compliance", "procurement", "vendor_owner")
def change_password():
    """Change the password after checking the current one; other sessions end and the
    user's API tokens are revoked."""
    db = get_session()
    user = auth.current_user()
    if users.verify_login(db, user.email, request.form.get("current", ""), request.remote_addr or "",
                          device(user.email)) is None:
        db.commit()
        flash(_("The current password is not correct."), "error")
        return redirect(url_for("account.index"))
    current = auth.current_session()
    try:
        users.change_password(db, user, request.form.get("new", ""), keep_session_id=current.id if current else None)
    except ValidationFailed as exc:
        db.rollback()
        for detail in exc.details:
            flash(detail["message"], "error")
        return redirect(url_for("account.index"))
    db.commit()
    flash(_("Your password was changed. Your other sessions were ended and your API tokens revoked."), "info")
    return redirect(url_for("account.index"))
