"""Japanese and English: locale choice, catalogues read from ``.po`` files, Tokyo time.

Each area keeps its Japanese catalogue in ``<area>/translations/ja.po`` and adds it to the
registry; they are merged at start-up, so no compiled ``.mo`` file has to be built or committed.
English is the source language.
"""
import io
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, request
from flask_babel import Babel, Domain, get_locale, refresh

from vendorrisk.core import registry

LANGUAGES = ("ja", "en")
CORE_CATALOGUE = Path(__file__).parent / "translations" / "ja.po"


def load_catalogues(po_files: list[Path]) -> dict[str, Translations]:
    """Merge ``.po`` files named after their language (``ja.po``) into one translations
    object per language."""
    merged_by_language: dict[str, object] = {}
    for po_path in po_files:
        language = po_path.stem
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        merged = merged_by_language.setdefault(language, catalog)
        if merged is not catalog:
            for message in catalog:
                if message.id and message.string:
                    merged[message.id] = message
    result = {}
    for language, merged in merged_by_language.items():
        buffer = io.BytesIO()
        write_mo(buffer, merged)
        buffer.seek(0)
        result[language] = Translations(fp=buffer)
    return result


_UNTRANSLATED = NullTranslations()  # English: the source language (built once, not per message)


class _PoDomain(Domain):
    def get_translations(self):
        locale = get_locale()
        catalogues = current_app.extensions.get("vendorrisk.catalogues", {})
        return catalogues.get(locale.language if locale else "en", _UNTRANSLATED)


class _Babel(Babel):
    @cached_property
    def domain_instance(self):
        return _PoDomain()


def select_locale() -> str:
    """The user's chosen language, else the browser's (Japanese for a Japanese browser), else English."""
    user = g.get("user")
    if user is not None and user.language in LANGUAGES:
        return user.language
    if request:
        chosen = request.cookies.get("lang")
        if chosen in LANGUAGES:
            return chosen
        return request.accept_languages.best_match(LANGUAGES, default="en")
    return "en"


def language() -> str:
    """The language of this request's pages and documents: ``select_locale``'s choice (the
    user's setting, else the browser's, else English); English outside a request."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def to_local(value: datetime | date | None) -> datetime | date | None:
    """Convert a stored UTC datetime to the display time zone (dates pass through)."""
    if value is None or not isinstance(value, datetime):
        return value
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone)


def format_local(value: datetime | date | None, with_time: bool = True) -> str:
    """Render a stored UTC datetime in the display time zone, e.g. ``2026-11-26 09:30 JST``."""
    if value is None:
        return ""
    local = to_local(value)
    if isinstance(local, datetime):
        return local.strftime("%Y-%m-%d %H:%M %Z") if with_time else local.strftime("%Y-%m-%d")
    return local.isoformat()


def init_app(app: Flask) -> None:
    """Configure Flask-Babel with the core's and the areas' catalogues and register the date
    filters (run after the areas added their catalogues)."""
    app.extensions["vendorrisk.catalogues"] = load_catalogues([CORE_CATALOGUE, *registry.of(app).catalogues])
    _Babel(app, locale_selector=select_locale, default_timezone=app.config["DISPLAY_TIMEZONE"])
    # Flask-Babel caches the locale per app context; an app context may span several
    # requests (tests, CLI), so each request chooses its language afresh — first, before
    # a hook registered earlier can refuse the request (a body over the limit: 413).
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["localtime"] = format_local
    app.jinja_env.filters["localdate"] = lambda v: format_local(v, with_time=False)
