"""The chains API contract: vendors, arrangements, links, chain, exposure, concentration."""
from openapi_spec_validator import validate
from sqlmodel import func, select

from vendorrisk.core.models import AuditEntry
from vendorrisk.vendors.models import OutsourcingLink


def _vendor(client, name, **extra):
    response = client.post("/api/v1/vendors", json={"name": name, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_build_a_chain_through_the_api(api, db):
    client = api("procurement")
    a = _vendor(client, "株式会社ティア1", name_en="Tier One K.K.", corporate_number="1010001000006", is_cloud=False)
    b = _vendor(client, "株式会社ティア2")
    c = _vendor(client, "Cloud Inc.", country="US", is_cloud=True)
    response = client.post("/api/v1/arrangements", json={"vendor_id": a, "title": "勘定系", "is_important": True,
                                                         "handles_user_data": True})
    assert response.status_code == 201
    arrangement = response.get_json()["id"]
    first = client.post(f"/api/v1/arrangements/{arrangement}/links", json={"parent_vendor_id": a, "vendor_id": b,
                                                                            "service": "運用"})
    assert first.status_code == 201 and first.get_json()["id"]
    assert client.post(f"/api/v1/arrangements/{arrangement}/links",
                       json={"parent_vendor_id": b, "vendor_id": c}).status_code == 201

    chain = client.get(f"/api/v1/arrangements/{arrangement}/chain").get_json()
    nodes = {n["vendor_id"]: n for n in chain["nodes"]}
    assert nodes[a]["tier"] == 1 and nodes[a]["parent_vendor_id"] is None and not nodes[a]["is_final"]
    assert (nodes[c]["tier"], nodes[c]["parent_vendor_id"], nodes[c]["is_final"]) == (3, b, True)
    assert nodes[c]["path"] == [a, b, c]
    assert chain["final_contractor_ids"] == [c] and chain["depth"] == 3

    exposure = client.get(f"/api/v1/vendors/{c}/exposure").get_json()
    assert exposure["arrangements"] == [{"arrangement_id": arrangement, "title": "勘定系", "tier1_vendor_id": a,
                                         "tiers": [3], "is_important": True, "handles_user_data": True,
                                         "status": "active"}]
    top = client.get("/api/v1/concentration").get_json()["vendors"]
    assert {v["vendor_id"] for v in top} == {a, b, c} and top[0]["arrangement_count"] == 1


def test_refusals_are_409_and_422_and_change_nothing(api, db):
    client = api("compliance")
    a, b, outsider = (_vendor(client, n) for n in ("甲株式会社", "乙株式会社", "丙株式会社"))
    arrangement = client.post("/api/v1/arrangements", json={"vendor_id": a, "title": "x"}).get_json()["id"]
    client.post(f"/api/v1/arrangements/{arrangement}/links", json={"parent_vendor_id": a, "vendor_id": b})
    cases = [({"parent_vendor_id": b, "vendor_id": b}, 409), ({"parent_vendor_id": b, "vendor_id": a}, 409),
             ({"parent_vendor_id": outsider, "vendor_id": b}, 422), ({"parent_vendor_id": a}, 422)]
    for body, status in cases:
        response = client.post(f"/api/v1/arrangements/{arrangement}/links", json=body)
        assert response.status_code == status, body
        error = response.get_json()["error"]
        assert error["message"] and error["code"] in ("conflict", "validation_failed")
    db.rollback()
    assert db.exec(select(func.count()).select_from(OutsourcingLink)).one() == 1


def test_bad_input_and_unknown_ids(api):
    client = api("procurement")
    response = client.post("/api/v1/vendors", json={"name": "X", "corporate_number": "1234567890123"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "corporate_number"
    assert client.post("/api/v1/vendors", data="{oops", content_type="application/json").status_code == 400
    for path in ("/api/v1/vendors/999999", "/api/v1/vendors/999999/exposure", "/api/v1/arrangements/999999",
                 "/api/v1/arrangements/999999/chain", "/api/v1/links/999999"):
        assert client.get(path).status_code == 404, path
    assert client.post("/api/v1/arrangements/999999/links", json={"parent_vendor_id": 1, "vendor_id": 2}).status_code == 404
    _vendor(client, "株式会社重複")
    duplicate = client.post("/api/v1/vendors", json={"name": "(株)重複"})
    assert duplicate.status_code == 409
    assert client.post("/api/v1/vendors", json={"name": "(株)重複", "confirm_duplicate": True}).status_code == 201


def test_roles_approval_and_patch(api, db):
    procurement = api("procurement")
    a, b = _vendor(procurement, "親会社"), _vendor(procurement, "子会社")
    arrangement = procurement.post("/api/v1/arrangements", json={"vendor_id": a, "title": "t"}).get_json()["id"]
    link = procurement.post(f"/api/v1/arrangements/{arrangement}/links",
                            json={"parent_vendor_id": a, "vendor_id": b}).get_json()["id"]
    decision = {"approval_status": "approved", "approval_basis": "notification", "approved_on": "2026-02-01"}
    assert procurement.patch(f"/api/v1/links/{link}", json=decision).status_code == 403
    compliance = api("compliance")
    body = compliance.patch(f"/api/v1/links/{link}", json=decision).get_json()
    assert (body["approval_status"], body["approval_basis"], body["approved_on"]) == ("approved", "notification", "2026-02-01")
    db.rollback()
    decisions = db.exec(select(AuditEntry).where(AuditEntry.action == "link_decision")).all()
    assert [(d.entity, d.entity_id) for d in decisions] == [("outsourcing_link", str(link))]
    assert api("auditor").post("/api/v1/vendors", json={"name": "監査人の会社"}).status_code == 403
    owner_client = api("vendor_owner")
    assert owner_client.patch(f"/api/v1/vendors/{a}", json={"address": "大阪"}).status_code == 403
    assert procurement.patch(f"/api/v1/vendors/{a}", json={"address": "大阪", "status": "under_assessment"}).get_json()["status"] == "under_assessment"
    assert procurement.patch(f"/api/v1/arrangements/{arrangement}", json={"is_important": True}).get_json()["is_important"]
    location = compliance.post(f"/api/v1/arrangements/{arrangement}/locations", json={"link_id": link, "country": "jp",
                                                                                      "region": "Tokyo"})
    assert location.status_code == 201 and location.get_json()["link_id"] == link
    assert compliance.get("/api/v1/gaps").status_code == 200
    assert compliance.get("/api/v1/vendors?q=親").get_json()["total"] == 1
    assert compliance.get(f"/api/v1/arrangements?vendor_id={a}").get_json()["total"] == 1
    assert compliance.delete(f"/api/v1/links/{link}").status_code == 204


def test_openapi_describes_every_chains_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_chains."):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", "{" + arg + "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert routes and routes <= documented, routes - documented


def test_read_one_vendor_arrangement_and_link_and_export_the_register(api, db):
    client = api("compliance")
    a, b = _vendor(client, "株式会社読取", name_en="Read K.K."), _vendor(client, "株式会社委託先")
    arrangement = client.post("/api/v1/arrangements", json={"vendor_id": a, "title": "読取", "handles_user_data": True})
    arrangement = arrangement.get_json()["id"]
    link = client.post(f"/api/v1/arrangements/{arrangement}/links", json={"parent_vendor_id": a, "vendor_id": b})
    link = link.get_json()["id"]
    client.post(f"/api/v1/arrangements/{arrangement}/locations", json={"country": "JP", "region": "東京"})
    vendor = client.get(f"/api/v1/vendors/{a}").get_json()
    assert (vendor["id"], vendor["name_en"], vendor["status"]) == (a, "Read K.K.", "prospect")
    assert "name_normalized" not in vendor
    one = client.get(f"/api/v1/arrangements/{arrangement}").get_json()
    assert [(loc["country"], loc["region"]) for loc in one["data_locations"]] == [("JP", "東京")]
    assert client.get(f"/api/v1/arrangements?vendor_id={a}").get_json()["items"][0].get("data_locations") is None
    assert client.get(f"/api/v1/links/{link}").get_json()["approval_status"] == "unapproved"
    export = api("auditor").get("/api/v1/register.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert export.headers["Content-Disposition"] == "attachment; filename=outsourcing-register.xlsx"
    assert export.headers["Cache-Control"] == "private, no-store"
    db.rollback()
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == "register")).one()
