"""Records of assessments: what the HTML and Word records show, and the evidence pack's copy."""
from flask_babel import gettext
from sqlmodel import Session

from vendorrisk.core import registry
from vendorrisk.core.i18n import language
from vendorrisk.selection import service as selection
from vendorrisk.vendors.models import Vendor


def record_context(session: Session, assessment) -> dict:
    """What the HTML and Word records of an assessment show."""
    from sqlmodel import select

    from vendorrisk.core.models import User
    ids = [i for i in (assessment.prepared_by_id, assessment.decided_by_id) if i]
    people = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))}
    return {"a": assessment, "vendor": session.get(Vendor, assessment.vendor_id), "people": people,
            "criteria": selection.criteria_of(assessment),
            "scores": selection.scores_of(session, assessment.id),
            "evidence": selection.evidence_of(session, assessment.id)}


def selection_evidence(session: Session, vendor_id: int):
    """The Word record of the vendor's latest approved (else latest decided or submitted)
    assessment, in the reader's language (``core.i18n.language``)."""
    from vendorrisk.selection.record_docx import assessment_docx
    assessment = selection.latest_decided(session, vendor_id)
    if assessment is None:
        return []
    return [registry.EvidenceFile(
        path=f"selection/assessment-{assessment.id}-{assessment.status}.docx",
        # in the language the pack is built in (its starter's), as the page's download is
        data=assessment_docx(record_context(session, assessment), language=language()),
        description=gettext("Selection assessment %(id)s (%(status)s), Art. 25(1)", id=assessment.id,
                            status=gettext(assessment.status)))]
