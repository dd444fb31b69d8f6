"""「自分のタスク」 a page at a time: the sources' first tasks merged (``core.tasks.first``) are
the whole gathered list sliced, whatever the ties on due dates and names; the start page
pages through them with the list pages' pager and counts them per source."""
import re
from datetime import timedelta

import pytest

from tests import factories
from tests.accounts.test_tasks import TODAY, _proposal, _tasks, _world
from tests.certificates.factories import gen_certificate
from vendorrisk.core import registry
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.business_days import business_day
from vendorrisk.core.registry import Task
from vendorrisk.monitoring import findings as finding_service
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.findings import raise_finding

# names that tie on the due date and sort differently by code point than by reading
NAMES = ["株式会社あおば", "ABC株式会社", "abc商事", "Ｚ株式会社", "アオバ", "株式会社あおば2", "Zeta", "亜細亜"]


def _portfolio(app, db, me):
    """``_world``'s one task of each kind, then many more with the same due dates, undated
    findings and vendors never checked, of ``me`` (owner) or of a colleague."""
    _due, records = _world(app, db, me)
    colleague = records["colleague"]
    with app.test_request_context():
        same_day = business_day(TODAY + timedelta(days=3))
        for n, name in enumerate(NAMES * 2):
            vendor = factories.gen_vendor(db, name=f"{name}{n // len(NAMES) or ''}", status="approved")
            factories.gen_owner(db, vendor, me)
            finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title=f"指摘{n}", owner_id=me.id,
                                       due_date=same_day)
            if not n % 3:  # undated, as findings raised before every finding fell due (2026-12) still are
                finding.due_date = None
                db.flush()
            gen_certificate(db, vendor, expiry_date=TODAY + timedelta(days=30))
            db.add(MonitoringReview(vendor_id=vendor.id, status="planned", open_vendor_id=vendor.id,
                                    risk_tier="high", frequency_months=6, due_date=same_day, owner_id=me.id))
            if n % 2:  # the others are never checked: undated tasks, by name
                factories.gen_check(db, vendor, checked_on=TODAY - timedelta(days=400), next_due=same_day)
            if n % 4 == 0:
                arrangement = factories.gen_arrangement(db, vendor, title=f"委託{name}")
                factories.gen_link(db, arrangement, vendor, factories.gen_vendor(db), recorded_by_id=colleague.id)
                _proposal(db, vendor, colleague)
            if n % 5 == 0:
                resolved, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title=f"解決{n}",
                                            owner_id=colleague.id)
                resolved.action_plan = "計画"
                db.flush()
                finding_service.move_finding(db, resolved, colleague, "resolved")
        for name in ["未確認1", "未確認2", "未確認3", "ア未確認0"]:  # the first by name recorded last
            factories.gen_owner(db, factories.gen_vendor(db, name=name, status="approved"), me)
    db.commit()


@pytest.mark.parametrize("role", ["compliance", "vendor_owner", "admin", "procurement"])
def test_the_first_tasks_are_the_gathered_list_sliced(app, db, login, role):
    me = login(role)
    _portfolio(app, db, me)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        everything = core_tasks.gather(db, me)
        reg = registry.current()
        assert len(everything) > 40 and {t.due for t in everything} >= {None}
        for limit in range(1, len(everything) + 2):  # every page end, in the dated and the undated
            assert core_tasks.first(db, me, limit) == everything[:limit], limit
        for name, reader in reg.task_pages.items():  # each source's own first tasks
            whole = sorted(reg.task_sources[name](db, me, TODAY), key=core_tasks.order)
            for limit in range(1, len(whole) + 2):
                assert sorted(reader(db, me, TODAY, limit), key=core_tasks.order)[:limit] == whole[:limit], name
        pages = [core_tasks.page(db, me, n, 7) for n in range(1, len(everything) // 7 + 2)]
        assert [t for p in pages for t in p.items] == everything
        assert {p.total for p in pages} == {len(everything)}


def test_tasks_tied_on_the_date_are_read_by_name(app, db, login):
    """Vendors never checked and findings without a date tie on the date, and so do chains
    whose links were all recorded on one day (a register imported at once): their sources
    read them by name, not in the order they were recorded."""
    me = login("compliance")
    colleague = factories.gen_user(db, role="compliance")
    with app.test_request_context():
        for name in ["未確認1", "未確認2", "未確認3", "ア未確認0"]:  # the first by name recorded last
            vendor = factories.gen_vendor(db, name=name, name_en="", status="approved")
            raise_finding(db, vendor_id=vendor.id, source="manual", title="日付なし", owner_id=me.id)
            arrangement = factories.gen_arrangement(db, vendor, title=f"委託 {name}")
            factories.gen_link(db, arrangement, vendor, factories.gen_vendor(db), recorded_by_id=colleague.id)
    db.commit()
    with app.test_request_context():
        reg = registry.current()
        for name in ("antisocial_checks_due", "monitoring", "vendors"):
            whole = sorted(reg.task_sources[name](db, me, TODAY), key=core_tasks.order)
            assert len(whole) == 4 and whole[0].subject.endswith("ア未確認0") and len({t.due for t in whole}) == 1
            for limit in range(1, 6):
                first = sorted(reg.task_pages[name](db, me, TODAY, limit), key=core_tasks.order)[:limit]
                assert first == whole[:limit], (name, limit)


def test_ties_at_the_page_end_are_read_on(app):
    """A source's query may order by due date alone: the tasks tied with the last one kept
    are read too, so one that sorts before it by name is not left behind."""
    day = TODAY + timedelta(days=1)
    rows = [Task("k", "", f"/x/{n}", day, name) for n, name in enumerate(["b", "c", "a", "d"])]
    rows.append(Task("k", "", "/x/9", day + timedelta(days=1), "a"))
    asked = []

    def fetch(n):
        asked.append(n)
        return rows[:n]

    found = core_tasks.first_of(fetch, 2)
    assert sorted(found, key=core_tasks.order)[:2] == [rows[2], rows[0]] and asked == [3, 6]


def test_the_start_page_pages_through_the_tasks(app, db, client, login):
    me = login("compliance")
    _portfolio(app, db, me)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        everything = core_tasks.gather(db, me)
    assert len(everything) > 50
    first, rows, count = _tasks(client)
    assert count == len(everything) and len(rows) == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert re.search(r'href="/\?page=2" rel="next"', first)
    second, more, _count = _tasks(client, "/?page=2")
    assert 'rel="prev"' in second and len(more) == len([t for t in everything[50:100] if t.due])
    dated = [(t.kind, str(t.due)) for t in everything if t.due]
    assert rows + more == dated[:len(rows) + len(more)]
    past, none, _count = _tasks(client, "/?page=99")
    assert none == [] and 'data-test="no-tasks"' not in past and '<a href="/">最初のページへ</a>' in past


def test_the_start_page_counts_per_source_and_lists_one(app, db, client, login):
    me = login("compliance")
    _portfolio(app, db, me)
    with app.test_request_context():
        reg = registry.current()
        expected = {name: len(list(source(db, me, TODAY))) for name, source in reg.task_sources.items()}
    page = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    shown = {name: int(n) for name, n in re.findall(
        r'data-test="task-source" data-source="([a-z_]+)">[^<]*\((\d+)\)<', page)}
    assert shown == {name: n for name, n in expected.items() if n} and len(shown) == 7
    assert f"{sum(expected.values())} 件" in re.search(r'data-test="task-summary">([^<]*)<', page).group(1)
    only, rows, _count = _tasks(client, "/?source=certificates")
    assert {kind for kind, _day in rows} == {"renew_certificate"} and len(rows) == expected["certificates"]
    assert 'data-test="task-source-all"' in only
