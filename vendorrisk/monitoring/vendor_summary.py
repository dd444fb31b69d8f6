"""What the vendor page shows of monitoring: the vendor's reviews (the open ones and the latest
completed) and its findings not yet closed, in two queries."""
from sqlalchemy import case, func, select
from sqlmodel import Session

from vendorrisk.core.models import User
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.findings import Finding

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
