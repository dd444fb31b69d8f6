"""Who is making this request: the signed-in browser session (held on the server, see
``sessions``) or an API bearer token; signing in (with its second step) and out."""
import time

from flask import g, request, session
from sqlalchemy.orm.attributes import set_committed_value

from vendorrisk.core import sessions, token_use
from vendorrisk.core import users as users_service
from vendorrisk.core.db import SAFE_METHODS, get_session
from vendorrisk.core.db_phases import end_transaction, reading
from vendorrisk.core.models import ApiToken, User, UserSession, utcnow

PENDING_SECONDS = 600  # between a correct password and the second factor


def authenticate_request() -> User | None:
    """Return the user behind the request, or ``None``.

    The JSON API accepts only ``Authorization: Bearer`` tokens (no cookies, so no CSRF
    exposure); pages accept only the session cookie, whose key must name a session in force.
    """
    db = get_session()
    if request.method in SAFE_METHODS:
        # A reading request's session takes no write lock: the look-up begins the one
        # transaction the whole request reads in (one BEGIN and one COMMIT per request).
        record, row, user = _authenticate(db)
    else:
        # A read transaction of its own: finding the user never takes SQLite's write lock,
        # and a writing request's own transaction begins with its first statement after this.
        with reading(db):
            record, row, user = _authenticate(db)
    now = utcnow()
    token_due = record is not None and users_service.token_use_due(record, now)
    seen_due = row is not None and sessions.seen_due(row, now)
    if token_due or seen_due:
        # "Last used" bookkeeping (at most once per interval) on a connection of its own, after
        # the read transaction ends: one pooled connection at a time.
        end_transaction(db)
        if token_due and token_use.record_use(record.id, now):
            set_committed_value(record, "last_used_at", now)  # written already: not a change here
        if seen_due and token_use.record_use(row.id, now, session=True):
            set_committed_value(row, "last_seen_at", now)
    g.user_session = row
    if user is not None:
        db.info["actor_id"] = user.id
        db.info["actor"] = user.email
    return user


def _authenticate(db) -> tuple[ApiToken | None, UserSession | None, User | None]:
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, None, None
        record, user = users_service.token_and_user(db, token.strip())
        return record, None, user
    key = session.get("sk")
    if not key:
        return None, None, None
    row, user = sessions.find(db, str(key))
    if row is None:
        session.clear()  # ended, expired or revoked: the cookie is worth nothing now
    return None, row, user


def _end_current(db) -> None:
    """End the session this browser was signed in with, if any: a new sign-in replaces it."""
    row = current_session()
    if row is not None:
        sessions.end(db, row, "replaced")
        g.user_session = None


def sign_in(db, user: User, *, second_factor: bool = False) -> UserSession:
    """Start a fresh session for the user (the browser's previous one ends, whatever the
    cookie held before is dropped)."""
    _end_current(db)
    db.info["actor_id"], db.info["actor"] = user.id, user.email  # the trail names who signed in, not "system"
    session.clear()
    session.permanent = True
    row, key = sessions.start(db, user, second_factor=second_factor, remote_addr=request.remote_addr or "",
                              user_agent=request.user_agent.string or "")
    session["sk"] = key
    g.user_session = row
    return row


def sign_out(db) -> None:
    """End the browser session on the server and drop the cookie."""
    row = current_session()
    if row is not None:
        sessions.end(db, row, "sign_out")
    session.clear()


def current_session() -> UserSession | None:
    """The browser session of this request, as found by the access hook."""
    return g.get("user_session")


def current_user() -> User | None:
    """The user of this request, as found by the access hook."""
    return g.get("user")


def begin_second_factor(db, user: User) -> None:
    """Remember, for a few minutes, that this browser gave the user's correct password (the
    browser's previous session ends)."""
    _end_current(db)
    session.clear()
    session["pending"] = {"uid": user.id, "at": int(time.time())}


def pending_user(db) -> User | None:
    """The user whose password this browser gave and who still owes the second factor."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.get(User, pending.get("uid"))
    return user if user is not None and user.is_active else None
