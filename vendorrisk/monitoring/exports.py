"""A vendor's monitoring reviews and findings as an .xlsx workbook (evidence pack)."""
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.core.xlsx import table_workbook
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.vendors.findings import Finding

REVIEW_HEADERS = ["id", "status", "risk_tier", "due_date", "performed_on", "method", "outcome", "summary",
                  *[f"check_{c}" for c in REVIEW_CHECKS]]
FINDING_HEADERS = ["id", "source", "title", "severity", "status", "due_date", "raised_at", "resolved_at",
                   "closed_at", "closure_evidence"]


def _text(value):
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value


def vendor_workbook(session: Session, vendor_id: int) -> bytes:
    """Two sheets, Reviews and Findings, of one vendor."""
    reviews = session.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor_id)
                              .order_by(MonitoringReview.due_date)).all()
    findings = session.scalars(select(Finding).where(Finding.vendor_id == vendor_id).order_by(Finding.id)).all()
    review_rows = ([r.id, r.status, r.risk_tier, _text(r.due_date), _text(r.performed_on), r.method, r.outcome,
                    r.summary, *[(r.checks.get(c) or {}).get("result", "") for c in REVIEW_CHECKS]] for r in reviews)
    finding_rows = ([f.id, f.source, f.title, f.severity, f.status, _text(f.due_date), _text(f.raised_at),
                     _text(f.resolved_at), _text(f.closed_at), f.closure_evidence] for f in findings)
    return table_workbook([("Reviews", REVIEW_HEADERS, review_rows), ("Findings", FINDING_HEADERS, finding_rows)])
