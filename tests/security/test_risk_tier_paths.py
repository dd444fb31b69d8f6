"""Issue 16, 5: a vendor's risk tier is set only through the selection area's override rules.

``PATCH /api/v1/vendors/{id} {"risk_tier": "low"}`` as procurement, or by a vendor owner on
its own vendor, answered 200 and moved the next monitoring review. Now every path that would
set a tier — the vendor form, the vendor API, the register import — refuses it with a message
that says where a tier is overridden; the override (page, API, CLI) is for compliance staff
and admins only, with a reason, kept in the override history."""
import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core.errors import Forbidden
from vendorrisk.selection import risk_tier
from vendorrisk.selection.models import RiskTierOverride
from vendorrisk.vendors.models import Vendor


def _tiered_vendor(db):
    vendor = factories.gen_vendor(db)
    factories.gen_arrangement(db, vendor, is_important=True, handles_user_data=True)  # 5 points: high
    risk_tier.recompute(db, [vendor.id])
    db.commit()
    assert vendor.risk_tier == "high"
    return vendor


def _state(db, vendor_id):
    db.rollback()
    db.expire_all()
    return db.get(Vendor, vendor_id).risk_tier, db.exec(select(RiskTierOverride)).all()


@pytest.mark.parametrize("role", ["procurement", "vendor_owner", "compliance", "admin"])
def test_vendor_api_refuses_a_risk_tier(api, db, role):
    vendor = _tiered_vendor(db)
    client = api(role)
    if role == "vendor_owner":
        from vendorrisk.core.models import User
        owner = db.exec(select(User).where(User.role == "vendor_owner")).one()
        factories.gen_owner(db, vendor, owner)
        db.commit()
    response = client.patch(f"/api/v1/vendors/{vendor.id}", json={"risk_tier": "low", "notes": "tier please"})
    assert response.status_code == 422, response.get_json()
    detail = response.get_json()["error"]["details"][0]
    assert detail["field"] == "risk_tier" and "risk-tier-override" in detail["message"]
    assert _state(db, vendor.id) == ("high", [])
    assert db.get(Vendor, vendor.id).notes == ""  # nothing of the request stored


def test_vendor_api_accepts_the_tier_it_was_given_back_unchanged(api, db):
    vendor = _tiered_vendor(db)
    response = api("procurement").patch(f"/api/v1/vendors/{vendor.id}", json={"risk_tier": "high", "notes": "x"})
    assert response.status_code == 200
    assert response.get_json()["risk_tier"] == "high"


def test_registration_through_the_api_refuses_a_risk_tier(api, db):
    response = api("procurement").post("/api/v1/vendors", json={"name": "段階指定株式会社", "risk_tier": "low"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "risk_tier"
    db.rollback()
    assert db.exec(select(Vendor).where(Vendor.name == "段階指定株式会社")).first() is None


def test_vendor_form_refuses_a_changed_risk_tier(client, login, db):
    vendor = _tiered_vendor(db)
    login("procurement")
    response = client.post(f"/vendors/{vendor.id}/edit", data={"name": vendor.name, "country": "JP",
                                                               "risk_tier": "low"})
    assert response.status_code in (200, 422)
    assert "risk tier cannot be set here" in response.get_data(as_text=True)
    assert _state(db, vendor.id) == ("high", [])


def test_register_import_refuses_a_risk_tier_cell(api, db):
    data = factories.workbook({"vendors": [["ref", "name", "risk_tier"], ["a", "取込段階株式会社", "low"]]})
    response = api("procurement").post("/api/v1/register/import", data=data,
                                       content_type="application/octet-stream")
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [(d["sheet"], d["row"], d["column"]) for d in details] == [("vendors", 2, "risk_tier")]
    db.rollback()
    assert db.exec(select(Vendor)).all() == []


@pytest.mark.parametrize("role", ["procurement", "vendor_owner"])
def test_override_service_refuses_other_roles(db, role):
    vendor = _tiered_vendor(db)
    user = factories.gen_user(db, role=role)
    with pytest.raises(Forbidden):
        risk_tier.set_override(db, vendor.id, tier="low", reason="Cheaper to review", user_id=user.id)
    with pytest.raises(Forbidden):
        risk_tier.set_override(db, vendor.id, tier="low", reason="Cheaper to review", user_id=None)


def test_override_api_is_for_compliance_with_a_reason(api, db):
    vendor = _tiered_vendor(db)
    url = f"/api/v1/selection/vendors/{vendor.id}/risk-tier-override"
    assert api("procurement").post(url, json={"tier": "low", "reason": "Cheaper to review"}).status_code == 403
    compliance = api("compliance")
    assert compliance.post(url, json={"tier": "low", "reason": ""}).status_code == 422
    assert compliance.post(url, json={"tier": "low", "reason": "Board decision 2026-04"}).status_code == 201
    tier, history = _state(db, vendor.id)
    assert tier == "low" and [(o.tier, o.computed_tier, o.reason) for o in history] == [
        ("low", "high", "Board decision 2026-04")]


def test_cli_override_goes_through_the_same_rules(runner, db):
    vendor = _tiered_vendor(db)
    procurement = factories.gen_user(db, role="procurement")
    compliance = factories.gen_user(db, role="compliance")
    db.commit()
    refused = runner.invoke(args=["risk", "override", str(vendor.id), "--tier", "low", "--reason",
                                  "Cheaper to review", "--user", procurement.email])
    assert refused.exit_code != 0 and "Only compliance staff" in refused.output
    no_reason = runner.invoke(args=["risk", "override", str(vendor.id), "--tier", "low", "--reason", " ",
                                    "--user", compliance.email])
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    assert _state(db, vendor.id) == ("high", [])
    done = runner.invoke(args=["risk", "override", str(vendor.id), "--tier", "low", "--reason",
                               "Board decision 2026-04", "--user", compliance.email])
    assert done.exit_code == 0, done.output
    tier, history = _state(db, vendor.id)
    assert tier == "low" and [(o.set_by_id, o.reason) for o in history] == [(compliance.id, "Board decision 2026-04")]
