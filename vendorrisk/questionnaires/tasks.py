"""The questionnaires area's part of 「自分のタスク」: subcontractors that returned workbooks
listed, waiting to be accepted into the chain or rejected — one task per workbook."""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due
from vendorrisk.questionnaires.models import QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors.models import Vendor

REVIEWERS = ("compliance", "procurement")  # who may accept or reject a proposal (pages)


def tasks_for(session: Session, user: User, today: date):
    """Per imported workbook, its pending proposals; due a few business days after import."""
    if user.role not in REVIEWERS:
        return
    # the vendor's name looked up per row, not joined: a join let SQLite walk every vendor
    name = select(Vendor.name).where(Vendor.id == QuestionnaireResponse.vendor_id).scalar_subquery()
    rows = session.execute(
        select(QuestionnaireResponse.id, QuestionnaireResponse.created_at, name,
               func.count(SubcontractorProposal.id))
        .join(SubcontractorProposal, SubcontractorProposal.response_id == QuestionnaireResponse.id)
        .where(SubcontractorProposal.status == "pending")
        .group_by(QuestionnaireResponse.id, QuestionnaireResponse.created_at, QuestionnaireResponse.vendor_id)).all()
    for response_id, imported_at, vendor, count in rows:
        if isinstance(imported_at, str):
            imported_at = datetime.fromisoformat(imported_at)
        yield Task("review_proposals", _("Accept or reject the subcontractors a questionnaire listed (%(count)s)",
                                                  count=count),
                   f"/questionnaires/responses/{response_id}#proposals",
                   approval_due(imported_at.date() if imported_at else None), vendor)
