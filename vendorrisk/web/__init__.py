"""HTML pages: one blueprint module per area, discovered; each may declare ``NAV`` entries.

A module's ``NAV`` is a list of ``NavItem``; the navigation shows an entry to users whose
role passes the endpoint's access rule.
"""
import importlib
import pkgutil
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFProtect

from ..access import rule_for


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: endpoint, label (lazily translated) and position."""

    endpoint: str
    label: object
    order: int = 50


def _nav_for_user():
    user = g.get("user")
    if user is None:
        return []
    items = []
    for item in current_app.extensions["vendorrisk.nav"]:
        rule = rule_for(current_app, item.endpoint)
        if rule is not None and rule.admits(user.role):
            items.append(item)
    return items


def init_app(app: Flask) -> None:
    """Turn on CSRF protection, register every page blueprint and the navigation."""
    CSRFProtect(app)
    nav: list[NavItem] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        nav.extend(getattr(module, "NAV", []))
    app.extensions["vendorrisk.nav"] = sorted(nav, key=lambda i: i.order)

    @app.context_processor
    def _globals():
        items = _nav_for_user()
        return {"current_user": g.get("user"), "nav_items": items, "current_nav": _current(items)}


def _current(items: list[NavItem]) -> str | None:
    """The endpoint of the entry whose URL is the longest prefix of this page's path."""
    from flask import request, url_for

    best, best_length = None, 0
    for item in items:
        url = url_for(item.endpoint)
        matches = request.path == url if url == "/" else request.path.startswith(url)
        if matches and len(url) > best_length:
            best, best_length = item.endpoint, len(url)
    return best


__all__ = ["NavItem", "lazy_gettext", "init_app"]
