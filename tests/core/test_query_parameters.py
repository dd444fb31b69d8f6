"""The API refuses query parameters that do not fit what its OpenAPI document declares,
instead of ignoring them: a filter an integrator mistyped must never answer the whole list
as though it had matched."""
import pytest

from tests import factories
from tests.conftest import ApiClient
from vendorrisk.core import users
from vendorrisk.vendors.findings import raise_finding

JA = {"Accept-Language": "ja"}


@pytest.fixture
def two_owners_findings(db):
    """Two vendors with one finding each, owned by two different vendor owners."""
    mine, theirs = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    for owner in (mine, theirs):
        vendor = factories.gen_vendor(db)
        raise_finding(db, vendor_id=vendor.id, source="manual", title="鍵管理手順の不備", owner_id=owner.id)
    db.commit()
    return mine


@pytest.mark.parametrize("query, field", [
    ("/api/v1/findings?mine=on", "mine"),              # yes/no: true/false, 1/0 or yes/no only
    ("/api/v1/findings?severity=urgent", "severity"),
    ("/api/v1/findings?vendor_id=abc", "vendor_id"),
    ("/api/v1/findings?overdue=y", "overdue"),
    ("/api/v1/reviews?mine=2", "mine"),
    ("/api/v1/vendors?status=Approved", "status"),
    ("/api/v1/vendors?cloud=はい", "cloud"),
    ("/api/v1/compliance-matrix?user_data=any", "user_data"),  # the page's "either" is not the API's
    ("/api/v1/arrangements?vendor_id=first", "vendor_id"),
    ("/api/v1/vendors?page=0", "page"),
    ("/api/v1/vendors?page=two", "page"),
    ("/api/v1/findings?per_page=0", "per_page"),
    ("/api/v1/findings?per_page=501", "per_page"),
    ("/api/v1/concentration?limit=0", "limit"),
    ("/api/v1/concentration?offset=-1", "offset"),
    ("/api/v1/questionnaire-campaigns?status=bogus", "status"),
])
def test_a_parameter_outside_its_declaration_is_refused_naming_it(api, two_owners_findings, query, field):
    refused = api("auditor").get(query)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert [d["field"] for d in error["details"]] == [field]
    assert field in error["message"]


def test_the_refusal_says_what_would_do_in_the_readers_language(api, two_owners_findings):
    client = api("auditor")
    english = client.get("/api/v1/findings?mine=on").get_json()["error"]["details"][0]["message"]
    assert english == "true or false (1 or 0, yes or no are accepted too)."
    japanese = client.get("/api/v1/findings?mine=on", headers=JA).get_json()["error"]["details"][0]["message"]
    assert japanese == "true または false を指定してください（1 / 0、yes / no も使えます）。"
    japanese = client.get("/api/v1/vendors?per_page=501", headers=JA).get_json()["error"]
    assert japanese["message"] == "クエリパラメータを確認してください：per_page。"
    assert japanese["details"][0]["message"] == "500 以下にしてください。"


def test_declared_values_still_filter(app, db, api, two_owners_findings):
    _record, token = users.create_token(db, two_owners_findings, "test")
    db.commit()
    owner = ApiClient(app.test_client(), token)
    assert owner.get("/api/v1/findings").get_json()["total"] == 2
    assert owner.get("/api/v1/findings?mine=1").get_json()["total"] == 1
    assert owner.get("/api/v1/findings?mine=").get_json()["total"] == 2  # empty: no filter
    assert owner.get("/api/v1/vendors?per_page=500&page=1&status=prospect").status_code == 200


def test_an_anonymous_request_is_told_to_authenticate_first(client):
    assert client.get("/api/v1/findings?mine=true").status_code == 401


YES_NO = [("/api/v1/findings", "mine"), ("/api/v1/findings", "overdue"), ("/api/v1/reviews", "mine"),
          ("/api/v1/vendors", "cloud"), ("/api/v1/vendors", "subsidiary"), ("/api/v1/compliance-matrix", "cloud"),
          ("/api/v1/compliance-matrix", "important"), ("/api/v1/compliance-matrix", "user_data")]


@pytest.mark.parametrize("path, name", YES_NO)
def test_every_yes_no_parameter_reads_true_false_1_0_yes_no_alike(api, two_owners_findings, path, name):
    client = api("compliance")
    answers = {word: client.get(f"{path}?{name}={word}") for word in ("true", "1", "yes", "TRUE", "false", "0", "no")}
    assert {word: a.status_code for word, a in answers.items()} == dict.fromkeys(answers, 200)
    bodies = {word: a.get_json() for word, a in answers.items()}
    assert bodies["true"] == bodies["1"] == bodies["yes"] == bodies["TRUE"]
    assert bodies["false"] == bodies["0"] == bodies["no"]


def test_the_openapi_document_declares_every_yes_no_parameter_a_boolean(client):
    document = client.get("/api/v1/openapi.json").get_json()
    flags = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param["schema"].get("type") == "boolean":
                    flags[(path, param["name"])] = param["schema"]
    declared = {(path, name) for path, name in YES_NO} | {("/api/v1/register/import", "dry_run")}
    assert declared <= set(flags)
    assert all(schema == {"type": "boolean", "x-also-accepted": ["1", "0", "yes", "no"]} for schema in flags.values())
    every_query_param = {(path, p["name"]): p["schema"] for path, methods in document["paths"].items()
                         for operation in methods.values() for p in operation.get("parameters", []) if p["in"] == "query"}
    # no yes/no parameter left as a list of words of its own
    assert not [key for key, schema in every_query_param.items()
                if set(schema.get("enum", ())) & {"1", "true", "yes"}]
