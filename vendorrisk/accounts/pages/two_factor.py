"""Two-factor sign-in: the code asked after the password, and the set-up on the Account page
(TOTP app with a QR image or the secret as text; recovery codes shown once)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorrisk.accounts.pages.sign_in import device, signed_in
from vendorrisk.core import auth, sessions, throttle, two_factor
from vendorrisk.core.access import ALL_ROLES, allow, before_two_factor, own_sign_in, public
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Conflict, ValidationFailed

bp = Blueprint("two_factor", __name__, template_folder="../templates")


@bp.route("/login/code", methods=["GET", "POST"])
@public
def verify():
    """After a correct password: ask for the app's code or a recovery code (throttled)."""
    db = get_session()
    user = auth.pending_user(db)
    if user is None:
        flash(_("Sign in again."), "error")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/code.html")
    device_id = device(user.email)
    throttled = throttle.wait_seconds(db, email=user.email, kind="second_factor", device=device_id) > 0
    used = None if throttled else two_factor.verify(db, user, request.form.get("code", ""))
    throttle.record(db, email=user.email, kind="second_factor", device=device_id,
                    remote_addr=request.remote_addr or "", success=used is not None, throttled=throttled)
    if used is None:
        db.commit()
        flash(_("The code is not correct, or there were too many attempts; wait a little and try again."), "error")
        return render_template("auth/code.html"), 401
    target = request.args.get("next")
    auth.sign_in(db, user, second_factor=True)
    db.commit()
    if used == "recovery":
        flash(_("You signed in with a recovery code; %(left)s are left. Make new ones on the two-factor page "
                "if you are running out.", left=two_factor.remaining_recovery_codes(db, user)), "info")
    return signed_in(user, device_id, target)


def _setup_page(codes=None, status=200):
    user = auth.current_user()
    pending = user.totp_secret and not two_factor.enabled(user)
    uri = two_factor.provisioning_uri(user) if pending else None
    return render_template("account/two_factor.html", enabled=two_factor.enabled(user), pending=pending,
                           uri=uri, secret=user.totp_secret if pending else None,
                           qr=two_factor.qr_data_uri(uri) if uri else None, codes=codes,
                           required=two_factor.required(user),
                           remaining=two_factor.remaining_recovery_codes(get_session(), user)), status


@bp.get("/account/two-factor")
@allow(*ALL_ROLES)
@before_two_factor
def setup():
    """Two-factor sign-in: its state, the set-up, recovery codes."""
    return _setup_page()


@bp.post("/account/two-factor/start")
@allow(*ALL_ROLES)
@before_two_factor
@own_sign_in
def start():
    """Make a new secret for the user's app (in force once a code from it is confirmed)."""
    db = get_session()
    two_factor.start_enrolment(db, auth.current_user())
    db.commit()
    return redirect(url_for("two_factor.setup"))


@bp.post("/account/two-factor/confirm")
@allow(*ALL_ROLES)
@before_two_factor
@own_sign_in
def confirm():
    """Turn two-factor sign-in on with a code from the app; show the recovery codes once.
    The user's other sessions end (they were signed in without the second factor)."""
    db = get_session()
    user = auth.current_user()
    try:
        codes = two_factor.confirm_enrolment(db, user, request.form.get("code", ""))
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        return _setup_page(status=422)
    row = auth.current_session()
    sessions.mark_second_factor(db, row)
    sessions.end_all(db, user, "revoked", keep_id=row.id)
    db.commit()
    flash(_("Two-factor sign-in is on."), "success")
    return _setup_page(codes=codes)


def _code_ok(db, user) -> bool:
    """A current code (or a recovery code) confirms a change to the second factor itself."""
    if two_factor.verify(db, user, request.form.get("code", "")) is not None:
        return True
    db.rollback()
    flash(_("The code is not correct."), "error")
    return False


@bp.post("/account/two-factor/recovery-codes")
@allow(*ALL_ROLES)
@before_two_factor
@own_sign_in
def recovery_codes():
    """Replace the recovery codes (a current code confirms it); the new ones are shown once."""
    db = get_session()
    user = auth.current_user()
    if not two_factor.enabled(user):
        raise Conflict(_("Two-factor sign-in is off."))
    if not _code_ok(db, user):
        return _setup_page(status=422)
    codes = two_factor.new_recovery_codes(db, user)
    db.commit()
    return _setup_page(codes=codes)


@bp.post("/account/two-factor/disable")
@allow(*ALL_ROLES)
@before_two_factor
@own_sign_in
def disable():
    """Turn two-factor sign-in off (a current code confirms it); not for roles that require it."""
    db = get_session()
    user = auth.current_user()
    if two_factor.required(user):
        raise Conflict(_("Your role must sign in with two factors; it cannot be turned off."))
    if not two_factor.enabled(user) or not _code_ok(db, user):
        return _setup_page(status=422)
    two_factor.disable(db, user)
    db.commit()
    flash(_("Two-factor sign-in is off."), "info")
    return redirect(url_for("two_factor.setup"))
