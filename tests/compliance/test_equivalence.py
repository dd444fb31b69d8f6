"""The batched matrix gives the same cells as a straightforward evaluation, vendor by vendor.

The real rules share work within a batch (``matrix.batch_memo``) and bound their queries by
the batch; this test builds a portfolio touching every rule (chains of several tiers and a
shared subcontractor, unapproved links, a terminated arrangement, cloud vendors, selection
assessments, contracts, certificates, owners, data locations) and checks that every cell of
the batched matrix equals the rule asked about that vendor alone, outside any batch. The two
restructured rules are also checked against references computed here from other services:
25-4 from every chain's nodes (``chains_queries.chain_nodes``), 27-x from the cloud fact of
``risk_tier.vendor_facts``.
"""
from datetime import date

from sqlmodel import select

from tests import factories
from tests.certificates.factories import gen_certificate, gen_review
from tests.contracts.factories import CORPUS
from tests.selection.factories import gen_assessment
from tests.vendors.factories import dag_chain, deep_chain
from vendorrisk.compliance import link_targets, maintain, matrix, store
from vendorrisk.contracts import service as contract_service
from vendorrisk.selection import risk_tier
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors.models import DataLocation, OutsourcingLink, Vendor


def _portfolio(db) -> list[int]:
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db)
    owner = factories.gen_user(db, role="vendor_owner")
    approved, line = deep_chain(db, tiers=4, is_important=True, handles_user_data=True,
                                user_data_categories=["氏名"])
    for link in db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == approved.id)):
        link.approval_status, link.approval_basis = "approved", "prior_consent"
        link.touches_user_data = True
        db.add(DataLocation(link_id=link.id, country="SG"))
    db.add(DataLocation(arrangement_id=approved.id, country="JP"))
    shared, dag = dag_chain(db, is_cloud=True)
    # the tier-1 vendor of the straight line also heads a second chain, and sits in the DAG
    second = factories.gen_arrangement(db, line[0], title="second")
    factories.gen_link(db, second, line[0], dag["d"], approval_status="approved")
    factories.gen_link(db, shared, dag["e"], line[3])
    ended, gone = deep_chain(db, tiers=2, status="terminated", is_cloud=True)
    cloud_flagged = factories.gen_vendor(db, is_cloud=True)
    factories.gen_vendor(db, is_cloud=True)  # never assessed: a gap on every cloud item
    loner = factories.gen_vendor(db)
    for vendor in (line[0], dag["a"], cloud_flagged):
        gen_assessment(db, vendor, preparer, "approved", approver=approver)
    gen_assessment(db, dag["d"], preparer, "rejected", approver=approver)
    gen_assessment(db, loner, preparer, "submitted")
    factories.gen_owner(db, line[0], owner)
    user = factories.gen_user(db, role="compliance")
    contract_service.upload_version(db, arrangement_id=approved.id, user=user, filename="c.md",
                                    data=(CORPUS / "en_complete_msa.md").read_bytes())
    contract_service.upload_version(db, arrangement_id=shared.id, user=user, filename="p.txt",
                                    data=(CORPUS / "ja_missing_si.txt").read_bytes())
    certificate = gen_certificate(db, line[1], "soc2_type2", period_start=date(2025, 4, 1),
                                  period_end=date(2026, 3, 31))
    gen_review(db, certificate, approver)
    gen_certificate(db, line[2], "iso27001")
    db.flush()
    risk_tier.recompute(db)
    db.commit()
    return list(db.scalars(select(Vendor.id).order_by(Vendor.id)))


def _alone(db, vendor_id, obligations):
    """Each rule asked about the vendor alone, its looked-up links as a reader shows them (the
    live rows show them so)."""
    cells = {ob.id: ob.rule(db, [vendor_id])[vendor_id] for ob in obligations}
    return link_targets.resolved(db, {vendor_id: cells})[vendor_id]


def _expected_25_4(db, vendor_id, nodes):
    """25-4 from first principles: the links of the active chains the vendor heads, the
    links that bring it in as a subcontractor and those by which it sub-outsources further."""
    active = {n.arrangement_id for n in nodes if n.tier == 1}
    headed = {n.arrangement_id for n in nodes if n.tier == 1 and n.vendor_id == vendor_id}
    link_ids = {n.link_id for n in nodes if n.link_id and (n.arrangement_id in headed or vendor_id in
                                                            (n.vendor_id, n.parent_vendor_id))}
    links = db.exec(select(OutsourcingLink).where(OutsourcingLink.id.in_(link_ids or [0]))).all()
    assert all(link.arrangement_id in active for link in links)
    if not headed and not links:
        return "not_applicable", "The vendor is in no active outsourcing chain."
    unapproved = [link for link in links if link.approval_status != "approved"]
    if unapproved:
        return "gap", f"Sub-outsourcing links in its chains not approved: {len(unapproved)}."
    return "met", f"Chain recorded; no sub-outsourcing link awaits approval (links: {len(links)})."


def test_batched_matrix_equals_vendor_by_vendor_evaluation(app, db):
    vendor_ids = _portfolio(db)
    obligations = matrix.all_obligations()
    assert {"25-4", "27-1", "27-9", "25-2-audit_rights", "26-1", "26-4"} <= {ob.id for ob in obligations}
    with app.test_request_context():
        for batch_size in (3, 500):
            rows = {row.vendor.id: row.verdicts
                    for row in matrix.live_rows(db, matrix.MatrixFilters(), batch_size=batch_size)}
            assert sorted(rows) == vendor_ids
            for vendor_id in vendor_ids:
                assert rows[vendor_id] == _alone(db, vendor_id, obligations), vendor_id
    statuses = {ob_id: {v.status for v in (rows[vid][ob_id] for vid in vendor_ids)} for ob_id in ("25-4", "27-1")}
    assert statuses == {"25-4": {"met", "gap", "not_applicable"}, "27-1": {"met", "gap", "not_applicable"}}

    # active chains only: the terminated arrangement's vendors are in no chain
    nodes = [n for n in chains_queries.chain_nodes(db) if n.arrangement_id != _terminated(db)]
    facts = risk_tier.vendor_facts(db)
    for vendor_id in vendor_ids:
        verdict = rows[vendor_id]["25-4"]
        assert (verdict.status, str(verdict.reason)) == _expected_25_4(db, vendor_id, nodes), vendor_id
        for item in range(1, 10):
            cloud = facts[vendor_id]["cloud"]
            assert (rows[vendor_id][f"27-{item}"].status != "not_applicable") == cloud, (vendor_id, item)


def _terminated(db):
    from vendorrisk.vendors.models import Arrangement
    return db.scalar(select(Arrangement.id).where(Arrangement.status == "terminated"))


def test_tier_filter_pages_equal_the_tiers_of_the_chain_service(app, db):
    """Each vendor's lowest tier over the active chains, from ``chains_queries.chain_nodes``
    (every path, cycle-checked), decides the tier filter's rows, their order and the total,
    on every page (the page and its total come from one statement)."""
    from vendorrisk.vendors.models import Arrangement

    _portfolio(db)
    maintain.rebuild(db)  # the portfolio was written by factories, without events
    active = set(db.scalars(select(Arrangement.id).where(Arrangement.status != "terminated")))
    tiers: dict[int, set[int]] = {}
    for node in chains_queries.chain_nodes(db):
        if node.arrangement_id in active:
            tiers.setdefault(node.vendor_id, set()).add(node.tier)
    lowest = {vid: min(found) for vid, found in tiers.items()}
    order = [v.id for v in db.exec(select(Vendor).order_by(Vendor.name, Vendor.id))]
    assert sorted(set(lowest.values())) == [1, 2, 3, 4]
    assert any(len(found) > 1 for found in tiers.values())  # the lowest of several tiers counts
    with app.test_request_context():
        for tier in range(1, 7):
            expected = [vid for vid in order if lowest.get(vid) == tier]
            for per_page in (2, 50):
                seen = []
                for page_no in range(1, len(expected) // per_page + 3):
                    page = store.matrix_page(db, matrix.MatrixFilters(tier=tier), page=page_no, per_page=per_page)
                    assert page.total == len(expected), (tier, per_page, page_no)
                    assert page.has_next == (page_no * per_page < len(expected))
                    seen.extend(row.vendor.id for row in page.rows)
                    assert all(row.vendor.tier == tier for row in page.rows)
                assert seen == expected, (tier, per_page)
