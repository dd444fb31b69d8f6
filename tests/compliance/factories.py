"""Test obligations for the compliance engine (independent of the areas' real rules), and builders."""
from sqlalchemy import select

from tests import factories
from vendorrisk.core import registry
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor

RULE_CALLS: list[tuple[str, int]] = []


def _chain_recorded(session, vendor_ids):
    """Met when every link reaching the vendor is approved; gap when one is not;
    not applicable to a vendor in no chain."""
    RULE_CALLS.append(("90-1", len(vendor_ids)))
    tier1 = set(session.scalars(select(Arrangement.vendor_id).where(Arrangement.vendor_id.in_(vendor_ids))))
    links = session.execute(select(OutsourcingLink.vendor_id, OutsourcingLink.id, OutsourcingLink.approval_status)
                            .where(OutsourcingLink.vendor_id.in_(vendor_ids))).all()
    unapproved = {vid: lid for vid, lid, status in links if status != "approved"}
    linked = {vid for vid, _lid, _status in links}
    result = {}
    for vid in vendor_ids:
        if vid in unapproved:
            result[vid] = registry.Verdict("gap", "A sub-outsourcing link to this vendor is not approved.",
                                           [("Link", f"/links/{unapproved[vid]}")])
        elif vid in linked or vid in tier1:
            result[vid] = registry.Verdict("met", "Every link to this vendor is approved.",
                                           [("Vendor", f"/vendors/{vid}")])
        else:
            result[vid] = registry.Verdict("not_applicable", "The vendor is in no chain.")
    return result


def _cloud_tiered(session, vendor_ids):
    """Cloud vendors must carry a risk tier; others are not concerned."""
    RULE_CALLS.append(("90-2", len(vendor_ids)))
    rows = session.execute(select(Vendor.id, Vendor.is_cloud, Vendor.risk_tier).where(Vendor.id.in_(vendor_ids)))
    result = {}
    for vid, cloud, tier in rows:
        if not cloud:
            result[vid] = registry.Verdict("not_applicable", "Not a cloud service.")
        elif tier:
            result[vid] = registry.Verdict("met", f"Risk tier {tier} is recorded.")
        else:
            result[vid] = registry.Verdict("gap", "No risk tier is recorded for this cloud service.")
    return result


def _no_open_findings(session, vendor_ids):
    """Met without open findings; a gap while a finding is open."""
    RULE_CALLS.append(("91-1", len(vendor_ids)))
    open_ = set(session.scalars(select(Finding.vendor_id).where(Finding.vendor_id.in_(vendor_ids),
                                                                 Finding.status != "closed")))
    return {vid: registry.Verdict("gap", "A finding is open.") if vid in open_
            else registry.Verdict("met", "No open finding.") for vid in vendor_ids}


TEST_OBLIGATIONS = [
    ("90-1", "第90条第1項", "Art. 90(1)", "チェーン記録", "Chain recorded", _chain_recorded),
    ("90-2", "第90条第2項", "Art. 90(2)", "クラウドの区分", "Cloud tiered", _cloud_tiered),
    ("91-1", "第91条第1項", "Art. 91(1)", "未完了の指摘なし", "No open findings", _no_open_findings),
]


def install_test_obligations(app) -> dict:
    """Give this test's app the three test obligations instead of the areas' ones."""
    obligations = registry.of(app).obligations
    obligations.clear()
    for ob_id, cja, cen, tja, ten, fn in TEST_OBLIGATIONS:
        obligations[ob_id] = registry.obligation(ob_id, citation_ja=cja, citation_en=cen, title_ja=tja,
                                                 title_en=ten)(fn)
    RULE_CALLS.clear()
    return obligations


def gen_matrix_portfolio(db) -> dict[str, int]:
    """Two chains and a vendor outside any chain.

    A1 (important, cloud, user data): V1 -> V2 (approved, user data) -> V3 (unapproved)
    A2: V4 (cloud vendor, no risk tier) -> V2 (approved); V5 in no chain; a finding open on V1.
    """
    v = {k: factories.gen_vendor(db, name=f"ベンダー{k}", name_en=f"Vendor {k}") for k in ("1", "2", "3", "4", "5")}
    v["2"].is_cloud, v["2"].risk_tier = True, "high"
    v["4"].is_cloud = True
    v["5"].risk_tier = "low"
    a1 = factories.gen_arrangement(db, v["1"], is_important=True, is_cloud=True, handles_user_data=True,
                                   title="勘定系")
    a2 = factories.gen_arrangement(db, v["4"], title="監視")
    factories.gen_link(db, a1, v["1"], v["2"], approval_status="approved", touches_user_data=True)
    factories.gen_link(db, a1, v["2"], v["3"], approval_status="unapproved")
    factories.gen_link(db, a2, v["4"], v["2"], approval_status="approved")
    db.add(Finding(vendor_id=v["1"].id, title="SLA breach", severity="high"))
    db.commit()
    return {k: x.id for k, x in v.items()}
