"""A monitoring form refused because someone changed the record first (409) shows the page
again: what changed, by whom and when, what to do, and what was typed to copy."""
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.core import clock
from vendorrisk.monitoring import reviews
from vendorrisk.monitoring.findings import move_finding
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.vendors.findings import Finding, raise_finding

JSON = {"Accept": "application/json"}


def _record(summary: str, note: str = "") -> dict:
    form = {"performed_on": (clock.today() - timedelta(days=1)).isoformat(), "method": "remote",
            "outcome": "satisfactory", "summary": summary, "action": "complete"}
    for name in REVIEW_CHECKS:
        form[f"check_{name}"], form[f"note_{name}"] = "ok", ""
    form["note_incidents"] = note
    return form


def test_a_review_completed_by_someone_else_keeps_what_was_typed(app, db, client, login):
    owner = login("vendor_owner")
    colleague = factories.gen_user(db, role="compliance")
    _arr, (vendor,) = gen_chain(db, tiers=1, owner=owner, start=clock.today() - timedelta(days=400))
    db.commit()
    with app.app_context():
        regenerate_plans(db)
        db.commit()
    review = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor.id)).one()
    assert 'data-test="review-form"' in client.get(f"/reviews/{review.id}").get_data(as_text=True)
    with app.test_request_context():  # the colleague completes it first
        data = {**_record("先に完了"), "checks": {n: {"result": "ok", "note": ""} for n in REVIEW_CHECKS},
                "findings": []}
        reviews.record_review(db, db.get(MonitoringReview, review.id), colleague, data, today=clock.today(),
                              complete=True)
        db.commit()

    late = client.post(f"/reviews/{review.id}", data=_record("SLA 報告書を確認した", "障害報告が一件あった"))
    assert late.status_code == 409
    page = unescape(late.get_data(as_text=True))
    assert 'data-test="conflict-kept"' in page and "SLA 報告書を確認した" in page and "障害報告が一件あった" in page
    assert f"Changed by {colleague.display_name}" in page and "This review is already completed" in page
    db.rollback()
    db.expire_all()
    assert db.get(MonitoringReview, review.id).summary == "先に完了"
    as_json = client.post(f"/reviews/{review.id}", data=_record("x"), headers=JSON)
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_editing_a_finding_closed_meanwhile_names_who_closed_it(app, db, client, login):
    login("compliance")
    owner = factories.gen_user(db, role="vendor_owner")
    closer = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db)
    finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="手順書の改訂", owner_id=owner.id)
    finding.action_plan = "手順書を改訂する"
    db.commit()
    assert 'name="description"' in client.get(f"/findings/{finding.id}").get_data(as_text=True)
    move_finding(db, finding, owner, "resolved")
    move_finding(db, finding, closer, "closed", evidence="改訂版を確認")
    db.commit()

    late = client.post(f"/findings/{finding.id}/edit", data={"severity": "high", "description": "期限を延ばす理由の下書き"})
    assert late.status_code == 409
    page = unescape(late.get_data(as_text=True))
    assert 'data-test="conflict"' in page and "期限を延ばす理由の下書き" in page
    assert f"Changed by {closer.display_name}" in page and "A closed finding cannot be changed." in page
    db.rollback()
    db.expire_all()
    assert db.get(Finding, finding.id).severity == "medium"
