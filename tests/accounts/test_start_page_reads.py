"""The start page's reads that stop early: the chains waiting longest for a decision (read
from the waiting links oldest first), the monitoring panel's findings overdue or critical
(dated by the index, then undated) and its count and the headline figures (maintained)."""
import re
from datetime import datetime, time, timedelta, timezone

from sqlmodel import select

from tests import factories
from vendorrisk.core import clock, registry
from vendorrisk.core import tasks as core_tasks
from vendorrisk.monitoring import findings as finding_service
from vendorrisk.monitoring.pages import worklist
from vendorrisk.vendors.findings import Finding, raise_finding

TODAY = clock.today()


def _at(days_ago: int, minute: int = 0) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(9, minute), timezone.utc)


def test_chains_waiting_longest_are_read_from_the_oldest_links(app, db, login):
    """A chain's age is its oldest link waiting that someone else recorded: one chain's many
    links come first, links approved, recorded by the person or of a terminated arrangement
    do not count, and chains recorded on one day tie and are read by title."""
    me = login("compliance")
    colleague = factories.gen_user(db, role="compliance")
    parent = factories.gen_vendor(db)

    def chain(title, *links, status="active"):
        arrangement = factories.gen_arrangement(db, parent, title=title, status=status)
        for days_ago, minute, fields in links:
            fields = {"recorded_by_id": colleague.id} | fields
            factories.gen_link(db, arrangement, parent, factories.gen_vendor(db), created_at=_at(days_ago, minute),
                               **fields)
        return arrangement

    chain("多数", *[(30, n, {}) for n in range(12)])  # the first 24 waiting links are all this one's
    chain("承認済みが古い", (40, 0, {"approval_status": "approved"}), (2, 0, {}))
    chain("自分の記録が古い", (40, 1, {"recorded_by_id": me.id}), (3, 0, {}))
    chain("終了", (50, 0, {}), status="terminated")
    chain("自分だけ", (45, 0, {"recorded_by_id": me.id}))
    for n, title in enumerate(["ウ同日", "ア同日", "イ同日", "B同日", "a同日"]):  # one day, out of order
        chain(title, (10, 5 - n, {}))
    chain("ア古い", (25, 0, {}), (10, 30, {}))  # one link that day too, but older ones before
    for n in range(6):
        chain(f"別の日{n}", (20 - n, 0, {}))
    db.commit()
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        reader = registry.current().task_pages["vendors"]
        whole = sorted(registry.current().task_sources["vendors"](db, me, TODAY), key=core_tasks.order)
        assert len(whole) == 15 and whole[0].subject == "多数" and "12 件" in whole[0].label
        assert {t.subject for t in whole}.isdisjoint({"終了", "自分だけ"})
        for limit in range(1, len(whole) + 2):
            assert sorted(reader(db, me, TODAY, limit), key=core_tasks.order)[:limit] == whole[:limit], limit


def _finding(app, db, vendor, title, severity, due, status="open"):
    with app.test_request_context():
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title=title, severity=severity,
                                   due_date=due)
    if due is None:  # undated, as findings raised before every finding fell due (2026-12) still are
        finding.due_date = None
        db.flush()
    if status != "open":
        finding.action_plan = "計画"
        db.flush()
        finding_service.move_finding(db, finding, factories.gen_user(db, role="compliance"), status,
                                     evidence="是正の証跡")  # a high or critical one is resolved with it
    return finding


def _flagged_world(app, db):
    vendor = factories.gen_vendor(db)
    day = timedelta(days=1)
    expected = [
        _finding(app, db, vendor, "期限超過 古い", "low", TODAY - 9 * day),
        _finding(app, db, vendor, "期限超過 対応中", "medium", TODAY - 5 * day, "in_progress"),
        _finding(app, db, vendor, "重大 期限超過", "critical", TODAY - 2 * day),
        _finding(app, db, vendor, "期限超過 同日", "high", TODAY - 2 * day),
        _finding(app, db, vendor, "重大 期限前", "critical", TODAY + 3 * day),
        _finding(app, db, vendor, "重大 期限なし", "critical", None),
        _finding(app, db, vendor, "重大 期限なし2", "critical", None),
    ]
    for title, severity, due, status in [("期限前", "high", TODAY + day, "open"), ("期限なし", "low", None, "open"),
                                         ("解決済み", "critical", TODAY - 7 * day, "resolved")]:
        _finding(app, db, vendor, title, severity, due, status)
    db.commit()
    return expected


def _ids(rows):
    return [finding.id for finding, _vendor in rows]


def test_the_panel_lists_findings_overdue_or_critical_by_due_date(app, db):
    expected = _flagged_world(app, db)
    order = sorted(expected, key=lambda f: (f.due_date is None, f.due_date or TODAY, f.id))
    with app.test_request_context():
        for limit in range(1, len(expected) + 2):
            assert _ids(worklist.flagged_findings(db, TODAY, limit)) == [f.id for f in order][:limit], limit
        assert worklist.flagged_count(db, TODAY) == len(worklist.flagged_findings(db, TODAY, 100)) == len(expected)


def test_the_panel_count_follows_the_findings(app, db):
    """The count is maintained: a finding whose due date moved into the past, one resolved and
    one made critical move it, as the list does."""
    _flagged_world(app, db)
    user = factories.gen_user(db, role="compliance")
    late, undated, overdue = (db.exec(select(Finding).where(Finding.title == title)).one()
                              for title in ("期限前", "期限なし", "期限超過 古い"))
    with app.test_request_context():
        late.due_date = TODAY - timedelta(days=1)  # moved without an event (a calendar's new holiday)
        finding_service.update_finding(db, undated, user, {"severity": "critical"})
        overdue.action_plan = "計画"
        db.flush()
        finding_service.move_finding(db, overdue, user, "resolved", evidence="是正の証跡")
        db.commit()
        listed = worklist.flagged_findings(db, TODAY, 100)
        assert late.id in _ids(listed) and undated.id in _ids(listed) and overdue.id not in _ids(listed)
        assert worklist.flagged_count(db, TODAY) == len(listed) == 8


def test_the_panel_says_how_many_more_there_are(app, db, client, login):
    expected = _flagged_world(app, db)
    vendor = factories.gen_vendor(db)
    for n in range(4):
        _finding(app, db, vendor, f"追加{n}", "medium", TODAY - timedelta(days=20 + n))
    db.commit()
    login("compliance")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    panel = page[page.index('data-test="home-monitoring"'):]
    panel = panel[:panel.index("</section>")]
    assert len(re.findall(r'href="/findings/\d+"', panel)) == worklist.SHOWN
    assert f"{len(expected) + 4 - worklist.SHOWN} more" in panel


def test_the_headline_figures_follow_the_records(app, db, client, login):
    """Arrangements and links are counted as they come and go (a deleted arrangement takes
    its links with it)."""
    parent, child = factories.gen_vendor(db), factories.gen_vendor(db)
    kept = factories.gen_arrangement(db, parent)
    gone = factories.gen_arrangement(db, parent)
    factories.gen_link(db, kept, parent, child)
    factories.gen_link(db, gone, parent, child, approval_status="approved")
    db.commit()
    db.delete(gone)
    db.commit()
    login("auditor")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    figures = dict((label, int(n)) for n, label in re.findall(r"<b>(\d+)</b><span>([^<]+)</span>", page))
    assert figures["Outsourcing arrangements"] == 1 and figures["Sub-outsourcing links"] == 1
    assert figures["Vendors, all tiers"] == 2 and figures["Sub-outsourcing not approved"] == 1


def test_the_migration_counts_the_records_already_there(app, db):
    """0025 adds the indexes and counts the arrangements, links and findings to remediate of
    an existing database as the maintained counts would; its downgrade takes them away."""
    from alembic import command
    from sqlalchemy import inspect

    from vendorrisk.core import counters, migrate
    _flagged_world(app, db)
    parent, child = factories.gen_vendor(db), factories.gen_vendor(db)
    factories.gen_link(db, factories.gen_arrangement(db, parent), parent, child)
    factories.gen_arrangement(db, child)
    db.commit()
    db.close()
    engine = app.extensions["vendorrisk.engine"]
    engine.dispose()
    kinds = ("arrangements", "links", "findings_remediate_due")
    indexes = {"ix_link_waiting_created", "ix_arrangement_status_title", "ix_finding_remediate_due"}

    def state():
        with engine.connect() as connection:
            names = {ix["name"] for table in ("outsourcing_link", "arrangement", "finding")
                     for ix in inspect(connection).get_indexes(table)}
            return counters.stored(connection, kinds), names & indexes
    command.downgrade(migrate.alembic_config(app), "0024_contract_title_fold")
    assert state() == ({}, set())
    migrate.upgrade(app)
    with app.test_request_context():
        with engine.connect() as connection:
            wanted = counters.recounted(connection, registry.current().counted)
    stored, names = state()
    assert stored == +type(wanted)({k: n for k, n in wanted.items() if k[0] in kinds}) and names == indexes
    assert stored[("arrangements", "", "")] == 2 and stored[("links", "", "")] == 1
    assert sum(n for (kind, _s, _d), n in stored.items() if kind == "findings_remediate_due") == 9


def test_reviews_and_findings_of_one_day_are_read_by_vendor_name(app, db, login):
    """Many reviews and findings due on one day (a plan, a sweep): the page's first are read
    by vendor name within the day, as the list orders them, not in the order recorded."""
    from vendorrisk.core.business_days import business_day
    from vendorrisk.monitoring.models import MonitoringReview
    me = login("compliance")
    day = business_day(TODAY + timedelta(days=5))
    with app.test_request_context():
        for n, name in enumerate(["株式会社B", "株式会社C", "株式会社A", "株式会社E", "株式会社F", "株式会社D"] * 2):
            vendor = factories.gen_vendor(db, name=f"{name}{n}")
            raise_finding(db, vendor_id=vendor.id, source="manual", title=f"指摘{n}", owner_id=me.id, due_date=day)
            db.add(MonitoringReview(vendor_id=vendor.id, status="planned", open_vendor_id=vendor.id, risk_tier="high",
                                    frequency_months=6, due_date=day, owner_id=me.id))
    db.commit()
    with app.test_request_context():
        reg = registry.current()
        whole = sorted(reg.task_sources["monitoring"](db, me, TODAY), key=core_tasks.order)
        assert len(whole) == 24 and len({t.due for t in whole}) == 1
        for kind in ("record_review", "remediate_finding"):
            own = [t for t in whole if t.kind == kind]
            for limit in range(1, len(own) + 1):
                first = sorted(reg.task_pages["monitoring"](db, me, TODAY, limit), key=core_tasks.order)
                assert [t for t in first if t.kind == kind][:limit] == own[:limit], (kind, limit)
