"""Review plans follow the chains at once (listeners of the chain and vendor events), not
only when the scheduler's sweep runs; pages tell when the next sweep runs."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests import factories
from vendorrisk.core.models import ScheduledJob
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor


def _open_reviews(db):
    db.rollback()
    return {r.vendor_id: r for r in db.scalars(select(MonitoringReview).where(MonitoringReview.status == "planned"))}


def test_vendor_registered_and_contracted_through_the_pages_is_planned_at_once(client, login, db):
    login("compliance")
    response = client.post("/vendors/new", data={"name": "株式会社計画テスト", "country": "JP"})
    assert response.status_code == 302
    vendor = db.scalars(select(Vendor).where(Vendor.name == "株式会社計画テスト")).one()
    assert _open_reviews(db) == {}  # no chain yet: nothing to plan
    response = client.post("/arrangements/new", data={"vendor": str(vendor.id), "title": "勘定系の運用",
                                                      "substitutability": "hard", "is_important": "on"})
    assert response.status_code == 302, response.get_data(as_text=True)
    plans = _open_reviews(db)
    assert list(plans) == [vendor.id]
    assert plans[vendor.id].risk_tier in ("high", "critical")  # important: at least high
    page = client.get(f"/vendors/{vendor.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "有効な委託チェーンに含まれていません" not in page
    assert "計画済み" in page


def test_subcontractor_added_and_removed_follows_the_plan(client, login, db):
    login("compliance")
    tier1, sub = factories.gen_vendor(db), factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, tier1)
    db.commit()
    response = client.post(f"/arrangements/{arrangement.id}/links",
                           data={"parent_vendor_id": tier1.id, "vendor": str(sub.id), "service": "保守"})
    assert response.status_code == 302
    assert sub.id in _open_reviews(db)
    link = db.scalars(select(OutsourcingLink).where(OutsourcingLink.vendor_id == sub.id)).one()
    response = client.post(f"/arrangements/{arrangement.id}/links/{link.id}/delete",
                           data={"reason": "契約終了により再委託も終了"})
    assert response.status_code == 302
    assert sub.id not in _open_reviews(db)  # left every chain: its unstarted review is dropped


def test_owner_assigned_becomes_owner_of_the_open_review(client, login, db):
    login("compliance")
    tier1 = factories.gen_vendor(db)
    factories.gen_arrangement(db, tier1)
    owner = factories.gen_user(db, role="vendor_owner")
    db.commit()
    client.post(f"/vendors/{tier1.id}/edit", data={"name": tier1.name, "country": "JP", "notes": "x"})
    assert _open_reviews(db)[tier1.id].owner_id is None
    client.post(f"/vendors/{tier1.id}/owners", data={"user_id": owner.id, "is_primary": "on"})
    assert _open_reviews(db)[tier1.id].owner_id == owner.id


def test_terminated_arrangement_drops_the_plan(client, login, db):
    login("compliance")
    arrangement = factories.gen_arrangement(db, factories.gen_vendor(db))
    db.commit()
    client.post(f"/arrangements/{arrangement.id}/edit", data={"title": arrangement.title, "status": "active",
                                                             "substitutability": "medium"})
    assert arrangement.vendor_id in _open_reviews(db)
    client.post(f"/arrangements/{arrangement.id}/edit", data={"title": arrangement.title, "status": "terminated",
                                                             "substitutability": "medium"})
    assert arrangement.vendor_id not in _open_reviews(db)
    assert db.get(Arrangement, arrangement.id).status == "terminated"


def test_pages_say_when_the_next_sweep_runs(client, login, db):
    login("compliance")
    vendor = factories.gen_vendor(db)
    db.commit()
    page = client.get("/reviews/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "スケジューラーが停止しています" in page
    next_run = datetime.now(timezone.utc) + timedelta(minutes=7)
    db.add(ScheduledJob(id="reminder_sweep", last_run_at=datetime.now(timezone.utc) - timedelta(minutes=8),
                        next_run_at=next_run))
    db.commit()
    for path in ("/reviews/", f"/vendors/{vendor.id}", "/outbox/"):
        page = client.get(path, headers={"Accept-Language": "ja"}).get_data(as_text=True)
        local = next_run.astimezone(timezone(timedelta(hours=9))).strftime("%Y-%m-%d %H:%M")
        assert f"次回の定期処理（モニタリング計画・リマインダー送信）：{local} JST" in page, path
        assert "スケジューラーが停止しています" not in page
