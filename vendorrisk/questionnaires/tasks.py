"""The questionnaires area's part of 「自分のタスク」: subcontractors that returned workbooks
listed, waiting to be accepted into the chain or rejected — one task per workbook."""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.core import clock
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due, first_of
from vendorrisk.questionnaires.models import QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.names import name_column

REVIEWERS = ("compliance", "procurement")  # who may accept or reject a proposal (pages)


def _query():
    # the vendor's name looked up per row, not joined: a join let SQLite walk every vendor
    name = select(name_column()).where(Vendor.id == QuestionnaireResponse.vendor_id).scalar_subquery()
    return (select(QuestionnaireResponse.id, QuestionnaireResponse.created_at, name,
                   func.count(SubcontractorProposal.id))
            .join(SubcontractorProposal, SubcontractorProposal.response_id == QuestionnaireResponse.id)
            .where(SubcontractorProposal.status == "pending")
            .group_by(QuestionnaireResponse.id, QuestionnaireResponse.created_at, QuestionnaireResponse.vendor_id))


def _task(response_id, imported_at, vendor, count) -> Task:
    if isinstance(imported_at, str):
        imported_at = datetime.fromisoformat(imported_at)
    return Task("review_proposals", _("Accept or reject the subcontractors a questionnaire listed (%(count)s)",
                                      count=count),
                f"/questionnaires/responses/{response_id}#proposals",
                approval_due(clock.day_of(imported_at) if imported_at else None), vendor)


def tasks_for(session: Session, user: User, today: date):
    """Per imported workbook, its pending proposals; due a few business days after import."""
    if user.role not in REVIEWERS:
        return
    for row in session.execute(_query()).all():
        yield _task(*row)


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields, in one count query."""
    if user.role not in REVIEWERS:
        return 0
    return session.execute(select(func.count()).select_from(_query().subquery())).scalar_one()


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): by import, ORDER BY … LIMIT."""
    if user.role not in REVIEWERS:
        return []
    query = _query().order_by(QuestionnaireResponse.created_at, QuestionnaireResponse.id)
    return first_of(lambda n: [_task(*row) for row in session.execute(query.limit(n)).all()], limit)
