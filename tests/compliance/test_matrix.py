"""The matrix engine with test obligations: verdicts, batching, filters, snapshots."""
from datetime import date

import pytest
from sqlmodel import select

from tests.compliance.factories import RULE_CALLS
from vendorrisk.compliance import maintain, matrix, snapshots, store
from vendorrisk.compliance.models import ComplianceSnapshot
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.vendors.findings import Finding


def _statuses(db, vendor_id):
    return {k: v.status for k, v in store.vendor_matrix(db, vendor_id).verdicts.items()}


def test_each_rule_gives_met_gap_and_not_applicable(db, portfolio):
    assert _statuses(db, portfolio["1"]) == {"90-1": "met", "90-2": "not_applicable", "91-1": "gap"}
    assert _statuses(db, portfolio["2"]) == {"90-1": "met", "90-2": "met", "91-1": "met"}
    assert _statuses(db, portfolio["3"]) == {"90-1": "gap", "90-2": "not_applicable", "91-1": "met"}
    assert _statuses(db, portfolio["4"]) == {"90-1": "met", "90-2": "gap", "91-1": "met"}
    assert _statuses(db, portfolio["5"]) == {"90-1": "not_applicable", "90-2": "not_applicable", "91-1": "met"}
    row = store.vendor_matrix(db, portfolio["3"])
    assert row.verdicts["90-1"].reason == "A sub-outsourcing link to this vendor is not approved."
    assert row.verdicts["90-1"].links[0][0] == "Link"


def test_vendor_facts_come_from_the_chains(db, portfolio):
    facts = {r.vendor.id: r.vendor for r in store.iter_rows(db, matrix.MatrixFilters())}
    assert facts == {r.vendor.id: r.vendor for r in matrix.live_rows(db, matrix.MatrixFilters())}
    assert [facts[portfolio[k]].tier for k in "12345"] == [1, 2, 3, 1, None]
    assert facts[portfolio["2"]].arrangements == 2
    assert (facts[portfolio["3"]].important, facts[portfolio["4"]].important) == (True, False)
    assert facts[portfolio["1"]].cloud and facts[portfolio["4"]].cloud and not facts[portfolio["3"]].cloud
    assert facts[portfolio["2"]].user_data and not facts[portfolio["3"]].user_data


def test_rules_are_asked_once_per_batch_never_per_vendor(db, portfolio):
    RULE_CALLS.clear()
    rows = list(matrix.live_rows(db, matrix.MatrixFilters(), batch_size=2))
    assert len(rows) == 5
    assert sorted(RULE_CALLS) == sorted([(ob, n) for ob in ("90-1", "90-2", "91-1") for n in (2, 2, 1)])


def test_pages_read_the_maintained_verdicts_and_ask_no_rule(db, portfolio):
    RULE_CALLS.clear()
    page = store.matrix_page(db, matrix.MatrixFilters(), page=2, per_page=2)
    assert RULE_CALLS == []
    assert (page.total, page.pages, page.has_next, page.has_prev) == (5, 3, True, True)
    assert [r.verdicts for r in page.rows] == [r.verdicts for r in list(matrix.live_rows(db, matrix.MatrixFilters()))[2:4]]


def _ids(db, portfolio, **args):
    names = {v: k for k, v in portfolio.items()}
    page = store.matrix_page(db, matrix.MatrixFilters.from_args(args), per_page=50)
    return sorted(names[r.vendor.id] for r in page.rows)


def test_filters(db, portfolio):
    assert _ids(db, portfolio, tier="2") == ["2"]
    assert _ids(db, portfolio, tier="1") == ["1", "4"]
    assert _ids(db, portfolio, important="yes") == ["1", "2", "3"]
    assert _ids(db, portfolio, important="no") == ["4", "5"]
    assert _ids(db, portfolio, cloud="yes") == ["1", "2", "4"]
    assert _ids(db, portfolio, user_data="yes") == ["1", "2"]
    assert _ids(db, portfolio, risk_tier="low") == ["5"]
    assert _ids(db, portfolio, status="gap") == ["1", "3", "4"]
    assert _ids(db, portfolio, status="gap", article="90") == ["3", "4"]
    assert _ids(db, portfolio, status="not_applicable", article="91") == []
    assert _ids(db, portfolio, q="Vendor 3") == ["3"]


def test_every_filter_counts_what_it_lists(db, portfolio):
    """The total comes from the smallest index that answers; it must equal the rows listed."""
    import itertools
    combos = [{}, {"status": "gap"}, {"status": "met", "article": "90"}, {"status": "gap", "article": "91-1"},
              {"important": "yes"}, {"important": "no"}, {"cloud": "yes", "user_data": "no"}, {"tier": "1"},
              {"tier": "2", "status": "met"}, {"risk_tier": "low"}, {"q": "Vendor"}, {"status": "not_applicable"}]
    for args in combos + [{**a, **b} for a, b in itertools.combinations(combos[1:6], 2)]:
        filters = matrix.MatrixFilters.from_args(args)
        listed = list(store.iter_rows(db, filters))
        listed = [r for r in listed if not filters.status or r.has(filters.status)]
        assert store.matrix_page(db, filters, per_page=50).total == len(listed), args


def test_article_filter_selects_obligations(obligations):
    assert [o.id for o in matrix.select_obligations("90")] == ["90-1", "90-2"]
    assert [o.id for o in matrix.select_obligations("90-2")] == ["90-2"]
    assert matrix.articles() == ["90", "90-1", "90-2", "91", "91-1"]


def test_status_filter_pages_know_their_total(db, portfolio):
    page = store.matrix_page(db, matrix.MatrixFilters(status="gap"), page=1, per_page=1)
    assert len(page.rows) == 1 and page.has_next and page.total == 3
    last = store.matrix_page(db, matrix.MatrixFilters(status="gap"), page=3, per_page=1)
    assert len(last.rows) == 1 and not last.has_next and last.total == 3


def test_bad_filters_are_refused_with_details(obligations):
    with pytest.raises(ValidationFailed) as caught:
        matrix.MatrixFilters.from_args({"tier": "x", "status": "fine", "cloud": "maybe", "article": "12"})
    fields = sorted(d["field"] for d in caught.value.details)
    assert fields == ["article", "cloud", "status", "tier"]


def test_obligations_sort_numerically(app, contributions):
    from vendorrisk.core import registry
    contributions.obligations.clear()
    contributions.add_obligations(*(registry.obligation(ob_id, citation_ja="", citation_en="", title_ja="",
                                                        title_en="")(lambda s, ids: {})
                                    for ob_id in ("27-10", "25-2-audit_rights", "27-9", "25-1", "26-4")))
    with app.app_context():
        assert [o.id for o in matrix.all_obligations()] == ["25-1", "25-2-audit_rights", "26-4", "27-9", "27-10"]


def test_unanswered_vendor_is_a_gap(db, portfolio, contributions):
    from vendorrisk.core import registry
    contributions.add_obligations(
        registry.obligation("92-1", citation_ja="x", citation_en="x", title_ja="x", title_en="x")(lambda s, ids: {}))
    assert store.vendor_matrix(db, portfolio["1"]).verdicts["92-1"].status == "gap"  # never evaluated yet
    assert maintain.needs_rebuild(db)
    maintain.rebuild(db)
    assert not maintain.needs_rebuild(db)
    assert store.vendor_matrix(db, portfolio["1"]).verdicts["92-1"].reason == matrix.missing_verdict().reason


def test_snapshot_is_idempotent_per_month(db, portfolio):
    snapshots.take_snapshot(db, date(2026, 10, 15))
    db.commit()
    first = {s.obligation: (s.met, s.gap, s.not_applicable) for s in db.scalars(select(ComplianceSnapshot))}
    assert first == {"90-1": (3, 1, 1), "90-2": (1, 1, 3), "91-1": (4, 1, 0)}
    db.execute(Finding.__table__.update().values(status="closed"))
    maintain.rebuild(db)  # a raw UPDATE publishes no event
    snapshots.take_snapshot(db, date(2026, 10, 28))
    db.commit()
    rows = db.scalars(select(ComplianceSnapshot)).all()
    assert len(rows) == 3 and {r.month for r in rows} == {date(2026, 10, 1)}
    assert {r.obligation: r.gap for r in rows}["91-1"] == 0
    snapshots.take_snapshot(db, date(2026, 11, 2))
    db.commit()
    assert [(p.month, p.gaps) for p in snapshots.trend(db)] == [(date(2026, 10, 1), 2), (date(2026, 11, 1), 2)]


def test_changes_since_previous_snapshot(db, portfolio):
    snapshots.take_snapshot(db, date(2026, 9, 1))
    db.commit()
    db.execute(Finding.__table__.update().values(status="closed"))
    maintain.rebuild(db)  # a raw UPDATE publishes no event
    db.commit()
    month, changes = snapshots.changes_since_previous(db, date(2026, 10, 5))
    assert month == date(2026, 9, 1)
    assert [(c.obligation, c.before, c.now, c.closed) for c in changes] == [("91-1", 1, 0, [portfolio["1"]])]


def test_snapshot_command(runner, db, portfolio):
    result = runner.invoke(args=["compliance", "snapshot", "--month", "2026-08"])
    assert result.exit_code == 0, result.output
    assert "Snapshot 2026-08: 3 obligations, 3 gaps." in result.output
    again = runner.invoke(args=["compliance", "snapshot", "--month", "2026-08"])
    assert again.exit_code == 0
    db.rollback()
    assert len(db.scalars(select(ComplianceSnapshot)).all()) == 3
    bad = runner.invoke(args=["compliance", "snapshot", "--month", "August"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_batch_memo_is_shared_by_the_rules_of_one_batch(db, portfolio, contributions):
    from vendorrisk.core import registry
    computed = []

    def shared(session, vendor_ids):
        return registry.batch_memo(session, "facts", vendor_ids, lambda: computed.append(len(vendor_ids)) or {})

    for ob_id in ("93-1", "93-2"):
        contributions.add_obligations(registry.obligation(ob_id, citation_ja="x", citation_en="x", title_ja="x",
                                                          title_en="x")(lambda s, ids: shared(s, ids)))
    list(matrix.live_rows(db, matrix.MatrixFilters(article="93"), batch_size=3))
    assert computed == [3, 2]
    assert "compliance_batch_memo" not in db.info


def test_the_matrix_api_names_each_obligation_in_both_languages(portfolio, api):
    """As the obligation list does: ``title`` in English, ``title_ja`` in Japanese."""
    reader = api("auditor")
    rows = reader.get(f"/api/v1/compliance-matrix?vendor_id={portfolio['3']}").get_json()["rows"]
    assert {(r["obligation"], r["title"], r["title_ja"]) for r in rows} == {
        ("90-1", "Chain recorded", "チェーン記録"), ("90-2", "Cloud tiered", "クラウドの区分"),
        ("91-1", "No open findings", "未完了の指摘なし")}
    cell = reader.get(f"/api/v1/compliance-matrix/cells/{portfolio['3']}/90-1").get_json()
    assert (cell["title"], cell["title_ja"]) == ("Chain recorded", "チェーン記録")
