"""Today's date on the member's calendar: the day in ``DISPLAY_TIMEZONE`` (Asia/Tokyo), not
on the host's clock.

Due dates, overdue counts, the day an approval or a review is recorded on and the dates in
documents and file names are days of the member's business calendar. A host that keeps UTC
(as most servers and containers do) is still on yesterday until 09:00 in Tokyo: every
"today" of the product is asked here instead of ``date.today()``.
"""
import calendar
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Tokyo"  # the DISPLAY_TIMEZONE setting's default, outside an app


def _now() -> datetime:
    return datetime.now(timezone.utc)


def zone() -> ZoneInfo:
    """The member's time zone: the app's ``DISPLAY_TIMEZONE``."""
    name = current_app.config.get("DISPLAY_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def now() -> datetime:
    """The current time in the member's time zone."""
    return _now().astimezone(zone())


def today() -> date:
    """Today's date in the member's time zone."""
    return now().date()


def day_of(moment: datetime | str, tz: ZoneInfo | None = None) -> date:
    """The member's day of a stored moment (UTC; a naive value is read as UTC; the text that
    SQLite's MIN() or MAX() gives back for a time is read too): a record made at 08:00 in Tokyo
    is on that day, not on the previous UTC day."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz or zone()).date()


def moments_of_days(first: date, last: date) -> tuple[datetime, datetime]:
    """The member's days ``first`` to ``last`` as moments in UTC, which stored times are: a
    stored time is on one of those days when ``start <= time < end``."""
    start = datetime.combine(first, time.min, zone()).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, zone()).astimezone(timezone.utc)
    return start, end


def stamp() -> str:
    """Today as ``YYYYMMDD``, for the names of exported files."""
    return f"{today():%Y%m%d}"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of a shorter month (review
    intervals, report coverage, re-check cycles)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
