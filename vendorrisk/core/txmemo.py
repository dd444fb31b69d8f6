"""Reads shared by the listeners of one transaction, forgotten when what they read is written.

A write to a hub publishes an event, and every area's listener (the risk tier, the review
plans, the maintained verdicts at commit) asks the database the same questions about the
same vendors: their chain tiers, their chain memberships, their last completed reviews.
``remembered(session, key, tables, compute)`` answers the second asker from the first answer,
as long as nothing was written to the ``tables`` the answer was read from.

How it stays right: the memo lives on the transaction's connection and every statement the
connection sends passes ``_before_execute`` first. A SELECT keeps the memo (raw SQL too when
it starts with SELECT: the counters' advisory locks); an INSERT, UPDATE or DELETE (ORM flush,
Core, or raw SQL that starts with one and names its table) forgets the answers read from its
table; any other statement (other raw SQL, a
savepoint, DDL) forgets everything; so do the transaction's end and a
rollback to a savepoint. A value is the caller's read: callers must not change it in place.

Within a transaction an answer is as of its first read: on PostgreSQL (READ COMMITTED) a
second read might have seen another transaction committed in between; the listeners of one
write run within milliseconds, and the maintained verdicts were never serialised against
concurrent writers anyway (docs/compliance.md).
"""
import re

from sqlalchemy import event
from sqlalchemy.engine import Engine

MEMO = "vendorrisk_txmemo"
_RAW_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)[\s(]", re.IGNORECASE)
LIMIT = 32  # answers kept at once: a rebuild's batches each ask once, and must not pile up


def remembered(session, key: tuple, tables: tuple[str, ...], compute):
    """``compute()``, or its earlier answer in this transaction if none of ``tables`` was
    written since. ``key`` names the question and its arguments (hashable). Pending ORM
    changes are flushed first, as a query would (autoflush): a remembered answer must not hide
    a change made but not yet flushed."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    info = session.connection().info
    memo = info.get(MEMO)
    if memo is None:
        memo = info[MEMO] = {}
    found = memo.get(key)
    if found is not None:
        return found[1]
    value = compute()
    if len(memo) >= LIMIT:
        del memo[next(iter(memo))]
    memo[key] = (frozenset(tables), value)
    return value


def _written_table(context) -> str | None:
    """The table a DML statement writes, "" for a read, None when unknown (forget all)."""
    statement = getattr(getattr(context, "compiled", None), "statement", None)
    if getattr(statement, "is_select", False):
        return ""
    if getattr(statement, "is_dml", False):
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None) or getattr(getattr(table, "element", None), "name", None)
        return name if isinstance(name, str) else None
    # raw SQL: a plain SELECT (the advisory locks) reads; a plain INSERT, UPDATE or DELETE
    # (the counters' upserts) writes the table it names; anything else may write anywhere
    sql = getattr(context, "statement", None) or ""
    if sql.lstrip()[:7].upper() == "SELECT ":
        return ""
    written = _RAW_WRITE.match(sql)
    return written.group(1).lower() if written else None


def _before_execute(conn, _cursor, _statement, _parameters, context, _executemany) -> None:
    memo = conn.info.get(MEMO)
    if not memo:
        return
    table = _written_table(context)
    if table == "":
        return
    if table is None:
        memo.clear()
        return
    for key in [k for k, (tables, _value) in memo.items() if table in tables]:
        del memo[key]


def _forget(conn, *_args) -> None:
    memo = conn.info.get(MEMO)
    if memo:
        memo.clear()


def _checked_in(_dbapi_connection, record) -> None:
    record.info.pop(MEMO, None)


def watch(engine: Engine) -> None:
    """Keep the memo of ``engine``'s connections in step with their writes and transactions."""
    event.listen(engine, "before_cursor_execute", _before_execute)
    for name in ("begin", "commit", "rollback", "rollback_savepoint"):
        event.listen(engine, name, _forget)
    event.listen(engine.pool, "checkin", _checked_in)
