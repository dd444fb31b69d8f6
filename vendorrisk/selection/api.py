"""Selection API: criteria sets, assessments (create, score, submit, approve, reject), vendor history."""
from flask import Blueprint, g, jsonify, request

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_body, json_response, to_dict
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.selection import criteria as criteria_content
from vendorrisk.selection import risk_tier
from vendorrisk.selection import service as selection
from vendorrisk.selection.models import ASSESSMENT_STATUSES, SelectionAssessment
from vendorrisk.vendors.service import get_vendor

bp = Blueprint("api_selection", __name__, url_prefix="/api/v1/selection")
PREPARERS = ("compliance", "procurement")
APPROVERS = ("compliance",)


def _set_json(item: criteria_content.CriteriaSet, full: bool = False) -> dict:
    data = {"key": item.key, "version": item.version, "title": item.title, "sha256": item.sha256,
            "path": item.path, "criteria_count": len(item.criteria)}
    if full:
        data.update(description=item.description, criteria=item.criteria)
    return data


def _assessment_json(assessment: SelectionAssessment, full: bool = False) -> dict:
    data = to_dict(assessment, exclude={"criteria_snapshot"})
    if full:
        db = get_session()
        scores = selection.scores_of(db, assessment.id)
        evidence = selection.evidence_of(db, assessment.id)
        data["criteria"] = [
            {**c, "score": scores[c["id"]].score if c["id"] in scores else None,
             "comment": scores[c["id"]].comment if c["id"] in scores else "",
             "evidence": [{"id": e.id, "filename": f.original_filename, "sha256": f.sha256}
                          for e, f in evidence.get(c["id"], [])]}
            for c in selection.criteria_of(assessment)]
        data["bands"] = assessment.criteria_snapshot.get("bands")
        data["criteria_sets"] = assessment.criteria_snapshot.get("sets")
    return data


@bp.get("/criteria-sets")
@allow(*ALL_ROLES)
def list_sets():
    """Every version of every criteria set."""
    return jsonify({"items": [_set_json(s) for s in criteria_content.criteria_sets()]})


@bp.get("/criteria-sets/<key>/<int:version>")
@allow(*ALL_ROLES)
def get_set(key, version):
    """One version of a criteria set with its criteria."""
    return jsonify(_set_json(criteria_content.get_set(key, version), full=True))


@bp.get("/assessments")
@allow(*ALL_ROLES)
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
    return jsonify({"items": [_assessment_json(a) for a in page.items], "page": page.page,
                    "per_page": page.per_page, "total": page.total})


@bp.post("/assessments")
@allow(*PREPARERS)
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
def get_assessment(assessment_id):
    """An assessment with its criteria, scores, comments and evidence."""
    return jsonify(_assessment_json(selection.get_assessment(get_session(), assessment_id), full=True))


@bp.put("/assessments/<int:assessment_id>/scores")
@allow(*PREPARERS)
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
def approve(assessment_id):
    """Approve a submitted assessment; the approver must not be the preparer."""
    return _decide(selection.approve, assessment_id)


@bp.post("/assessments/<int:assessment_id>/reject")
@allow(*APPROVERS)
def reject(assessment_id):
    """Reject a submitted assessment with a reason; the vendor becomes rejected."""
    return _decide(selection.reject, assessment_id)


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
def vendor_selection(vendor_id):
    """A vendor's risk tier (facts, factors, override) and assessment history."""
    db = get_session()
    vendor = get_vendor(db, vendor_id)
    tier = risk_tier.explain(db, vendor_id)
    return jsonify({
        "vendor_id": vendor_id, "status": vendor.status,
        "risk_tier": {"effective": tier["effective"], "computed": tier["computed"], "points": tier["points"],
                      "facts": tier["facts"],
                      "factors": [{"code": c, "points": p, "detail": d} for c, p, d in tier["factors"]],
                      "override": to_dict(tier["override"]) if tier["override"] else None,
                      "override_history": [to_dict(o) for o in tier["history"]]},
        "assessments": [_assessment_json(a) for a in selection.vendor_history(db, vendor_id)]})


@bp.post("/vendors/<int:vendor_id>/risk-tier-override")
@allow(*APPROVERS)
def override(vendor_id):
    """Override a vendor's computed risk tier (``tier`` null clears it); ``reason`` is required."""
    body = json_body()
    db = get_session()
    tier = body.get("tier")
    row = risk_tier.set_override(db, vendor_id, tier=tier if tier else None, reason=str(body.get("reason") or ""),
                                 user_id=g.user.id)
    db.commit()
    return jsonify(to_dict(row)), 201


_ID = {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_VENDOR = {"name": "vendor_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ASSESSMENT = {"$ref": "#/components/schemas/SelectionAssessment"}
_NOTE_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"note": {"type": "string"}}}}}}


def _op(summary, op_id, ok, errors, params=(), body=None, status="200"):
    operation = {"summary": summary, "operationId": op_id, "tags": ["selection"],
                 "responses": {status: ok, **error_responses(*errors)}}
    if params:
        operation["parameters"] = list(params)
    if body:
        operation["requestBody"] = body
    return operation


OPENAPI = {
    "paths": {
        "/api/v1/selection/criteria-sets": {"get": _op(
            "Criteria sets and versions", "listSelectionCriteriaSets",
            json_response("Sets", {"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/SelectionCriteriaSet"}}}}), (401,))},
        "/api/v1/selection/criteria-sets/{key}/{version}": {"get": _op(
            "One version of a criteria set", "getSelectionCriteriaSet",
            json_response("The set with its criteria", {"$ref": "#/components/schemas/SelectionCriteriaSet"}),
            (401, 404), [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
                         {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}}])},
        "/api/v1/selection/assessments": {
            "get": _op("List assessments", "listSelectionAssessments",
                       json_response("A page of assessments", {"type": "object", "properties": {
                           "items": {"type": "array", "items": _ASSESSMENT}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "total": {"type": "integer"}}}), (401, 422),
                       [{"name": "vendor_id", "in": "query", "schema": {"type": "integer"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(ASSESSMENT_STATUSES)}},
                        {"name": "page", "in": "query", "schema": {"type": "integer"}},
                        {"name": "per_page", "in": "query", "schema": {"type": "integer"}}]),
            "post": _op("Start a draft assessment", "createSelectionAssessment",
                        json_response("The draft", _ASSESSMENT), (400, 401, 403, 409, 422),
                        body={"required": True, "content": {"application/json": {"schema": {
                            "type": "object", "required": ["vendor_id"],
                            "properties": {"vendor_id": {"type": "integer"}}}}}}, status="201")},
        "/api/v1/selection/assessments/{assessment_id}": {"get": _op(
            "An assessment with criteria and scores", "getSelectionAssessment",
            json_response("The assessment", _ASSESSMENT), (401, 404), [_ID])},
        "/api/v1/selection/assessments/{assessment_id}/scores": {"put": _op(
            "Record scores of a draft (all or nothing)", "putSelectionScores",
            json_response("The assessment", _ASSESSMENT), (400, 401, 403, 404, 409, 422), [_ID],
            {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "scores": {"type": "array", "items": {"type": "object", "required": ["criterion_id"], "properties": {
                        "criterion_id": {"type": "string"}, "score": {"type": ["integer", "null"]},
                        "comment": {"type": "string"}}}},
                    "summary": {"type": "string"},
                    "conditions": {"type": "array", "items": {"type": "object", "required": ["text"], "properties": {
                        "text": {"type": "string"}, "due_date": {"type": ["string", "null"], "format": "date"}}}}}}}}})},
        "/api/v1/selection/assessments/{assessment_id}/submit": {"post": _op(
            "Submit a draft for approval", "submitSelectionAssessment",
            json_response("The assessment", _ASSESSMENT), (401, 403, 404, 409, 422), [_ID])},
        "/api/v1/selection/assessments/{assessment_id}/approve": {"post": _op(
            "Approve (not by the preparer, Art. 8(5))", "approveSelectionAssessment",
            json_response("The assessment", _ASSESSMENT), (400, 401, 403, 404, 409), [_ID], _NOTE_BODY)},
        "/api/v1/selection/assessments/{assessment_id}/reject": {"post": _op(
            "Reject with a reason", "rejectSelectionAssessment",
            json_response("The assessment", _ASSESSMENT), (400, 401, 403, 404, 409, 422), [_ID], _NOTE_BODY)},
        "/api/v1/selection/vendors/{vendor_id}": {"get": _op(
            "A vendor's risk tier and assessment history", "getVendorSelection",
            json_response("Tier and history", {"type": "object", "properties": {
                "vendor_id": {"type": "integer"}, "status": {"type": "string"},
                "risk_tier": {"type": "object"}, "assessments": {"type": "array", "items": _ASSESSMENT}}}),
            (401, 404), [_VENDOR])},
        "/api/v1/selection/vendors/{vendor_id}/risk-tier-override": {"post": _op(
            "Override the computed risk tier with a reason", "overrideVendorRiskTier",
            json_response("The override row", {"type": "object"}), (400, 401, 403, 404, 422), [_VENDOR],
            {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"], "properties": {
                    "tier": {"type": ["string", "null"], "enum": ["critical", "high", "medium", "low", None]},
                    "reason": {"type": "string"}}}}}}, status="201")},
    },
    "components": {"schemas": {
        "SelectionCriteriaSet": {"type": "object", "properties": {
            "key": {"type": "string"}, "version": {"type": "integer"}, "title": {"type": "object"},
            "sha256": {"type": "string"}, "path": {"type": "string"}, "criteria_count": {"type": "integer"},
            "criteria": {"type": "array", "items": {"type": "object"}}}},
        "SelectionAssessment": {"type": "object", "properties": {
            "id": {"type": "integer"}, "vendor_id": {"type": "integer"},
            "status": {"type": "string", "enum": list(ASSESSMENT_STATUSES)},
            "criteria_hash": {"type": "string"}, "criteria_versions": {"type": "string"},
            "total_percent": {"type": ["number", "null"]}, "recommendation": {"type": ["string", "null"]},
            "knockouts": {"type": "array", "items": {"type": "string"}},
            "decision": {"type": ["string", "null"]}, "conditions": {"type": "array", "items": {"type": "object"}},
            "prepared_by_id": {"type": "integer"}, "decided_by_id": {"type": ["integer", "null"]},
            "criteria": {"type": "array", "items": {"type": "object"}}}},
    }},
}
