"""Compliance-matrix rules for chains: 25-4, 26-2, 26-3 — met, gap and not applicable."""
from sqlalchemy import event
from sqlmodel import select

from tests import factories
from tests.vendors.factories import deep_chain
from vendorrisk.core import registry
from vendorrisk.vendors.models import DataLocation, OutsourcingLink, Vendor


def _verdicts(db, rule_id, vendor_ids):
    statements = []

    def count(_conn, _cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)
    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = registry.current().obligations[rule_id].rule(db, vendor_ids)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert set(result) == set(vendor_ids)
    assert len(statements) <= 4  # a few set queries whatever the number of vendors
    return {k: v.status for k, v in result.items()}, result


def _approve_all(db, arrangement):
    for link in db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)):
        link.approval_status, link.approval_basis = "approved", "prior_consent"



def _shown(links):
    """Proof links as a reader sees them (labels are stored as messages, rendered when shown)."""
    return [(str(label), href) for label, href in links]

def test_citations_are_registered(app, contributions):
    assert (contributions.obligations["25-4"].citation_ja, contributions.obligations["25-4"].citation_en) == ("第25条第4項", "Art. 25(4)")
    assert contributions.obligations["26-2"].citation_en == "Art. 26(2)" and contributions.obligations["26-3"].citation_ja == "第26条第3項"


def test_25_4_every_sub_outsourcing_approved(db):
    approved, va = deep_chain(db, tiers=3)
    _approve_all(db, approved)
    open_chain, vb = deep_chain(db, tiers=3)
    loner = factories.gen_vendor(db)
    db.flush()
    ids = [va[0].id, va[2].id, vb[0].id, vb[2].id, loner.id]
    statuses, result = _verdicts(db, "25-4", ids)
    assert statuses == {va[0].id: "met", va[2].id: "met", vb[0].id: "gap", vb[2].id: "gap", loner.id: "not_applicable"}
    assert str(result[vb[0].id].reason) == "Sub-outsourcing links in its chains not approved: 2."
    # the proof names the arrangement by its title, never by its number
    assert _shown(result[vb[0].id].links) == [(open_chain.title, f"/arrangements/{open_chain.id}#links")]


def test_25_4_a_subcontractor_that_sub_outsources_without_approval_is_a_gap(db):
    """Tier 2 was brought in with approval but passed work on to tier 3 without it: its own
    row is a gap (it read "chain recorded; every sub-outsourcing approved"), as is tier 3's."""
    arrangement, (head, middle, last) = deep_chain(db, tiers=3)
    incoming = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == middle.id)).one()
    incoming.approval_status, incoming.approval_basis = "approved", "prior_consent"
    db.flush()
    statuses, result = _verdicts(db, "25-4", [head.id, middle.id, last.id])
    assert statuses == {head.id: "gap", middle.id: "gap", last.id: "gap"}
    assert str(result[middle.id].reason) == "Sub-outsourcing links in its chains not approved: 1."
    assert _shown(result[middle.id].links) == [(arrangement.title, f"/arrangements/{arrangement.id}#links")]
    _approve_all(db, arrangement)
    db.flush()
    statuses, result = _verdicts(db, "25-4", [middle.id])
    assert statuses == {middle.id: "met"}
    assert str(result[middle.id].reason) == "Chain recorded; no sub-outsourcing link awaits approval (links: 2)."


def test_26_2_staff_assigned(db):
    staffed = factories.gen_arrangement(db).vendor_id
    factories.gen_owner(db, db.get(Vendor, staffed),
                        factories.gen_user(db, role="vendor_owner"))
    unstaffed = factories.gen_arrangement(db).vendor_id
    subcontractor = factories.gen_vendor(db).id
    statuses, _ = _verdicts(db, "26-2", [staffed, unstaffed, subcontractor])
    assert statuses == {staffed: "met", unstaffed: "gap", subcontractor: "not_applicable"}


def test_26_3_user_data_locations(db):
    recorded, vr = deep_chain(db, tiers=2, handles_user_data=True, user_data_categories=["氏名"])
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == recorded.id)).one()
    link.touches_user_data = True
    db.add_all([DataLocation(arrangement_id=recorded.id, country="JP"), DataLocation(link_id=link.id, country="JP"),
                DataLocation(link_id=link.id, country="SG")])  # two places for one link: located once
    missing, vm = deep_chain(db, tiers=2, handles_user_data=True, user_data_categories=["氏名"])
    other = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == missing.id)).one()
    other.touches_user_data = True
    no_data, vn = deep_chain(db, tiers=2)
    db.flush()
    statuses, result = _verdicts(db, "26-3", [vr[0].id, vr[1].id, vm[0].id, vm[1].id, vn[0].id, vn[1].id])
    assert statuses == {vr[0].id: "met", vr[1].id: "met", vm[0].id: "gap", vm[1].id: "gap",
                        vn[0].id: "not_applicable", vn[1].id: "not_applicable"}
    assert _shown(result[vm[1].id].links) == [(f"Sub-outsourcing in {missing.title}",
                                                f"/arrangements/{missing.id}#locations")]
