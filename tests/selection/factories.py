"""Builders for selection tests: assessments scored and moved through their states."""
from tests.factories import gen_check
from vendorrisk.selection import service as selection
from vendorrisk.vendors import antisocial


def score_all(session, assessment, user, value=3, exceptions=None, conditions=None):
    """Score every criterion of a draft with ``value`` (or the given exceptions)."""
    exceptions = exceptions or {}
    scores = [{"criterion_id": c["id"], "score": exceptions.get(c["id"], value), "comment": f"note {c['id']}"}
              for c in selection.criteria_of(assessment)]
    return selection.save_scores(session, assessment, user=user, scores=scores, conditions=conditions)


def gen_assessment(session, vendor, preparer, state="draft", approver=None, value=3, exceptions=None,
                   conditions=None):
    """An assessment of ``vendor`` scored with ``value``, moved to ``state``."""
    assessment = selection.create_assessment(session, vendor_id=vendor.id, user=preparer)
    score_all(session, assessment, preparer, value, exceptions, conditions)
    if state in ("submitted", "approved", "rejected"):
        selection.submit(session, assessment, user=preparer)
    if state == "approved":
        if not antisocial.standing(session, vendor.id).current:
            gen_check(session, vendor)  # approval needs a current 反社会的勢力チェック
        selection.approve(session, assessment, user=approver)
    elif state == "rejected":
        selection.reject(session, assessment, user=approver, note="not suitable")
    session.flush()
    return assessment
