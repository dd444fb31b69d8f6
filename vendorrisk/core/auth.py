"""Who is making this request: the signed-in browser session or an API bearer token."""
from flask import g, request, session
from sqlalchemy.orm.attributes import set_committed_value

from vendorrisk.core import token_use, users as users_service
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.models import ApiToken, User, utcnow


def authenticate_request() -> User | None:
    """Return the user behind the request, or ``None``.

    The JSON API accepts only ``Authorization: Bearer`` tokens (no cookies, so no CSRF
    exposure); pages accept only the signed session cookie.
    """
    db = get_session()
    # A read transaction of its own: finding the user never takes SQLite's write lock, and
    # a writing request's own transaction begins with its first statement after this.
    with reading(db):
        record, user = _authenticate(db)
    if record is not None:  # after the read transaction: one pooled connection at a time
        now = utcnow()
        if users_service.token_use_due(record, now) and token_use.record_use(record.id, now):
            set_committed_value(record, "last_used_at", now)  # written already: not a change here
    if user is not None:
        db.info["actor_id"] = user.id
        db.info["actor"] = user.email
    return user


def _authenticate(db) -> tuple[ApiToken | None, User | None]:
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, None
        return users_service.token_and_user(db, token.strip())
    return None, _session_user(db)


def _session_user(db) -> User | None:
    user_id = session.get("uid")
    if user_id is None:
        return None
    user = db.get(User, user_id)
    if user is None or not user.is_active or session.get("sv") != user.session_version:
        session.clear()
        return None
    return user


def sign_in(user: User) -> None:
    """Start a fresh browser session for the user (the old session's data is dropped)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["sv"] = user.session_version


def sign_out() -> None:
    """End the browser session."""
    session.clear()


def current_user() -> User | None:
    """The user of this request, as found by the access hook."""
    return g.get("user")
