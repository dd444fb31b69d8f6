"""Headers of every answer that carry no logic of their own: not cached, HSTS when set.

Pages and API answers carry data the next user of a shared computer or a proxy must not
get from a cache, so every answer but the static files is ``Cache-Control: no-store``
unless its view chose otherwise (downloads, the calendar feed). ``HSTS_SECONDS`` above 0
sends ``Strict-Transport-Security`` (set it only when the app is served over HTTPS alone).
"""
from flask import Flask, current_app, request


def _static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def add_headers(response):
    """After each request: ``no-store`` unless the view set its own caching; HSTS when set."""
    if not _static(request.endpoint):
        response.headers.setdefault("Cache-Control", "no-store")
    seconds = current_app.config["HSTS_SECONDS"]
    if seconds > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_headers)
