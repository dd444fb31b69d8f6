"""The chain questions, each one recursive query: chain, exposure, concentration, gaps."""
from sqlalchemy import event

from tests import factories
from tests.vendors.factories import dag_chain, deep_chain
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors.models import DataLocation


class QueryCounter:
    """Counts the queries (not transaction control) run on the session's engine in a ``with`` block."""

    def __init__(self, db):
        self.engine, self.count = db.get_bind(), 0

    def _count(self, _conn, _cursor, statement, *args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_six_tier_chain_has_tiers_paths_and_one_final_contractor(db):
    arrangement, vendors = deep_chain(db, tiers=6)
    db.commit()
    with QueryCounter(db) as counter:
        nodes = chains_queries.chain_nodes(db, [arrangement.id])
    assert counter.count == 1
    assert [(n.vendor_id, n.tier) for n in nodes] == [(v.id, i) for i, v in enumerate(vendors, start=1)]
    assert nodes[0].parent_vendor_id is None and nodes[0].link_id is None
    assert [n.parent_vendor_id for n in nodes[1:]] == [v.id for v in vendors[:-1]]
    assert nodes[-1].path_ids == [v.id for v in vendors]
    assert nodes[-1].path_names == [v.name for v in vendors]
    assert [n.is_final for n in nodes] == [False] * 5 + [True]
    tree = chains_queries.chain_tree(nodes)
    depth, node = 1, tree[0]
    while node.children:
        node, depth = node.children[0], depth + 1
    assert len(tree) == 1 and depth == 6


def test_dag_vendor_appears_once_per_path_at_each_tier(db):
    arrangement, v = dag_chain(db)
    db.commit()
    nodes = chains_queries.chain_nodes(db, [arrangement.id])
    placed = sorted((n.vendor_id, n.tier, n.parent_vendor_id) for n in nodes if n.vendor_id in (v["d"].id, v["e"].id))
    assert placed == sorted([(v["d"].id, 3, v["b"].id), (v["d"].id, 4, v["c"].id),
                             (v["e"].id, 4, v["d"].id), (v["e"].id, 5, v["d"].id)])
    finals = {n.vendor_id for n in nodes if n.is_final}
    assert finals == {v["e"].id}
    assert len(nodes) == 8  # a, b, x, d, c, e, d, e


def test_exposure_lists_every_arrangement_and_tier(db):
    arrangement, v = dag_chain(db, is_important=True)
    own = factories.gen_arrangement(db, v["d"], handles_user_data=True)
    unrelated, _ = deep_chain(db, tiers=3)
    db.commit()
    with QueryCounter(db) as counter:
        items = chains_queries.exposure(db, v["d"].id)
    assert counter.count == 1
    by_id = {e.arrangement_id: e for e in items}
    assert set(by_id) == {arrangement.id, own.id}
    assert by_id[arrangement.id].tiers == [3, 4] and by_id[arrangement.id].is_important
    assert by_id[own.id].tiers == [1] and by_id[own.id].handles_user_data
    assert chains_queries.exposure(db, v["a"].id)[0].tiers == [1]
    assert chains_queries.exposure(db, factories.gen_vendor(db).id) == []


def test_concentration_counts_arrangements_at_any_tier(db):
    cloud = factories.gen_vendor(db, is_cloud=True)
    for important in (True, True, False):
        arrangement, vendors = deep_chain(db, tiers=3, is_important=important)
        factories.gen_link(db, arrangement, vendors[2], cloud)  # the cloud at tier 4
    direct = factories.gen_arrangement(db, cloud)  # and tier 1 once
    factories.gen_arrangement(db, cloud, status="terminated")  # not counted
    db.commit()
    with QueryCounter(db) as counter:
        rows = chains_queries.concentration(db, limit=5)
    assert counter.count == 1
    top = rows[0]
    assert (top["vendor_id"], top["arrangement_count"], top["important_count"], top["direct_count"],
            top["indirect_count"]) == (cloud.id, 4, 2, 1, 3)
    assert all(r["arrangement_count"] == 1 for r in rows[1:])
    assert direct.id


def test_dag_counts_a_vendor_once_per_arrangement(db):
    arrangement, v = dag_chain(db)
    db.commit()
    rows = {r["vendor_id"]: r for r in chains_queries.concentration(db, limit=50)}
    assert rows[v["d"].id]["arrangement_count"] == 1


def test_gaps_find_unapproved_links_and_unrecorded_locations(db):
    clean, v1 = deep_chain(db, tiers=2, handles_user_data=True)
    db.add(DataLocation(arrangement_id=clean.id, country="JP"))
    for link in _links(db, clean):
        link.approval_status = "approved"
    unapproved, _ = deep_chain(db, tiers=3)
    user_data, v3 = deep_chain(db, tiers=2, handles_user_data=True)
    for link in _links(db, user_data):
        link.approval_status, link.touches_user_data = "approved", True
    db.commit()
    with QueryCounter(db) as counter:
        rows = {r["arrangement_id"]: r for r in chains_queries.gaps(db)}
    assert counter.count == 1
    assert clean.id not in rows
    assert rows[unapproved.id]["unapproved_links"] == 2
    assert rows[user_data.id]["links_without_location"] == 1
    assert rows[user_data.id]["arrangement_without_location"] is True
    assert rows[user_data.id]["unapproved_links"] == 0


def _links(db, arrangement):
    from sqlmodel import select

    from vendorrisk.vendors.models import OutsourcingLink
    return db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).all()


def test_links_cut_off_from_the_chain_are_neither_counted_nor_gaps(db):
    """A link whose parent is not reachable from tier 1 (stored without the service, e.g. after
    the tier-1 vendor changed) belongs to no chain: each engine's walk must skip it."""
    from vendorrisk.vendors.models import OutsourcingLink
    arrangement, v = dag_chain(db)
    for link in _links(db, arrangement):
        link.approval_status = "approved"
    stray_parent, stray_child = factories.gen_vendor(db), factories.gen_vendor(db)
    db.add(OutsourcingLink(arrangement_id=arrangement.id, parent_vendor_id=stray_parent.id,
                           vendor_id=stray_child.id, touches_user_data=True))
    db.commit()
    rows = {r["vendor_id"]: r for r in chains_queries.concentration(db, limit=50)}
    assert stray_child.id not in rows and stray_parent.id not in rows
    assert {v[k].id for k in "abcdex"} == set(rows)
    reach = chains_queries.reachable_cte()
    from sqlalchemy import func, select
    reference = dict(db.execute(select(reach.c.vendor_id, func.count()).group_by(reach.c.vendor_id)).all())
    assert {k: r["arrangement_count"] for k, r in rows.items()} == reference
    assert arrangement.id not in {r["arrangement_id"] for r in chains_queries.gaps(db)}
