"""API basics: the OpenAPI document and who-am-I."""
from flask import Blueprint, Flask, jsonify

from vendorrisk.core import auth, registry
from vendorrisk.core.access import ALL_ROLES, allow, public
from vendorrisk.core.api import add_api, error_responses, json_body, json_response
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed

bp = Blueprint("api_core", __name__, url_prefix="/api/v1")

OPENAPI = {
    "paths": {
        "/api/v1/me": {"get": {"summary": "The user owning the token", "operationId": "getMe",
                               "responses": {"200": json_response("The user", {"$ref": "#/components/schemas/User"}),
                                             **error_responses(401)}},
                         "patch": {"summary": "Change one's own display name or language", "operationId": "patchMe",
                                   "requestBody": {"required": True, "content": {"application/json": {"schema": {
                                       "type": "object", "properties": {
                                           "display_name": {"type": "string", "maxLength": 200},
                                           "language": {"type": ["string", "null"], "enum": ["ja", "en", None]}}}}}},
                                   "responses": {"200": json_response("The user", {"$ref": "#/components/schemas/User"}),
                                                 **error_responses(400, 401, 403, 422)}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "operationId": "getOpenAPI",
                                         "security": [],
                                         "responses": {"200": json_response("OpenAPI 3 document")}}},
    },
    "components": {"schemas": {
        "User": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                                  "role": {"type": "string"}, "display_name": {"type": "string"},
                                                  "language": {"type": ["string", "null"]}}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message", "details"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                           "details": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]}}}}},
    }},
}


def openapi_document() -> dict:
    """Merge every API module's fragment into one OpenAPI 3.1 document."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "vendorrisk API", "version": "1",
                 "description": "Outsourcing risk under JVCEA Arts. 25-27. Authenticate with "
                                "`Authorization: Bearer <token>` (create a token on the Account page "
                                "or with `vendorrisk create-token`)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {}},
    }
    for fragment in registry.current().openapi:
        for path, operations in fragment.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(operations)
        document["components"]["schemas"].update(fragment.get("components", {}).get("schemas", {}))
    return document


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of the whole API."""
    return jsonify(openapi_document())


def _user_json(user):
    return {"id": user.id, "email": user.email, "role": user.role, "display_name": user.display_name,
            "language": user.language}


@bp.get("/me")
@allow(*ALL_ROLES)
def me():
    """The user owning the token."""
    return jsonify(_user_json(auth.current_user()))


@bp.patch("/me")
@allow("admin", "compliance", "procurement", "vendor_owner")
def update_me():
    """Change one's own display name or language."""
    body = json_body()
    user = auth.current_user()
    problems = []
    if "language" in body:
        if body["language"] not in ("ja", "en", None):
            problems.append({"field": "language", "message": "Use 'ja', 'en' or null (follow the browser)."})
        else:
            user.language = body["language"]
    if "display_name" in body:
        if not isinstance(body["display_name"], str) or len(body["display_name"]) > 200:
            problems.append({"field": "display_name", "message": "A text of at most 200 characters."})
        else:
            user.display_name = body["display_name"]
    if problems:
        raise ValidationFailed("The changes are invalid.", problems)
    get_session().commit()
    return jsonify(_user_json(user))


def init_app(app: Flask) -> None:
    """Serve the OpenAPI document and who-am-I."""
    add_api(app, bp, OPENAPI)
