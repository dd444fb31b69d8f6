"""Liveness and readiness probes.

``/readyz`` answers 200 only when the app can do its work: the database is reachable, its
schema at head and writable (not a read-only file, folder or server), and the file store
accepts files (a probe file written and removed in ``uploads/``; the bucket for S3).
"""
import sqlite3

from flask import Flask, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.engine import make_url

from vendorrisk.core.access import public
from vendorrisk.core.db import engine_of, get_session


def database_write_problem(app: Flask) -> str | None:
    """Why the database cannot be written now, or None. On SQLite a separate connection
    takes the write lock and gives it back (a lock held by a writer means busy, not
    read-only); on PostgreSQL the server is asked whether transactions are read-only."""
    url = make_url(app.config["DATABASE_URL"])
    try:
        if url.get_backend_name() == "sqlite":
            probe = sqlite3.connect(url.database, timeout=0.5, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    return str(exc)
            finally:
                probe.close()
            return None
        with engine_of(app).connect() as connection:
            read_only = connection.execute(text("SHOW transaction_read_only")).scalar()
            in_recovery = connection.execute(text("SELECT pg_is_in_recovery()")).scalar()
        if read_only == "on" or in_recovery:
            return "read-only" if read_only == "on" else "in recovery (a standby)"
    except Exception as exc:  # the probe reports, it does not crash
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return None


def init_app(app: Flask) -> None:
    """Register ``/healthz`` (process up) and ``/readyz`` (database reachable, schema at
    head, database and file store writable)."""

    @app.get("/healthz")
    @public
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    @public
    def readyz():
        from vendorrisk.core.migrate import schema_status
        from vendorrisk.core.storage import backend

        try:
            get_session().execute(text("SELECT 1"))
        except Exception as exc:  # the probe reports, it does not crash
            return jsonify({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}), 503
        current, heads = schema_status(app)
        if current != heads:
            return jsonify({"status": "unavailable", "database": "reachable",
                            "migrations": {"current": sorted(current), "head": sorted(heads)}}), 503
        database_problem = database_write_problem(current_app)
        storage_problem = backend().check()
        body = {"status": "ok", "database": "writable", "storage": "writable", "migrations": sorted(heads)}
        if database_problem:
            body.update(status="unavailable", database=f"not writable: {database_problem}")
        if storage_problem:
            body.update(status="unavailable", storage=f"not writable: {storage_problem}")
        return jsonify(body), 200 if body["status"] == "ok" else 503
