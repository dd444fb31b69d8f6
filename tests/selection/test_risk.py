"""Inherent risk tier: computed from chain position with set queries, overridable with a reason."""
import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.selection import risk_tier
from vendorrisk.selection.models import RiskTierOverride
from vendorrisk.vendors.models import DataLocation, Vendor


def _chain(db):
    """tier 1 -> tier 2 -> tier 3 in an important, user-data arrangement; tier 3 keeps data in SG."""
    t1 = factories.gen_vendor(db)
    t2 = factories.gen_vendor(db, is_cloud=True)
    t3 = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, t1, is_important=True, handles_user_data=True,
                                            substitutability="hard")
    factories.gen_link(db, arrangement, t1, t2)
    link = factories.gen_link(db, arrangement, t2, t3, touches_user_data=True)
    db.add(DataLocation(link_id=link.id, country="SG"))
    db.flush()
    return t1, t2, t3


def test_facts_follow_the_chain(db):
    t1, t2, t3 = _chain(db)
    lone = factories.gen_vendor(db)
    facts = risk_tier.vendor_facts(db, [t1.id, t2.id, t3.id, lone.id])
    assert facts[t1.id]["max_tier"] == 1 and facts[t1.id]["user_data"] and facts[t1.id]["important"]
    assert facts[t2.id]["max_tier"] == 2 and facts[t2.id]["cloud"] and not facts[t2.id]["user_data"]
    assert facts[t3.id]["max_tier"] == 3 and facts[t3.id]["user_data"]
    assert facts[t3.id]["foreign_countries"] == ["SG"]
    assert facts[lone.id]["max_tier"] is None and facts[lone.id]["arrangements"] == 0


def test_points_and_tiers(db):
    t1, t2, t3 = _chain(db)
    lone = factories.gen_vendor(db)
    changed = risk_tier.recompute(db)
    # t1: important 3 + user data 2 + hard 2 = 7 -> high
    # t2: important 3 + cloud 1 + hard 2 + tier 2 (1) = 7 -> high
    # t3: important 3 + user data 2 + hard 2 + tier 3 (2) + data abroad 2 = 11 -> critical
    assert changed[t1.id] == (None, "high")
    assert changed[t2.id] == (None, "high")
    assert changed[t3.id] == (None, "critical")
    assert changed[lone.id] == (None, "low")
    db.refresh(t3)
    assert t3.risk_tier == "critical"
    assert risk_tier.explain(db, t3.id)["points"] == 11
    assert risk_tier.recompute(db) == {}  # idempotent


def test_terminated_arrangements_do_not_count(db):
    vendor = factories.gen_vendor(db)
    factories.gen_arrangement(db, vendor, is_important=True, handles_user_data=True, status="terminated")
    risk_tier.recompute(db, [vendor.id])
    assert db.get(Vendor, vendor.id).risk_tier == "low"


def test_override_needs_a_reason_and_is_kept_in_history(db):
    vendor = factories.gen_vendor(db)
    user = factories.gen_user(db)
    risk_tier.recompute(db)
    with pytest.raises(ValidationFailed) as refused:
        risk_tier.set_override(db, vendor.id, tier="critical", reason=" ", user_id=user.id)
    assert refused.value.details[0]["field"] == "reason"
    with pytest.raises(ValidationFailed):
        risk_tier.set_override(db, vendor.id, tier="extreme", reason="Board decision 2026-01", user_id=user.id)
    assert db.exec(select(RiskTierOverride)).all() == []
    risk_tier.set_override(db, vendor.id, tier="critical", reason="Board decision 2026-01", user_id=user.id)
    assert db.get(Vendor, vendor.id).risk_tier == "critical"
    risk_tier.recompute(db)
    assert db.get(Vendor, vendor.id).risk_tier == "critical"  # the override stays in force
    risk_tier.set_override(db, vendor.id, tier=None, reason="Contract ended, back to formula", user_id=user.id)
    assert db.get(Vendor, vendor.id).risk_tier == "low"
    explained = risk_tier.explain(db, vendor.id)
    assert explained["override"] is None
    assert [(o.tier, o.computed_tier) for o in explained["history"]] == [(None, "low"), ("critical", "low")]


def test_recompute_command(app, runner, db):
    _chain(db)
    db.commit()
    result = runner.invoke(args=["risk", "recompute"])
    assert result.exit_code == 0, result.output
    assert "-> critical" in result.output and "3 changed" in result.output
    db.expire_all()
    assert sorted(v.risk_tier for v in db.exec(select(Vendor)).all()) == ["critical", "high", "high"]


def test_override_page_and_vendor_page(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社ティア")
    db.commit()
    login("compliance")
    page = client.get(f"/selection/vendors/{vendor.id}")
    assert page.status_code == 200 and "株式会社ティア" in page.get_data(as_text=True)
    refused = client.post(f"/selection/vendors/{vendor.id}/tier-override", data={"tier": "high", "reason": ""},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422
    db.rollback()
    db.expire_all()
    assert db.get(Vendor, vendor.id).risk_tier is None
    done = client.post(f"/selection/vendors/{vendor.id}/tier-override",
                       data={"tier": "high", "reason": "Handles settlement keys"})
    assert done.status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(Vendor, vendor.id).risk_tier == "high"
    text = client.get(f"/selection/vendors/{vendor.id}").get_data(as_text=True)
    assert "Handles settlement keys" in text


def test_procurement_cannot_override(client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    login("procurement")
    assert client.post(f"/selection/vendors/{vendor.id}/tier-override",
                       data={"tier": "high", "reason": "Because I say so"}).status_code == 403
