"""The end of an outsourcing arrangement, recorded as the regulation expects.

Terminating an arrangement records the day it ended and what became of the member's and
its users' data — returned, deleted, migrated to another vendor, retained by law, or none
held — with the day that was confirmed and a note (a certificate of deletion received): data
disposal at contract end is Art. 27(3)'s concern, and the record is kept (Art. 11(6)).

The data is often dealt with after the contract ends (the vendor's certificate of deletion
comes weeks later), so termination does not wait for it: an arrangement that handled user
data or was a cloud service stays an open item, "data disposal not confirmed"
(``disposal_open``), on its page and on its vendor's owners' and compliance's task list,
until the disposition and its confirmation are recorded. Terminating publishes
``events.ArrangementEnded``: the other areas let go of what still hangs on it. Services add
and flush; the caller commits.
"""
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import field_validator
from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel

from vendorrisk.core import clock, events
from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.textfields import multi_line
from vendorrisk.core.validation import parse
from vendorrisk.vendors.chains import chain_changed
from vendorrisk.vendors.models import Arrangement

DATA_DISPOSITIONS = ("returned", "deleted", "migrated", "retained_by_law", "no_member_data")
DISPOSITION_LABELS = {
    "returned": _l("returned to the member"),
    "deleted": _l("deleted by the vendor"),
    "migrated": _l("migrated to another vendor"),
    "retained_by_law": _l("retained as required by law"),
    "no_member_data": _l("no member data held"),
}


class ExitRecord(SQLModel):
    """How an arrangement ended: the termination date (default: today), the data's
    disposition, the day it was confirmed, and a note."""

    terminated_on: Optional[date] = None
    data_disposition: Optional[str] = None
    data_disposition_confirmed_on: Optional[date] = None
    exit_note: str = ""

    @field_validator("data_disposition", mode="before")
    @classmethod
    def _disposition(cls, value):
        if value in (None, ""):
            return None
        if value not in DATA_DISPOSITIONS:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(DATA_DISPOSITIONS)))
        return value

    @field_validator("exit_note", mode="before")
    @classmethod
    def _note(cls, value):
        return multi_line(value or "")[:5000]


def handles_data(arrangement: Arrangement) -> bool:
    """Whether the arrangement's end must settle data (it handled user data, or was cloud)."""
    return bool(arrangement.handles_user_data or arrangement.is_cloud)


def disposal_open(arrangement: Arrangement) -> bool:
    """A terminated arrangement that handled user data or was cloud, whose data disposition is
    not recorded, or not yet confirmed (none held needs no confirmation)."""
    return (arrangement.status == "terminated" and handles_data(arrangement)
            and (arrangement.data_disposition is None
                 or (arrangement.data_disposition != "no_member_data"
                     and arrangement.data_disposition_confirmed_on is None)))


def disposal_open_condition():
    """``disposal_open`` as a SQL condition on ``Arrangement`` (the task list counts it)."""
    return and_(Arrangement.status == "terminated",
                or_(Arrangement.handles_user_data.is_(True), Arrangement.is_cloud.is_(True)),
                or_(Arrangement.data_disposition.is_(None),
                    and_(Arrangement.data_disposition != "no_member_data",
                         Arrangement.data_disposition_confirmed_on.is_(None))))


def _problems(arrangement: Arrangement, record: ExitRecord, today: date) -> list[dict]:
    problems = []
    ended = record.terminated_on
    if ended is not None and ended > today:
        problems.append({"field": "terminated_on", "message": _(
            "The termination date cannot be after today: record the termination when it happens "
            "(a future end is the end date).")})
    if ended is not None and arrangement.start_date and ended < arrangement.start_date:
        problems.append({"field": "terminated_on", "message": _("The termination date is before the start date.")})
    confirmed = record.data_disposition_confirmed_on
    if confirmed is not None and confirmed > today:
        problems.append({"field": "data_disposition_confirmed_on",
                         "message": _("The confirmation date cannot be after today.")})
    if confirmed is not None and record.data_disposition is None:
        problems.append({"field": "data_disposition",
                         "message": _("Choose what became of the data that was confirmed.")})
    return problems


def record_exit(session: Session, arrangement: Arrangement, data: dict) -> Arrangement:
    """Terminate an arrangement in force, recording its exit; or, for one terminated
    already, complete or correct its exit record (the data disposition confirmed later).
    Publishes ``ArrangementEnded`` when the arrangement ends here."""
    record = parse(ExitRecord, data)
    today = clock.today()
    ending = arrangement.status != "terminated"
    if ending and record.terminated_on is None:
        record.terminated_on = today
    if problems := _problems(arrangement, record, today):
        raise ValidationFailed(_("The input is invalid."), problems)
    if record.terminated_on is not None:
        arrangement.terminated_on = record.terminated_on
    arrangement.data_disposition = record.data_disposition
    arrangement.data_disposition_confirmed_on = record.data_disposition_confirmed_on
    arrangement.exit_note = record.exit_note
    arrangement.status = "terminated"
    session.add(arrangement)
    session.flush()
    if ending:
        chain_changed(session, arrangement.id)
        events.publish(session, events.ArrangementEnded(arrangement.id, arrangement.vendor_id))
    return arrangement


def refuse_reinstating(arrangement: Arrangement) -> None:
    """A terminated arrangement is not put back in force: its exit is a record (a new
    contract with the vendor is a new arrangement)."""
    if arrangement.status == "terminated":
        raise Conflict(_("A terminated arrangement is not put back in force; record a new arrangement with the "
                         "vendor instead."), [{"field": "status", "message": _("Already terminated.")}])
