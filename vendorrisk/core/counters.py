"""Counts kept in the writing transaction (``maintained_count``), so that a number shown on
every page — the navigation's 「自分のタスク」, the dashboard's figures — is read from a few
rows instead of counted over records that grow with the portfolio.

An area registers a ``Counted`` in its ``init_app`` (``registry.of(app).counted[name]``):

- ``watch``: model class → the attribute naming the key a change of such a row moves (a
  finding's ``id``, a link's ``arrangement_id``); its value before and after the change are
  both taken;
- ``contributions(connection, keys)``: what the records of these keys add to each
  (kind, scope, day) now; ``keys=None``: every record (the rebuild).

Before a flush that touches a watched class the contributions of the touched keys are read,
after it the same keys again, and the difference is kept in the session; the differences of
the whole transaction are added to the counts once, at commit (after a last flush), so that a
count commits or rolls back with its records. Core statements bypass the ORM: their writer
wraps them in ``touching(session, name, keys)``.

Concurrency (PostgreSQL, READ COMMITTED; SQLite's writers are serial, BEGIN IMMEDIATE): the
"before" of a key is read only after taking the transaction's advisory lock on that key
(``pg_advisory_xact_lock``, keys in order), so a second writer of the same key reads it after
the first has committed and counts no change twice. The shared counter rows are written only
at commit, in key order, so two writers never hold them in opposite orders; a savepoint that
is released writes its transaction's differences too (``core.locking.insert_once``), one
rolled back drops those taken inside it. A transaction reads its own differences through
``total`` and ``by_scope``, which add the ones not yet written. A count that depends on
the date keeps its records by day (``day``, ISO), and the reader adds up the days of its
window: as many rows as there are distinct days, whatever the number of records.
"""
import hashlib
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask import has_app_context
from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from vendorrisk.core import registry

PENDING = "vendorrisk_counted_before"
DELTAS = "vendorrisk_counted_deltas"  # differences of the transaction not yet written
SAVED = "vendorrisk_counted_saved"  # savepoint → the differences when it began
CHUNK = 500
NONE = ""  # the scope or day of a count that has none


class MaintainedCount(SQLModel, table=True):
    """How many records count in (``kind``, ``scope``, ``day``): e.g. open findings of a
    severity, open reviews of an owner due on a day. Kept by ``core.counters``."""

    __tablename__ = "maintained_count"
    kind: str = Field(primary_key=True, max_length=40)
    scope: str = Field(primary_key=True, max_length=40)
    day: str = Field(primary_key=True, max_length=10)
    n: int = 0


T = MaintainedCount.__table__
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Counted:
    """Counts an area keeps: the kinds it writes, what it watches, how it counts."""

    kinds: tuple[str, ...]
    watch: dict[type, str]
    contributions: Callable[..., Counter]
    # per watched class, the attributes the counts read: a row changed in none of them (a
    # vendor's flag, a link's service) moves no count and costs no query
    reads: dict[type, tuple[str, ...]] = field(default_factory=dict)


def chunks(keys: Iterable, size: int = CHUNK):
    """``keys`` sorted, in lists of at most ``size`` (the ``IN`` lists of a contribution)."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def _moves(obj, spec: Counted, attribute: str) -> bool:
    """Whether a changed row may move the counts: new, deleted, or changed in an attribute
    they read (or its key)."""
    read = spec.reads.get(type(obj))
    state = inspect(obj)
    if read is None or state.pending or state.deleted or state.was_deleted or not state.persistent:
        return True
    return any(state.attrs[name].history.has_changes() for name in (attribute, *read))


def _touched(session: Session, counted: dict[str, Counted]) -> tuple[dict[str, set], dict[str, list]]:
    """Before a flush: per count, the keys its changed rows hold now and held before, and
    its new rows (whose key may come with their id)."""
    found: dict[str, set] = {}
    fresh: dict[str, list] = {}
    dirty = set(map(id, session.dirty))
    for obj in (*session.new, *session.dirty, *session.deleted):
        for name, spec in counted.items():
            attribute = spec.watch.get(type(obj))
            if attribute is None or (id(obj) in dirty and not _moves(obj, spec, attribute)):
                continue
            keys = found.setdefault(name, set())
            value = getattr(obj, attribute, None)
            if value is not None:
                keys.add(value)
            keys.update(v for v in inspect(obj).attrs[attribute].history.deleted if v is not None)
            if inspect(obj).pending:
                fresh.setdefault(name, []).append(obj)
    return found, fresh


def _counted() -> dict[str, Counted]:
    return registry.current().counted if has_app_context() else {}


def _lock_name(name: str) -> int:
    """A stable 32-bit signed number for the counts ``name`` (the advisory lock's first int)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


LOCK_ALL = text("SELECT pg_advisory_xact_lock(:space, hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k")


def _lock(connection, name: str, keys) -> None:
    """On PostgreSQL, take the transaction's advisory lock on each key of the counts ``name``
    (in key order) before its contributions are read: a second writer of the same key reads
    its "before" only after the first has committed. SQLite's writers are serial already."""
    if connection.dialect.name != "postgresql" or not keys:
        return
    # one statement for all of them (the first sweep locks 991 vendors): a function scan
    # hands the array's elements to the lock in the array's order, one row after the other
    connection.execute(LOCK_ALL, {"space": _lock_name(name), "keys": [str(key) for key in sorted(keys)]})


def pending(session: Session) -> Counter:
    """The differences this session's transaction made that are not written yet."""
    return session.info.setdefault(DELTAS, Counter())


def _before_flush(session: Session, _context, _instances) -> None:
    session.info.pop(PENDING, None)  # a "before" left by a flush that failed
    counted = _counted()
    if not counted:
        return
    touched, fresh = _touched(session, counted)
    if not touched:
        return
    connection = session.connection()
    for name in sorted(touched):
        _lock(connection, name, touched[name])
    session.info[PENDING] = {name: (keys, fresh.get(name, []),
                                    counted[name].contributions(connection, keys) if keys else Counter())
                             for name, keys in touched.items()}


def _after_flush(session: Session, _context) -> None:
    before_flush = session.info.pop(PENDING, None)
    if not before_flush:
        return
    counted = _counted()
    connection = session.connection()
    deltas = pending(session)
    for name, (keys, fresh, before) in before_flush.items():
        attribute = counted[name].watch
        keys = keys | {k for k in (getattr(o, attribute[type(o)], None) for o in fresh) if k is not None}
        deltas.update(counted[name].contributions(connection, keys) if keys else Counter())
        deltas.subtract(before)


def _before_commit(session: Session) -> None:
    """Write the transaction's differences, once and in key order (also when a savepoint is
    released: it then writes them inside the savepoint)."""
    session.flush()
    deltas = session.info.pop(DELTAS, None)
    if deltas and any(deltas.values()):
        apply(session.connection(), deltas)


def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(SAVED, {})[transaction] = Counter(session.info.get(DELTAS, Counter()))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    """A savepoint rolled back: the differences are those of when it began."""
    session.info.pop(PENDING, None)
    saved = session.info.get(SAVED, {})
    if previous_transaction.nested and previous_transaction in saved:
        session.info[DELTAS] = saved.pop(previous_transaction)


def _after_transaction_end(session: Session, transaction) -> None:
    """The session's transaction ended (committed, rolled back or closed): nothing is left."""
    if transaction.parent is None:
        for name in (PENDING, DELTAS, SAVED):
            session.info.pop(name, None)


@contextmanager
def touching(session: Session, name: str, keys: Iterable, added: Iterable = ()):
    """Around Core statements that write the records of ``keys`` of the counts ``name``
    (which the flush listeners cannot see): the difference they make is kept with the
    flushes' and written at commit.

    ``added``: keys whose records the statements only insert, when the counts are sums over
    records (a new record moves no other record's contribution): their difference is the new
    records' contribution, which the caller works out and passes to the ``add`` this yields,
    and nothing is read for them (the first sweep plans 991 reviews). They are locked with
    ``keys``, and must not be among them."""
    spec = _counted().get(name)
    keys, added = set(keys), set(added)
    if spec is None or not (keys or added):
        yield lambda deltas: None
        return
    session.flush()
    connection = session.connection()
    _lock(connection, name, keys | added)
    before = spec.contributions(connection, keys) if keys else Counter()
    new: Counter = Counter()
    yield new.update
    deltas = spec.contributions(connection, keys) if keys else Counter()
    deltas.subtract(before)
    deltas.update(new)
    pending(session).update(deltas)


def _in_key_order(deltas: Counter) -> list:
    """The non-zero ``deltas`` as ((kind, scope, day), delta), in key order. Sorted on the
    key joined by NUL, which orders as the tuple does (NUL sorts before any character): the
    first sweep's 806 keys compared as nested tuples cost more than writing them."""
    return sorted(((key, delta) for key, delta in deltas.items() if delta), key=lambda item: "\0".join(item[0]))


def add_to(connection, table, keys: tuple[str, ...], value: str, rows: list[tuple]) -> None:
    """Add each row's last item to the ``value`` column of ``table``'s row at the row's
    ``keys`` (made at that value when missing), all in one statement, in the order given
    (every writer gives key order, so two writers never wait on each other in a cycle).

    PostgreSQL: ``INSERT … SELECT FROM unnest(…) WITH ORDINALITY … ON CONFLICT DO UPDATE``, one
    round trip whatever the number of rows; SQLite: the same upsert as one ``executemany``.
    Plain strings and integers are handed to the driver as they are (SQLAlchemy's per-row
    handling cost more than the writes for the first sweep's hundreds of keys)."""
    if not rows:
        return
    columns = ", ".join((*keys, value))
    on_conflict = (f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {value} = {table.name}.{value} + "
                   f"excluded.{value}")
    if connection.dialect.name == "postgresql":
        arrays = ", ".join(["CAST(%s AS text[])"] * len(keys) + ["CAST(%s AS integer[])"])
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM unnest({arrays}) WITH ORDINALITY "
            f"AS given({columns}, position) ORDER BY position {on_conflict}",
            tuple([list(column) for column in zip(*rows)]))
        return
    marks = ", ".join("?" * (len(keys) + 1))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) {on_conflict}", rows)


def apply(connection, deltas: Counter) -> None:
    """Add ``deltas`` to the counts, in key order, in one statement (called once per
    transaction, at commit)."""
    add_to(connection, T, ("kind", "scope", "day"), "n",
           [(kind, scope, day, delta) for (kind, scope, day), delta in _in_key_order(deltas)])


def stored(connection, kinds: Iterable[str]) -> Counter:
    """The kept counts of ``kinds`` (rows at zero left out)."""
    rows = connection.execute(select(T).where(T.c.kind.in_(list(kinds))))
    return Counter({(r.kind, r.scope, r.day): r.n for r in rows if r.n})


def recounted(connection, counted: dict[str, Counted]) -> Counter:
    """Every registered count, counted again over all records."""
    found: Counter = Counter()
    for spec in counted.values():
        found.update(spec.contributions(connection, None))
    return +found


def rebuild(session: Session) -> int:
    """Count every record again and write the counts that differ; returns how many."""
    counted = registry.current().counted
    session.flush()
    session.info.pop(DELTAS, None)  # the recount below includes them
    connection = session.connection()
    wanted = recounted(connection, counted)
    existing = stored(connection, [k for spec in counted.values() for k in spec.kinds])
    deltas = Counter({key: wanted.get(key, 0) - existing.get(key, 0) for key in set(wanted) | set(existing)})
    changed = sum(1 for delta in deltas.values() if delta)
    apply(connection, deltas)
    return changed


def total(session: Session, kind: str, scopes: Iterable[str] = (NONE,), through: date | None = None) -> int:
    """The count of ``kind`` over ``scopes`` (and, for counts by day, the days up to
    ``through``)."""
    scopes = list(scopes)
    query = select(T.c.n).where(T.c.kind == kind, T.c.scope.in_(scopes))
    if through is not None:
        query = query.where(T.c.day <= through.isoformat())
    own = sum(delta for (k, scope, day), delta in session.info.get(DELTAS, Counter()).items()
              if k == kind and scope in scopes and (through is None or day <= through.isoformat()))
    return sum(session.execute(query).scalars()) + own


def by_scope_and_day(session: Session, kind: str) -> dict[tuple[str, str], int]:
    """The count of ``kind`` in each (scope, day) (e.g. findings by severity and due date):
    the kept rows plus this transaction's changes not written yet; no zero counts."""
    found: Counter = Counter()
    for scope, day, n in session.execute(select(T.c.scope, T.c.day, T.c.n).where(T.c.kind == kind)):
        found[(scope, day)] += n
    for (k, scope, day), delta in session.info.get(DELTAS, Counter()).items():
        if k == kind and delta:
            found[(scope, day)] += delta
    return {key: n for key, n in found.items() if n}


def by_scope(session: Session, kind: str) -> dict[str, int]:
    """The count of ``kind`` in each scope, whatever the day (e.g. open findings by
    severity): ``by_scope_and_day`` with the days added up; no zero counts."""
    found: Counter = Counter()
    for (scope, _day), n in by_scope_and_day(session, kind).items():
        found[scope] += n
    return {scope: n for scope, n in found.items() if n}


def init_listeners() -> None:
    """Keep the registered counts on every flush, write them at commit (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_create", _after_transaction_create)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
