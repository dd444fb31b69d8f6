"""The dashboard's gap count is the live matrix's, not the last snapshot's."""
import re

from tests import factories
from vendorrisk.compliance import matrix, snapshots
from vendorrisk.core.models import utcnow


def _tile(page: str) -> int:
    return int(re.search(r'data-figure="gaps"><b>(\d+)</b>', page).group(1))


def test_gap_count_follows_the_live_matrix_between_snapshots(client, login, db, app):
    vendor = factories.gen_vendor(db)
    factories.gen_arrangement(db, vendor, is_important=True, handles_user_data=True)
    db.commit()
    with app.app_context():
        snapshots.take_snapshot(db, utcnow().date())
        db.commit()
        recorded = sum(c["gap"] for c in matrix.summary(db).values())
    login("compliance")
    assert _tile(client.get("/dashboard/").get_data(as_text=True)) == recorded > 0
    # a second vendor with the same gaps, no new snapshot: the tile moves at once
    factories.gen_arrangement(db, factories.gen_vendor(db), is_important=True, handles_user_data=True)
    db.commit()
    with app.app_context():
        live = sum(c["gap"] for c in matrix.summary(db).values())
    page = client.get("/dashboard/").get_data(as_text=True)
    assert live > recorded and _tile(page) == live
    # this month's point of the trend chart is the live count as well
    month = utcnow().date().strftime("%Y-%m")
    assert re.search(rf"<title>{month}: {live}</title>", page)
