"""Reading the next batch's verdict pages into PostgreSQL's memory while the matrix export
writes the current batch (issue 17, pgmx21).

At 50k vendors the maintained verdicts (``compliance_verdict``: 329 MB of rows, 427 MB with
its indexes) no longer fit in the server's shared buffers (128 MB by default): each export
reads nearly every page of the table back from the operating system, and that reading is
most of what the server does during the export (about 13 of a batch's 16 ms). The export
reads in turn: the server's work and the app's never overlap. ``Ahead`` asks, on a
connection and a thread of its own, for the next batch's vendors' verdicts, counted on the
server (one row back: the thread barely needs the interpreter), so the pages are in the
shared buffers when the export's own read asks for them, and that read is served from
memory. What the export writes is unchanged: its rows are still read by its own session in
its own snapshot; this only touches pages. On SQLite (a file in the same process's cache)
it does nothing.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import bindparam, func, select, tuple_

log = logging.getLogger(__name__)


class Ahead:
    """``after(last)``: start reading the verdict pages of the ``size`` vendors after ``last``
    (name, id) in ``query``'s order, the previous read waited for first; ``close()`` at the end.
    A failed read is logged and forgotten: it only warms pages."""

    def __init__(self, engine, query, name_column, id_column, verdict_table, size: int):
        self.enabled = engine.dialect.name == "postgresql"
        self.engine = engine
        # built once, the last vendor a parameter: 250 statements built and compiled anew cost
        # the app 0.4 s of CPU at 50k, the same statement executed 250 times 0.1 s
        following = (query.where(tuple_(name_column, id_column) > tuple_(bindparam("last_name"), bindparam("last_id")))
                     .limit(size).subquery())
        # count(status): the heap pages themselves are read (status is not in the key's index)
        self.statement = (select(func.count(verdict_table.c.status))
                          .where(verdict_table.c.vendor_id.in_(select(following.c.id))))
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="vendorrisk-ahead") if self.enabled else None
        self.connection = None
        self.pending: Future | None = None

    def after(self, last: tuple) -> None:
        if not self.enabled:
            return
        self._wait()
        self.pending = self.pool.submit(self._read, last)

    def _read(self, last: tuple) -> None:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.connection.execute(self.statement, {"last_name": last[0], "last_id": last[1]}).scalar()

    def _wait(self) -> None:
        if self.pending is not None:
            try:
                self.pending.result()
            except Exception:  # noqa: BLE001 - warming only: the export reads its rows itself
                log.warning("reading the next batch ahead failed", exc_info=True)
            self.pending = None

    def close(self) -> None:
        if not self.enabled:
            return
        self._wait()
        if self.connection is not None:
            self.pool.submit(self.connection.close).result()
        self.pool.shutdown()
