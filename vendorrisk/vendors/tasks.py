"""The vendors area's part of 「自分のタスク」: sub-outsourcing waiting for the member's
approval, one task per chain — compliance decides, never on a link they recorded (Art. 8(5))."""
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core import counters
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due
from vendorrisk.vendors.models import Arrangement, OutsourcingLink

DECIDERS = ("compliance",)  # who may decide on a link (vendors.pages.chains.decide_link)


def _waiting(query, user: User):
    return (query.join(OutsourcingLink, OutsourcingLink.arrangement_id == Arrangement.id)
            .where(Arrangement.status == "active", OutsourcingLink.approval_status != "approved",
                   or_(OutsourcingLink.recorded_by_id.is_(None), OutsourcingLink.recorded_by_id != user.id)))


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields, from the maintained counts (``vendors.counted``):
    the active arrangements with links waiting, less those whose waiting links the person
    recorded all alone."""
    if user.role not in DECIDERS:
        return 0
    return (counters.total(session, "links_pending")
            - counters.total(session, "links_pending_only", scopes=[str(user.id)]))


def _day(oldest) -> date:
    if isinstance(oldest, str):  # SQLite's MIN() loses the column type
        oldest = datetime.fromisoformat(oldest)
    return oldest.date()


def _task(arrangement_id, title, count, oldest) -> Task:
    return Task("approve_links", _("Decide on sub-outsourcing not yet approved (%(count)s)", count=count),
                f"/arrangements/{arrangement_id}#links", approval_due(_day(oldest) if oldest else None), title)


def _per_arrangement(user: User):
    oldest = func.min(OutsourcingLink.created_at)
    return (_waiting(select(Arrangement.id, Arrangement.title, func.count(OutsourcingLink.id), oldest), user)
            .group_by(Arrangement.id, Arrangement.title), oldest)


def tasks_for(session: Session, user: User, today: date):
    """Per active arrangement, its links not approved that someone else recorded; due a few
    business days after the oldest of them was recorded."""
    if user.role not in DECIDERS:
        return
    for row in session.execute(_per_arrangement(user)[0]).all():
        yield _task(*row)


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): the arrangements by
    their oldest waiting link, ORDER BY … LIMIT (``core.tasks.first_approvals``)."""
    if user.role not in DECIDERS:
        return []
    query, oldest = _per_arrangement(user)

    def fetch(n: int, days: tuple[date, date] | None):
        if days is None:
            ordered = query.order_by(oldest, Arrangement.title, Arrangement.id)
        else:
            ordered = (query.having(oldest >= datetime.combine(days[0], time.min, timezone.utc),
                                    oldest < datetime.combine(days[1] + timedelta(days=1), time.min, timezone.utc))
                       .order_by(Arrangement.title, Arrangement.id))
        return [(_day(row[3]), _task(*row)) for row in session.execute(ordered.limit(n)).all()]
    return core_tasks.first_approvals(fetch, limit)
