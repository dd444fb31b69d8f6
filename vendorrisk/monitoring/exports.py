"""A vendor's monitoring reviews and findings as an .xlsx workbook (evidence pack): each
finding with its remediation (action plan, vendor response, evidence, risk acceptance)."""
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.core.models import User
from vendorrisk.core.xlsx import table_workbook
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.vendors.findings import Finding

# New columns go last: the columns readers already rely on keep their places.
REVIEW_HEADERS = ["id", "status", "risk_tier", "due_date", "performed_on", "method", "outcome", "summary",
                  *[f"check_{c}" for c in REVIEW_CHECKS], "nominal_due_date"]
FINDING_HEADERS = ["id", "source", "title", "severity", "status", "due_date", "raised_at", "resolved_at",
                   "closed_at", "closure_evidence", "nominal_due_date", "action_plan", "vendor_response",
                   "evidence_items", "risk_accepted_until", "risk_accepted_by"]


def _text(value):
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value


def vendor_workbook(session: Session, vendor_id: int) -> bytes:
    """Two sheets, Reviews and Findings, of one vendor."""
    reviews = session.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor_id)
                              .order_by(MonitoringReview.due_date)).all()
    findings = session.scalars(select(Finding).where(Finding.vendor_id == vendor_id).order_by(Finding.id)).all()
    ids = [f.id for f in findings] or [0]
    evidence = dict(session.execute(select(FindingEvidence.finding_id, func.count(FindingEvidence.id))
                                    .where(FindingEvidence.finding_id.in_(ids)).group_by(FindingEvidence.finding_id)).all())
    accepted = {a.finding_id: (a.expires_on, email) for a, email in session.execute(
        select(RiskAcceptance, User.email).outerjoin(User, User.id == RiskAcceptance.decided_by_id)
        .where(RiskAcceptance.finding_id.in_(ids), RiskAcceptance.status == "approved"))}
    review_rows = ([r.id, r.status, r.risk_tier, _text(r.due_date), _text(r.performed_on), r.method, r.outcome,
                    r.summary, *[(r.checks.get(c) or {}).get("result", "") for c in REVIEW_CHECKS],
                    _text(r.nominal_due_date)] for r in reviews)
    finding_rows = ([f.id, f.source, f.title, f.severity, f.status, _text(f.due_date), _text(f.raised_at),
                     _text(f.resolved_at), _text(f.closed_at), f.closure_evidence, _text(f.nominal_due_date), f.action_plan,
                     f.vendor_response, evidence.get(f.id, 0),
                     _text(accepted.get(f.id, (None, ""))[0]), accepted.get(f.id, (None, ""))[1] or ""]
                    for f in findings)
    return table_workbook([("Reviews", REVIEW_HEADERS, review_rows), ("Findings", FINDING_HEADERS, finding_rows)])
