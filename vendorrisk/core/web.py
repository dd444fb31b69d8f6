"""What every page shares: CSRF protection and the navigation built from the areas' entries.

An area adds its ``NavItem``s to the registry in its ``init_app``; the navigation shows an
entry to users whose role passes the endpoint's access rule.
"""
import logging

from flask import Flask, g, request, url_for
from flask_wtf.csrf import CSRFProtect

from vendorrisk.core import registry
from vendorrisk.core.access import rule_for
from vendorrisk.core.registry import NavItem

log = logging.getLogger("vendorrisk.web")


def _nav_for_user(app: Flask) -> list[NavItem]:
    user = g.get("user")
    if user is None:
        return []
    return [item for item in sorted(registry.of(app).nav, key=lambda i: i.order)
            if (rule := rule_for(app, item.endpoint)) is not None and rule.admits(user.role)]


def _current(items: list[NavItem]) -> str | None:
    """The endpoint of the entry whose URL is the longest prefix of this page's path."""
    best, best_length = None, 0
    for item in items:
        url = url_for(item.endpoint)
        matches = request.path == url if url == "/" else request.path.startswith(url)
        if matches and len(url) > best_length:
            best, best_length = item.endpoint, len(url)
    return best


def _counts(items: list[NavItem]) -> dict[str, int]:
    """The numbers shown beside navigation entries; a page that cannot count (the database
    is failing, on the error page) shows none rather than failing again."""
    counts = {}
    for item in items:
        if item.count is None:
            continue
        try:
            counts[item.endpoint] = item.count()
        except Exception:  # noqa: BLE001  the navigation must never break the page
            log.warning("navigation count of %s failed", item.endpoint, exc_info=True)
    return counts


def chosen_files(field: str) -> str:
    """The names of the files this request sent in ``field``, for a refused form's page to say
    which file to choose again (a browser empties a file field when the page comes back);
    empty on a page not answering a form."""
    if request.method != "POST":
        return ""
    return ", ".join(f.filename for f in request.files.getlist(field) if f and f.filename)


def init_app(app: Flask) -> None:
    """Turn on CSRF protection and give every template the user and the navigation."""
    CSRFProtect(app)
    app.jinja_env.globals["chosen_files"] = chosen_files

    @app.context_processor
    def _globals():
        items = _nav_for_user(app)
        return {"current_user": g.get("user"), "nav_items": items, "current_nav": _current(items),
                "nav_counts": _counts(items)}


def add_pages(app: Flask, blueprint, *nav: NavItem) -> None:
    """Register an area's page blueprint and its navigation entries."""
    app.register_blueprint(blueprint)
    registry.of(app).nav.extend(nav)
