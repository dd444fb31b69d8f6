"""Statements that differ by engine: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
from sqlalchemy import Column, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

BATCH = 2000


def insert_ignore(session: Session, table: Table, rows: list[dict]) -> int:
    """Insert rows, silently skipping those that collide with a unique key; return how many
    were inserted. Safe against a concurrent writer inserting the same keys."""
    return len(inserted(session, table, rows, table.c.id))


def inserted(session: Session, table: Table, rows: list[dict], column: Column) -> list:
    """``insert_ignore`` answering ``column`` of each row it inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    found = []
    for start in range(0, len(rows), BATCH):
        statement = module.insert(table).on_conflict_do_nothing().returning(column)
        found += session.execute(statement, rows[start:start + BATCH]).scalars().all()
    return found
