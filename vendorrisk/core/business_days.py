"""The member's business calendar: due dates and reminder days land on business days.

A day is closed when it is a Saturday or Sunday, a Japanese national holiday (from the
``jpholiday`` package, which computes them offline, substitute holidays and 国民の休日
included) or one of the company's own closing days (setting ``CLOSING_DAYS``, e.g. 年末年始).
A date that falls on a closed day moves to the **previous** business day — a deadline is
never pushed later than asked — and the reader is told why: 「12/31(休業日: 年末年始) → 12/30」.

``CLOSING_DAYS`` is a comma-separated list of ``DAYS=NAME`` entries. ``DAYS`` is ``MM-DD``
or ``MM-DD..MM-DD`` (every year; a range may run over the year end) or ``YYYY-MM-DD`` /
``YYYY-MM-DD..YYYY-MM-DD`` (once). ``NAME`` is shown to the reader: ``日本語|English`` gives
each language its own, a single name is shown to both.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import jpholiday
from flask import Flask, current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from vendorrisk.core.config import ConfigurationError
from vendorrisk.core.messages import Bilingual, Msg, msg, render

EXTENSION = "vendorrisk.business_calendar"
# jpholiday names the holidays in Japanese; English readers see these.
HOLIDAY_NAMES_EN = {
    "元日": "New Year's Day", "成人の日": "Coming of Age Day", "建国記念の日": "National Foundation Day",
    "天皇誕生日": "Emperor's Birthday", "春分の日": "Vernal Equinox Day", "昭和の日": "Showa Day",
    "憲法記念日": "Constitution Memorial Day", "みどりの日": "Greenery Day", "こどもの日": "Children's Day",
    "海の日": "Marine Day", "山の日": "Mountain Day", "敬老の日": "Respect for the Aged Day",
    "秋分の日": "Autumnal Equinox Day", "スポーツの日": "Sports Day", "体育の日": "Health and Sports Day",
    "文化の日": "Culture Day", "勤労感謝の日": "Labour Thanksgiving Day", "国民の休日": "Citizens' Holiday",
}
SUBSTITUTE = "振替休日"
LONGEST_CLOSURE = 60  # days: a longer run of closed days is a configuration mistake
PLACED_LIMIT = 4096  # days whose place a calendar remembers (bounded memory)


@dataclass(frozen=True)
class Closure:
    """Why a day is closed: ``kind`` is ``weekend``, ``holiday`` or ``company``; ``name`` is
    the weekday, the holiday's Japanese name or the company's name for the days (ja|en)."""

    kind: str
    name: str

    def reason(self, language: str | None = None) -> str:
        """The reason in the reader's language (``language``, else the current one):
        「祝日: 憲法記念日」, "closed: Year-end holidays"."""
        return _rendered(self.reason_message(), language)

    def reason_message(self) -> Msg:
        """The reason kept untranslated (``core.messages``), to be read later in either language."""
        if self.kind == "weekend":
            return msg("Saturday") if self.name == "saturday" else msg("Sunday")
        if self.kind == "holiday":
            return msg("national holiday: %(name)s", name=Bilingual(self.name, _holiday_name(self.name, "en")))
        ja, _bar, en = self.name.partition("|")
        return msg("closed: %(name)s", name=Bilingual(ja, en or ja))


@dataclass(frozen=True)
class Moved:
    """A date placed on the business calendar: ``day`` is the business day, ``original`` the
    date asked for and ``closure`` why it moved (None when it did not)."""

    day: date
    original: date
    closure: Closure | None = None

    @property
    def moved(self) -> bool:
        """Whether the date asked for was a closed day."""
        return self.day != self.original

    @property
    def nominal(self) -> date | None:
        """The date asked for when it moved, else None: what a ``nominal_*`` column keeps."""
        return self.original if self.moved else None

    def note(self, language: str | None = None) -> str:
        """「12/31(休業日: 年末年始) → 12/30」 in the reader's language (``language``, else the
        current one), or "" when the date did not move."""
        message = self.note_message()
        return _rendered(message, language) if message is not None else ""

    def note_message(self) -> Msg | None:
        """``note`` kept untranslated (``core.messages``): what a stored text holds, rendered in
        each reader's language when shown; None when the date did not move."""
        if not self.moved or self.closure is None:
            return None
        return msg("%(original)s (%(reason)s) → %(day)s", original=_short(self.original),
                   reason=self.closure.reason_message(), day=_short(self.day))


def _short(day: date) -> str:
    return f"{day.month}/{day.day}"


def _rendered(message: Msg, language: str | None) -> str:
    """``message`` rendered in ``language`` (None: the current one)."""
    if language is None:
        return render(message)
    with force_locale(language):
        return render(message)


def _holiday_name(name: str, language: str) -> str:
    if language != "en":
        return name
    base = name.replace(SUBSTITUTE, "").strip()
    english = HOLIDAY_NAMES_EN.get(base, base)
    return f"substitute holiday for {english}" if SUBSTITUTE in name else english


@lru_cache(maxsize=4096)
def national_holiday(day: date) -> str | None:
    """The national holiday's Japanese name on ``day`` (「憲法記念日 振替休日」), or None."""
    found = jpholiday.is_holiday_name(day)
    return found or None


def _parse_day(text: str, *, yearly: bool) -> tuple[int, int] | date:
    if yearly:
        month, _dash, day = text.partition("-")
        date(2024, int(month), int(day))  # a leap year: 02-29 is a valid yearly day
        return int(month), int(day)
    return date.fromisoformat(text)


def parse_closing_days(raw: str) -> tuple[list, list]:
    """``CLOSING_DAYS`` as (yearly ranges ((m, d), (m, d), name), dated ranges (date, date, name));
    raises ``ConfigurationError`` naming the entry that cannot be read."""
    yearly, dated = [], []
    for entry in (part.strip() for part in str(raw or "").split(",")):
        if not entry:
            continue
        days, _eq, name = entry.partition("=")
        start, _dots, end = days.strip().partition("..")
        end = end or start
        try:
            if len(start) == 5 and len(end) == 5:
                yearly.append((_parse_day(start, yearly=True), _parse_day(end, yearly=True), name.strip()))
            else:
                first, last = _parse_day(start, yearly=False), _parse_day(end, yearly=False)
                if last < first:
                    raise ValueError("the range ends before it starts")
                dated.append((first, last, name.strip()))
        except ValueError as exc:
            raise ConfigurationError(
                f"CLOSING_DAYS: {entry!r} is not MM-DD, MM-DD..MM-DD, YYYY-MM-DD or "
                f"YYYY-MM-DD..YYYY-MM-DD followed by =name ({exc})") from None
    return yearly, dated


class BusinessCalendar:
    """Weekends, national holidays and the company's closing days of one configuration."""

    def __init__(self, closing_days: str = ""):
        self.yearly, self.dated = parse_closing_days(closing_days)
        # on_or_before's answers by day: a plan places hundreds of due dates on a few days
        self._placed: dict[date, Moved] = {}
        # due_line's sentences by (day, date asked for, locale): a sweep writes one per reminder
        self._lines: dict[tuple, str] = {}

    def _company(self, day: date) -> str | None:
        for first, last, name in self.dated:
            if first <= day <= last:
                return name or "-"
        key = (day.month, day.day)
        for first, last, name in self.yearly:
            inside = first <= key <= last if first <= last else (key >= first or key <= last)
            if inside:
                return name or "-"
        return None

    def closure(self, day: date) -> Closure | None:
        """Why ``day`` is closed, or None for a business day. The company's own closing days
        name the reason first (年末年始 rather than 元日), then holidays, then weekends."""
        company = self._company(day)
        if company is not None:
            return Closure("company", company)
        holiday = national_holiday(day)
        if holiday:
            return Closure("holiday", holiday)
        if day.weekday() >= 5:
            return Closure("weekend", "saturday" if day.weekday() == 5 else "sunday")
        return None

    def is_business_day(self, day: date) -> bool:
        """Whether the member works on ``day``."""
        return self.closure(day) is None

    def on_or_before(self, day: date) -> Moved:
        """``day`` itself when it is a business day, else the business day before it."""
        found = self._placed.get(day)
        if found is None:
            if len(self._placed) >= PLACED_LIMIT:
                self._placed.clear()
            found = self._placed[day] = self._on_or_before(day)
        return found

    def _on_or_before(self, day: date) -> Moved:
        closure = self.closure(day)
        current = day
        for _step in range(LONGEST_CLOSURE):
            if self.is_business_day(current):
                return Moved(current, day, closure if current != day else None)
            current -= timedelta(days=1)
        raise ConfigurationError(f"CLOSING_DAYS: no business day in the {LONGEST_CLOSURE} days before {day}")

    def lead_reached(self, due: date, today: date, leads) -> int | None:
        """Of reminders ``leads`` days before ``due`` (e.g. ``[30, 7]``), the nearest one whose
        day — on the business day on or before it — has come by ``today``; None before the first."""
        for lead in sorted(leads):
            day = due - timedelta(days=lead)
            # a day already come is reached wherever it moves (never later): no look-up
            if today >= day or today >= self.on_or_before(day).day:
                return lead
        return None

    def horizon(self, today: date, lead: int) -> date:
        """The latest due date whose reminder ``lead`` days before it has come by ``today``:
        before a run of closed days (年末年始) it lies a few days further than ``lead``."""
        latest, step = today + timedelta(days=lead), timedelta(days=1)
        while self.on_or_before(latest + step - timedelta(days=lead)).day <= today:
            latest += step
        return latest

    def add_business_days(self, day: date, days: int) -> date:
        """The ``days``-th business day after ``day`` (``day`` itself not counted)."""
        current, counted = day, 0
        while counted < days:
            current += timedelta(days=1)
            if self.is_business_day(current):
                counted += 1
        return current


def init_app(app: Flask) -> None:
    """Read ``CLOSING_DAYS`` once; a setting that cannot be read stops the app from starting."""
    app.extensions[EXTENSION] = BusinessCalendar(app.config.get("CLOSING_DAYS", ""))
    app.jinja_env.globals["business_note"] = moved_note


def current() -> BusinessCalendar:
    """The business calendar of the app handling this request, command or job."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions[EXTENSION] = BusinessCalendar(current_app.config.get("CLOSING_DAYS", ""))
    return found


def on_or_before(day: date | None) -> Moved | None:
    """``day`` on the business calendar (None stays None)."""
    return None if day is None else current().on_or_before(day)


def business_day(day: date | None) -> date | None:
    """``day`` moved to the previous business day when it is closed (None stays None)."""
    return None if day is None else current().on_or_before(day).day


def moved_note(day: date | None, original: date | None, language: str | None = None) -> str:
    """「12/31(休業日: 年末年始) → 12/30」 for a stored due date ``day`` that was asked for as
    ``original``; "" when it was not moved."""
    if day is None or original is None or day == original:
        return ""
    return Moved(day, original, current().closure(original)).note(language)


def due_line(day: date | None, original: date | None) -> str:
    """A sentence for an e-mail on why a due date is not the date asked for: 「期限は前営業日に
    繰り上げました：12/31(休業日: 年末年始) → 12/28。」, or "" when it was not moved."""
    if day is None or original is None or day == original:
        return ""
    calendar, locale = current(), get_locale()
    key = (day, original, str(locale) if locale else "")
    found = calendar._lines.get(key)
    if found is None:
        if len(calendar._lines) >= PLACED_LIMIT:
            calendar._lines.clear()
        note = moved_note(day, original)
        found = calendar._lines[key] = (
            _("The due date moved to the previous business day: %(note)s.", note=note) if note else "")
    return found
