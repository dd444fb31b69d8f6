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
    # the trend chart's last point is the live count as well, labelled as such
    month = clock.today().strftime("%Y-%m")
    assert re.search(rf"<title>now: {live}</title>", page) and f"<title>{month}: " not in page
    assert 'data-test="trend-legend"' in page


def test_the_trend_and_the_api_say_which_count_is_recorded_and_which_is_now(client, login, db, app, api):
    """Until the nightly snapshot the recorded month and the matrix differ: every place that
    shows both names them, and none passes the one for the other."""
    with app.app_context():
        _register_important_vendor(db)
        snapshots.take_snapshot(db, clock.today())
        db.commit()
        recorded = sum(c["gap"] for c in store.summary(db).values())
        _register_important_vendor(db)
        live = sum(c["gap"] for c in store.summary(db).values())
    assert live > recorded
    month = clock.today().strftime("%Y-%m")
    login("compliance")
    page = client.get("/compliance/trend", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(rf"<title>{month}: {recorded}</title>", page) and re.search(rf"<title>now: {live}</title>", page)
    table = page.split('data-test="trend-table"')[1].split("</table>")[0]
    assert "recorded " in table and 'data-test="trend-now"' in table
    assert re.search(rf"<th>{recorded}</th><th>{live}</th></tr>", table)  # All gaps: the month as recorded, then now
    reader = api("auditor")
    body = reader.get("/api/v1/dashboard").get_json()
    assert (body["gaps_now"], body["gaps_last_snapshot"]["gaps"]) == (live, recorded)
    assert body["gaps_last_snapshot"]["taken_at"]
    trend = reader.get("/api/v1/compliance-matrix/trend").get_json()
    assert trend["gaps_now"] == live and [(m["month"], m["gaps"]) for m in trend["months"]] == [(month, recorded)]
    assert trend["months"][0]["taken_at"]
