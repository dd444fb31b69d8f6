"""The monitoring part of the start page for those who oversee the portfolio (compliance,
admins, audit): every overdue review and every overdue or critical finding, and how many
open reviews and findings to remediate nobody owns (Art. 26(2): their vendor has no active
assigned staff, or their owner was deactivated). Everyone's own
reviews and findings are on 「自分のタスク」 (``monitoring.tasks``)."""

from datetime import date

from flask import render_template
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core import clock, counters
from vendorrisk.core.models import User
from vendorrisk.monitoring import findings, reviews
from vendorrisk.vendors.findings import TO_REMEDIATE, Finding
from vendorrisk.vendors.models import Vendor

SHOWN = 8
OVERSEERS = ("admin", "compliance", "auditor")


def home_panel(session: Session, user: User) -> str:
    """Overdue reviews and overdue or critical findings of the whole portfolio (overseers only);
    the first ``SHOWN`` of each and how many more, so the panel's number is the list's."""
    if user.role not in OVERSEERS:
        return ""
    today = clock.today()
    due = reviews.review_query("overdue", today)  # a vendor in no current chain is not chased
    review_rows = session.execute(due.limit(SHOWN)).all()
    more_reviews = (session.execute(select(func.count()).select_from(due.order_by(None).subquery())).scalar_one()
                    - len(review_rows)) if len(review_rows) == SHOWN else 0
    finding_rows = flagged_findings(session, today, SHOWN)
    totals = flagged_count(session, today)
    unowned, unowned_findings = reviews.unowned_count(session), findings.unowned_count(session)
    if not review_rows and not finding_rows and not unowned and not unowned_findings:
        return ""
    return render_template("monitoring/_home.html", reviews=review_rows, findings=finding_rows, unowned=unowned,
                           unowned_findings=unowned_findings,
                           today=today, more_findings=max(0, totals - len(finding_rows)), more_reviews=more_reviews)


def flagged_findings(session: Session, today: date, limit: int) -> list:
    """The first ``limit`` (finding, vendor) to remediate that are overdue or critical, by due
    date (undated last), then id: the dated ones read in ``ix_finding_remediate_due``'s order,
    the undated (critical) ones after them when there is room."""
    query = (select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
             .where(TO_REMEDIATE, or_(Finding.due_date < today, Finding.severity == "critical")))
    dated = session.execute(query.where(Finding.due_date.is_not(None))
                            .order_by(Finding.due_date, Finding.id).limit(limit)).all()
    if len(dated) == limit:
        return dated
    return dated + session.execute(query.where(Finding.due_date.is_(None)).order_by(Finding.id)
                                   .limit(limit - len(dated))).all()


def flagged_count(session: Session, today: date) -> int:
    """How many findings to remediate are overdue or critical, from the maintained counts by
    severity and due date (``vendors.counted``): as many rows as severities × due dates."""
    return sum(n for (severity, day), n in counters.by_scope_and_day(session, "findings_remediate_due").items()
               if severity == "critical" or (day != counters.NONE and day < today.isoformat()))
