"""A form refused because someone else changed the record first (409): the page shows the
form's page again with the conflict explained at the top — what changed, by whom and when if
known, what to do — and what the user typed, so nothing they wrote is lost.

The API and clients that ask for JSON keep the plain 409 answer: a view re-raises the
``Conflict`` when ``wants_json()``. The notice is shown with ``conflict_notice(notice)``
from ``_macros.html``.
"""
from dataclasses import dataclass, field
from datetime import datetime

from .errors import Conflict, wants_json


@dataclass
class ConflictNotice:
    """What a 409 page says above the form: ``message`` (what changed), ``by`` and ``at``
    (who changed it and when, if known), ``advice`` (what to do now) and ``kept``: the typed
    values, as ``(label, text)`` pairs, shown read-only to copy; ``link``: ``(label, url)``
    of the record that stood in the way."""

    message: str
    by: str = ""
    at: datetime | None = None
    advice: str = ""
    kept: list[tuple[str, str]] = field(default_factory=list)
    link: tuple[str, str] | None = None


def notice(exc: Conflict, *, by: str | None = "", at: datetime | None = None, advice: str = "",
           kept=()) -> ConflictNotice:
    """The notice for ``exc``; typed values left blank are not repeated."""
    return ConflictNotice(message=exc.message, by=by or "", at=at, advice=str(advice),
                          kept=[(str(label), str(text)) for label, text in kept if text and str(text).strip()])


def for_page(exc: Conflict) -> None:
    """Re-raise ``exc`` when the client asked for JSON (it gets the 409 body); return otherwise."""
    if wants_json():
        raise exc


def person(user) -> str:
    """A user as the notice names them."""
    return (user.display_name or user.email) if user is not None else ""
