"""Chain reads for a few vendors join each link to its arrangement (and its data locations) by
index probes on PostgreSQL (``chain_reach.probed``), whatever the planner's cost settings: the
answers are those of the plain joins, and no arrangement or data location is hashed or
merged whole. Both engines (on SQLite the plain joins are read both ways)."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests import factories
from tests.conftest import ENGINE
from vendorrisk.certificates import coverage
from vendorrisk.contracts import rules as contract_rules
from vendorrisk.core import txmemo
from vendorrisk.monitoring import plans
from vendorrisk.selection import risk_tier
from vendorrisk.vendors import chain_reach
from vendorrisk.vendors import rules as chain_rules
from vendorrisk.vendors.models import DataLocation


def _portfolio(db):
    """A hub in three chains (one terminated), user data on some links, locations at home and
    abroad, a vendor heading one chain and sub-outsourced in another; the vendors asked about."""
    hub, heads, others = factories.gen_vendor(db), [factories.gen_vendor(db) for _ in range(3)], \
        [factories.gen_vendor(db) for _ in range(4)]
    chains = [factories.gen_arrangement(db, heads[0], status="active", is_important=True, handles_user_data=True,
                                        substitutability="hard"),
              factories.gen_arrangement(db, heads[1], status="active", is_cloud=True),
              factories.gen_arrangement(db, heads[2], status="terminated", is_important=True)]
    for arrangement in chains:
        link = factories.gen_link(db, arrangement, db.get(type(hub), arrangement.vendor_id), hub,
                                  touches_user_data=arrangement.id == chains[1].id)
        db.add(DataLocation(link_id=link.id, country="sg" if arrangement is chains[1] else "JP"))
    deep = factories.gen_link(db, chains[0], hub, others[0], touches_user_data=True)
    db.add(DataLocation(link_id=deep.id, country="US"))
    db.add(DataLocation(link_id=deep.id, country="CN"))  # two places for one link
    factories.gen_link(db, chains[0], others[0], others[1])
    factories.gen_link(db, chains[1], hub, heads[0])  # heads[0] is tier 1 of chains[0], tier 3 here
    db.add(DataLocation(arrangement_id=chains[0].id, country="DE"))
    db.flush()
    return [hub.id, *(v.id for v in heads), *(v.id for v in others)], chains


def _fresh(db) -> None:
    """Forget the transaction's remembered chain reads, so that the next read asks the database."""
    db.connection().info.pop(txmemo.MEMO, None)


def _answers(db, ids: list[int], chains) -> dict:
    _fresh(db)
    tiers = chain_reach._tier_range(db, ids)
    _fresh(db)
    facts = risk_tier.vendor_facts(db, ids)
    _fresh(db)
    members = plans.chain_members(db, ids)
    _fresh(db)
    matrix_facts = sorted(tuple(row) for row in db.execute(select(chain_reach.vendor_facts(ids, db))))
    links = sorted(tuple(sorted(row.items())) for row in chain_rules._chain_links(db, ids))
    traced = {v: (verdict.status, len(verdict.links or [])) for v, verdict in
              chain_rules.user_data_traced.rule(db, ids).items()}
    important = coverage.important_vendor_ids(db, ids)
    _arrangements, _latest, _checks, upstream = contract_rules._contract_evidence(db, ids, ["x"])
    return {"tiers": tiers, "facts": facts, "members": members, "matrix_facts": matrix_facts, "links": links,
            "traced": traced, "important": important,
            "upstream": {v: sorted(row.id for row in rows) for v, rows in upstream.items()}}


def test_a_few_vendors_read_by_probes_answer_as_the_plain_joins(app, db, monkeypatch):
    ids, chains = _portfolio(db)
    probed = _answers(db, ids, chains)
    monkeypatch.setattr(chain_reach, "FEW", -1)  # every read as many vendors: the plain joins
    plain = _answers(db, ids, chains)
    assert probed == plain
    hub, head0 = ids[0], ids[1]
    assert probed["tiers"] == ({hub: 2, head0: 1, ids[2]: 1, ids[4]: 3, ids[5]: 4},
                               {hub: 2, head0: 3, ids[2]: 1, ids[4]: 3, ids[5]: 4})
    assert probed["facts"][hub]["foreign_countries"] == ["SG"] and probed["facts"][hub]["user_data"]
    assert probed["facts"][head0]["foreign_countries"] == ["DE"] and probed["facts"][head0]["max_tier"] == 3
    assert probed["facts"][ids[4]]["foreign_countries"] == ["CN", "US"]
    assert probed["upstream"][hub] == sorted(a.id for a in chains[:2])  # the terminated chain left out


def test_the_tier_facts_of_a_few_vendors_are_those_of_the_walk_down_every_chain(app, db):
    """``vendor_facts`` for given vendors (memberships, link user data read with them, a walk
    up) and for every vendor (one walk down every chain) agree."""
    ids, _chains = _portfolio(db)
    few = risk_tier.vendor_facts(db, ids)
    _fresh(db)
    every = risk_tier.vendor_facts(db)
    assert few == {v: every[v] for v in ids}
    assert [v for v in ids if few[v]["user_data"]] == [ids[0], ids[1], ids[4]]


@contextmanager
def _sent(db):
    sent = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))
    connection = db.connection()
    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", seen)


def _whole_scans(node, joined=False) -> list[str]:
    """The scans of arrangement or data_location that a hash or merge join reads whole: not
    one probe per row joined from (under a Limit), nor the rows of the vendors asked about."""
    found = []
    kind = node["Node Type"]
    if kind == "Limit":
        return found
    joined = joined or kind in ("Hash Join", "Merge Join")
    relation = node.get("Relation Name")
    if joined and relation in ("arrangement", "data_location"):
        condition = " ".join(str(node.get(k, "")) for k in ("Index Cond", "Filter", "Recheck Cond"))
        if "vendor_id" not in condition:  # the tier-1 rows of the vendors asked about
            found.append(f"{kind}({relation})")
    for child in node.get("Plans", []):
        found += _whole_scans(child, joined)
    return found


@pytest.mark.skipif(ENGINE != "postgres", reason="PostgreSQL's plans")
def test_no_chain_read_of_a_few_vendors_hashes_a_whole_table(app, db):
    ids, chains = _portfolio(db)
    with _sent(db) as sent:
        _answers(db, ids, chains)
    reads = [(s, p) for s, p in sent if "arrangement" in s and s.lstrip()[:4].upper() in ("SELE", "WITH")]
    assert len(reads) >= 8
    raw = db.connection().connection.dbapi_connection
    whole = {}
    for statement, parameters in reads:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            scans = _whole_scans(cursor.fetchone()[0][0]["Plan"])
        if scans:
            whole[statement[:80]] = scans
    assert whole == {}
