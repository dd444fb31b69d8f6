"""26-1's link to the vendor's open review is looked up when the verdict is read
(``registry.link_to``, ``compliance.link_targets``): planning or dropping reviews writes no
verdict, and every reader — the page's rows, the API, the matrix workbook, the live rows —
shows the review open now, or no link when there is none. Runs on both engines (``make test``)."""
import io
import json

from openpyxl import load_workbook
from sqlalchemy import Text, cast, delete, select

from tests import factories
from tests.compliance.test_equivalence import _portfolio
from tests.compliance.test_maintained import _live, _maintained
from tests.helpers import exported
from vendorrisk.compliance import link_targets, maintain, matrix, store
from vendorrisk.compliance.models import ComplianceVerdict
from vendorrisk.core import clock
from vendorrisk.monitoring import plans, reviews
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview

V = ComplianceVerdict.__table__


def _open_reviews(db) -> dict[int, int]:
    return dict(db.execute(select(MonitoringReview.vendor_id, MonitoringReview.id)
                           .where(MonitoringReview.status != "completed")).all())


def _hrefs(verdict) -> list[str]:
    return [href for _label, href in verdict.links]


def _completed(vendor_id: int) -> str:
    return f"/reviews/?status=completed&vendor_id={vendor_id}"


def test_planning_reviews_writes_no_verdict_and_readers_show_the_open_review(app, db):
    _portfolio(db)  # factories: no events, no reviews planned yet
    maintain.rebuild(db)
    db.commit()
    before = _maintained(db)
    assert any(link_targets.MARK in text for text in db.scalars(select(cast(V.c.links, Text))))
    plans.regenerate_plans(db)
    db.commit()
    opened = _open_reviews(db)
    assert len(opened) >= 3
    assert _maintained(db) == before == _live(db)  # no verdict row moved; still the rules' answer

    rows = {row.vendor.id: row.verdicts["26-1"] for row in store.iter_rows(db, matrix.MatrixFilters())}
    live = {row.vendor.id: row.verdicts["26-1"] for row in matrix.live_rows(db, matrix.MatrixFilters())}
    assert rows == live
    for vendor_id, verdict in rows.items():
        if verdict.status == "not_applicable":
            assert verdict.links == []
        elif vendor_id in opened:
            assert _hrefs(verdict) == [f"/reviews/{opened[vendor_id]}", _completed(vendor_id)]
        else:
            assert _hrefs(verdict) == [_completed(vendor_id)]

    vendor_id = sorted(opened)[0]
    page = store.matrix_page(db, matrix.MatrixFilters(vendor_id=vendor_id), first_links=1)
    cell = page.rows[0].verdicts["26-1"]
    assert (_hrefs(cell), cell.links_total) == ([f"/reviews/{opened[vendor_id]}"], 2)

    db.execute(delete(MonitoringReview).where(MonitoringReview.id == opened[vendor_id]))  # dropped
    db.commit()
    page = store.matrix_page(db, matrix.MatrixFilters(vendor_id=vendor_id), first_links=1)
    cell = page.rows[0].verdicts["26-1"]
    assert (_hrefs(cell), cell.links_total) == ([_completed(vendor_id)], 1)
    assert _hrefs(store.vendor_matrix(db, vendor_id).verdicts["26-1"]) == [_completed(vendor_id)]
    assert _hrefs(next(matrix.live_rows(db, matrix.MatrixFilters(vendor_id=vendor_id))).verdicts["26-1"]) \
        == [_completed(vendor_id)]


def test_a_completed_review_and_the_next_one_planned_move_the_link(app, db, api):
    _portfolio(db)
    maintain.rebuild(db)
    plans.regenerate_plans(db)
    db.commit()
    opened = _open_reviews(db)
    vendor_id = sorted(opened)[-1]
    review = db.get(MonitoringReview, opened[vendor_id])
    user = factories.gen_user(db, role="compliance")
    today = clock.today()
    reviews.record_review(db, review, user, {"performed_on": today.isoformat(), "method": "remote",
                                             "outcome": "satisfactory",
                                             "checks": {name: {"result": "ok"} for name in REVIEW_CHECKS}},
                          today=today, complete=True)
    db.commit()
    following = _open_reviews(db).get(vendor_id)
    assert following is not None and following != review.id  # the next review is planned at once
    assert _maintained(db) == _live(db)
    rows = api("auditor").get(f"/api/v1/compliance-matrix?vendor_id={vendor_id}").get_json()["rows"]
    cell = next(row for row in rows if row["obligation"] == "26-1")
    assert [link["href"] for link in cell["links"]] == [f"/reviews/{following}", _completed(vendor_id)]
    assert cell["links_total"] == 2


def test_the_matrix_workbook_links_the_open_review(app, db, client, login):
    app.config["BASE_URL"] = "https://vendorrisk.example.jp/"
    _portfolio(db)
    maintain.rebuild(db)
    plans.regenerate_plans(db)
    db.commit()
    opened = _open_reviews(db)
    dropped = sorted(opened)[0]
    db.execute(delete(MonitoringReview).where(MonitoringReview.id == opened[dropped]))
    db.commit()
    login("auditor")
    book = load_workbook(io.BytesIO(exported(app, client, "/compliance/export/matrix.xlsx").data))
    proof = {r[0]: r[13] for r in book["Matrix"].iter_rows(values_only=True) if r[7] == "26-1"}
    base = "https://vendorrisk.example.jp"
    for vendor_id in sorted(opened)[1:]:
        assert proof[vendor_id] == f"Review: {base}/reviews/{opened[vendor_id]} ; " \
                                   f"Completed reviews: {base}{_completed(vendor_id)}"
    assert proof[dropped] == f"Completed reviews: {base}{_completed(dropped)}"
    assert "@" not in json.dumps(proof, ensure_ascii=False)


def test_only_a_link_entrys_href_is_looked_up_never_words_that_look_like_it(app, db):
    """A label (or any text of the stored links) holding the marker's words is left as it is:
    the links are read as the structure they are, and only an entry's href is replaced."""
    from vendorrisk.core import registry
    from vendorrisk.monitoring.rules import OPEN_REVIEW
    vendor = factories.gen_vendor(db)
    other = factories.gen_vendor(db)
    db.commit()
    marker = registry.link_to(OPEN_REVIEW)
    targets = link_targets.Targets(db, [vendor.id, other.id])
    targets.hrefs[marker] = {vendor.id: "/reviews/7"}  # the vendor has review 7 open, the other none
    label = {"id": "Quoted", "params": {"text": f'"{marker}" is how the link is stored'}}
    stored = json.dumps([[label, marker], [marker, "/reviews/?status=completed"], ["Proof", f"/x?q={marker}"]])
    assert json.loads(targets.text(vendor.id, stored)) == [
        [label, "/reviews/7"], [marker, "/reviews/?status=completed"], ["Proof", f"/x?q={marker}"]]
    assert json.loads(targets.text(other.id, stored)) == [  # no open review: that link alone is left out
        [marker, "/reviews/?status=completed"], ["Proof", f"/x?q={marker}"]]
    unmarked = json.dumps([["Proof", "/reviews/3"]])
    assert targets.text(vendor.id, unmarked) is unmarked and targets.text(vendor.id, None) is None
