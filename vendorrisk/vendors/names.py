"""A vendor's name as the reader sees it: the English name to an English reader when the
vendor has one, else the registered (Japanese) name — on pages, in exports and in mails."""
from collections.abc import Mapping

from sqlalchemy import func

from vendorrisk.core.i18n import language as current_language
from vendorrisk.vendors.models import Vendor


def _names(vendor_or_name, name_en):
    if isinstance(vendor_or_name, str) or vendor_or_name is None:
        return vendor_or_name or "", name_en
    if isinstance(vendor_or_name, Mapping):
        return vendor_or_name.get("name") or "", vendor_or_name.get("name_en")
    return vendor_or_name.name, getattr(vendor_or_name, "name_en", None)


def vendor_name(vendor_or_name, name_en: str | None = None, language: str | None = None) -> str:
    """The name to show in ``language`` (else the request's or mail's): a ``Vendor`` (or any
    row with ``name`` and ``name_en``), or a name with its English name beside it. The
    Jinja filter ``vendor_name``: ``{{ vendor|vendor_name }}``,
    ``{{ node.vendor_name|vendor_name(node.vendor_name_en) }}``."""
    name, name_en = _names(vendor_or_name, name_en)
    if name_en and (language or current_language()) == "en":
        return name_en
    return name


def other_name(vendor_or_name, name_en: str | None = None, language: str | None = None) -> str:
    """The name not shown by ``vendor_name`` (to set beside it, small), or "" when the two
    are the same or there is no other. The Jinja filter ``vendor_other_name``."""
    name, name_en = _names(vendor_or_name, name_en)
    shown = vendor_name(name, name_en, language)
    other = name if shown == name_en else (name_en or "")
    return "" if other == shown else other


def other_name_language(vendor_or_name, name_en: str | None = None, language: str | None = None) -> str:
    """The language of ``other_name`` for a ``lang`` attribute — ``en`` beside a registered
    name, ``ja`` beside an English one — so that a page's checks and a screen reader take it
    for what it is. The Jinja filter ``vendor_other_lang``."""
    name, name_en = _names(vendor_or_name, name_en)
    return "ja" if vendor_name(name, name_en, language) == name_en and name_en != name else "en"


def name_column(language: str | None = None, table=None):
    """``vendor_name`` as a SQL expression over the ``vendor`` table (or ``table``, an alias of
    it), for lists built in the query (tasks, the dashboard's lists): the English name for
    English, else the name."""
    vendor = Vendor.__table__ if table is None else table
    if (language or current_language()) == "en":
        return func.coalesce(func.nullif(vendor.c.name_en, ""), vendor.c.name)
    return vendor.c.name
