"""Demo monitoring: completed reviews that make the next ones due soon or overdue, open and
overdue findings, so that ``vendorrisk remind --once`` right after ``vendorrisk demo`` sends
real reminders; remediation under way (action plans, a vendor's response, evidence, a risk
acceptance waiting for compliance)."""
from datetime import timedelta

from sqlmodel import Session

from vendorrisk.core import business_days, storage
from vendorrisk.core.models import utcnow
from vendorrisk.core.uploads import Upload
from vendorrisk.monitoring.findings import add_event
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.vendors.findings import raise_finding

# vendor key, days since the last completed review, outcome, owner key
COMPLETED = [
    ("fjsys", 160, "satisfactory", "owner"),          # high tier (important chain): due in ~3 weeks
    ("kyc", 230, "needs_improvement", "owner"),       # overdue
    ("wallet", 30, "satisfactory", "owner2"),         # recently reviewed
    ("aws", 176, "satisfactory", "owner2"),           # due in a few days
    ("sakura_dc", 420, "satisfactory", "owner"),      # overdue
]

# vendor key, title (ja), severity, days until due (negative: overdue), status, owner key
FINDINGS = [
    ("kyc", "再委託先（目視確認業務）の事前承認記録がない", "high", -12, "open", "owner"),
    ("kyc", "夜間目視確認の海外拠点（マニラ）のアクセス権限棚卸し未実施", "critical", -3, "in_progress", "owner"),
    ("fjsys", "障害報告の SLA（2時間以内）未達 1件", "medium", 45, "open", "owner"),
    ("wallet", "HSM 鍵ローテーション手順書の改訂待ち", "low", 20, "resolved", "owner2"),
]
# finding index: (action plan, vendor response, evidence or "", risk acceptance asked for (days) or 0)
REMEDIATION = {
    3: ("障害一次報告の連絡経路を二重化し、SLA 報告書で月次確認する", "次回契約更新時に報告期限を1時間に短縮する提案あり", "", 120),
    4: ("手順書 v3 で年次ローテーションを明記", "", "改訂版手順書 v3（2025-11）を受領", 0),
}


def load(session: Session, ctx: dict) -> None:
    """Create completed reviews, plan the next ones, and raise demo findings."""
    today = ctx["today"]
    users, vendors = ctx["users"], ctx["vendors"]
    for key, days_ago, outcome, owner in COMPLETED:
        performed = today - timedelta(days=days_ago)
        session.add(MonitoringReview(
            vendor_id=vendors[key].id, status="completed", risk_tier="high", frequency_months=6,
            due_date=performed, owner_id=users[owner].id, started_at=utcnow(), performed_on=performed,
            method="remote" if key != "sakura_dc" else "onsite",
            checks={name: {"result": "ok", "note": ""} for name in REVIEW_CHECKS},
            outcome=outcome, summary="定期モニタリング（SLA報告書・インシデント・再委託先の変更を確認）",
            completed_at=utcnow(), completed_by_id=users[owner].id))
    session.flush()
    regenerate_plans(session)
    for index, (key, title, severity, due_in, status, owner) in enumerate(FINDINGS, start=1):
        finding, _created = raise_finding(session, vendor_id=vendors[key].id, source="review",
                                          source_ref=f"demo:{index}", title=title, severity=severity,
                                          owner_id=users[owner].id, due_date=today + timedelta(days=due_in),
                                          raised_by_id=users["compliance"].id)
        path = {"open": [], "in_progress": ["in_progress"], "resolved": ["in_progress", "resolved"]}[status]
        previous = "open"
        for step in path:
            add_event(session, finding, users[owner], "status", previous, step, "")
            previous = step
        finding.status = status
        if status == "resolved":
            finding.resolved_at = utcnow()
        if index in REMEDIATION:
            _remediate(session, finding, users[owner].id, today, *REMEDIATION[index])
    session.flush()


def _remediate(session, finding, owner_id, today, plan, response, evidence, accept_days):
    finding.action_plan, finding.vendor_response = plan, response
    session.flush()
    add_event(session, finding, None, "plan", finding.status, finding.status, plan)
    if evidence:
        # the received document itself, as an owner would attach it
        stored, _same = storage.store(session, Upload(f"{evidence}\n".encode(), "手順書_v3_改訂履歴.txt", "txt",
                                                     "text/plain"), owner_id)
        session.add(FindingEvidence(finding_id=finding.id, note=evidence, file_id=stored.id,
                                    filename="手順書_v3_改訂履歴.txt", added_by_id=owner_id))
        add_event(session, finding, None, "evidence", finding.status, finding.status, evidence)
    if accept_days:
        expires = business_days.current().on_or_before(today + timedelta(days=accept_days))
        session.add(RiskAcceptance(finding_id=finding.id, rationale="代替の監視（アラート二重化）で当面のリスクを低減できる",
                                   expires_on=expires.day, nominal_expires_on=expires.original if expires.moved else None,
                                   finding_status=finding.status, requested_by_id=owner_id))
        add_event(session, finding, None, "acceptance_requested", finding.status, finding.status)
