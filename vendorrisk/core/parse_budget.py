"""A time budget for reading an uploaded file, so that no upload occupies a worker for long.

The size of what a parser may build in memory is bounded before it starts (``uploads``:
the upload limit, the unpacked limit and ``MAX_XML_MB``); the time it may spend is bounded
here. ``budget()`` opens a budget of ``PARSE_TIMEOUT_SECONDS``; the readers' loops call
``check()`` (``time_budget.check``, which the pure contract checker calls too), and a budget
spent refuses the file: ``ValidationFailed`` (422), nothing stored.
"""
from contextlib import contextmanager
from typing import Iterator

from flask import current_app, has_app_context
from flask_babel import gettext as _

from vendorrisk.core import time_budget
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.time_budget import check  # noqa: F401  (the readers' loops call parse_budget.check)

DEFAULT_SECONDS = 60.0


@contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Bound the reading done in the block; a spent budget raises ``ValidationFailed``."""
    if seconds is None:
        seconds = float(current_app.config.get("PARSE_TIMEOUT_SECONDS", DEFAULT_SECONDS)) \
            if has_app_context() else DEFAULT_SECONDS
    try:
        with time_budget.budget(seconds):
            yield
    except time_budget.TimeBudgetSpent as spent:
        message = _("Reading the file took longer than %(seconds)s seconds, so it was refused and "
                    "nothing was stored. Split it into smaller files (or save a simpler copy) and "
                    "upload again.", seconds=int(spent.seconds))
        raise ValidationFailed(message, [{"field": "file", "sheet": "", "row": 0, "column": "",
                                          "message": message}]) from None
