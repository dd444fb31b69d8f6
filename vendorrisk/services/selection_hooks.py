"""What selection contributes to other areas: the vendor-page panel and the evidence pack."""
from flask import render_template
from sqlmodel import Session

from .. import registry
from ..models.vendors import Vendor
from . import risk_tier, selection


@registry.vendor_panel("selection", order=20)
def vendor_panel(session: Session, vendor: Vendor) -> str:
    """The vendor's risk tier with its factors, and its assessment history."""
    return render_template("selection/_vendor_panel.html", vendor=vendor,
                           tier=risk_tier.explain(session, vendor.id),
                           history=selection.vendor_history(session, vendor.id))


def record_context(session: Session, assessment) -> dict:
    """What the HTML and Word records of an assessment show."""
    from sqlmodel import select

    from ..models.users import User
    ids = [i for i in (assessment.prepared_by_id, assessment.decided_by_id) if i]
    people = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))}
    return {"a": assessment, "vendor": session.get(Vendor, assessment.vendor_id), "people": people,
            "criteria": selection.criteria_of(assessment),
            "scores": selection.scores_of(session, assessment.id),
            "evidence": selection.evidence_of(session, assessment.id)}


@registry.evidence_source("selection")
def selection_evidence(session: Session, vendor_id: int):
    """The Word record of the vendor's latest approved (else latest decided or submitted) assessment."""
    from ..exports.selection_docx import assessment_docx
    assessment = selection.latest_decided(session, vendor_id)
    if assessment is None:
        return []
    return [registry.EvidenceFile(
        path=f"selection/assessment-{assessment.id}-{assessment.status}.docx",
        data=assessment_docx(record_context(session, assessment), language="ja"),
        description=f"Selection assessment {assessment.id} ({assessment.status}), Art. 25(1)")]
