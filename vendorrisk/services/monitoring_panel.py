"""The vendor page's monitoring section: the vendor's reviews (the open one and the latest
completed) and its findings not yet closed, in two queries."""
from datetime import date

from flask import render_template
from sqlalchemy import case, func, select
from sqlmodel import Session

from .. import auth
from ..models.findings import Finding
from ..models.monitoring import MonitoringReview
from ..models.users import User
from ..models.vendors import Vendor
from ..registry import vendor_panel
from .monitoring_findings import may_raise

RECENT_REVIEWS = 5
OPEN_FINDINGS = 20
_SEVERITY_ORDER = case({"critical": 0, "high": 1, "medium": 2, "low": 3}, value=Finding.severity, else_=4)


def vendor_reviews(session: Session, vendor_id: int):
    """(review, owner name) of the vendor: open ones first, then the latest completed."""
    owner = func.coalesce(User.display_name, User.email)
    return session.execute(
        select(MonitoringReview, owner).outerjoin(User, User.id == MonitoringReview.owner_id)
        .where(MonitoringReview.vendor_id == vendor_id)
        .order_by((MonitoringReview.status == "completed"), MonitoringReview.performed_on.desc(),
                  MonitoringReview.id.desc())
        .limit(RECENT_REVIEWS + 1)).all()


def open_findings(session: Session, vendor_id: int):
    """(finding, owner name, total) of the vendor's findings not closed, gravest and
    soonest due first; ``total`` counts them all (the list is capped)."""
    owner = func.coalesce(User.display_name, User.email)
    total = func.count().over()
    return session.execute(
        select(Finding, owner, total).outerjoin(User, User.id == Finding.owner_id)
        .where(Finding.vendor_id == vendor_id, Finding.status != "closed")
        .order_by(_SEVERITY_ORDER, Finding.due_date.is_(None), Finding.due_date, Finding.id)
        .limit(OPEN_FINDINGS)).all()


@vendor_panel("monitoring", 30)
def monitoring_panel(session: Session, vendor: Vendor) -> str:
    """Reviews and open findings of ``vendor``, with links to record and raise."""
    user = auth.current_user()
    findings = open_findings(session, vendor.id)
    return render_template("monitoring/_vendor_panel.html", vendor=vendor, reviews=vendor_reviews(session, vendor.id),
                           findings=findings, total_findings=findings[0][2] if findings else 0,
                           can_raise=user is not None and may_raise(session, user, vendor.id), today=date.today())
