"""Helpers shared by the API modules: request bodies, serialisation, OpenAPI snippets."""
from datetime import date, datetime
from typing import Any

from flask import request
from sqlmodel import SQLModel

from ..errors import MalformedJSON, ValidationFailed


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
