"""The OpenAPI document describes every API route, and only those, and is valid."""
import re

import pytest
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


def test_operation_ids_are_unique_and_every_operation_documents_its_refusals(client):
    document = client.get("/api/v1/openapi.json").json
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    ids = [op["operationId"] for _path, _method, op in operations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for path, method, op in operations:
        if op.get("security") == []:
            continue
        assert "401" in op["responses"], (method, path)
        if method != "get":
            assert "403" in op["responses"], (method, path)  # auditors change nothing
        if "application/json" in op.get("requestBody", {}).get("content", {}):
            assert {"400", "422"} <= set(op["responses"]), (method, path)


def test_answers_are_checked_against_the_document(app, api, db):
    """The test clients refuse an answer the document does not promise (tests/openapi_contract.py)."""
    from flask import Response

    from tests.openapi_contract import check_answer

    me = api("compliance").get("/api/v1/me")  # checked on the way, as every call of the suite
    assert me.status_code == 200
    check_answer(app, "GET", "/api/v1/me", me)
    wrong_field = Response('{"id": "one", "email": "a@b", "role": "compliance", "display_name": "", "language": null}',
                           mimetype="application/json")
    with pytest.raises(AssertionError, match="does not match its documented schema"):
        check_answer(app, "GET", "/api/v1/me", wrong_field)
    extra_field = Response('{"id": 1, "email": "a@b", "role": "compliance", "display_name": "", "language": null, '
                           '"password_hash": "x"}', mimetype="application/json")
    with pytest.raises(AssertionError, match="does not match its documented schema"):
        check_answer(app, "GET", "/api/v1/me", extra_field)
    with pytest.raises(AssertionError, match="which it does not document"):
        check_answer(app, "GET", "/api/v1/me", Response("{}", status=409, mimetype="application/json"))
    with pytest.raises(AssertionError, match="sent text/html"):
        check_answer(app, "GET", "/api/v1/register.xlsx", Response("<p>", mimetype="text/html"))


def test_read_models_write_what_they_declare_as_it_is():
    """``Public.dump`` keeps the declared fields it is given, writes nested read models the same
    way and dates as ISO 8601, and converts nothing else (an integer stays an integer)."""
    from datetime import date, datetime
    from typing import Optional

    from vendorrisk.core.api import Public

    class Inner(Public):
        number: float

    class Outer(Public):
        when: datetime
        inner: Optional[Inner]
        inners: list[Inner]
        by_key: dict[str, Inner]
        later: Optional[date] = None

    body = Outer.dump({"when": datetime(2026, 4, 1, 9, 30), "ignored": 1}, inner={"number": 2, "x": 0},
                      inners=[{"number": 1.5}], by_key={"a": {"number": 3}})
    assert body == {"when": "2026-04-01T09:30:00", "inner": {"number": 2}, "inners": [{"number": 1.5}],
                    "by_key": {"a": {"number": 3}}}
    assert isinstance(body["inner"]["number"], int)
