"""The monitoring part of the start page for those who oversee the portfolio (compliance,
admins, audit): every overdue review and every overdue or critical finding. Everyone's own
reviews and findings are on 「自分のタスク」 (``monitoring.tasks``)."""

from flask import render_template
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core import clock
from vendorrisk.core.models import User
from vendorrisk.monitoring import reviews
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Vendor

SHOWN = 8
OVERSEERS = ("admin", "compliance", "auditor")


def home_panel(session: Session, user: User) -> str:
    """Overdue reviews and overdue or critical findings of the whole portfolio (overseers only)."""
    if user.role not in OVERSEERS:
        return ""
    today = clock.today()
    due = reviews.review_query("open", today).where(MonitoringReview.due_date < today)
    review_rows = session.execute(due.limit(SHOWN)).all()
    open_findings = (select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
                     .where(Finding.status.in_(("open", "in_progress")),
                            or_(Finding.due_date < today, Finding.severity == "critical")))
    finding_rows = session.execute(open_findings.order_by(Finding.due_date.is_(None), Finding.due_date, Finding.id)
                                   .limit(SHOWN)).all()
    totals = session.execute(select(func.count()).select_from(open_findings.subquery())).scalar()
    if not review_rows and not finding_rows:
        return ""
    return render_template("monitoring/_home.html", reviews=review_rows, findings=finding_rows,
                           today=today, more_findings=max(0, totals - len(finding_rows)))
