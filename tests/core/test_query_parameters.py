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
    ("/api/v1/findings?mine=true", "mine"),            # documented: mine=1
    ("/api/v1/findings?severity=urgent", "severity"),
    ("/api/v1/findings?vendor_id=abc", "vendor_id"),
    ("/api/v1/findings?overdue=yes", "overdue"),
    ("/api/v1/reviews?mine=true", "mine"),
    ("/api/v1/vendors?status=Approved", "status"),
    ("/api/v1/vendors?cloud=1", "cloud"),              # documented: cloud=true
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
    english = client.get("/api/v1/findings?mine=true").get_json()["error"]["details"][0]["message"]
    assert english == "Choose one of '1'."
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
