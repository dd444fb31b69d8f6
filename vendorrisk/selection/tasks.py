"""The selection area's part of 「自分のタスク」: submitted assessments waiting for the
person's decision — compliance, never the assessment they prepared (Art. 8(5))."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.core import clock
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due
from vendorrisk.selection.models import SelectionAssessment
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.names import name_column

DECIDERS = ("compliance",)  # who may approve or reject an assessment (selection.pages.APPROVERS)


def tasks_for(session: Session, user: User, today: date):
    """Submitted assessments others prepared, due a few business days after submission."""
    if user.role not in DECIDERS:
        return
    rows = session.execute(select(SelectionAssessment.id, SelectionAssessment.submitted_at, name_column().label("name"))
                           .join(Vendor, Vendor.id == SelectionAssessment.vendor_id)
                           .where(SelectionAssessment.status == "submitted",
                                  SelectionAssessment.prepared_by_id != user.id)).all()
    for row in rows:
        submitted = clock.day_of(row.submitted_at) if row.submitted_at else None  # the member's day
        yield Task("decide_assessment", _("Approve or reject the selection assessment"),
                   f"/selection/{row.id}", approval_due(submitted), row.name)
