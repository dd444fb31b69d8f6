"""Selection API: the whole flow over bearer tokens, refusals as JSON errors, the OpenAPI fragment."""
from openapi_spec_validator import validate
from sqlmodel import select

from tests import factories
from vendorrisk.selection.models import AssessmentScore
from vendorrisk.vendors.models import Vendor


def _scores(body, value=3):
    return [{"criterion_id": c["id"], "score": value, "comment": "ok"} for c in body["criteria"]]


def test_api_flow(api, db):
    vendor = factories.gen_vendor(db, is_cloud=True)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    db.commit()
    preparer, approver = api("procurement"), api("compliance")
    sets = preparer.get("/api/v1/selection/criteria-sets").get_json()["items"]
    assert {(s["key"], s["version"]) for s in sets} == {("general", 1), ("cloud-art27", 1)}
    one = preparer.get("/api/v1/selection/criteria-sets/cloud-art27/1").get_json()
    assert len(one["criteria"]) == 9
    created = preparer.post("/api/v1/selection/assessments", json={"vendor_id": vendor.id})
    assert created.status_code == 201
    body = created.get_json()
    aid = body["id"]
    assert body["status"] == "draft" and body["criteria_sets"][1]["key"] == "cloud-art27"
    bad = preparer.put(f"/api/v1/selection/assessments/{aid}/scores",
                       json={"scores": [{"criterion_id": "C27-1", "score": -1}]})
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "C27-1"
    db.rollback()
    assert db.exec(select(AssessmentScore)).all() == []
    missing = preparer.post(f"/api/v1/selection/assessments/{aid}/submit")
    assert missing.status_code == 422 and len(missing.get_json()["error"]["details"]) == 17  # 8 general + 9 cloud
    saved = preparer.put(f"/api/v1/selection/assessments/{aid}/scores", json={"scores": _scores(body)})
    assert saved.status_code == 200 and saved.get_json()["total_percent"] == 100.0
    assert preparer.post(f"/api/v1/selection/assessments/{aid}/submit").status_code == 200
    assert preparer.post(f"/api/v1/selection/assessments/{aid}/approve").status_code == 403  # role
    approved = approver.post(f"/api/v1/selection/assessments/{aid}/approve", json={"note": "fine"})
    assert approved.status_code == 200 and approved.get_json()["decision"] == "approve"
    twice = approver.post(f"/api/v1/selection/assessments/{aid}/approve")
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "conflict"
    edit = preparer.put(f"/api/v1/selection/assessments/{aid}/scores", json={"scores": _scores(body, 0)})
    assert edit.status_code == 409
    history = approver.get(f"/api/v1/selection/vendors/{vendor.id}").get_json()
    assert history["status"] == "approved" and [a["id"] for a in history["assessments"]] == [aid]
    assert history["risk_tier"]["effective"] == "low" and history["risk_tier"]["facts"]["cloud"] is True
    listing = approver.get(f"/api/v1/selection/assessments?vendor_id={vendor.id}&status=approved").get_json()
    assert listing["total"] == 1
    assert approver.get("/api/v1/selection/assessments?status=nope").status_code == 422


def test_api_preparer_with_approver_role_cannot_approve(api, db):
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    db.commit()
    same = api("compliance")
    aid = same.post("/api/v1/selection/assessments", json={"vendor_id": vendor.id}).get_json()["id"]
    body = same.get(f"/api/v1/selection/assessments/{aid}").get_json()
    same.put(f"/api/v1/selection/assessments/{aid}/scores", json={"scores": _scores(body)})
    same.post(f"/api/v1/selection/assessments/{aid}/submit")
    refused = same.post(f"/api/v1/selection/assessments/{aid}/approve")
    assert refused.status_code == 403
    db.rollback()
    db.expire_all()
    assert db.get(Vendor, vendor.id).status == "under_assessment"
    rejected = api("compliance").post(f"/api/v1/selection/assessments/{aid}/reject", json={"note": "no"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"


def test_api_bad_input(api, db):
    client = api("procurement")
    assert client.post("/api/v1/selection/assessments", json={"vendor_id": "x"}).status_code == 422
    assert client.post("/api/v1/selection/assessments", json={"vendor_id": 999}).status_code == 422
    malformed = client.post("/api/v1/selection/assessments", data="{oops",
                            headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.get_json()["error"]["code"] == "malformed_json"
    assert client.get("/api/v1/selection/assessments/12345").status_code == 404
    override = api("compliance").post("/api/v1/selection/vendors/1/risk-tier-override",
                                      json={"tier": "high", "reason": ""})
    assert override.status_code == 422


def test_api_override(api, db):
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    db.commit()
    done = api("compliance").post(f"/api/v1/selection/vendors/{vendor.id}/risk-tier-override",
                                  json={"tier": "critical", "reason": "Holds the issuance keys"})
    assert done.status_code == 201 and done.get_json()["tier"] == "critical"
    db.rollback()
    db.expire_all()
    assert db.get(Vendor, vendor.id).risk_tier == "critical"


def test_openapi_fragment_is_valid_and_covers_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/selection")}
    documented = {p for p in document["paths"] if p.startswith("/api/v1/selection")}
    normalised = {r.replace("<int:", "{").replace("<", "{").replace(">", "}") for r in routes}
    assert normalised == documented
