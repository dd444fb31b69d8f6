"""The JSON API under ``/api/v1``: one blueprint module per area, discovered.

Each module defines ``bp`` (url_prefix under ``/api/v1``) and ``OPENAPI``, a fragment
``{"paths": {...}, "components": {"schemas": {...}}}`` merged into the served document.
API blueprints are exempt from CSRF because they accept bearer tokens only, never cookies.
"""
import importlib
import pkgutil

from flask import Flask

OPENAPI_FRAGMENTS: list[dict] = []


def init_app(app: Flask) -> None:
    """Register every API blueprint and collect its OpenAPI fragment."""
    csrf = app.extensions["csrf"]
    OPENAPI_FRAGMENTS.clear()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
            csrf.exempt(module.bp)
        if hasattr(module, "OPENAPI"):
            OPENAPI_FRAGMENTS.append(module.OPENAPI)
