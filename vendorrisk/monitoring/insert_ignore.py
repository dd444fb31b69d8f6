"""Statements that differ by engine: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
from sqlalchemy import Column, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from vendorrisk.core.models import JSONText

BATCH = 2000


def insert_ignore(session: Session, table: Table, rows: list[dict]) -> int:
    """Insert rows, silently skipping those that collide with a unique key; return how many
    were inserted. Safe against a concurrent writer inserting the same keys."""
    return len(inserted(session, table, rows, table.c.id))


def inserted(session: Session, table: Table, rows: list[dict], column: Column, as_text: tuple[str, ...] = ()) -> list:
    """``insert_ignore`` answering ``column`` of each row it inserted; the JSON columns
    ``as_text`` are given as their JSON text (``JSONText``), not encoded row by row."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    found = []
    for start in range(0, len(rows), BATCH):
        statement = module.insert(table).on_conflict_do_nothing().returning(column)
        if as_text:
            statement = statement.values({name: bindparam(name, type_=JSONText()) for name in as_text})
        found += session.execute(statement, rows[start:start + BATCH]).scalars().all()
    return found
