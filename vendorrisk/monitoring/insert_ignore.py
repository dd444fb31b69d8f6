"""Statements that differ by engine: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL.

On SQLite, rows go in as one ``executemany`` of one prepared statement, and the driver's row
count says how many went in (sqlite3 adds up the rows each execution inserted). A statement
with ``RETURNING`` is instead written out as one multi-row ``VALUES`` per batch, which
SQLAlchemy formats and SQLite parses again for every batch: for the first sweep's plan of 991
reviews that was a third of the insert's cost. On PostgreSQL the row count of psycopg's
``executemany`` is not given (-1), so rows go in with ``RETURNING`` there, as before.
"""
from sqlalchemy import Column, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from vendorrisk.core.models import JSONText

BATCH = 2000


def _statement(session: Session, table: Table, as_text: tuple[str, ...]):
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table).on_conflict_do_nothing()
    if as_text:
        statement = statement.values({name: bindparam(name, type_=JSONText()) for name in as_text})
    return statement


def _count(session: Session, statement, rows: list[dict]) -> int:
    return sum(session.execute(statement, rows[start:start + BATCH]).rowcount for start in range(0, len(rows), BATCH))


def _counted(session: Session) -> bool:
    """Whether the driver counts the rows an ``executemany`` inserted (sqlite3 does)."""
    return session.get_bind().dialect.name == "sqlite"


def _returned(session: Session, statement, rows: list[dict], column: Column) -> list:
    found = []
    for start in range(0, len(rows), BATCH):
        found += session.execute(statement.returning(column), rows[start:start + BATCH]).scalars().all()
    return found


def insert_ignore(session: Session, table: Table, rows: list[dict]) -> int:
    """Insert rows, silently skipping those that collide with a unique key; return how many
    were inserted. Safe against a concurrent writer inserting the same keys."""
    if not rows:
        return 0
    statement = _statement(session, table, ())
    if _counted(session):
        return _count(session, statement, rows)
    return len(_returned(session, statement, rows, table.c.id))


def inserted(session: Session, table: Table, rows: list[dict], column: Column, as_text: tuple[str, ...] = ()) -> list:
    """``insert_ignore`` answering ``column`` of each row it inserted; the JSON columns
    ``as_text`` are given as their JSON text (``JSONText``), not encoded row by row.

    On SQLite all rows go in at once inside a savepoint; when the count says another writer
    had inserted some of the keys first (two sweeps at once), the savepoint is rolled back
    and the rows go in again with ``RETURNING``, which names the ones this call inserted."""
    if not rows:
        return []
    statement = _statement(session, table, as_text)
    if not _counted(session):
        return _returned(session, statement, rows, column)
    savepoint = session.connection().begin_nested()
    try:
        count = _count(session, statement, rows)
    except BaseException:
        savepoint.rollback()
        raise
    if count == len(rows):
        savepoint.commit()
        return [row[column.key] for row in rows]
    savepoint.rollback()
    return _returned(session, statement, rows, column)
