"""Input no view has to fear: checked once per request, before any view runs.

- Query parameters and form fields (names and values) may hold no character that cannot be
  stored or exported (NUL and the other C0 controls but tab, LF and CR; see
  ``textfields.multi_line``): PostgreSQL refuses NUL, and Excel and Word cannot hold the
  others. Refused with 422 naming the field, before anything reads the database.
- Integer URL arguments are bounded to the database's integer range: an id beyond it names
  no record (404), it never reaches the database as an overflow.
JSON bodies get the same check in ``core.api.json_body`` (with their nesting bounded).
"""
from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.textfields import unwritable_problem

# Ids are INTEGER columns: 32-bit on PostgreSQL, and SQLite cannot bind beyond 64 bits.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` for ids the database can hold: a larger number names no record, 404.
    (A converter's refusal would make Werkzeug answer 405 when the same path has a rule for
    another method; raising 404 here answers what it is.)"""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def check_request() -> None:
    """Refuse a request whose query parameters or form fields hold characters that cannot
    be stored (``ValidationFailed``, 422, one detail per field)."""
    problems = []
    sources = [request.args] + ([request.form] if request.method not in ("GET", "HEAD") else [])
    for source in sources:
        for key, value in source.items(multi=True):
            message = unwritable_problem(key) or unwritable_problem(value)
            if message:
                problems.append({"field": repr(key)[1:-1][:100], "message": message})
    if problems:
        raise ValidationFailed(_("The request holds characters that cannot be stored."), problems)


def init_app(app: Flask) -> None:
    """Bound integer URL arguments and check every request's text input."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(check_request)
