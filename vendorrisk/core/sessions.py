"""Browser sessions held on the server (issue 16).

The session cookie carries a random key; only its SHA-256 is stored, in ``user_session``.
A session ends — wherever its cookie has been copied to — at sign-out, when it is revoked
(by its user from the Account page, or by an admin), when its user changes password or is
deactivated, and ``SESSION_LIFETIME_MINUTES`` after sign-in. Sign-ins, sign-outs and
revocations are rows of that table, so the audit trail records them (the key hash never).
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.core.errors import NotFound
from vendorrisk.core.models import User, UserSession, utcnow

SEEN_PRECISION = timedelta(minutes=5)


def key_hash(key: str) -> str:
    """SHA-256 of a session key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def start(db: Session, user: User, *, second_factor: bool = False, remote_addr: str = "",
          user_agent: str = "") -> tuple[UserSession, str]:
    """Open a session for the user; returns the row and the key for the cookie."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(user_id=user.id, key_hash=key_hash(key), created_at=now, last_seen_at=now,
                      expires_at=now + timedelta(minutes=current_app.config["SESSION_LIFETIME_MINUTES"]),
                      remote_addr=remote_addr[:64], user_agent=user_agent[:200], second_factor=second_factor)
    db.add(row)
    db.flush()
    return row, key


def find(db: Session, key: str) -> tuple[UserSession | None, User | None]:
    """The session with this key and its user while both are in force, else ``(None, None)``; reads only."""
    row = db.exec(select(UserSession).where(UserSession.key_hash == key_hash(key))).first()
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None, None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None, None
    return row, user


def seen_due(row: UserSession, now) -> bool:
    """Whether the session's "last seen" time should be written now (at most every 5 minutes)."""
    return row.last_seen_at is None or now - row.last_seen_at > SEEN_PRECISION


def end(db: Session, row: UserSession, reason: str) -> None:
    """End one session (idempotent)."""
    if row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), reason
        db.add(row)
        db.flush()


def end_all(db: Session, user: User, reason: str, keep_id: int | None = None) -> int:
    """End every open session of the user but ``keep_id``; returns how many ended."""
    rows = db.exec(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                             UserSession.id != (keep_id or 0))).all()
    for row in rows:
        end(db, row, reason)
    return len(rows)


def open_sessions(db: Session, user_id: int) -> list[UserSession]:
    """The user's sessions in force, newest first."""
    return list(db.exec(select(UserSession).where(UserSession.user_id == user_id,
                                                  UserSession.ended_at.is_(None),
                                                  UserSession.expires_at > utcnow())
                        .order_by(UserSession.id.desc())))


def revoke(db: Session, user_id: int, session_id: int) -> UserSession:
    """End one of this user's sessions (the caller checked who may)."""
    row = db.get(UserSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFound(_("No such session."))
    end(db, row, "revoked")
    return row


def mark_second_factor(db: Session, row: UserSession) -> None:
    """Record that this session's user has proved a second factor (enrolment done)."""
    row.second_factor = True
    db.add(row)
    db.flush()
