"""Structured (JSON) logs, each request line carrying a request id.

A secret carried in a URL (a calendar feed's token: a view argument named in
``SECRET_URL_ARGS``) is never written: ``logged_path()`` shows it as ``[redacted]``.
"""
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

SECRET_URL_ARGS = {"token"}
REDACTED = "[redacted]"


def logged_path() -> str:
    """The request's path as logs and the audit trail may show it: secrets in it redacted."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_URL_ARGS and value:
            path = path.replace(str(value), REDACTED)
    return path


# A request id from a proxy or client is kept only if it looks like one (letters, digits and
# ``._:-`` after a letter or digit, at most 64): it is logged, stored in the audit trail and
# exported, so anything else (``=HYPERLINK(...)``, line breaks) is replaced by our own.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def request_id(incoming: str | None) -> str:
    """The request id to use for a request that came with ``incoming`` (the header's value)."""
    if incoming and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "msg": record.getMessage()}
        if has_request_context():
            data["request_id"] = g.get("request_id", "")
        for key in ("method", "path", "status", "ms", "user"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Route the ``vendorrisk`` loggers to JSON on stderr and log every request."""
    logger = logging.getLogger("vendorrisk")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(app.config["LOG_LEVEL"])
    request_log = logging.getLogger("vendorrisk.request")

    @app.before_request
    def _start():
        g.request_id = request_id(request.headers.get("X-Request-ID"))
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        user = g.get("user")
        path = logged_path()
        request_log.info("%s %s %s", request.method, path, response.status_code,
                         extra={"method": request.method, "path": path,
                                "status": response.status_code, "ms": round(elapsed, 1),
                                "user": user.email if user else None})
        return response
