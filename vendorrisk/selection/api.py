"""Selection API: criteria sets, assessments (create, score, submit, approve, reject), vendor history."""
from datetime import date
from typing import Literal, Optional

from flask import Blueprint, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import PageQuery, Public, columns, json_body, operation, page_of
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.selection import criteria as criteria_content
from vendorrisk.selection import risk_tier
from vendorrisk.selection import service as selection
from vendorrisk.selection.models import ASSESSMENT_STATUSES, RiskTierOverride, SelectionAssessment
from vendorrisk.vendors.models import RISK_TIERS
from vendorrisk.vendors.service import get_vendor

bp = Blueprint("api_selection", __name__, url_prefix="/api/v1/selection")
PREPARERS = ("compliance", "procurement")
APPROVERS = ("compliance",)


class CriteriaSetListed(Public):
    """A version of a criteria set."""

    key: str
    version: int
    title: dict[str, str]
    sha256: str
    path: str
    criteria_count: int


class CriteriaSetPublic(CriteriaSetListed):
    """A version of a criteria set with its description and criteria."""

    description: dict[str, str]
    criteria: list[dict]


class CriteriaSetList(Public):
    """Every version of every criteria set."""

    items: list[CriteriaSetListed]


class EvidenceFile(Public):
    """A file attached as evidence for a criterion."""

    id: int
    filename: str
    sha256: str


class AssessedCriterion(Public):
    """A criterion as scored (its other keys are those of the criteria file)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={})
    id: str
    score: Optional[int]
    comment: str
    evidence: list[EvidenceFile]


class AssessmentPublic(columns(SelectionAssessment, exclude=("criteria_snapshot",))):
    """The assessment; with its criteria, scores, bands and criteria sets when one is read or changed."""

    criteria: list[AssessedCriterion] = Field(default_factory=list)
    bands: Optional[dict] = None
    criteria_sets: Optional[list[dict]] = None


AssessmentPage = page_of(AssessmentPublic, "AssessmentPage")


class RiskTierOverridePublic(columns(RiskTierOverride)):
    """A manual override of a vendor's computed risk tier (``tier`` null ends it)."""


class RiskTierFactor(Public):
    """A reason for points towards the computed tier."""

    code: str
    points: int
    detail: str


class RiskTierExplained(Public):
    """The effective tier, the computed one and why, and the overrides."""

    effective: Optional[str]
    computed: str
    points: int
    facts: dict
    factors: list[RiskTierFactor]
    override: Optional[RiskTierOverridePublic]
    override_history: list[RiskTierOverridePublic]


class VendorSelection(Public):
    """A vendor's risk tier and assessment history."""

    vendor_id: int
    status: str
    risk_tier: RiskTierExplained
    assessments: list[AssessmentPublic]


class AssessmentQuery(PageQuery):
    """Filters of the assessment list."""

    vendor_id: Optional[int] = None
    status: Optional[Literal[ASSESSMENT_STATUSES]] = None


class AssessmentCreate(BaseModel):
    """A draft assessment of a vendor."""

    vendor_id: int


class ScoreInput(BaseModel):
    """A criterion's score (null clears it) and comment."""

    criterion_id: str
    score: Optional[int] = None
    comment: str = ""


class ConditionInput(BaseModel):
    """A follow-up condition proposed by the preparer."""

    text: str
    due_date: Optional[date] = None


class ScoresUpdate(BaseModel):
    """Scores of a draft (all stored or none), and optionally its summary and conditions."""

    scores: list[ScoreInput] = []
    summary: Optional[str] = None
    conditions: Optional[list[ConditionInput]] = None


class DecisionNote(BaseModel):
    """The approver's note (a reason is required to reject)."""

    note: str = ""


class RiskTierOverrideCreate(BaseModel):
    """A manual risk tier with its reason; ``tier`` null ends the override."""

    tier: Optional[Literal[RISK_TIERS]] = None
    reason: str


def _set_json(item: criteria_content.CriteriaSet, full: bool = False) -> dict:
    return (CriteriaSetPublic if full else CriteriaSetListed).dump(item, criteria_count=len(item.criteria))


def _assessment_json(assessment: SelectionAssessment, full: bool = False) -> dict:
    if not full:
        return AssessmentPublic.dump(assessment)
    db = get_session()
    scores = selection.scores_of(db, assessment.id)
    evidence = selection.evidence_of(db, assessment.id)
    criteria = [
        {**c, "score": scores[c["id"]].score if c["id"] in scores else None,
         "comment": scores[c["id"]].comment if c["id"] in scores else "",
         "evidence": [EvidenceFile.dump(e, filename=f.original_filename, sha256=f.sha256)
                      for e, f in evidence.get(c["id"], [])]}
        for c in selection.criteria_of(assessment)]
    return AssessmentPublic.dump(assessment, criteria=criteria, bands=assessment.criteria_snapshot.get("bands"),
                                 criteria_sets=assessment.criteria_snapshot.get("sets"))


@bp.get("/criteria-sets")
@allow(*ALL_ROLES)
@operation("listSelectionCriteriaSets", "Criteria sets and versions", ok=CriteriaSetList)
def list_sets():
    """Every version of every criteria set."""
    return jsonify(CriteriaSetList.dump(items=[_set_json(s) for s in criteria_content.criteria_sets()]))


@bp.get("/criteria-sets/<key>/<int:version>")
@allow(*ALL_ROLES)
@operation("getSelectionCriteriaSet", "One version of a criteria set", ok=CriteriaSetPublic, errors=(404,))
def get_set(key, version):
    """One version of a criteria set with its criteria."""
    return jsonify(_set_json(criteria_content.get_set(key, version), full=True))


@bp.get("/assessments")
@allow(*ALL_ROLES)
@operation("listSelectionAssessments", "List assessments", ok=AssessmentPage, query=AssessmentQuery, errors=(422,))
def list_assessments():
    """Assessments, newest first; filter by ``vendor_id`` and ``status``."""
    from sqlmodel import select
    query = select(SelectionAssessment).order_by(SelectionAssessment.id.desc())
    vendor_id = request.args.get("vendor_id", type=int)
    status = request.args.get("status", "")
    if vendor_id:
        query = query.where(SelectionAssessment.vendor_id == vendor_id)
    if status:
        if status not in ASSESSMENT_STATUSES:
            raise ValidationFailed(f"Unknown status {status!r}.", [{"field": "status", "message": "Unknown status."}])
        query = query.where(SelectionAssessment.status == status)
    page = paginate(get_session(), query, request.args.get("page", 1, type=int),
                    request.args.get("per_page", 50, type=int))
    return jsonify(AssessmentPage.dump(page))


@bp.post("/assessments")
@allow(*PREPARERS)
@operation("createSelectionAssessment", "Start a draft assessment", ok=AssessmentPublic, status=201,
           body=AssessmentCreate, errors=(404, 409))
def create_assessment():
    """Start a draft assessment of a vendor."""
    body = json_body()
    vendor_id = body.get("vendor_id")
    if not isinstance(vendor_id, int) or isinstance(vendor_id, bool):
        raise ValidationFailed("vendor_id must be an integer.", [{"field": "vendor_id", "message": "Required integer."}])
    db = get_session()
    assessment = selection.create_assessment(db, vendor_id=vendor_id, user=g.user)
    db.commit()
    return jsonify(_assessment_json(assessment, full=True)), 201


@bp.get("/assessments/<int:assessment_id>")
@allow(*ALL_ROLES)
@operation("getSelectionAssessment", "An assessment with criteria and scores", ok=AssessmentPublic, errors=(404,))
def get_assessment(assessment_id):
    """An assessment with its criteria, scores, comments and evidence."""
    return jsonify(_assessment_json(selection.get_assessment(get_session(), assessment_id), full=True))


@bp.put("/assessments/<int:assessment_id>/scores")
@allow(*PREPARERS)
@operation("putSelectionScores", "Record scores of a draft (all or nothing)", ok=AssessmentPublic,
           body=ScoresUpdate, errors=(404, 409))
def put_scores(assessment_id):
    """Record scores (all or nothing) and optionally the summary and conditions of a draft."""
    body = json_body()
    scores = body.get("scores", [])
    conditions = body.get("conditions")
    if not isinstance(scores, list) or (conditions is not None and not isinstance(conditions, list)):
        raise ValidationFailed("scores and conditions must be lists.")
    db = get_session()
    assessment = selection.get_assessment(db, assessment_id)
    selection.save_scores(db, assessment, user=g.user, scores=scores, summary=body.get("summary"),
                          conditions=conditions)
    db.commit()
    return jsonify(_assessment_json(assessment, full=True))


@bp.post("/assessments/<int:assessment_id>/submit")
@allow(*PREPARERS)
@operation("submitSelectionAssessment", "Submit a draft for approval", ok=AssessmentPublic,
           errors=(404, 409, 422))
def submit(assessment_id):
    """Submit a complete draft for approval."""
    db = get_session()
    assessment = selection.submit(db, selection.get_assessment(db, assessment_id), user=g.user)
    db.commit()
    return jsonify(_assessment_json(assessment))


def _decide(decision, assessment_id):
    db = get_session()
    note = str(json_body().get("note", ""))
    assessment = decision(db, selection.get_assessment(db, assessment_id), user=g.user, note=note)
    db.commit()
    return jsonify(_assessment_json(assessment))


@bp.post("/assessments/<int:assessment_id>/approve")
@allow(*APPROVERS)
@operation("approveSelectionAssessment", "Approve (not by the preparer, Art. 8(5))", ok=AssessmentPublic,
           body=DecisionNote, body_required=False, errors=(404, 409))
def approve(assessment_id):
    """Approve a submitted assessment; the approver must not be the preparer."""
    return _decide(selection.approve, assessment_id)


@bp.post("/assessments/<int:assessment_id>/reject")
@allow(*APPROVERS)
@operation("rejectSelectionAssessment", "Reject with a reason", ok=AssessmentPublic, body=DecisionNote,
           body_required=False, errors=(404, 409))
def reject(assessment_id):
    """Reject a submitted assessment with a reason; the vendor becomes rejected."""
    return _decide(selection.reject, assessment_id)


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
@operation("getVendorSelection", "A vendor's risk tier and assessment history", ok=VendorSelection, errors=(404,))
def vendor_selection(vendor_id):
    """A vendor's risk tier (facts, factors, override) and assessment history."""
    db = get_session()
    vendor = get_vendor(db, vendor_id)
    tier = risk_tier.explain(db, vendor_id)
    return jsonify(VendorSelection.dump(
        vendor_id=vendor_id, status=vendor.status,
        risk_tier=RiskTierExplained.dump(
            tier, factors=[{"code": c, "points": p, "detail": d} for c, p, d in tier["factors"]],
            override_history=tier["history"]),
        assessments=selection.vendor_history(db, vendor_id)))


@bp.post("/vendors/<int:vendor_id>/risk-tier-override")
@allow(*APPROVERS)
@operation("overrideVendorRiskTier", "Override the computed risk tier with a reason", ok=RiskTierOverridePublic,
           status=201, body=RiskTierOverrideCreate, errors=(404,))
def override(vendor_id):
    """Override a vendor's computed risk tier (``tier`` null clears it); ``reason`` is required."""
    body = json_body()
    db = get_session()
    tier = body.get("tier")
    row = risk_tier.set_override(db, vendor_id, tier=tier if tier else None, reason=str(body.get("reason") or ""),
                                 user_id=g.user.id)
    db.commit()
    return jsonify(RiskTierOverridePublic.dump(row)), 201
