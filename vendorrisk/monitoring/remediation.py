"""Findings as remediation (Art. 24 guideline): an action plan, the vendor's response,
evidence (texts and files), and the acceptance of a risk that is not remediated.

- The finding's owner, compliance and admins write the plan and the response and add
  evidence while the finding is not closed; every step is a ``FindingEvent``.
- A risk acceptance is asked for with a rationale and an expiry (at most
  ``RISK_ACCEPTANCE_MAX_MONTHS`` ahead, on a business day); compliance or an admin other
  than the requester approves it (Art. 8(5)). While approved the finding is
  ``risk_accepted``: not escalated, reminded before the expiry; when the expiry passes the
  sweep sends it back to the status it had, and the escalation resumes.
"""
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.core import business_days, events
from vendorrisk.core.clock import add_months
from vendorrisk.core.db import any_row
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import StoredFile, User, utcnow
from vendorrisk.core.uploads import Upload
from vendorrisk.monitoring.findings import VERIFIERS, add_event
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.vendors import finding_texts
from vendorrisk.vendors.findings import Finding

APPROVERS = VERIFIERS  # compliance and admins decide on risk acceptances
ACCEPTABLE = ("open", "in_progress")
LONG_TEXT = 20000


def may_work_on(finding: Finding, user: User) -> bool:
    """The finding's owner, compliance and admins work on its remediation."""
    return user.role in VERIFIERS or (user.role != "auditor" and finding.owner_id == user.id)


def _workable(session: Session, finding: Finding, user: User) -> None:
    if not may_work_on(finding, user):
        raise Forbidden(_("Only the finding's owner or compliance may work on its remediation."))
    lock(session, finding)
    if finding.status == "closed":
        raise Conflict(_("A closed finding cannot be changed."))


def _text(data: dict, name: str, problems: list) -> str | None:
    if name not in data or data[name] is None:
        return None
    value = str(data[name]).strip()
    if len(value) > LONG_TEXT:
        problems.append({"field": name, "message": _("Keep it within 20,000 characters.")})
    return value


def update_remediation(session: Session, finding: Finding, user: User, data: dict) -> Finding:
    """Change the action plan and/or the vendor's response; each change is a step of the
    finding's history with the new text."""
    _workable(session, finding, user)
    problems: list[dict] = []
    plan, response = _text(data, "action_plan", problems), _text(data, "vendor_response", problems)
    if problems:
        raise ValidationFailed(_("The remediation has errors."), problems)
    if plan is not None and plan != finding.action_plan:
        finding.action_plan = plan
        add_event(session, finding, user, "plan", finding.status, finding.status, plan)
    if response is not None and response != finding.vendor_response:
        finding.vendor_response = response
        add_event(session, finding, user, "response", finding.status, finding.status, response)
    session.flush()
    return finding


def add_evidence(session: Session, finding: Finding, user: User, note: str = "",
                 upload: Upload | None = None) -> FindingEvidence:
    """Keep evidence of the remediation: a text, a file, or both."""
    from vendorrisk.core import storage
    _workable(session, finding, user)
    note = (note or "").strip()
    if not note and upload is None:
        raise ValidationFailed(_("Describe or attach the evidence."),
                               [{"field": "evidence", "message": _("Describe or attach the evidence.")}])
    if len(note) > LONG_TEXT:
        raise ValidationFailed(_("The evidence has errors."),
                               [{"field": "evidence", "message": _("Keep it within 20,000 characters.")}])
    file_id, filename = None, ""
    if upload is not None:
        stored, _dup = storage.store(session, upload, user.id)
        file_id, filename = stored.id, upload.filename[:300]
    evidence = FindingEvidence(finding_id=finding.id, note=note, file_id=file_id, filename=filename,
                               added_by_id=user.id)
    session.add(evidence)
    add_event(session, finding, user, "evidence", finding.status, finding.status,
              "\n".join(part for part in (note, filename) if part))
    session.flush()
    return evidence


def evidence_of(session: Session, finding_id: int):
    """The finding's evidence with who added it, oldest first."""
    return session.execute(select(FindingEvidence, User).outerjoin(User, User.id == FindingEvidence.added_by_id)
                           .where(FindingEvidence.finding_id == finding_id).order_by(FindingEvidence.id)).all()


def evidence_file(session: Session, finding_id: int, evidence_id: int) -> StoredFile:
    """The stored file of one piece of evidence of the finding, or ``NotFound``."""
    evidence = session.get(FindingEvidence, evidence_id)
    if evidence is None or evidence.finding_id != finding_id or evidence.file_id is None:
        raise NotFound(_("No such evidence file."))
    return session.get(StoredFile, evidence.file_id)


def has_evidence(session: Session, finding_id: int) -> bool:
    """Whether any evidence of the remediation was kept."""
    return session.execute(select(FindingEvidence.id).where(FindingEvidence.finding_id == finding_id)
                           .limit(1)).first() is not None


def acceptances_of(session: Session, finding_id: int) -> list[RiskAcceptance]:
    """The finding's risk acceptances, newest first."""
    return list(session.scalars(select(RiskAcceptance).where(RiskAcceptance.finding_id == finding_id)
                                .order_by(RiskAcceptance.id.desc())))


def open_acceptance(session: Session, finding_id: int) -> RiskAcceptance | None:
    """The request waiting for a decision, or the approval in force."""
    return session.scalars(select(RiskAcceptance).where(RiskAcceptance.finding_id == finding_id,
                                                        RiskAcceptance.status.in_(("requested", "approved")))
                           .order_by(RiskAcceptance.id.desc())).first()


def get_acceptance(session: Session, acceptance_id: int) -> RiskAcceptance:
    """A risk acceptance by id, or ``NotFound``."""
    found = session.get(RiskAcceptance, acceptance_id)
    if found is None:
        raise NotFound(_("Risk acceptance %(id)s does not exist.", id=acceptance_id))
    return found


def latest_expiry(today: date) -> date:
    """The furthest expiry a risk acceptance asked for today may have."""
    return add_months(today, current_app.config["RISK_ACCEPTANCE_MAX_MONTHS"])


def request_acceptance(session: Session, finding: Finding, user: User, data: dict, today: date) -> RiskAcceptance:
    """Ask for the finding's risk to be accepted until an expiry, with the reason."""
    _workable(session, finding, user)
    if finding.status not in ACCEPTABLE:
        raise Conflict(_("Only an open or in-progress finding's risk can be accepted."))
    if open_acceptance(session, finding.id) is not None:
        raise Conflict(_("A risk acceptance of this finding is already waiting for a decision or in force."))
    problems = []
    rationale = str(data.get("rationale") or "").strip()
    if not rationale:
        problems.append({"field": "rationale", "message": _("Say why the risk can be accepted.")})
    elif len(rationale) > LONG_TEXT:
        problems.append({"field": "rationale", "message": _("Keep it within 20,000 characters.")})
    expires = None
    try:
        raw = data.get("expires_on")
        expires = raw if isinstance(raw, date) else date.fromisoformat(str(raw or "").strip())
    except ValueError:
        problems.append({"field": "expires_on", "message": _("Enter a date as YYYY-MM-DD.")})
    if expires is not None:
        if expires <= today:
            problems.append({"field": "expires_on", "message": _("The expiry must be after today.")})
        elif expires > latest_expiry(today):
            problems.append({"field": "expires_on", "message": _(
                "A risk may be accepted for at most %(months)s months (until %(day)s).",
                months=current_app.config["RISK_ACCEPTANCE_MAX_MONTHS"], day=latest_expiry(today))})
    if problems:
        raise ValidationFailed(_("The risk acceptance has errors."), problems)
    moved = business_days.current().on_or_before(expires)
    if moved.day <= today:  # e.g. asked for tomorrow, a closed day: nothing is left before it
        raise ValidationFailed(_("The risk acceptance has errors."), [{"field": "expires_on", "message": _(
            "The expiry moves to the previous business day (%(note)s), which is not after today.",
            note=moved.note())}])
    acceptance = RiskAcceptance(finding_id=finding.id, rationale=rationale, expires_on=moved.day,
                                nominal_expires_on=moved.original if moved.moved else None,
                                finding_status=finding.status, requested_by_id=user.id)
    session.add(acceptance)
    add_event(session, finding, user, "acceptance_requested", finding.status, finding.status,
              note_key="acceptance_until_because", note_params={"day": moved.day.isoformat(), "rationale": rationale})
    session.flush()
    return acceptance


def decide_acceptance(session: Session, acceptance: RiskAcceptance, user: User, decision: str,
                      note: str = "") -> RiskAcceptance:
    """Approve or reject a requested risk acceptance: compliance or an admin, never the
    person who asked for it (Art. 8(5)); a rejection says why."""
    if user.role not in APPROVERS:
        raise Forbidden(_("Only compliance may approve or reject a risk acceptance."))
    if decision not in ("approve", "reject"):
        raise ValidationFailed(_("Choose approve or reject."),
                               [{"field": "decision", "message": _("Choose approve or reject.")}])
    # the finding first, then the acceptance: the order a person's move of the finding takes
    # (``end_acceptance``), so a decision and a move at once queue rather than deadlock
    finding = lock(session, session.get(Finding, acceptance.finding_id))
    lock(session, acceptance)
    if acceptance.status != "requested":
        raise Conflict(_("This risk acceptance was already decided."))
    if acceptance.requested_by_id == user.id:
        raise Forbidden(_("Mutual checks (Art. 8(5)): you asked for this risk acceptance, so another person "
                          "must approve or reject it."))
    note = (note or "").strip()[:5000]
    if decision == "reject" and not note:
        raise ValidationFailed(_("Give the reason for rejecting."),
                               [{"field": "note", "message": _("A reason is required.")}])
    acceptance.decided_by_id, acceptance.decided_at, acceptance.decision_note = user.id, utcnow(), note
    if decision == "approve":
        if finding.status not in ACCEPTABLE:
            raise Conflict(_("Only an open or in-progress finding's risk can be accepted."))
        acceptance.status = "approved"
        acceptance.finding_status, previous, finding.status = finding.status, finding.status, "risk_accepted"
        day = acceptance.expires_on.isoformat()
        add_event(session, finding, user, "acceptance_approved", previous, "risk_accepted",
                  note_key="acceptance_until_because" if note else "acceptance_until",
                  note_params={"day": day, "rationale": note} if note else {"day": day})
    else:
        acceptance.status = "rejected"
        add_event(session, finding, user, "acceptance_rejected", finding.status, finding.status, note)
    session.flush()
    return acceptance


def withdraw_acceptance(session: Session, acceptance: RiskAcceptance, user: User) -> RiskAcceptance:
    """Withdraw a request not yet decided (the requester, compliance or an admin)."""
    if user.id != acceptance.requested_by_id and user.role not in APPROVERS:
        raise Forbidden(_("Only the person who asked for it or compliance may withdraw a risk acceptance."))
    lock(session, acceptance)
    if acceptance.status != "requested":
        raise Conflict(_("This risk acceptance was already decided."))
    acceptance.status, acceptance.ended_at = "withdrawn", utcnow()
    finding = session.get(Finding, acceptance.finding_id)
    add_event(session, finding, user, "acceptance_withdrawn", finding.status, finding.status)
    session.flush()
    return acceptance


def end_acceptance(session: Session, finding: Finding, user: User | None, to_status: str) -> None:
    """A person moved the finding (called by ``findings.move_finding`` before the move): a
    risk-accepted finding moved on (remediated after all, or back to work) ends its
    acceptance; a finding resolved while a request waits for a decision ends the request, as
    the product's own closure does (``on_finding_settled``) — it asks to accept a risk its
    owner now reports remediated, and would otherwise stay on the approvers' list."""
    acceptance = open_acceptance(session, finding.id)
    if acceptance is None:
        return
    if acceptance.status == "approved" and finding.status == "risk_accepted":
        lock(session, acceptance)
        acceptance.status, acceptance.ended_at = "ended", utcnow()
        add_event(session, finding, user, "acceptance_ended", finding.status, to_status)
    elif acceptance.status == "requested" and to_status not in ACCEPTABLE:
        if lock(session, acceptance).status != "requested":  # decided or withdrawn meanwhile
            return
        acceptance.status, acceptance.ended_at = "ended", utcnow()
        add_event(session, finding, user, "acceptance_ended", finding.status, to_status,
                  finding_texts.event_note("request_ended_resolved"))


def on_finding_settled(session: Session, event: events.FindingSettled) -> None:
    """The product closed the finding (its gap is gone): an acceptance in force, or a request
    still waiting for a decision, ends with it (it accepts a risk no longer there), and the
    finding's history says why: the evidence that closed it."""
    acceptance = open_acceptance(session, event.finding_id)
    if acceptance is None or lock(session, acceptance).status not in ("requested", "approved"):
        return
    acceptance.status, acceptance.ended_at = "ended", utcnow()
    finding = session.get(Finding, event.finding_id)
    actor = session.get(User, event.actor_id) if event.actor_id is not None else None
    add_event(session, finding, actor, "acceptance_ended", event.previous_status, "closed", event.evidence)
    session.flush()


def expire_acceptances(session: Session, today: date) -> int:
    """Acceptances whose expiry passed: the finding returns to the status it had before, and
    its escalation resumes. Run by every sweep (ORM changes, so the audit trail has them);
    returns how many expired."""
    expired = 0
    passed = (RiskAcceptance.status == "approved", RiskAcceptance.expires_on < today)
    if not any_row(session, select(RiskAcceptance.id).where(*passed)):
        return 0  # nearly every sweep: loading no acceptances through the ORM costs more
    for acceptance in session.scalars(select(RiskAcceptance).where(*passed)).all():
        lock(session, acceptance)
        if acceptance.status != "approved":  # another sweep expired it meanwhile
            continue
        acceptance.status, acceptance.ended_at = "expired", utcnow()
        finding = lock(session, session.get(Finding, acceptance.finding_id))
        if finding.status == "risk_accepted":
            back_to = acceptance.finding_status if acceptance.finding_status in ACCEPTABLE else "open"
            finding.status = back_to
            add_event(session, finding, None, "acceptance_expired", "risk_accepted", back_to,
                      acceptance.expires_on.isoformat())
        expired += 1
    session.flush()
    return expired
