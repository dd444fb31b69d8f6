"""Liveness and readiness probes."""
from flask import Flask, jsonify
from sqlalchemy import text

from vendorrisk.core.access import public
from vendorrisk.core.db import get_session


def init_app(app: Flask) -> None:
    """Register ``/healthz`` (process up) and ``/readyz`` (database reachable, schema at head)."""

    @app.get("/healthz")
    @public
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    @public
    def readyz():
        from vendorrisk.core.migrate import schema_status

        try:
            get_session().execute(text("SELECT 1"))
        except Exception as exc:  # the probe reports, it does not crash
            return jsonify({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}), 503
        current, heads = schema_status(app)
        if current != heads:
            return jsonify({"status": "unavailable", "database": "reachable",
                            "migrations": {"current": sorted(current), "head": sorted(heads)}}), 503
        return jsonify({"status": "ok", "database": "reachable", "migrations": sorted(heads)})
