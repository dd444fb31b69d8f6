"""A vendor's monitoring reviews and findings as an .xlsx workbook (evidence pack): each
finding with its remediation (action plan, vendor response, evidence, risk acceptance).

For an English reader the headers are the column keys, as before; for a Japanese reader (the
evidence pack is built in its starter's language) the sheets and headers are in Japanese.
The workbook is read by people and by position, never imported back: statuses, severities,
tiers, methods, outcomes and check results are written as the words the pages show, in the
reader's language ("in progress", 対応中), not the stored codes."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.core.i18n import language
from vendorrisk.core.models import User
from vendorrisk.core.xlsx import table_workbook
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.vendors.findings import Finding, display_closure_evidence

# New columns go last: the columns readers already rely on keep their places.
REVIEW_HEADERS = ["id", "status", "risk_tier", "due_date", "performed_on", "method", "outcome", "summary",
                  *[f"check_{c}" for c in REVIEW_CHECKS], "nominal_due_date"]
FINDING_HEADERS = ["id", "source", "title", "severity", "status", "due_date", "raised_at", "resolved_at",
                   "closed_at", "closure_evidence", "nominal_due_date", "action_plan", "vendor_response",
                   "evidence_items", "risk_accepted_until", "risk_accepted_by"]
LABELS = {
    "id": _l("No."), "status": _l("Status"), "risk_tier": _l("Risk tier"), "due_date": _l("Due date"),
    "performed_on": _l("Performed on"), "method": _l("Method"), "outcome": _l("Outcome"), "summary": _l("Summary"),
    "check_service_levels": _l("Service levels met"), "check_incidents": _l("Incidents and their handling"),
    "check_sub_outsourcing_changes": _l("Changes in sub-outsourcing"),
    "check_certificates_reports": _l("Certificates and reports (ISO/IEC 27001, SOC2, ...)"),
    "check_user_data_handling": _l("Handling of user data (Art. 26(3))"),
    "check_data_locations": _l("Locations of user data"), "nominal_due_date": _l("Date asked for, before moving to a business day"),
    "source": _l("Source"), "title": _l("Title"), "severity": _l("Severity"), "raised_at": _l("Raised"),
    "resolved_at": _l("Resolved"), "closed_at": _l("Closed"), "closure_evidence": _l("Closure evidence"),
    "action_plan": _l("Action plan"), "vendor_response": _l("Vendor response"), "evidence_items": _l("Evidence items"),
    "risk_accepted_until": _l("Accepted until"), "risk_accepted_by": _l("Risk accepted by"),
}
SHEETS = {"Reviews": _l("Reviews"), "Findings": _l("Findings")}


def _named(sheet: str, headers: list[str]) -> tuple[str, list[str]]:
    """A sheet's name and headers in the reader's language (the keys for English)."""
    if language() != "ja":
        return sheet, headers
    return str(SHEETS[sheet]), [str(LABELS[key]) for key in headers]


def _word(code: str | None) -> str:
    """A stored code (``in_progress``, ``high``) as the word the pages show for it, in the
    reader's language."""
    return gettext(code.replace("_", " ")) if code else ""


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
    review_rows = ([r.id, _word(r.status), _word(r.risk_tier), _text(r.due_date), _text(r.performed_on),
                    _word(r.method), _word(r.outcome), r.summary,
                    *[_word((r.checks.get(c) or {}).get("result")) for c in REVIEW_CHECKS],
                    _text(r.nominal_due_date)] for r in reviews)
    finding_rows = ([f.id, _word(f.source), f.title, _word(f.severity), _word(f.status), _text(f.due_date),
                     _text(f.raised_at),
                     _text(f.resolved_at), _text(f.closed_at), display_closure_evidence(f), _text(f.nominal_due_date), f.action_plan,
                     f.vendor_response, evidence.get(f.id, 0),
                     _text(accepted.get(f.id, (None, ""))[0]), accepted.get(f.id, (None, ""))[1] or ""]
                    for f in findings)
    return table_workbook([(*_named("Reviews", REVIEW_HEADERS), review_rows),
                           (*_named("Findings", FINDING_HEADERS), finding_rows)])
