"""Compliance-matrix rules of selection: Art. 25(1) and Art. 27 items, met / gap / not applicable."""
from tests import factories
from tests.selection.factories import gen_assessment
from vendorrisk.core import registry


def _rule(obligation_id):
    return registry.current().obligations[obligation_id].rule



def _shown(links):
    """Proof links as a reader sees them (labels are stored as messages, rendered when shown)."""
    return [(str(label), href) for label, href in links]

def test_rules_are_registered_with_citations(contributions):
    assert contributions.obligations["25-1"].citation_ja == "第25条第1項"
    assert [contributions.obligations[f"27-{n}"].citation_en for n in range(1, 10)] == [f"Art. 27({n})" for n in range(1, 10)]
    assert all(contributions.obligations[f"27-{n}"].doc for n in range(1, 10))


def test_25_1_met_gap(db):
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db)
    approved = factories.gen_vendor(db, is_system_subsidiary=True)
    rejected = factories.gen_vendor(db)
    pending = factories.gen_vendor(db)
    none = factories.gen_vendor(db)
    a = gen_assessment(db, approved, preparer, "approved", approver=approver)
    gen_assessment(db, rejected, preparer, "rejected", approver=approver)
    gen_assessment(db, pending, preparer, "submitted")
    verdicts = _rule("25-1")(db, [approved.id, rejected.id, pending.id, none.id])
    assert verdicts[approved.id].status == "met"
    # the decision in the words of a status ("approved"), not of the approver's button ("approve")
    assert str(verdicts[approved.id].reason).endswith("(approved).")
    assert _shown(verdicts[approved.id].links) == [(f"Assessment #{a.id}", f"/selection/{a.id}")]
    assert verdicts[rejected.id].status == "gap" and "rejected" in str(verdicts[rejected.id].reason)
    assert verdicts[pending.id].status == "gap" and verdicts[none.id].status == "gap"
    assert verdicts[none.id].links[0][1] == f"/selection/new?vendor_id={none.id}"


def test_27_items(db):
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db)
    cloud_ok = factories.gen_vendor(db, is_cloud=True)
    cloud_arrangement = factories.gen_vendor(db)  # not flagged, but tier 1 of a cloud arrangement
    factories.gen_arrangement(db, cloud_arrangement, is_cloud=True)
    cloud_none = factories.gen_vendor(db, is_cloud=True)
    plain = factories.gen_vendor(db)
    gen_assessment(db, cloud_ok, preparer, "approved", approver=approver)
    gen_assessment(db, cloud_arrangement, preparer, "approved", approver=approver)
    ids = [cloud_ok.id, cloud_arrangement.id, cloud_none.id, plain.id]
    factories.gen_arrangement(db, plain)  # a non-cloud arrangement changes nothing
    for n in range(1, 10):
        verdicts = _rule(f"27-{n}")(db, ids)
        assert set(verdicts) == set(ids)
        assert verdicts[cloud_ok.id].status == "met" and f"C27-{n}" in str(verdicts[cloud_ok.id].reason)
        assert verdicts[cloud_none.id].status == "gap"
        assert verdicts[plain.id].status == "not_applicable"
    # a vendor that is cloud only through its arrangement was assessed on the cloud items too
    assert _rule("27-3")(db, [cloud_arrangement.id])[cloud_arrangement.id].status == "met"


def test_27_gap_when_item_unscored(db):
    from vendorrisk.selection import service as selection
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db)
    vendor = factories.gen_vendor(db)
    assessment = gen_assessment(db, vendor, preparer, "approved", approver=approver)  # not cloud then
    vendor.is_cloud = True
    db.add(vendor)
    db.flush()
    verdict = _rule("27-5")(db, [vendor.id])[vendor.id]
    assert verdict.status == "gap" and f"#{assessment.id}" in str(verdict.reason)
    assert "C27-5" not in {c["id"] for c in selection.criteria_of(assessment)}


def test_rules_answer_for_empty_lists(db):
    assert _rule("25-1")(db, []) == {}
    assert _rule("27-1")(db, []) == {}


def test_27_reason_says_how_the_item_was_scored(app, db):
    """An item scored low is still examined (met), but the reason gives the score and what
    that level of the scale means: "scored" alone read as a clean bill to an inspector."""
    from flask_babel import force_locale
    from sqlmodel import select

    from vendorrisk.core.messages import render
    from vendorrisk.selection.models import AssessmentScore
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db)
    vendor = factories.gen_vendor(db, is_cloud=True)
    assessment = gen_assessment(db, vendor, preparer, "approved", approver=approver)
    keys = db.exec(select(AssessmentScore).where(AssessmentScore.assessment_id == assessment.id,
                                                 AssessmentScore.criterion_id == "C27-5")).one()
    keys.score = 1
    db.add(keys)
    db.flush()
    low, high = _rule("27-5")(db, [vendor.id])[vendor.id], _rule("27-1")(db, [vendor.id])[vendor.id]
    assert low.status == high.status == "met"
    with app.test_request_context(), force_locale("en"):
        assert render(low.reason) == (f"Art. 27(5) scored 1 of 3 in assessment #{assessment.id} (C27-5): "
                                      "Provider-managed keys with unverified access control.")
        assert render(high.reason).startswith(f"Art. 27(1) scored 3 of 3 in assessment #{assessment.id} (C27-1): "
                                              "Region pinned in the contract")
    with app.test_request_context(), force_locale("ja"):
        assert render(low.reason) == (f"第27条第5号は評価 #{assessment.id} で 3 点中 1 点と採点されています（C27-5）："
                                      "事業者管理の鍵で、アクセス統制を確認できない。")
