"""What every API module shares: registration, request bodies, serialisation, OpenAPI snippets.

API blueprints are exempt from CSRF because they accept bearer tokens only, never cookies.
"""
from datetime import date, datetime
from typing import Any

from flask import Flask, request
from sqlmodel import SQLModel

from vendorrisk.core import registry
from vendorrisk.core.errors import MalformedJSON, ValidationFailed


def add_api(app: Flask, blueprint, openapi: dict) -> None:
    """Register an area's API blueprint (CSRF-exempt) and its OpenAPI fragment
    ``{"paths": {...}, "components": {"schemas": {...}}}``."""
    app.register_blueprint(blueprint)
    app.extensions["csrf"].exempt(blueprint)
    registry.of(app).openapi.append(openapi)


def json_body() -> dict:
    """The request's JSON object; malformed JSON is a 400, a non-object a 422."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    import json
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"Malformed JSON: {exc}")
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    return body


def to_dict(record: SQLModel, exclude: set[str] = frozenset()) -> dict[str, Any]:
    """A model's columns as JSON-ready values."""
    data = {}
    for key, value in record.model_dump().items():
        if key in exclude:
            continue
        data[key] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return data


def error_responses(*codes: int) -> dict:
    """OpenAPI ``responses`` entries for the given error codes, all using the Error schema."""
    text = {400: "Malformed request", 401: "Missing or invalid token", 403: "Role not allowed",
            404: "Not found", 409: "Conflict with the current data", 422: "Invalid input"}
    return {str(c): {"description": text.get(c, "Error"),
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for c in codes}


def json_response(description: str, schema: dict | None = None) -> dict:
    """An OpenAPI JSON response object."""
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}
