"""The contracts area's part of 「自分のタスク」: contract sets whose check leaves clauses for
compliance to confirm. A finding is raised only on a confirmed *not found* (``set_findings``):
until compliance looks, a renewed contract that dropped its audit or SLA clause is a matrix gap
and nothing more — no finding, no reminder. So each arrangement in force whose set (the latest
version of each document) has a clause that no document has *found* and that no reviewer has
confirmed *not found* is a task for compliance, due a few business days after the upload."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from vendorrisk.contracts.models import ClauseCheck, Contract, ContractVersion
from vendorrisk.core import clock
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due
from vendorrisk.vendors.models import Arrangement

CONFIRMERS = ("compliance",)  # who confirms or overrides a clause (contracts.pages.review)


def _open_clauses():
    """Per arrangement in force, its clauses to confirm (one row each) and when its set's
    latest document was uploaded."""
    newer = aliased(ContractVersion)
    latest = ~exists().where(newer.contract_id == ContractVersion.contract_id, newer.number > ContractVersion.number)
    result = func.coalesce(ClauseCheck.reviewer_status, ClauseCheck.auto_status)
    return (select(Contract.arrangement_id, ClauseCheck.clause_id,
                   func.max(ContractVersion.uploaded_at).label("uploaded"))
            .join(ContractVersion, ContractVersion.id == ClauseCheck.version_id)
            .join(Contract, Contract.id == ContractVersion.contract_id)
            .join(Arrangement, Arrangement.id == Contract.arrangement_id)
            .where(Arrangement.status == "active", latest)
            .group_by(Contract.arrangement_id, ClauseCheck.clause_id)
            .having(func.max(case((result == "found", 1), else_=0)) == 0,
                    func.max(case((ClauseCheck.reviewer_status == "not_found", 1), else_=0)) == 0))


def _sets_to_confirm():
    clauses = _open_clauses().subquery()
    return (select(clauses.c.arrangement_id, func.count().label("clauses"), func.max(clauses.c.uploaded).label("uploaded"))
            .group_by(clauses.c.arrangement_id))


def _rows():
    sets = _sets_to_confirm().subquery()
    return (select(sets.c.arrangement_id, sets.c.clauses, sets.c.uploaded, Arrangement.title)
            .join(Arrangement, Arrangement.id == sets.c.arrangement_id)), sets.c.uploaded


def _day(uploaded) -> date | None:
    return clock.day_of(uploaded) if uploaded else None  # the member's day


def _task(row) -> Task:
    return Task("confirm_contract_clauses",
                _("Confirm the contract check (clauses not found or to review: %(count)s)", count=row.clauses),
                f"/contracts/arrangements/{row.arrangement_id}", approval_due(_day(row.uploaded)), row.title)


def tasks_for(session: Session, user: User, today: date):
    """Contract sets with clauses to confirm, for compliance."""
    if user.role not in CONFIRMERS:
        return
    for row in session.execute(_rows()[0]).all():
        yield _task(row)


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): the sets by their latest
    upload, ORDER BY … LIMIT (``core.tasks.first_approvals``: those falling due on the same day
    read by title)."""
    if user.role not in CONFIRMERS:
        return []
    query, uploaded = _rows()

    def fetch(n: int, days: tuple[date, date] | None):
        if days is None:
            ordered = query.order_by(uploaded, Arrangement.title, Arrangement.id)
        else:
            start, end = clock.moments_of_days(*days)
            ordered = query.where(uploaded >= start, uploaded < end).order_by(Arrangement.title, Arrangement.id)
        return [(_day(row.uploaded), _task(row)) for row in session.execute(ordered.limit(n)).all()]
    return core_tasks.first_approvals(fetch, limit)


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields, in one count query."""
    if user.role not in CONFIRMERS:
        return 0
    return session.execute(select(func.count()).select_from(_sets_to_confirm().subquery())).scalar_one()
