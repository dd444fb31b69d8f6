"""The audit trail: every change to a domain record, written in the same transaction.

Changes are collected after each flush (with their before and after values) and written
just before commit, each entry carrying the SHA-256 of its content chained to the
previous entry's hash, so that any edit or deletion of an entry breaks the chain and
``verify`` names the first broken link. Writers are serialised for the chain: SQLite by
its write lock (transactions begin IMMEDIATE), PostgreSQL by an advisory lock.
"""
import datetime as dt
import decimal
import functools
import hashlib
import json
from typing import Any

from flask import g, has_request_context
from sqlalchemy import and_, event, insert, inspect, or_, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from vendorrisk.core.models import AuditEntry, utcnow

GENESIS = "0" * 64
NOT_AUDITED = {"audit_entry", "login_attempt", "reminder", "alembic_version", "scheduled_job"}
# Bookkeeping columns whose change alone is not a change of the record.
IGNORED_COLUMNS = {"last_used_at", "last_login_at", "updated_at", "last_seen_at", "totp_last_step"}
# Secrets and their hashes (passwords, API and calendar tokens, session keys, recovery codes,
# TOTP seeds) are never written to the trail: a new row's snapshot leaves them out, a change
# shows only that they changed.
SECRET_COLUMNS = {"password_hash", "token_hash", "key_hash", "code_hash", "totp_secret"}
_ADVISORY_LOCK_KEY = 52526  # any constant shared by all writers


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _columns(obj) -> list[str]:
    return _columns_of(type(obj))


@functools.cache
def _keyed_texts(model: type) -> tuple[tuple[str, str, str], ...]:
    """The texts ``model`` stores as a key and parameters beside their English: each column
    ``x`` with columns ``x_key`` and ``x_params`` (a finding's title, a link's approval note)."""
    names = set(_columns_of(model))
    return tuple((name, f"{name}_key", f"{name}_params") for name in sorted(names)
                 if f"{name}_key" in names and f"{name}_params" in names)


def _columns_of(model: type) -> list[str]:
    # a column the database computes from the others (vendor.kana_missing) is never a change
    # of its own, and reading it back would cost a query per row
    return [attr.key for attr in inspect(model).column_attrs
            if not any(getattr(column, "computed", None) is not None for column in attr.columns)]


def _snapshot(obj) -> dict:
    return {key: _jsonable(getattr(obj, key)) for key in _columns(obj)
            if key not in SECRET_COLUMNS}


def _entity(obj) -> str:
    return getattr(obj, "__tablename__", type(obj).__name__.lower())


def _entity_id(obj) -> str:
    # The identity key of a row inserted by this flush is not set until after the flush
    # completes, but its primary-key attributes are: read those.
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key if part is not None)


def _pending(session: Session) -> list[dict]:
    return session.info.setdefault("audit_pending", [])


def add_event(session: Session, *, action: str, entity: str, entity_id: Any = "",
              before: dict | None = None, after: dict | None = None) -> None:
    """Queue an entry that is not a row change (a download, an approval, an export)."""
    _pending(session).append({"action": action, "entity": entity, "entity_id": str(entity_id),
                              "before": before, "after": after})


def _after_flush(session: Session, _flush_context) -> None:
    entries = _pending(session)
    for obj in session.new:
        if _entity(obj) not in NOT_AUDITED:
            entries.append({"action": "create", "entity": _entity(obj),
                            "entity_id": _entity_id(obj), "before": None, "after": _snapshot(obj)})
    for obj in session.dirty:
        if _entity(obj) in NOT_AUDITED:
            continue
        state = inspect(obj)
        before, after = {}, {}
        for key in _columns(obj):
            if key in IGNORED_COLUMNS:
                continue
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            shown = key not in SECRET_COLUMNS
            before[key] = _jsonable(old) if shown else "<changed>"
            after[key] = _jsonable(new) if shown else "<changed>"
        # a keyed text whose English, key or parameters changed: the three together, so that
        # the entry reads in either language (accounts.audit_view.KEYED_TEXTS)
        for trio in _keyed_texts(type(obj)) if after else ():
            if any(name in after for name in trio):
                for name in trio:
                    if name not in after:
                        before[name] = after[name] = _jsonable(getattr(obj, name))
        if after:
            entries.append({"action": "update", "entity": _entity(obj),
                            "entity_id": _entity_id(obj), "before": before, "after": after})
    for obj in session.deleted:
        if _entity(obj) not in NOT_AUDITED:
            entries.append({"action": "delete", "entity": _entity(obj),
                            "entity_id": _entity_id(obj), "before": _snapshot(obj), "after": None})


def entry_hash(prev_hash: str, fields: dict) -> str:
    """The chained hash of one entry: SHA-256 over the previous hash and its content."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_fields(row: dict) -> dict:
    at = row["at"]
    return {"at": at.isoformat() if isinstance(at, dt.datetime) else str(at),
            "actor_id": row["actor_id"], "actor": row["actor"], "action": row["action"],
            "entity": row["entity"], "entity_id": row["entity_id"], "before": row["before"],
            "after": row["after"], "request_id": row["request_id"]}


def _before_commit(session: Session) -> None:
    session.flush()
    entries = session.info.pop("audit_pending", [])
    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    prev = connection.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
    actor_id = session.info.get("actor_id")
    actor = session.info.get("actor") or "system"
    request_id = g.get("request_id", "") if has_request_context() else ""
    now = utcnow()
    rows = []
    for entry in entries:
        row = {"at": now, "actor_id": actor_id, "actor": actor, "action": entry["action"],
               "entity": entry["entity"], "entity_id": entry["entity_id"],
               "before": None if entry["before"] is None else json.dumps(entry["before"], ensure_ascii=False, sort_keys=True),
               "after": None if entry["after"] is None else json.dumps(entry["after"], ensure_ascii=False, sort_keys=True),
               "request_id": request_id}
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, _hashed_fields(row))
        rows.append(row)
    connection.execute(insert(AuditEntry.__table__), rows)


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)


def record_denied(user, method: str, path: str) -> None:
    """Record a refused request (any 403 to a signed-in user, ``access.record_refusal``) in
    the trail, in its own committed transaction."""
    from vendorrisk.core.db import get_session

    db = get_session()
    db.rollback()
    db.info["actor_id"], db.info["actor"] = user.id, user.email
    add_event(db, action="denied", entity="route", entity_id=path[:60],
              after={"method": method, "path": path, "role": user.role})
    db.commit()


def verify(session: Session, batch: int = 5000) -> tuple[int, int | None, str]:
    """Walk the chain; return (entries checked, first broken entry id or None, reason)."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(AuditEntry.__table__).where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id).limit(batch)).mappings().all()
        if not rows:
            return checked, None, ""
        for row in rows:
            if row["prev_hash"] != prev:
                return checked, row["id"], "its link to the previous entry is broken (an entry was removed or reordered)"
            if entry_hash(prev, _hashed_fields(dict(row))) != row["hash"]:
                return checked, row["id"], "its content does not match its hash (it was edited)"
            prev = row["hash"]
            checked += 1
            last_id = row["id"]


def init_listeners() -> None:
    """Attach the trail to every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _naming_vendor(entry, vendor_id: int):
    """SQL: an entry whose snapshot names the vendor (``vendor_id`` or ``parent_vendor_id``,
    whatever the kind of record), or an entry of the vendor's own row."""
    snapshots = (entry.before, entry.after)
    names = [f'%vendor_id": {vendor_id},%', f'%vendor_id": {vendor_id}}}%']
    is_vendor = [f'%"id": {vendor_id},%', f'%"id": {vendor_id}}}%']
    return or_(*(c.like(p) for c in snapshots for p in names),
               and_(entry.entity == "vendor",
                    or_(entry.entity_id == str(vendor_id), *(c.like(p) for c in snapshots for p in is_vendor))))


def about_vendor(vendor_id: int):
    """SQL condition on ``AuditEntry``: the entries about a vendor — its own row's, and every
    entry of each record that ever named it (its arrangements, links from and to it, reviews,
    findings, certificates, checks…, whatever the area), so that a record's later entries
    (a link removed, a finding closed) come with it. The vendor page's audit trail and the
    evidence pack's extract read the same entries."""
    named = aliased(AuditEntry)
    records = select(named.entity, named.entity_id).where(_naming_vendor(named, vendor_id), named.entity_id != "")
    return or_(_naming_vendor(AuditEntry, vendor_id),
               tuple_(AuditEntry.entity, AuditEntry.entity_id).in_(records))
