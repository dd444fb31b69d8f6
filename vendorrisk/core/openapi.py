"""The OpenAPI 3.1 document, written from the app's routes and the operations they declare.

Every ``/api/v1`` route whose view declares an ``operation`` (``core.api``) is a path of
the document: path parameters come from the route, 401/403 from the view's access rule,
400/413/422 from the kind of request, the schemas from the pydantic models named
(``models_json_schema`` with ``#/components/schemas/{model}`` references). A route
without a declaration is left out, and the test comparing the document with the URL map
refuses it.
"""
import re

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from vendorrisk.core import registry
from vendorrisk.core.access import ALL_ROLES, SAFE_METHODS
from vendorrisk.core.api import Binary, Error, Operation
from vendorrisk.core.input_guard import MAX_ID

PREFIX = "/api/v1/"
REF = "#/components/schemas/{model}"
ERROR_TEXT = {400: "Malformed request", 401: "Missing or invalid token", 403: "Not allowed for this user",
              404: "Not found", 409: "Conflict with the current data", 413: "The upload is larger than allowed",
              422: "Invalid input", 503: "The file store is unavailable"}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_PATH_TYPES = {"int": "integer", "float": "number"}


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every property."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def _schemas(models: list[tuple[type[BaseModel], str]]) -> tuple[dict, dict]:
    refs, top = models_json_schema(models, ref_template=REF, schema_generator=_Schemas,
                                   union_format="primitive_type_array")
    return refs, top.get("$defs", {})


def _content(answer, refs: dict, mode: str) -> dict:
    if isinstance(answer, Binary):
        return {answer.media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": refs[(answer, mode)]}}


def _response(answer, refs: dict, description: str = "") -> dict:
    if answer is None:
        return {"description": description or "No content"}
    if isinstance(answer, Binary):
        text = answer.description
    else:
        text = description or (answer.__doc__ or answer.__name__).strip().split("\n")[0]
    return {"description": text, "content": _content(answer, refs, "serialization")}


def _error_codes(op: Operation, method: str, rule, rule_path: str) -> list[int]:
    codes = set(op.errors)
    if not rule.public:
        codes.add(401)
        if method.upper() not in SAFE_METHODS or not all(rule.admits(role) for role in ALL_ROLES):
            codes.add(403)  # auditors change nothing, whatever the rule says
    if op.query is not None or _ARGUMENT.search(rule_path):
        codes.add(422)  # a query parameter holding NUL or another control character (core.input_guard)
    if _ARGUMENT.search(rule_path):
        codes.add(404)  # the record named in the path does not exist (or is beyond any id)
    if op.body is not None:
        codes.update((400, 422))
    if op.form is not None or op.upload is not None:
        codes.update((413, 422))
    return sorted(codes)


def _parameters(path: str, op: Operation) -> list[dict]:
    params = [{"name": m["name"], "in": "path", "required": True, "schema": _path_schema(m["converter"])}
              for m in _ARGUMENT.finditer(path)]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF, schema_generator=_Schemas,
                                            union_format="primitive_type_array")
        for name, prop in schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in schema.get("required", ())}
            if "description" in prop:
                param["description"] = prop.pop("description")
            params.append({**param, "schema": _never_null(prop)})
    return params


def _path_schema(converter: str | None) -> dict:
    if converter == "int":  # ids the database can hold; beyond them no route matches (404)
        return {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    return {"type": _PATH_TYPES.get(converter, "string")}


def _never_null(schema: dict) -> dict:
    """A query parameter's schema without the ``null`` of an ``Optional`` (absent is not null)."""
    schema = {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(schema.get("type"), list):
        kinds = [t for t in schema["type"] if t != "null"]
        schema["type"] = kinds[0] if len(kinds) == 1 else kinds
    if "anyOf" in schema:
        options = [o for o in schema.pop("anyOf") if o != {"type": "null"}]
        schema.update(options[0] if len(options) == 1 else {"anyOf": options})
    return schema


def _request_body(op: Operation, refs: dict) -> dict | None:
    if op.body is not None:
        return {"required": op.body_required,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}}}
    if op.form is not None:
        return {"required": True, "content": {"multipart/form-data": {"schema": refs[(op.form, "validation")]}}}
    if op.upload is not None:
        return {"required": True, "description": op.upload.description, "content": _content(op.upload, refs, "")}
    return None


def _operation(op: Operation, method: str, path: str, rule, tag: str | None, refs: dict) -> dict:
    responses = {str(op.status): _response(op.ok, refs)}
    for status, (description, answer) in op.also.items():
        responses[str(status)] = _response(answer, refs, description)
    for code in _error_codes(op, method, rule, path):
        responses[str(code)] = {"description": ERROR_TEXT.get(code, "Error"),
                                "content": {"application/json": {"schema": refs[(Error, "serialization")]}}}
    operation = {"operationId": op.id, "summary": op.summary}
    if op.description:
        operation["description"] = op.description
    if tag:
        operation["tags"] = [tag]
    if rule.public:
        operation["security"] = []
    parameters = _parameters(path, op)
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(op, refs)
    if body:
        operation["requestBody"] = body
    operation["responses"] = responses
    return operation


def _declared(app: Flask):
    """(OpenAPI path, method, operation, access rule, tag) of every declared API route."""
    tags = registry.of(app).api_tags
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        op = getattr(view, "api_operation", None)
        if not rule.rule.startswith(PREFIX) or op is None:
            continue
        path = _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, path, method.lower(), op, view.access_rule, tags.get(rule.endpoint.split(".")[0])


def _models(operations) -> list[tuple[type[BaseModel], str]]:
    models = {(Error, "serialization"): None}
    for *_, op, _rule, _tag in operations:
        answers = [op.ok, *(answer for _d, answer in op.also.values())]
        models.update(((a, "serialization"), None) for a in answers if isinstance(a, type))
        models.update(((m, "validation"), None) for m in (op.body, op.form) if m is not None)
    return list(models)


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of ``app``'s API."""
    operations = list(_declared(app))
    refs, schemas = _schemas(_models(operations))
    paths: dict[str, dict] = {}
    for rule_path, path, method, op, rule, tag in operations:
        paths.setdefault(path, {})[method] = _operation(op, method, rule_path, rule, tag, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "vendorrisk API", "version": "1",
                 "description": "Outsourcing risk under JVCEA Arts. 25-27. Authenticate with "
                                "`Authorization: Bearer <token>` (create a token on the Account page "
                                "or with `vendorrisk create-token`)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
    }
