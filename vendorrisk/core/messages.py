"""Messages kept untranslated: a message id and its parameters, rendered in the reader's
language when shown.

A compliance verdict is computed once and stored (``compliance_verdict``), then read by a
Japanese page, an English API client and an export in either language. So the rules build
their reasons with ``msg`` (imported as ``_`` so that message extraction finds the ids)
instead of ``gettext``: ``_("Reviewed on %(date)s.", date=...)`` is a ``Msg`` holding the id
and the parameters; ``render(value)`` (or ``str(value)``) translates it in the language of
the current request, exactly as ``gettext(id) % params`` would have. Parameters may be
messages themselves (``tier=_(plan.risk_tier)``), a ``Join`` of messages, or a ``Bilingual``
text that content files already give in both languages.

``to_json`` / ``from_json`` store them; ``Renderer`` renders each distinct message once
(an export of a million cells has a few thousand distinct reasons).
"""
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from flask_babel import get_locale, gettext


@dataclass(frozen=True)
class Msg:
    """An untranslated message: its id and its (sorted) named parameters."""

    key: str
    params: tuple = ()

    def __str__(self) -> str:
        return render(self)

    def __html__(self) -> str:
        from markupsafe import escape
        return str(escape(render(self)))


@dataclass(frozen=True)
class Join:
    """Messages joined by a translated separator, optionally with a capital first letter."""

    separator: str
    items: tuple
    capitalise: bool = False

    def __str__(self) -> str:
        return render(self)


@dataclass(frozen=True)
class Bilingual:
    """A text that exists in both languages already (a content file's title): the reader's
    language is picked when shown."""

    ja: str
    en: str

    def __str__(self) -> str:
        return render(self)


def msg(key: str, **params) -> Msg:
    """A message to translate when shown (use as ``_`` in modules whose text is stored)."""
    return Msg(key, tuple(sorted(params.items())))


def join(separator: str, items: Iterable, capitalise: bool = False) -> Join:
    """``separator`` (a message id) between ``items``, translated when shown."""
    return Join(separator, tuple(items), capitalise)


def render(value: Any, translate: Callable[[str], str] = gettext) -> Any:
    """The text of ``value`` in the current language (plain values are returned as they are)."""
    if isinstance(value, Msg):
        text = translate(value.key)
        if value.params:
            text = text % {name: render(param, translate) for name, param in value.params}
        return text
    if isinstance(value, Join):
        text = translate(value.separator).join(str(render(item, translate)) for item in value.items)
        return text[:1].upper() + text[1:] if value.capitalise else text
    if isinstance(value, Bilingual):
        return value.ja if japanese_now() else value.en
    return value


def to_json(value: Any) -> Any:
    """A JSON-ready form of a message, a join or a plain value (str, number, None)."""
    if isinstance(value, Msg):
        return {"m": value.key, "p": {name: to_json(param) for name, param in value.params}}
    if isinstance(value, Join):
        return {"j": value.separator, "i": [to_json(item) for item in value.items], "c": value.capitalise}
    if isinstance(value, Bilingual):
        return {"ja": value.ja, "en": value.en}
    return value


def from_json(data: Any) -> Any:
    """The value ``to_json`` wrote."""
    if isinstance(data, dict):
        if "m" in data:
            return Msg(data["m"], tuple(sorted((k, from_json(v)) for k, v in data["p"].items())))
        if "ja" in data:
            return Bilingual(data["ja"], data["en"])
        return Join(data["j"], tuple(from_json(item) for item in data["i"]), data["c"])
    return data


def render_stored(data: Any, translate: Callable[[str], str], japanese: bool) -> Any:
    """``render(from_json(data), translate)`` without building the messages: the text of a
    stored message as ``json.loads`` gives it back, ``japanese`` choosing a ``Bilingual``'s
    side as ``render`` does from the locale. An export renders tens of thousands of
    distinct stored reasons once each; building, sorting and hashing their messages first
    cost more than translating them."""
    if isinstance(data, dict):
        if "m" in data:
            text = translate(data["m"])
            params = data["p"]
            if params:
                text = text % {name: render_stored(param, translate, japanese) for name, param in params.items()}
            return text
        if "ja" in data:
            return data["ja"] if japanese else data["en"]
        text = translate(data["j"]).join(str(render_stored(item, translate, japanese)) for item in data["i"])
        return text[:1].upper() + text[1:] if data["c"] else text
    return data


def japanese_now() -> bool:
    """Whether ``render`` picks a ``Bilingual``'s Japanese side in the current context."""
    locale = get_locale()
    return locale is not None and locale.language == "ja"


CACHE_LIMIT = 20_000  # distinct messages a renderer remembers (bounded memory)


class Renderer:
    """Renders messages in one language, each distinct message once."""

    def __init__(self, translate: Callable[[str], str] | None = None, limit: int = CACHE_LIMIT):
        self.translate = translate or gettext
        self.cache: dict = {}
        self.limit = limit

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, (Msg, Join, Bilingual)):
            return value
        try:
            return self.cache[value]
        except KeyError:
            if len(self.cache) >= self.limit:
                self.cache.clear()
            text = self.cache[value] = render(value, self.translate)
            return text
