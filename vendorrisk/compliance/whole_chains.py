"""Statements that read every chain (the register, DORA B_05.02) planned for that.

PostgreSQL misestimates the recursive walk of every chain by orders of magnitude (1,026 rows
for 262,429 at 50,000 vendors) and, reading through a server-side cursor, picks nested loops
that probe the vendor and link tables once per row. Such a statement wants hash joins over
the whole tables whatever the estimate: ``hash_joins`` turns nested loops off for the
statements read inside it (``SET LOCAL``, this transaction only) and resets the setting when
they are read (docs/compliance.md, "PostgreSQL exports" and "The matrix export's CPU").
"""
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection


@contextmanager
def hash_joins(connection: Connection) -> Iterator[Connection]:
    """Nested loops off on PostgreSQL while the block reads (nothing on SQLite)."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SET LOCAL enable_nestloop = off")
    try:
        yield connection
    finally:
        if postgres and not connection.closed:
            connection.exec_driver_sql("RESET enable_nestloop")
