"""The monitoring part of the start page: the reviews and findings the person has to act on
(their own; for compliance and audit, every overdue one)."""
from datetime import date, timedelta

from flask import render_template
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core.models import User
from vendorrisk.monitoring import reviews
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Vendor

SHOWN = 8
OVERSEERS = ("admin", "compliance", "auditor")


def home_panel(session: Session, user: User) -> str:
    """Reviews due within 30 days or overdue, and findings not closed, the person's own first."""
    today = date.today()
    mine = user.role not in OVERSEERS
    due = reviews.review_query("open", today, owner_id=user.id if mine else None)
    if not mine:
        due = due.where(MonitoringReview.due_date < today)
    else:
        due = due.where(MonitoringReview.due_date <= today + timedelta(days=reviews.DUE_WINDOW_DAYS))
    review_rows = session.execute(due.limit(SHOWN)).all()
    open_findings = (select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
                     .where(Finding.status.in_(("open", "in_progress"))))
    if mine:
        open_findings = open_findings.where(Finding.owner_id == user.id)
    else:
        open_findings = open_findings.where(or_(Finding.due_date < today, Finding.severity == "critical"))
    finding_rows = session.execute(open_findings.order_by(Finding.due_date.is_(None), Finding.due_date, Finding.id)
                                   .limit(SHOWN)).all()
    totals = session.execute(select(func.count()).select_from(open_findings.subquery())).scalar()
    if not review_rows and not finding_rows:
        return ""
    return render_template("monitoring/_home.html", reviews=review_rows, findings=finding_rows, mine=mine,
                           today=today, more_findings=max(0, totals - len(finding_rows)))
