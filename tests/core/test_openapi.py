"""The OpenAPI document describes every API route, and only those, and is valid."""
import re

from openapi_spec_validator import validate


def _api_operations(app):
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops
                  if method in ("get", "post", "put", "patch", "delete")}
    routes = _api_operations(app)
    assert routes - documented == set(), f"undocumented API routes: {sorted(routes - documented)}"
    assert documented - routes == set(), f"documented but not served: {sorted(documented - routes)}"
