"""Selection assessments: draft -> submitted -> approved / rejected (Arts. 25(1), 8(5)).

The preparer scores each applicable criterion and submits; a *different* user approves or
rejects. The weighted score falls in a band (approve / approve with conditions / reject);
a criterion scored below its knock-out line forces the reject band. Approved and rejected
assessments are immutable; changes mean a new assessment. The vendor's status follows.
"""
from datetime import date

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from vendorrisk.core import audit, clock, events
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import User, utcnow
from vendorrisk.core.storage import store
from vendorrisk.core.uploads import Upload
from vendorrisk.selection import criteria as criteria_content
from vendorrisk.selection import risk_tier
from vendorrisk.selection.models import AssessmentEvidence, AssessmentScore, SelectionAssessment
from vendorrisk.vendors import antisocial
from vendorrisk.vendors.findings import english_title, raise_finding
from vendorrisk.vendors.models import Vendor

OPEN_STATUSES = ("draft", "submitted")
VENDOR_STATUS_FOR = {"approve": "approved", "approve_with_conditions": "conditionally_approved",
                     "reject": "rejected"}
EVIDENCE_KINDS = {"pdf", "docx", "xlsx", "pptx", "txt", "md", "png", "jpeg", "csv"}


def bands() -> dict:
    """The decision bands in force (percent of the weighted maximum)."""
    config = current_app.config if has_app_context() else {}
    return {"approve": float(config.get("SELECTION_APPROVE_PERCENT", 75)),
            "conditions": float(config.get("SELECTION_CONDITIONS_PERCENT", 55))}


def get_assessment(session: Session, assessment_id: int) -> SelectionAssessment:
    """An assessment by id, or ``NotFound``."""
    assessment = session.get(SelectionAssessment, assessment_id)
    if assessment is None:
        raise NotFound(_("Assessment %(id)s does not exist.", id=assessment_id))
    return assessment


def create_assessment(session: Session, *, vendor_id: int, user: User) -> SelectionAssessment:
    """Start a draft for a vendor with the applicable criteria of the latest sets (snapshotted)."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise ValidationFailed(_("Choose an existing vendor."),
                               [{"field": "vendor_id", "message": _("Vendor %(id)s does not exist.", id=vendor_id)}])
    open_one = session.exec(select(SelectionAssessment.id).where(
        SelectionAssessment.vendor_id == vendor_id,
        SelectionAssessment.status.in_(OPEN_STATUSES))).first()
    if open_one is not None:
        raise Conflict(_("Assessment %(id)s of this vendor is still open; finish it first.", id=open_one),
                       {"assessment_id": open_one})
    facts = risk_tier.vendor_facts(session, [vendor_id])[vendor_id]
    applicability = {k: facts[k] for k in ("cloud", "important", "user_data", "system_subsidiary")}
    snap = criteria_content.snapshot(applicability)
    if not snap["criteria"]:
        raise ValidationFailed(_("No selection criteria apply; check questionnaires/selection/."))
    snap["bands"] = bands()
    assessment = SelectionAssessment(
        vendor_id=vendor_id, prepared_by_id=user.id, criteria_snapshot=snap,
        criteria_hash=criteria_content.snapshot_hash(snap), vendor_facts=applicability,
        criteria_versions=", ".join(f"{s['key']} v{s['version']}" for s in snap["sets"]))
    session.add(assessment)
    session.flush()
    return assessment


def criteria_of(assessment: SelectionAssessment) -> list[dict]:
    """The criteria the assessment is scored with, from its snapshot (never from the files)."""
    return assessment.criteria_snapshot.get("criteria", [])


def scores_of(session: Session, assessment_id: int) -> dict[str, AssessmentScore]:
    """The assessment's scores by criterion id."""
    rows = session.exec(select(AssessmentScore).where(AssessmentScore.assessment_id == assessment_id))
    return {row.criterion_id: row for row in rows}


def evidence_of(session: Session, assessment_id: int) -> dict[str, list]:
    """The evidence files per criterion id: ``[(AssessmentEvidence, StoredFile), ...]``."""
    from vendorrisk.core.models import StoredFile
    rows = session.exec(select(AssessmentEvidence, StoredFile)
                        .join(StoredFile, StoredFile.id == AssessmentEvidence.file_id)
                        .where(AssessmentEvidence.assessment_id == assessment_id)
                        .order_by(AssessmentEvidence.id))
    grouped: dict[str, list] = {}
    for evidence, stored in rows:
        grouped.setdefault(evidence.criterion_id, []).append((evidence, stored))
    return grouped


def evaluate(snapshot: dict, scores: dict[str, int | None]) -> dict:
    """Weighted total (percent), knock-outs, missing required criteria and the band."""
    weight_total = achieved = 0.0
    knockouts, missing = [], []
    for criterion in snapshot.get("criteria", []):
        value = scores.get(criterion["id"])
        if value is None:
            if criterion.get("required", True):
                missing.append(criterion["id"])
            continue
        low, high = criterion["scale"][0]["score"], criterion["scale"][-1]["score"]
        weight_total += criterion["weight"]
        achieved += criterion["weight"] * (value - low) / (high - low)
        if criterion.get("knockout_below") is not None and value < criterion["knockout_below"]:
            knockouts.append(criterion["id"])
    percent = round(100 * achieved / weight_total, 1) if weight_total else None
    limits = snapshot.get("bands") or bands()
    if knockouts or percent is None or percent < limits["conditions"]:
        band = "reject"
    elif percent < limits["approve"]:
        band = "approve_with_conditions"
    else:
        band = "approve"
    return {"percent": percent, "knockouts": knockouts, "missing": missing, "band": band}


def _editable(assessment: SelectionAssessment, user: User) -> None:
    lock(object_session(assessment), assessment)  # the latest committed state; writers queue
    if assessment.status != "draft":
        raise Conflict(_("Assessment %(id)s is %(status)s; it can no longer be changed. Start a new "
                         "assessment to change the evaluation.", id=assessment.id, status=_(assessment.status)))
    if user.id != assessment.prepared_by_id:
        raise Forbidden(_("Only the preparer of this assessment can change it."))


def _conditions(raw) -> list[dict]:
    items, details = [], []
    for index, entry in enumerate(raw or []):
        text = (entry.get("text") if isinstance(entry, dict) else entry) or ""
        text = str(text).strip()
        due = entry.get("due_date") if isinstance(entry, dict) else None
        if not text:
            continue
        if due:
            try:
                due = date.fromisoformat(str(due)).isoformat()
            except ValueError:
                details.append({"field": f"conditions[{index}].due_date",
                                "message": _("%(value)s is not a date (YYYY-MM-DD).", value=repr(due))})
        items.append({"text": text[:500], "due_date": due or None})
    if details:
        raise ValidationFailed(_("The conditions are invalid; nothing was saved."), details)
    return items


def _as_score(raw) -> int | str | None:
    """An integer score from form or JSON input; None when blank; the raw text when not an integer."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    return str(raw)


def save_scores(session: Session, assessment: SelectionAssessment, *, user: User,
                scores: list[dict], summary: str | None = None,
                conditions: list | None = None) -> SelectionAssessment:
    """Record scores and comments (all or nothing); a score must lie on the criterion's scale."""
    _editable(assessment, user)
    by_id = {c["id"]: c for c in criteria_of(assessment)}
    details, clean = [], []
    for index, entry in enumerate(scores):
        cid = entry.get("criterion_id") if isinstance(entry, dict) else None
        criterion = by_id.get(cid)
        if criterion is None:
            details.append({"field": f"scores[{index}].criterion_id",
                            "message": _("%(criterion)s is not a criterion of this assessment.",
                                         criterion=repr(cid))})
            continue
        value = _as_score(entry.get("score"))
        if value is not None:
            levels = [level["score"] for level in criterion["scale"]]
            if value not in levels:
                details.append({"field": cid, "message": _(
                    "Score %(score)s for %(criterion)s is outside its scale %(low)s-%(high)s.",
                    score=repr(entry.get("score")), criterion=cid, low=levels[0], high=levels[-1])})
                continue
        comment = str(entry.get("comment") or "").strip()
        if len(comment) > 5000:
            details.append({"field": cid, "message": _("The comment for %(criterion)s is longer than 5000 characters.",
                                                        criterion=cid)})
            continue
        clean.append((cid, value, comment))
    if details:
        raise ValidationFailed(_("Some scores are invalid; nothing was saved."), details)
    existing = scores_of(session, assessment.id)
    for cid, value, comment in clean:
        row = existing.get(cid) or AssessmentScore(assessment_id=assessment.id, criterion_id=cid)
        row.score, row.comment = value, comment
        session.add(row)
    if summary is not None:
        assessment.summary = summary.strip()[:10000]
    if conditions is not None:
        assessment.conditions = _conditions(conditions)
    _refresh_totals(session, assessment)
    return assessment


def _refresh_totals(session: Session, assessment: SelectionAssessment) -> dict:
    session.flush()
    result = evaluate(assessment.criteria_snapshot,
                      {cid: row.score for cid, row in scores_of(session, assessment.id).items()})
    assessment.total_percent = result["percent"]
    assessment.recommendation = result["band"]
    assessment.knockouts = result["knockouts"]
    session.add(assessment)
    session.flush()
    return result


def add_evidence(session: Session, assessment: SelectionAssessment, *, user: User, criterion_id: str,
                 upload: Upload) -> AssessmentEvidence:
    """Attach an inspected upload as evidence for one criterion of a draft."""
    _editable(assessment, user)
    if criterion_id not in {c["id"] for c in criteria_of(assessment)}:
        raise ValidationFailed(_("%(criterion)s is not a criterion of this assessment.", criterion=repr(criterion_id)),
                               [{"field": "criterion_id", "message": _("Unknown criterion.")}])
    stored, _duplicate = store(session, upload, user.id)
    evidence = AssessmentEvidence(assessment_id=assessment.id, criterion_id=criterion_id,
                                  file_id=stored.id, uploaded_by_id=user.id)
    session.add(evidence)
    session.flush()
    return evidence


def submit(session: Session, assessment: SelectionAssessment, *, user: User) -> SelectionAssessment:
    """Submit a complete draft for approval; the vendor becomes ``under_assessment``."""
    _editable(assessment, user)
    result = _refresh_totals(session, assessment)
    details = [{"field": cid, "message": _("Criterion %(criterion)s is required and has no score.", criterion=cid)}
               for cid in result["missing"]]
    if result["band"] == "approve_with_conditions" and not assessment.conditions:
        details.append({"field": "conditions", "message": _("The score falls in the 'approve with "
                        "conditions' band: record at least one condition.")})
    if details:
        raise ValidationFailed(_("The assessment is incomplete and was not submitted."), details)
    assessment.status = "submitted"
    assessment.submitted_at = utcnow()
    session.add(assessment)
    _set_vendor_status(session, assessment.vendor_id, "under_assessment")
    audit.add_event(session, action="submit", entity="selection_assessment", entity_id=assessment.id,
                    after={"total_percent": assessment.total_percent,
                           "recommendation": assessment.recommendation})
    session.flush()
    return assessment


def _decidable(assessment: SelectionAssessment, user: User) -> None:
    # Decide on the latest committed state, holding the row: of concurrent decisions the
    # first wins and the others find it decided (409), on PostgreSQL as on SQLite.
    lock(object_session(assessment), assessment)
    if assessment.status != "submitted":
        raise Conflict(_("Assessment %(id)s is %(status)s; only a submitted assessment can be approved "
                         "or rejected.", id=assessment.id, status=_(assessment.status)))
    if user.id == assessment.prepared_by_id:
        raise Forbidden(_("The preparer cannot approve or reject their own assessment "
                          "(mutual check, Art. 8(5)); another user must decide."))


def _set_vendor_status(session: Session, vendor_id: int, status: str) -> None:
    vendor = lock(session, session.get(Vendor, vendor_id))
    vendor.status = status
    session.add(vendor)


def approval_blockers(session: Session, assessment: SelectionAssessment) -> list[dict]:
    """Why approving the assessment would be refused as the data stand, each ``{"message",
    "antisocial"}`` (empty: nothing stands in the way), for the approver to read before
    pressing Approve."""
    reasons = []
    if assessment.recommendation == "reject":
        reasons.append({"message": _("The score falls in the reject band; reject the assessment instead."),
                        "antisocial": False})
    try:
        antisocial.require_current_check(session, session.get(Vendor, assessment.vendor_id))
    except Conflict as exc:
        reasons.append({"message": exc.message, "antisocial": True})
    return reasons


def approve(session: Session, assessment: SelectionAssessment, *, user: User, note: str = "") -> SelectionAssessment:
    """Approve a submitted assessment (by someone other than the preparer).

    The decision is the score's band; conditions become findings to follow up.
    """
    _decidable(assessment, user)
    if assessment.recommendation == "reject":
        if assessment.knockouts:
            raise Conflict(_("The score falls in the reject band (knock-out: %(criteria)s); reject the "
                             "assessment instead.", criteria=", ".join(assessment.knockouts)))
        raise Conflict(_("The score falls in the reject band; reject the assessment instead."))
    antisocial.require_current_check(session, session.get(Vendor, assessment.vendor_id))  # 反社 rule
    assessment.status = "approved"
    assessment.decision = assessment.recommendation
    _decide(session, assessment, user, note)
    if assessment.decision == "approve_with_conditions":
        updated = []
        for index, condition in enumerate(assessment.conditions):
            due = date.fromisoformat(condition["due_date"]) if condition.get("due_date") else None
            finding, _created = raise_finding(
                session, vendor_id=assessment.vendor_id, source="assessment",
                source_ref=f"selection_assessment:{assessment.id}:condition:{index + 1}",
                title=english_title("selection_condition", {"condition": condition["text"]}),
                title_key="selection_condition", title_params={"condition": condition["text"]},
                due_date=due, raised_by_id=user.id, description_key="selection_condition",
                description_params={"day": clock.today().isoformat()})
            updated.append(dict(condition, finding_id=finding.id))
        assessment.conditions = updated
    session.flush()
    return assessment


def reject(session: Session, assessment: SelectionAssessment, *, user: User, note: str) -> SelectionAssessment:
    """Reject a submitted assessment; the reason is required and the vendor becomes ``rejected``."""
    _decidable(assessment, user)
    if not (note or "").strip():
        raise ValidationFailed(_("Give the reason for rejecting."),
                               [{"field": "note", "message": _("A reason is required.")}])
    assessment.status = "rejected"
    assessment.decision = "reject"
    _decide(session, assessment, user, note)
    session.flush()
    return assessment


def _decide(session: Session, assessment: SelectionAssessment, user: User, note: str) -> None:
    assessment.decided_by_id = user.id
    assessment.decided_at = utcnow()
    assessment.decision_note = (note or "").strip()[:5000]
    session.add(assessment)
    _set_vendor_status(session, assessment.vendor_id, VENDOR_STATUS_FOR[assessment.decision])
    audit.add_event(session, action={"approved": "approve", "rejected": "reject"}[assessment.status],
                    entity="selection_assessment", entity_id=assessment.id,
                    after={"decision": assessment.decision, "prepared_by_id": assessment.prepared_by_id,
                           "decided_by_id": user.id})
    session.flush()
    risk_tier.recompute(session, [assessment.vendor_id])
    events.publish(session, events.AssessmentDecided(assessment.vendor_id, assessment.id, assessment.decision))


def vendor_history(session: Session, vendor_id: int) -> list[SelectionAssessment]:
    """A vendor's assessments, newest first."""
    return list(session.exec(select(SelectionAssessment).where(SelectionAssessment.vendor_id == vendor_id)
                             .order_by(SelectionAssessment.id.desc())))


def latest_decided(session: Session, vendor_id: int) -> SelectionAssessment | None:
    """The vendor's latest approved assessment, else its latest decided or submitted one."""
    rows = session.exec(select(SelectionAssessment).where(
        SelectionAssessment.vendor_id == vendor_id,
        SelectionAssessment.status.in_(("approved", "rejected", "submitted")))
        .order_by(SelectionAssessment.id.desc())).all()
    return next((a for a in rows if a.status == "approved"), rows[0] if rows else None)
