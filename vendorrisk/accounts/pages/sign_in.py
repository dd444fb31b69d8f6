"""Sign in (password, then the second factor when the user has one), sign out, and the
language switch."""
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorrisk.core import auth, throttle, two_factor, users
from vendorrisk.core.access import ALL_ROLES, allow, before_two_factor, own_sign_in, public
from vendorrisk.core.db import get_session
from vendorrisk.core.models import User

bp = Blueprint("auth", __name__, template_folder="../templates")


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in, else the home page: never another host
    (``//host``, ``/\\host``), never a line break or control character (a header split)."""
    if (target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable()
            and "\\" not in target and urlparse(target).netloc == ""):
        return target
    return url_for("main.home")


def device(email: str) -> str:
    """The device id this browser's device cookie gives for the account (``""``: unknown)."""
    return throttle.device_for(request.cookies.get(throttle.DEVICE_COOKIE), email)


def signed_in(user: User, device_id: str, target: str | None):
    """Go on after a complete sign-in; the browser keeps (or gets) its device cookie for the
    account, so that guessing elsewhere never slows it down."""
    response = redirect(_safe_next(target))
    value, _id = throttle.device_cookie_value(user.email, device_id)
    response.set_cookie(throttle.DEVICE_COOKIE, value, max_age=throttle.DEVICE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; on POST check the credentials (failures slow further attempts)."""
    if request.method == "POST":
        db = get_session()
        email = request.form.get("email", "")
        device_id = device(email)
        user = users.verify_login(db, email, request.form.get("password", ""), request.remote_addr or "", device_id)
        if user is not None and two_factor.enabled(user):
            auth.begin_second_factor(db, user)
            db.commit()
            return redirect(url_for("two_factor.verify", next=request.args.get("next")))
        if user is not None:
            auth.sign_in(db, user)
            db.commit()
            return signed_in(user, device_id, request.args.get("next"))
        db.commit()
        flash(_("Sign-in failed. Check your e-mail and password, or try again later."), "error")
        return render_template("auth/login.html", email=request.form.get("email", "")), 401
    return render_template("auth/login.html", email="")


@bp.post("/logout")
@allow(*ALL_ROLES)
@before_two_factor
@own_sign_in
def logout():
    """End the session on the server (a copy of the cookie no longer works)."""
    db = get_session()
    auth.sign_out(db)
    db.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@public
def set_language():
    """Remember the chosen language (for the user, or in a cookie before sign-in)."""
    lang = request.form.get("lang")
    response = redirect(_safe_next(request.form.get("next")))
    if lang in ("ja", "en"):
        user = auth.current_user()
        if user is not None:
            user.language = lang
            get_session().commit()
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
