"""The dashboard's gap count is the live matrix's, not the last snapshot's."""
import re

from tests import factories
from vendorrisk.compliance import snapshots, store
from vendorrisk.core import clock
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.arrangements import create_arrangement


def _tile(page: str) -> int:
    return int(re.search(r'data-figure="gaps"><b>(\d+)</b>', page).group(1))


def _register_important_vendor(db) -> None:
    """A vendor and an important arrangement handling user data, registered through the
    services (their events keep the maintained verdicts current), committed."""
    vendor = vendor_service.create_vendor(db, {"name": f"株式会社ライブ{next(factories._seq)}"})
    create_arrangement(db, {"vendor_id": vendor.id, "title": "勘定系", "is_important": True,
                            "handles_user_data": True})
    db.commit()


def test_gap_count_follows_the_live_matrix_between_snapshots(client, login, db, app):
    with app.app_context():
        _register_important_vendor(db)
        snapshots.take_snapshot(db, clock.today())
        db.commit()
        recorded = sum(c["gap"] for c in store.summary(db).values())
    login("compliance")
    assert _tile(client.get("/dashboard/").get_data(as_text=True)) == recorded > 0
    # a second vendor with the same gaps, no new snapshot: the tile moves at once
    with app.app_context():
        _register_important_vendor(db)
        live = sum(c["gap"] for c in store.summary(db).values())
    page = client.get("/dashboard/").get_data(as_text=True)
    assert live > recorded and _tile(page) == live
    # this month's point of the trend chart is the live count as well
    month = clock.today().strftime("%Y-%m")
    assert re.search(rf"<title>{month}: {live}</title>", page)
