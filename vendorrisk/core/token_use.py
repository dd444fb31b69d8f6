"""Recording when an API token or a browser session was last used: best effort, never at a
request's expense.

A read-only API call must never fail because of this bookkeeping. So the time is written
in its own short transaction on its own connection, waiting at most ``WAIT_MS`` for the
database; when the database is busy (SQLite's write lock held, a PostgreSQL row lock) it
gives up quietly, and the next call after the interval tries again.
"""
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from vendorrisk.core.db import WRITE_OPTION, engine_of
from vendorrisk.core.models import ApiToken, UserSession

log = logging.getLogger("vendorrisk.auth")
WAIT_MS = 200


def record_use(token_id: int, when: datetime, *, session: bool = False) -> bool:
    """Write ``last_used_at`` of a token (or ``last_seen_at`` of a browser session); return
    False (and log) when the database was busy."""
    statement = (update(UserSession).where(UserSession.id == token_id).values(last_seen_at=when) if session
                 else update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))
    engine = engine_of(current_app)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:  # this connection only, restored below before it goes back to the pool
                previous = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
                connection.exec_driver_sql(f"PRAGMA busy_timeout={WAIT_MS}")
                connection.commit()
            try:
                connection.execution_options(**{WRITE_OPTION: True})  # SQLite: BEGIN IMMEDIATE
                with connection.begin():
                    if not sqlite:
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'")
                    connection.execute(statement)
            finally:
                if sqlite:
                    connection.execution_options(**{WRITE_OPTION: False})
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={previous}")
                    connection.commit()
    except DBAPIError as exc:  # database busy or locked: bookkeeping only, skip it this time
        log.info("token %s: last use not recorded (%s)", token_id, str(exc.orig).splitlines()[0])
        return False
    return True
