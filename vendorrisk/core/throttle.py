"""Slowing down password and code guessing without handing anyone a lock-out (issue 16).

Each account — any e-mail typed in, whether or not it belongs to a user, so failures for
made-up addresses never touch a real account — has its own count of failures within
``LOGIN_FAILURE_WINDOW_MINUTES``. After ``LOGIN_MAX_FAILURES`` of them, each further
attempt must wait ``LOGIN_BACKOFF_SECONDS`` after the last failure, doubling with every
failure, at most ``LOGIN_BACKOFF_MAX_SECONDS``: an exponential back-off, never a hard lock.
An attempt made while it must wait is refused unchecked and does not count.

A browser that has signed in to the account before carries a signed *device cookie*
(OWASP's "device cookies" against lock-out): its attempts count only its own failures, so
someone guessing from elsewhere slows themselves and new browsers down, never the person
at their usual computer. The client address is recorded for the record; it decides
nothing (behind a proxy it is often everyone's, see ``TRUSTED_PROXIES``).
"""
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from vendorrisk.core.models import LoginAttempt, utcnow

DEVICE_COOKIE = "vendorrisk_device"
DEVICE_DAYS = 365


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="vendorrisk.device")


def device_cookie_value(email: str, device: str = "") -> tuple[str, str]:
    """A signed device cookie for the account; returns ``(cookie value, device id)``."""
    device = device or secrets.token_hex(16)
    return _serializer().dumps({"e": email.strip().lower(), "d": device}), device


def device_for(cookie: str | None, email: str) -> str:
    """The device id a valid cookie gives for this account, or ``""`` (an unknown browser)."""
    if not cookie:
        return ""
    try:
        data = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("e") != email.strip().lower():
        return ""
    return str(data.get("d", ""))[:64]


def _scope(query, email: str, kind: str, device: str):
    return query.where(LoginAttempt.email == email, LoginAttempt.kind == kind, LoginAttempt.device == device)


def wait_seconds(session: Session, *, email: str, kind: str = "password", device: str = "",
                 now: datetime | None = None) -> float:
    """Seconds the next attempt at this account (from this device, or from unknown browsers)
    must still wait; 0 when it may be checked now."""
    cfg = current_app.config
    now = now or utcnow()
    since = now - timedelta(minutes=cfg["LOGIN_FAILURE_WINDOW_MINUTES"])
    last_success = session.exec(_scope(select(func.max(LoginAttempt.at)), email, kind, device)
                                .where(LoginAttempt.success == True)).one()  # noqa: E712
    if last_success is not None and last_success > since:
        since = last_success
    failures, last_failure = session.exec(
        _scope(select(func.count(), func.max(LoginAttempt.at)), email, kind, device)
        .where(LoginAttempt.success == False, LoginAttempt.throttled == False,  # noqa: E712
               LoginAttempt.at > since)).one()
    beyond = failures - cfg["LOGIN_MAX_FAILURES"]
    if beyond < 0 or last_failure is None:
        return 0.0
    delay = min(cfg["LOGIN_BACKOFF_MAX_SECONDS"], cfg["LOGIN_BACKOFF_SECONDS"] * 2 ** min(beyond, 30))
    if last_failure.tzinfo is None:  # SQLite hands back naive UTC from a bare max()
        last_failure = last_failure.replace(tzinfo=now.tzinfo)
    return max(0.0, (last_failure + timedelta(seconds=delay) - now).total_seconds())


def record(session: Session, *, email: str, kind: str, device: str, remote_addr: str,
           success: bool, throttled: bool = False) -> None:
    """Record one attempt (the caller commits)."""
    session.add(LoginAttempt(email=email[:254], kind=kind, device=device[:64], remote_addr=remote_addr[:64],
                             success=success, throttled=throttled))
