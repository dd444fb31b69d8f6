"""Decisions that stay single under concurrency: row locks and unique-key races.

A state change (approve, reject, close, decide) is taken on the row's latest committed
state, under a lock that makes concurrent deciders queue: ``lock(session, obj)`` re-reads
the row with ``SELECT ... FOR UPDATE`` on PostgreSQL (whose READ COMMITTED snapshot would
otherwise let two requests both see "submitted" and both decide). On SQLite a writing
transaction already holds the database's write lock from its first statement (BEGIN
IMMEDIATE), so the same re-read simply returns the current row. The service then checks
the state as usual: the one that came second sees the first one's decision and answers
409 Conflict.

``insert_once`` adds a row that a unique key may already hold (a file's content hash, a
corporate number): it inserts inside a SAVEPOINT and, when a concurrent transaction won
the race, rolls back only that savepoint and returns ``None`` so the caller can read the
winner's row or refuse with a clear 409.

``lock_names`` takes named advisory locks in a fixed (sorted) order before a transaction
takes several row locks or unique keys whose order it does not choose (the files of a
contract set in the order they were sent), so that two such transactions queue instead of
deadlocking.
"""
import hashlib
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

T = TypeVar("T")
UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE


def lock(session: Session, obj: T) -> T:
    """Re-read ``obj``'s row under a row lock (held until the transaction ends) and return it."""
    session.refresh(obj, with_for_update=True)
    return obj


def is_unique_violation(exc: IntegrityError) -> bool:
    """Tell whether an integrity error is a duplicate key (not a missing or invalid value)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == UNIQUE_VIOLATION or getattr(orig, "pgcode", None) == UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(orig)


def insert_once(session: Session, obj: T) -> T | None:
    """Insert ``obj``; return it, or ``None`` (nothing inserted, the transaction still usable)
    when a unique key already holds a row committed by another transaction."""
    session.flush()  # earlier pending rows stay outside the savepoint that may be rolled back
    try:
        with session.begin_nested():
            session.add(obj)
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return None
    return obj


LOCK_NAMES = text("SELECT pg_advisory_xact_lock(:space, hashtext(k)) FROM unnest(CAST(:names AS text[])) AS k")


def lock_names(session: Session, space: str, names: Iterable[str]) -> None:
    """On PostgreSQL, take the transaction's advisory lock on each of ``names`` (within
    ``space``) in sorted order, held until the transaction ends: transactions about to lock
    rows or take unique keys named by overlapping names wait at the first name they share,
    holding none of them, instead of each holding one the other needs (a deadlock PostgreSQL
    breaks by aborting one). SQLite's writers are serial already."""
    names = sorted(set(names))
    if not names or session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(space.encode()).digest()[:4], "big", signed=True)
    # a function scan hands the array's elements to the lock in the array's order
    session.execute(LOCK_NAMES, {"space": number, "names": names})
