"""Sign in, sign out, and the language switch."""
from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorrisk.core import auth, users
from vendorrisk.core.access import ALL_ROLES, allow, public
from vendorrisk.core.db import get_session

bp = Blueprint("auth", __name__, template_folder="../templates")


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in, else the home page: never another host
    (``//host``, ``/\\host``), never a line break or control character (a header split)."""
    if (target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable()
            and "\\" not in target and urlparse(target).netloc == ""):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; on POST check the credentials (failures are counted)."""
    if request.method == "POST":
        db = get_session()
        user = users.verify_login(db, request.form.get("email", ""), request.form.get("password", ""),
                                  request.remote_addr or "")
        db.commit()
        if user is not None:
            auth.sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Sign-in failed. Check your e-mail and password, or try again later."), "error")
        return render_template("auth/login.html", email=request.form.get("email", "")), 401
    return render_template("auth/login.html", email="")


@bp.post("/logout")
@allow(*ALL_ROLES)
def logout():
    """End the session."""
    auth.sign_out()
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
