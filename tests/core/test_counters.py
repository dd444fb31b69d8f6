"""The maintained counts (``core.counters``: the navigation's 「自分のタスク」 and the
dashboard's figures) equal counting the records after every kind of write: each write goes
through its area's service, the transaction commits, and then (a) the kept rows equal a
recount of every record, (b) ``rebuild`` finds nothing to change, (c) every task counter
equals the length of its list for people of every role on fixed dates before, inside and
after the windows, and (d) each dashboard number equals the count of its list. Runs on both
engines (``make test``)."""
from datetime import date, timedelta

from sqlalchemy import select

from tests import factories
from tests.accounts.test_tasks import TODAY, _world
from tests.selection.factories import gen_assessment
from vendorrisk.compliance import dashboard
from vendorrisk.core import counters, registry
from vendorrisk.core.pagination import paginate
from vendorrisk.monitoring import findings as finding_service
from vendorrisk.monitoring import plans, reviews
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.selection import risk_tier
from vendorrisk.vendors import antisocial, arrangements, chains, listing
from vendorrisk.vendors import people as vendor_people
from vendorrisk.vendors import service as vendors
from vendorrisk.vendors.findings import SEVERITIES, raise_finding
from vendorrisk.vendors.models import RISK_TIERS

# the windows (reviews 30 days ahead, checks 30 days, acceptances) seen from before, inside and past them
DAYS = (TODAY, TODAY - timedelta(days=40), TODAY + timedelta(days=12), TODAY + timedelta(days=45),
        date(2020, 1, 6), date(2031, 6, 2))


def _check(app, db, people, what):
    db.commit()
    with app.test_request_context():
        reg = registry.current()
        connection = db.connection()
        kinds = [k for spec in reg.counted.values() for k in spec.kinds]
        assert counters.stored(connection, kinds) == counters.recounted(connection, reg.counted), what
        for person in people:
            for day in DAYS:
                for name, counter in reg.task_counts.items():
                    listed = len(list(reg.task_sources[name](db, person, day)))
                    assert counter(db, person, day) == listed, (what, name, person.role, day)
        figures = dashboard.figures(db, TODAY, lambda *_a, **_k: "")

        def listed(key, **args):
            return dashboard.count(db, dashboard.list_query(db, key, TODAY, args))
        for severity in SEVERITIES:
            assert figures["open_findings_by_severity"][severity]["count"] == listed("open_findings",
                                                                                     severity=severity), what
        for tier in (*RISK_TIERS, "none"):
            assert figures["vendors_by_risk_tier"][tier]["count"] == listed("vendors_by_risk_tier", tier=tier), what
        assert figures["unapproved_sub_outsourcing"]["count"] == listed("unapproved_links"), what
        for tier in ("", *RISK_TIERS, "unknown"):  # the register's total, unfiltered or by tier
            query = listing.vendor_query(risk_tier=tier)
            assert listing.register_total(db, risk_tier=tier) == paginate(db, query).total, (what, tier)
        assert counters.rebuild(db) == 0, what
    db.commit()


def test_every_write_keeps_the_counts_equal_to_the_records(app, db):
    me = factories.gen_user(db, role="compliance")
    people = [me] + [factories.gen_user(db, role=role) for role in ("admin", "procurement", "vendor_owner", "auditor")]
    db.commit()
    _due, records = _world(app, db, me)  # one task of each kind, through the services
    people.append(records["colleague"])
    _check(app, db, people, "the world of test_tasks")
    owner = people[3]
    with app.test_request_context():
        vendor = vendors.create_vendor(db, {"name": "計数テスト株式会社", "name_en": "Counted Co"})
        _check(app, db, people, "a vendor registered")
        vendors.update_vendor(db, vendor, {"is_cloud": True})
        _check(app, db, people, "a vendor flagged cloud (no count reads it: no query)")
        vendor_people.assign_owner(db, vendor, owner.id)
        gen_assessment(db, vendor, records["colleague"], "approved", approver=me)
        _check(app, db, people, "a vendor approved by its assessment, never checked")
        check = antisocial.record_check(db, vendor, {"checked_on": TODAY - timedelta(days=340), "method": "database",
                                                     "result": "clear", "evidence_text": "該当なし"}, me.id, today=TODAY)
        _check(app, db, people, "a check recorded (due in about 25 days)")
        antisocial.record_check(db, vendor, {"checked_on": TODAY - timedelta(days=5), "method": "database",
                                             "result": "clear", "evidence_text": "再確認"}, me.id, today=TODAY)
        _check(app, db, people, "a newer check recorded (the older one no longer counts)")
        assert check.id
        risk_tier.set_override(db, vendor.id, tier="critical", reason="Board decision", user_id=me.id)
        _check(app, db, people, "a risk tier overridden")
        vendors.change_status(db, vendor, "terminated", me)
        _check(app, db, people, "a vendor terminated (its check no longer reminded)")

        hub = records["others"]
        arrangement = arrangements.create_arrangement(db, {"vendor_id": hub.id, "title": "計数", "service": "hosting"})
        sub = factories.gen_vendor(db, name="株式会社計数再委託")
        link = chains.add_link(db, arrangement, {"parent_vendor_id": hub.id, "vendor_id": sub.id, "service": "dc"})
        _check(app, db, people, "a link added")
        chains.update_link(db, link, {"touches_user_data": True})
        _check(app, db, people, "a link touching user data (no count reads it)")
        link.recorded_by_id = me.id
        db.flush()
        _check(app, db, people, "the link recorded by the decider alone (not their task)")
        other = chains.add_link(db, arrangement, {"parent_vendor_id": sub.id, "vendor_id": vendor.id, "service": "ops"})
        _check(app, db, people, "a second link, recorded by nobody (their task again)")
        chains.decide_link(db, other, {"approval_status": "approved", "approval_basis": "prior_consent"},
                           records["colleague"])
        _check(app, db, people, "a link approved")
        arrangements.update_arrangement(db, arrangement, {"status": "terminated"})
        _check(app, db, people, "an arrangement terminated")
        chains.end_link(db, other)
        chains.end_link(db, link)
        _check(app, db, people, "links removed")
        chains.decide_link(db, records["link"], {"approval_status": "approved", "approval_basis": "prior_consent"}, me)
        _check(app, db, people, "the world's waiting link approved")

        found, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="計数の指摘", severity="high",
                                 owner_id=owner.id, due_date=TODAY + timedelta(days=3))
        _check(app, db, people, "a finding raised")
        finding_service.update_finding(db, found, me, {"severity": "low", "owner_id": str(me.id)})
        _check(app, db, people, "a finding's severity and owner changed")
        found.action_plan = "計画"
        db.flush()
        finding_service.move_finding(db, found, me, "in_progress")
        _check(app, db, people, "a finding in progress")
        finding_service.move_finding(db, found, me, "resolved")
        _check(app, db, people, "a finding resolved by the verifier (not their verification)")
        finding_service.move_finding(db, records["to_verify"], me, "closed", evidence="改善報告書を確認")
        _check(app, db, people, "a finding closed")

        plans.regenerate_plans(db)
        _check(app, db, people, "review plans regenerated (Core statements)")
        review = db.scalars(select(MonitoringReview).where(MonitoringReview.status == "planned")
                            .order_by(MonitoringReview.id)).first()
        reviews.record_review(db, review, me, {"performed_on": TODAY.isoformat(), "method": "remote",
                                               "outcome": "satisfactory",
                                               "checks": {name: {"result": "ok"} for name in REVIEW_CHECKS}},
                              today=TODAY, complete=True)
        _check(app, db, people, "a review completed")
        plans.regenerate_plans(db)
        _check(app, db, people, "the next review planned")
    db.rollback()


def test_a_register_import_keeps_the_counts_equal_to_the_records(app, db):
    """An import stores each sheet in one flush and tells the other areas once: the counts
    (tiers of the new vendors, links waiting for a decision, recorded by the importer) follow."""
    from tests.security.factories import register_rows
    from vendorrisk.vendors.register_reader import read_register
    from vendorrisk.vendors.register_store import apply_register
    me = factories.gen_user(db, role="compliance")
    people = [me, factories.gen_user(db, role="procurement")]
    db.commit()
    _due, records = _world(app, db, me)
    _check(app, db, people, "the world of test_tasks")
    sheets = register_rows(30, 10, 20)
    sheets["links"].append(["a0", "v0", records["others"].name, "既存の委託先へ", "no"])
    with app.test_request_context():
        db.info["actor_id"] = people[1].id  # the importer records the links
        report = apply_register(db, read_register(factories.workbook(sheets), "register.xlsx"))
    assert (report.vendors, report.arrangements, report.links) == (30, 10, 21)
    _check(app, db, people, "a register imported")


def test_a_rollback_leaves_the_counts_as_they_were(app, db):
    vendor = factories.gen_vendor(db, status="approved")
    db.commit()
    with app.test_request_context():
        before = counters.stored(db.connection(), ["antisocial_never", "vendors_by_tier"])
        raise_finding(db, vendor_id=vendor.id, source="manual", title="取り消す指摘")
        vendors.change_status(db, vendor, "terminated", factories.gen_user(db))
        db.rollback()
        assert counters.stored(db.connection(), ["antisocial_never", "vendors_by_tier"]) == before
        assert counters.rebuild(db) == 0


def test_the_migration_fills_the_counts_of_the_records_already_there(app, db):
    """0021 counts the records of an existing database, as the rebuild would."""
    from alembic import command

    from vendorrisk.core import migrate
    me = factories.gen_user(db, role="compliance")
    db.commit()
    _world(app, db, me)
    db.close()
    app.extensions["vendorrisk.engine"].dispose()
    command.downgrade(migrate.alembic_config(app), "0020_compliance_counts")
    migrate.upgrade(app)
    with app.test_request_context():
        reg = registry.current()
        connection = db.connection()
        kinds = [k for spec in reg.counted.values() for k in spec.kinds]
        assert counters.stored(connection, kinds) == counters.recounted(connection, reg.counted) != {}


def test_many_deltas_at_once_are_added_to_the_rows_there_and_new_rows_made(app, db):
    """``apply`` with more than a few keys (the first sweep's plan): one update of the rows
    there and the new ones handed to the driver in one executemany, in key order."""
    from collections import Counter
    with app.app_context():
        connection = db.connection()
        counters.apply(connection, Counter({("bench_kind", "", "2026-06-01"): 2}))
        deltas = Counter({("bench_kind", str(owner), f"2026-06-{day:02d}"): owner + day
                          for owner in range(3) for day in range(1, 6)})
        deltas[("bench_kind", "", "2026-06-01")] = 5
        deltas[("bench_kind", "9", "2026-06-09")] = 0  # no change: no row
        counters.apply(connection, deltas)
        expected = +Counter(deltas)
        expected[("bench_kind", "", "2026-06-01")] = 7
        assert counters.stored(connection, ["bench_kind"]) == expected
        assert [item[0] for item in counters._in_key_order(deltas)] == sorted(k for k, n in deltas.items() if n)


def test_the_counts_of_a_write_are_written_in_one_statement_per_table(app, db):
    """``counters.apply`` and the matrix's ``counts.apply``: one upsert each, whatever the
    number of keys, rows there added to and new rows made."""
    from collections import Counter

    from sqlalchemy import event

    from vendorrisk.compliance import counts
    with app.app_context():
        connection = db.connection()
        counters.apply(connection, Counter({("bench_kind", "a", ""): 2}))
        counts.apply(connection, Counter({("bench_scope", "gap"): 4}))
        sent = []
        event.listen(connection, "before_cursor_execute", lambda *args: sent.append(args[2]))
        counters.apply(connection, Counter({("bench_kind", "a", ""): -1, ("bench_kind", "b", ""): 3,
                                            ("bench_kind", "c", "2026-06-01"): 1}))
        counts.apply(connection, Counter({("bench_scope", "gap"): -1, ("bench_scope", "met"): 2}))
        assert len(sent) == 2, sent
        assert counters.stored(connection, ["bench_kind"]) == Counter(
            {("bench_kind", "a", ""): 1, ("bench_kind", "b", ""): 3, ("bench_kind", "c", "2026-06-01"): 1})
        assert {key: n for key, n in counts.stored(connection).items() if key[0] == "bench_scope"} == {
            ("bench_scope", "gap"): 3, ("bench_scope", "met"): 2}
