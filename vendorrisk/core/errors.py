"""Domain errors raised by services, and the one handler that turns errors into answers.

Services raise ``NotFound``, ``Conflict``, ``ValidationFailed`` or ``Forbidden``; views do
not catch them. The handler answers JSON for the API and for clients that prefer JSON,
HTML otherwise, and rolls the request's session back.
"""
import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import BadRequest, HTTPException

log = logging.getLogger("vendorrisk")


_PAGE_MESSAGES = {
    400: lazy_gettext("The request could not be processed. If you submitted a form, reload the page and try again."),
    403: lazy_gettext("Your role does not allow this. The attempt has been recorded."),
    404: lazy_gettext("There is no page at this address."),
    405: lazy_gettext("This address does not accept that kind of request."),
    409: lazy_gettext("The change conflicts with the current state of the data, so nothing was changed. "
                      "Reload the page to see the current state, then try again if still needed."),
    413: lazy_gettext("The file is larger than the upload limit."),
}
# The API's words for the refusals routing and the access rule answer (Werkzeug's default
# descriptions speak of browsers and passwords, in English whatever the reader's language).
_API_MESSAGES = {
    401: lazy_gettext("Authenticate with a personal API token: Authorization: Bearer <token> (Account page)."),
    403: lazy_gettext("Your role does not allow this. The attempt has been recorded."),
    404: lazy_gettext("There is nothing at this address."),
    405: lazy_gettext("This address does not accept that kind of request."),
    409: lazy_gettext("The change conflicts with the current state of the data, so nothing was changed. "
                      "Reload the page to see the current state, then try again if still needed."),
}


class DomainError(Exception):
    """Base of the errors services raise; ``status`` is the HTTP answer."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list | dict | None = None, technical: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.technical = technical  # the program's own words of what failed (not translated), if any


class NotFound(DomainError):
    """The record asked for does not exist."""

    status, code = 404, "not_found"


class Conflict(DomainError):
    """The change contradicts the state of the data (duplicate, cycle, immutable record)."""

    status, code = 409, "conflict"


class ValidationFailed(DomainError):
    """The input is invalid; ``details`` lists each problem (field or sheet/row/cell)."""

    status, code = 422, "validation_failed"


class Forbidden(DomainError):
    """The user may not do this to this record."""

    status, code = 403, "forbidden"


class MalformedJSON(BadRequest):
    """The request body claimed to be JSON but could not be parsed."""


def wants_json() -> bool:
    """Tell whether the current request should get a JSON answer."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str, details=None, technical: str | None = None):
    """Answer an error as JSON or as the HTML error page; ``technical``, the program's own
    words of what failed (an export's exception), beside the reader's sentence, never in it."""
    if wants_json():
        body = {"error": {"code": code, "message": message, "details": details or []}}
        if technical:
            body["error"]["technical"] = technical
        return jsonify(body), status
    return render_template("error.html", status=status, code=code, message=message,
                           details=readable_details(details, message), technical=technical), status


def readable_details(details, message: str = "") -> list:
    """The details a page shows: each problem's own message (and where it was), never the
    machine part of an answer (ids, codes, URLs the API gives) nor the page's message again."""
    if not isinstance(details, list):
        return []  # a mapping of ids for API clients: nothing for a reader
    shown = []
    for detail in details:
        text = detail.get("message") if isinstance(detail, dict) else detail
        text = "" if text is None else str(text)
        if text.strip() and text != str(message):
            shown.append(detail)
    return shown


def _rollback():
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def too_large_advice(advice):
    """Mark a view whose request may carry several files: ``advice`` (a lazy message) is
    added to its 413 answer, page and API, to say what to do instead (send them in parts)."""
    def mark(view):
        view.too_large_advice = advice
        return view
    return mark


def _advice_for_too_large() -> str:
    view = current_app.view_functions.get(request.endpoint or "")
    advice = getattr(view, "too_large_advice", None)
    return str(advice) if advice else ""


def _request_limit_mb() -> int:
    """The largest request in MB, as Flask enforces it (``MAX_CONTENT_LENGTH``: the upload
    limit plus room for the form around the files), so the 413 page states the real limit."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return limit // (1024 * 1024) if limit else current_app.config["MAX_UPLOAD_MB"]

def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        _rollback()
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.technical)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        _rollback()
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if not wants_json() and exc.code in _PAGE_MESSAGES and not isinstance(exc, MalformedJSON):
            message = str(_PAGE_MESSAGES[exc.code])
        elif wants_json() and exc.code in _API_MESSAGES and exc.description == type(exc).description:
            message = str(_API_MESSAGES[exc.code])  # a message of our own is kept as it is
        if exc.code == 413:
            # the limit, in the reader's language, for a page and the API alike (Werkzeug's own
            # words name no limit and are English whatever the reader's language)
            if not wants_json():
                message = gettext("The upload is larger than the limit of %(mb)s MB (all files sent at once count "
                                  "together). Go back: the form still holds what you typed; choose a smaller file "
                                  "or fewer files.", mb=_request_limit_mb())
            else:
                message = gettext("The request is larger than the limit of %(mb)s MB (all files sent at once count "
                                  "together).", mb=_request_limit_mb())
            if advice := _advice_for_too_large():
                message = f"{message} {advice}"
        if isinstance(exc, MalformedJSON):
            code = "malformed_json"
        return error_response(exc.code or 500, code, message)

    from sqlalchemy.exc import IntegrityError

    from .locking import is_unique_violation

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError):
        # A unique key taken by a request that committed first (two people registering the
        # same thing at once): the loser gets 409 Conflict, never a 500.
        _rollback()
        if not is_unique_violation(exc):
            return _unexpected(exc)
        log.warning("unique key conflict: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        return error_response(409, "conflict", gettext(
            "The same record was saved by someone else at the same moment; nothing was changed. "
            "Reload the page to see it, then try again if still needed."))

    from sqlalchemy.exc import DataError, OperationalError, StatementError

    CONCURRENT_WRITE_STATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        # The database cannot be opened, written or reached (a read-only or full disk, a
        # server down, a lock held too long): a clear 503 to retry, not an error of the app.
        _rollback()
        if getattr(exc.orig, "sqlstate", None) in CONCURRENT_WRITE_STATES:
            # Two writers waited on each other (PostgreSQL broke the cycle by failing this one):
            # nothing is wrong with the database, and the same request again will go through.
            log.warning("concurrent write: %s", str(exc.orig).splitlines()[0])
            return error_response(409, "concurrent_write", gettext(
                "Someone else was saving related records at the same moment, so nothing was changed. "
                "Try again."))
        log.error("database unavailable: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        return error_response(503, "database_unavailable", gettext(
            "The database is unavailable at the moment, so nothing was changed. Try again in a few "
            "minutes; if it persists, ask an administrator to check the server's disk and database."))

    @app.errorhandler(StatementError)
    @app.errorhandler(OverflowError)
    def _out_of_range(exc: Exception):
        # A value of the request the database cannot hold (an integer beyond 64 bits on SQLite,
        # beyond the column on PostgreSQL, NUL in text) or a date computed past year 9999: the
        # request is wrong, not the app. Inputs are checked before this; this is the last
        # line, never a 500.
        orig = getattr(exc, "orig", exc)
        if isinstance(exc, StatementError) and not (isinstance(exc, DataError) or isinstance(orig, OverflowError)):
            return _unexpected(exc)
        _rollback()
        log.warning("value out of range: %s", str(orig).splitlines()[0] if str(orig) else type(orig).__name__)
        return error_response(422, "validation_failed", gettext(
            "A value in the request is out of range or cannot be stored (a number too large, or a "
            "character that is not allowed). Correct it and try again."))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        _rollback()
        log.exception("unhandled error")
        message = "An unexpected error occurred; it has been logged."
        return error_response(500, "internal_error", message if wants_json() else gettext(message))
