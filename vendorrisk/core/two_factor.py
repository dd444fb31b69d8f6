"""Two-factor sign-in: a TOTP app (RFC 6238, 30-second codes) with one-time recovery codes.

A user enrols from the Account page: the secret is shown as an ``otpauth://`` URI, as text
and as a QR image (segno, drawn offline); the first correct code turns it on and gives ten
recovery codes, shown once and stored as SHA-256. From then on every browser sign-in asks
for a code after the password. ``TWO_FACTOR_ROLES`` names the roles that must enrol: their
sessions reach nothing but the enrolment page until they have. API tokens are a factor of
their own and never ask. Codes are throttled like passwords (``throttle``, kind
``second_factor``); a code is accepted once (its time step is kept). Enrolment, recovery
codes and their use are rows, so the audit trail records them (never the secret or codes).
"""
import hashlib
import secrets

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.models import RecoveryCode, User, utcnow

ISSUER = "vendorrisk"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def required_roles() -> set[str]:
    """The roles ``TWO_FACTOR_ROLES`` names."""
    return {r.strip() for r in str(current_app.config["TWO_FACTOR_ROLES"]).split(",") if r.strip()}


def required(user: User) -> bool:
    """Whether the user's role must sign in with a second factor."""
    return user.role in required_roles()


def enabled(user: User) -> bool:
    """Whether the user has turned two-factor sign-in on."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def start_enrolment(session: Session, user: User) -> str:
    """Give the user a new secret to add to their app (not in force until confirmed)."""
    if enabled(user):
        raise Conflict(_("Two-factor sign-in is already on."))
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    session.add(user)
    session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG ``data:`` URI (drawn here: nothing leaves the server)."""
    import segno
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def _step(user: User, code: str) -> int | None:
    """The time step a TOTP code matches (this one, or one either side for clock drift)."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6) or not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    current = int(utcnow().timestamp() // totp.interval)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_totp(session: Session, user: User, code: str) -> bool:
    step = _step(user, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False  # wrong, or already used: a code works once
    user.totp_last_step = step
    session.add(user)
    return True


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on with the first code from the app; returns the recovery codes."""
    if enabled(user):
        raise Conflict(_("Two-factor sign-in is already on."))
    if not user.totp_secret:
        raise Conflict(_("Start the set-up first."))
    if not _accept_totp(session, user, code):
        raise ValidationFailed(_("The code is not correct."),
                               [{"field": "code", "message": _("Enter the 6-digit code your app shows now.")}])
    user.totp_enabled_at = utcnow()
    session.flush()
    return new_recovery_codes(session, user)


def _code_hash(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned once (stored hashed)."""
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    session.flush()
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_CODES)]  # 16 characters of 31: 79 bits each
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))
    session.flush()
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    """How many unused recovery codes the user has."""
    return len(session.exec(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                          RecoveryCode.used_at.is_(None))).all())


def verify(session: Session, user: User, code: str) -> str | None:
    """Check a TOTP code or an unused recovery code; returns ``"totp"``, ``"recovery"`` (that
    code is now used) or ``None``. The caller records the attempt and commits."""
    if not enabled(user):
        return None
    if _accept_totp(session, user, code):
        session.flush()
        return "totp"
    row = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                  RecoveryCode.code_hash == _code_hash(code),
                                                  RecoveryCode.used_at.is_(None))).first()
    if row is None:
        return None
    row.used_at = utcnow()
    session.add(row)
    session.flush()
    return "recovery"


def disable(session: Session, user: User) -> None:
    """Turn two-factor sign-in off (or reset it for a user who lost their device): the secret
    and the recovery codes are dropped."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    session.flush()
