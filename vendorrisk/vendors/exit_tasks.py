"""The ends of arrangements on 「自分のタスク」: an arrangement still in force after its end
date (renew it — a new end date — or terminate it), and a terminated one whose data
disposition is not confirmed (``exits.disposal_open``, Art. 27(3)). Each is a task for the
staff assigned to its vendor (Art. 26(2)) and for compliance, who see every one."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.vendors.exits import disposal_open_condition
from vendorrisk.vendors.models import Arrangement, VendorOwner

SEES_ALL = ("compliance",)


def _past_end(today: date):
    return and_(Arrangement.status == "active", Arrangement.end_date < today)


def _query(columns, user: User, today: date):
    """The arrangements whose end needs the person, or None for someone with no such task."""
    if user.role == "auditor":
        return None
    query = select(*columns).where(or_(_past_end(today), disposal_open_condition()))
    if user.role not in SEES_ALL:
        query = query.where(Arrangement.vendor_id.in_(select(VendorOwner.vendor_id)
                                                      .where(VendorOwner.user_id == user.id)))
    return query


def tasks_for(session: Session, user: User, today: date):
    """Arrangements in force past their end date (due on it) and terminated ones whose data
    disposition is to confirm (due on the termination date, if recorded)."""
    query = _query((Arrangement,), user, today)
    if query is None:
        return
    for arrangement in session.scalars(query.order_by(Arrangement.id)).all():
        if arrangement.status == "active":
            yield Task("renew_or_terminate",
                       _("Renew or terminate: in force after its end date %(day)s", day=arrangement.end_date.isoformat()),
                       f"/arrangements/{arrangement.id}", arrangement.end_date, arrangement.title)
        else:
            yield Task("confirm_data_disposal", _("Confirm the disposal of the data of an ended arrangement"),
                       f"/arrangements/{arrangement.id}/exit", arrangement.terminated_on, arrangement.title)


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields, in one count query."""
    query = _query((func.count(Arrangement.id),), user, today)
    return 0 if query is None else session.execute(query).scalar_one()
