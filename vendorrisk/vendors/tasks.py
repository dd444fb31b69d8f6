"""The vendors area's part of 「自分のタスク」: sub-outsourcing waiting for the member's
approval, one task per chain — compliance decides, never on a link they recorded (Art. 8(5))."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core import clock, counters
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due
from vendorrisk.vendors.models import WAITING, Arrangement, OutsourcingLink, current_link

DECIDERS = ("compliance",)  # who may decide on a link (vendors.pages.chains.decide_link)


def _waiting(query, user: User):
    return (query.join(OutsourcingLink, OutsourcingLink.arrangement_id == Arrangement.id)
            .where(Arrangement.status == "active", OutsourcingLink.approval_status != "approved", current_link(),
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
    return clock.day_of(oldest)  # the member's day: a link recorded at 08:00 in Tokyo is that day's


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


def _oldest_first(session: Session, user: User, n: int) -> list[int]:
    """The first ``n`` arrangements with links waiting by their oldest waiting link (fewer
    when there are fewer): the waiting links read oldest first (``ix_link_waiting_created``),
    twice as many each time, until ``n`` arrangements are seen — the first time an
    arrangement is seen is its oldest link."""
    links = (select(OutsourcingLink.arrangement_id).join(Arrangement, Arrangement.id == OutsourcingLink.arrangement_id)
             .where(WAITING, Arrangement.status == "active",
                    or_(OutsourcingLink.recorded_by_id.is_(None), OutsourcingLink.recorded_by_id != user.id))
             .order_by(OutsourcingLink.created_at, OutsourcingLink.id))
    m = 2 * n
    while True:
        found = session.scalars(links.limit(m)).all()
        seen = list(dict.fromkeys(found))
        if len(seen) >= n or len(found) < m:
            return seen[:n]
        m *= 4


def _recorded_between(user: User, first: date, last: date):
    """Active arrangements whose oldest waiting link (someone else's) was recorded between two
    days, read in title order (each one's links looked up by ``ix_link_arrangement_vendor``)."""
    def waiting(*conditions):
        return (select(OutsourcingLink.id).where(OutsourcingLink.arrangement_id == Arrangement.id, WAITING,
                                                 or_(OutsourcingLink.recorded_by_id.is_(None),
                                                     OutsourcingLink.recorded_by_id != user.id), *conditions)
                .exists())
    start, end = clock.moments_of_days(first, last)  # the member's days (``_day``)
    return (select(Arrangement.id).where(Arrangement.status == "active",
                                         waiting(OutsourcingLink.created_at >= start,
                                                 OutsourcingLink.created_at < end),
                                         ~waiting(OutsourcingLink.created_at < start))
            .order_by(Arrangement.title, Arrangement.id))


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): the arrangements by
    their oldest waiting link (``core.tasks.first_approvals``), found without grouping every
    waiting link — the first arrangements met among the links oldest first, or those of a
    few days in title order — and then their tasks worked out (``_per_arrangement``)."""
    if user.role not in DECIDERS:
        return []
    query, oldest = _per_arrangement(user)

    def fetch(n: int, days: tuple[date, date] | None):
        ids = (_oldest_first(session, user, n) if days is None
               else session.scalars(_recorded_between(user, *days).limit(n)).all())
        if not ids:
            return []
        ordered = query.where(Arrangement.id.in_(ids)).order_by(
            *((oldest,) if days is None else ()), Arrangement.title, Arrangement.id)
        return [(_day(row[3]), _task(*row)) for row in session.execute(ordered).all()]
    return core_tasks.first_approvals(fetch, limit)
