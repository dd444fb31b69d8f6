"""The certificates area's part of 「自分のタスク」: certificates and reports of the person's
vendors that expire or end within the reminder lead (or ended lately) and were not renewed —
compliance also takes those of vendors nobody owns. A renewal (a record ending later)
supersedes the old one, and the task leaves."""
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from vendorrisk.certificates.coverage import end_column, not_superseded
from vendorrisk.certificates.models import TYPE_LABELS, Certificate
from vendorrisk.certificates.reminders import LEAD_DAYS
from vendorrisk.core import business_days
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import first_of
from vendorrisk.vendors.models import Vendor, VendorOwner
from vendorrisk.vendors.names import name_column

LOOK_BACK_DAYS = 90  # an expired record stays a task this long unless renewed


def _query(user: User, today: date):
    calendar = business_days.current()
    end = end_column()
    owned = exists().where(VendorOwner.vendor_id == Certificate.vendor_id, VendorOwner.user_id == user.id)
    if user.role == "compliance":
        owned = or_(owned, ~exists().where(VendorOwner.vendor_id == Certificate.vendor_id))
    # the vendor's name looked up per row, not joined: a join let SQLite walk every vendor
    name = select(name_column()).where(Vendor.id == Certificate.vendor_id).scalar_subquery()
    return (select(Certificate.id, Certificate.type, end.label("ends"), name.label("name"))
            .where(owned, end >= today - timedelta(days=LOOK_BACK_DAYS),
                   end <= calendar.horizon(today, max(LEAD_DAYS)), not_superseded()))


def _task(row, today: date) -> Task:
    ends = date.fromisoformat(row.ends) if isinstance(row.ends, str) else row.ends
    moved = business_days.current().on_or_before(ends)
    label = (_("Ask for the renewed %(kind)s (expired)", kind=_(TYPE_LABELS[row.type])) if ends < today
             else _("Ask for the renewed %(kind)s", kind=_(TYPE_LABELS[row.type])))
    return Task("renew_certificate", label, f"/certificates/{row.id}", moved.day, row.name, moved.note())


def tasks_for(session: Session, user: User, today: date):
    """Current records ending from 90 days ago to the reminder lead ahead, due on the last
    business day on or before their end."""
    if user.role == "auditor":
        return
    for row in session.execute(_query(user, today)).all():
        yield _task(row, today)


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields, in one count query."""
    if user.role == "auditor":
        return 0
    return session.execute(select(func.count()).select_from(_query(user, today).subquery())).scalar_one()


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): by end, ORDER BY … LIMIT."""
    if user.role == "auditor":
        return []
    query = _query(user, today).order_by(end_column(), Certificate.id)
    return first_of(lambda n: [_task(row, today) for row in session.execute(query.limit(n)).all()], limit)
