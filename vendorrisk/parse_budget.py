"""A time budget for reading an uploaded file, so that no upload occupies a worker for long.

The size of what a parser may build in memory is bounded before it starts (``uploads``:
the upload limit, the unpacked limit and ``MAX_XML_MB``); the time it may spend is bounded
here. ``budget()`` opens a budget of ``PARSE_TIMEOUT_SECONDS`` for the current context;
the readers' loops call ``check()`` as they go, which refuses the file (422, nothing
stored) once the budget is spent. Outside a budget ``check()`` does nothing.
"""
import contextvars
import time
from contextlib import contextmanager
from typing import Iterator

from flask import current_app, has_app_context
from flask_babel import gettext as _

from .errors import ValidationFailed

_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar("parse_deadline",
                                                                                        default=None)
DEFAULT_SECONDS = 60.0


@contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Bound the reading done in the block (nested budgets keep the outer, earlier deadline)."""
    if seconds is None:
        seconds = float(current_app.config.get("PARSE_TIMEOUT_SECONDS", DEFAULT_SECONDS)) \
            if has_app_context() else DEFAULT_SECONDS
    outer = _deadline.get()
    deadline = time.monotonic() + seconds
    token = _deadline.set(outer if outer is not None and outer[0] <= deadline else (deadline, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Refuse the file being read if the budget is spent."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        message = _("Reading the file took longer than %(seconds)s seconds, so it was refused and "
                    "nothing was stored. Split it into smaller files (or save a simpler copy) and "
                    "upload again.", seconds=int(current[1]))
        raise ValidationFailed(message, [{"field": "file", "sheet": "", "row": 0, "column": "",
                                          "message": message}])
