"""Phases of a writing request: read and parse first, then write briefly.

On SQLite a writing request's transaction takes the database's one write lock when it
begins (``BEGIN IMMEDIATE``, see ``db``), so that two writers queue instead of one
failing. Whatever such a transaction does while it holds the lock — parsing an upload,
validating a workbook row by row — every other writer waits for, and gives up after the
busy timeout. ``reading(session)`` runs a block in a read transaction instead: it takes
no write lock (SQLite's WAL lets writers go on beside it), and it ends with the block.
The next statement of the request then begins its write transaction, short, under whose
lock the services check again whatever they rely on (they re-read what they decide on).

On PostgreSQL the phases change nothing but the transaction boundaries.
"""
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event
from sqlmodel import Session

from vendorrisk.core.db import WRITE_OPTION


class WriteInReadPhase(RuntimeError):
    """A block run by ``reading`` tried to write (a programming error)."""


def _no_writes(session, _context, _instances):
    raise WriteInReadPhase("a read phase (db_phases.reading) must not write; write after it")


def end_transaction(session: Session) -> None:
    """End the session's transaction, if any, keeping what it loaded (commits what it flushed)."""
    if session.in_transaction():
        session.commit()


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """Run the block in a read transaction that takes no SQLite write lock, then end it.

    The transaction in progress, if any, is ended first. What the block loads stays
    usable afterwards; a refusal raised in the block rolls the read transaction back."""
    end_transaction(session)
    session.connection(execution_options={WRITE_OPTION: False})
    event.listen(session, "before_flush", _no_writes)
    try:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()  # nothing to write: ends the read transaction, keeps the objects loaded
    finally:
        event.remove(session, "before_flush", _no_writes)
