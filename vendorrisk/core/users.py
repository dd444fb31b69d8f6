"""Users: creation, passwords (OWASP ASVS length rules), password checks at sign-in (slowed
down by ``throttle``), activation, and personal API tokens (expiring, revoked with a password
change or deactivation)."""
import hashlib
import secrets
import unicodedata
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, func, select

from vendorrisk.core import events, sessions, throttle
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.models import ROLES, ApiToken, User, utcnow

MAX_PASSWORD_LENGTH = 128
TOKEN_USE_PRECISION = timedelta(minutes=5)
# Passwords people pick first; refused whatever their length (ASVS 2.1.7 asks for a check
# against breached passwords; this short list is what we can ship offline).
COMMON_PASSWORDS = {
    "password1234", "password12345", "123456789012", "qwertyuiopas", "administrator",
    "iloveyou1234", "passwordpassword", "welcome12345", "changeme1234", "letmein12345",
    "1234567890ab", "qwerty123456", "abcdefghijkl", "000000000000", "111111111111",
    "vendorrisk123", "p@ssw0rd1234", "password123!",
}
_dummy_hash = None


def hasher() -> PasswordHasher:
    """Return the app's Argon2id hasher (cheaper parameters under testing)."""
    ph = current_app.extensions.get("vendorrisk.hasher")
    if ph is None:
        if current_app.config.get("TESTING"):
            ph = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            ph = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
        current_app.extensions["vendorrisk.hasher"] = ph
    return ph


def password_problems(password: str, email: str = "") -> list[str]:
    """Return what is wrong with a password under the length-not-composition rules."""
    text = unicodedata.normalize("NFKC", password)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(text) < minimum:
        problems.append(_("Use at least %(minimum)s characters.", minimum=minimum))
    if len(text) > MAX_PASSWORD_LENGTH:
        problems.append(_("Use at most %(maximum)s characters.", maximum=MAX_PASSWORD_LENGTH))
    lowered = text.lower()
    local = email.split("@")[0].lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append(_("This password is too common or too easy to guess."))
    elif local and len(local) >= 4 and local in lowered:
        problems.append(_("Do not use your e-mail address in the password."))
    return problems


def set_password(user: User, password: str) -> None:
    """Check the password against the rules and store its hash (see ``change_password``)."""
    problems = password_problems(password, user.email)
    if problems:
        raise ValidationFailed(_("The password does not meet the rules."),
                               [{"field": "password", "message": p} for p in problems])
    user.password_hash = hasher().hash(unicodedata.normalize("NFKC", password))


def change_password(session: Session, user: User, password: str, keep_session_id: int | None = None) -> None:
    """Set a new password; every other session of the user ends and every API token is revoked."""
    set_password(user, password)
    session.add(user)
    sessions.end_all(session, user, "password", keep_id=keep_session_id)
    revoke_all_tokens(session, user)


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivate (its sessions end, its tokens are revoked for good) or reactivate a user;
    reactivation revives neither."""
    user.is_active = active
    session.add(user)
    if not active:
        sessions.end_all(session, user, "deactivated")
        revoke_all_tokens(session, user)
    session.flush()
    events.publish(session, events.UserActiveChanged(user.id))


def refuse_leaving_no_admin(session: Session, user: User, role: str, active: bool) -> None:
    """Refuse (``Conflict``) to make ``user`` a non-admin or inactive when they are the last
    active admin: no one could then manage users, roles or second factors from the app."""
    if not (user.role == "admin" and user.is_active) or (role == "admin" and active):
        return
    others = session.exec(select(func.count()).select_from(User).where(
        User.role == "admin", User.is_active.is_(True), User.id != user.id)).one()
    if not others:
        raise Conflict(_("%(email)s is the last active administrator: make another user an administrator "
                         "first, so that someone can still manage users.", email=user.email))


def refuse_unknown_role(role: str) -> None:
    """Raise ``ValidationFailed`` unless ``role`` is one of ``ROLES``."""
    if not role:  # the new-user form chooses no role for the admin, so that none is given by oversight
        raise ValidationFailed(_("Choose a role for the user."), [{"field": "role", "message": _("Choose a role")}])
    if role not in ROLES:
        raise ValidationFailed(_("Unknown role %(role)s.", role=repr(role)),
                               [{"field": "role", "message": _("Choose one of %(choices)s.", choices=", ".join(ROLES))}])


def create_user(session: Session, *, email: str, role: str, password: str | None = None,
                display_name: str = "", language: str | None = None) -> User:
    """Create a user; the password is optional (set later) but checked when given."""
    email = email.strip().lower()
    refuse_unknown_role(role)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_("Enter a valid e-mail address."), [{"field": "email", "message": "invalid"}])
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(_("A user with e-mail %(email)s already exists.", email=email))
    user = User(email=email, role=role, display_name=display_name or email.split("@")[0],
                language=language)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    """Return the user with this e-mail or raise ``NotFound``."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(_("No user with e-mail %(email)s.", email=email))
    return user


def verify_login(session: Session, email: str, password: str, remote_addr: str = "",
                 device: str = "") -> User | None:
    """Check credentials, record the attempt, and return the user or ``None``.

    An attempt made while the account must wait (``throttle``) is refused without checking
    the password; the caller shows the same generic message either way. ``device`` is the
    browser's device id for this account (``throttle.device_for``), or empty.
    """
    global _dummy_hash
    email = email.strip().lower()
    throttled = throttle.wait_seconds(session, email=email, device=device) > 0
    user = session.exec(select(User).where(User.email == email)).first()
    ok = False
    if not throttled:
        if user is not None and user.is_active and user.password_hash:
            try:
                ok = hasher().verify(user.password_hash, unicodedata.normalize("NFKC", password))
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            # Spend the same time on unknown accounts so timing does not reveal them.
            _dummy_hash = _dummy_hash or hasher().hash("not-a-real-password")
            try:
                hasher().verify(_dummy_hash, password)
            except VerificationError:
                pass
    throttle.record(session, email=email, kind="password", device=device, remote_addr=remote_addr,
                    success=ok, throttled=throttled)
    if ok:
        user.last_login_at = utcnow()
        if hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hasher().hash(unicodedata.normalize("NFKC", password))
    session.flush()
    return user if ok else None


def hash_token(token: str) -> str:
    """SHA-256 of an API token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token that works ``API_TOKEN_DAYS`` days; returns the record and
    the token, shown only once."""
    if not user.is_active:
        raise Conflict(_("User %(email)s is deactivated.", email=user.email))
    token = "vr_" + secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:10], created_at=now,
                      expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]))
    session.add(record)
    session.flush()
    return record, token


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound(_("No such token."))
    record.revoked_at = record.revoked_at or utcnow()
    session.flush()
    return record


def revoke_all_tokens(session: Session, user: User) -> None:
    """Revoke every token of the user still in force."""
    for record in session.exec(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        record.revoked_at = utcnow()
        session.add(record)
    session.flush()


def token_and_user(session: Session, token: str) -> tuple[ApiToken | None, User | None]:
    """The token record in force (not revoked, not expired) and its active owner, or
    ``(None, None)``; reads only."""
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
        return None, None
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None, None
    return record, user


def token_use_due(record: ApiToken, now) -> bool:
    """Whether the token's "last used" time should be written now (at most once per
    interval, so that reads rarely write). The request glue writes it with
    ``token_use.record_use`` after its read transaction, best effort (issue 16)."""
    return record.last_used_at is None or now - record.last_used_at > TOKEN_USE_PRECISION


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user owning an unrevoked token, or ``None``."""
    return token_and_user(session, token)[1]
