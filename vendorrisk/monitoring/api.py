"""Monitoring API: reviews (list, record) and findings (list, raise, update, move)."""
from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from vendorrisk.core import auth
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_body, json_response, to_dict
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.monitoring import findings, reviews
from vendorrisk.vendors.models import Vendor

bp = Blueprint("api_monitoring", __name__, url_prefix="/api/v1")
WRITERS = ("admin", "compliance", "procurement", "vendor_owner")


def _page_args():
    return request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int)


def _review(review, vendor) -> dict:
    data = to_dict(review, exclude={"open_vendor_id"})
    data["vendor"] = {"id": vendor.id, "name": vendor.name, "name_en": vendor.name_en}
    return data


def _finding(finding, vendor=None) -> dict:
    data = to_dict(finding)
    if vendor is not None:
        data["vendor"] = {"id": vendor.id, "name": vendor.name, "name_en": vendor.name_en}
    return data


def _listing(page, serialise) -> dict:
    return {"items": [serialise(*row) for row in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total}


@bp.get("/reviews")
@allow(*ALL_ROLES)
def list_reviews():
    """Reviews: ``status=due`` (next 30 days), ``overdue``, ``open`` or ``completed``."""
    status = request.args.get("status", "open")
    if status not in reviews.REVIEW_FILTERS:
        raise ValidationFailed(_("status must be one of %(choices)s.", choices=", ".join(reviews.REVIEW_FILTERS)),
                               [{"field": "status", "message": _("Unknown filter.")}])
    owner = auth.current_user().id if request.args.get("mine") == "1" else request.args.get("owner_id", type=int)
    query = reviews.review_query(status, date.today(), owner_id=owner, vendor_id=request.args.get("vendor_id", type=int))
    page = paginate(get_session(), query, *_page_args(), scalars=False)
    return jsonify(_listing(page, _review))


@bp.get("/reviews/<int:review_id>")
@allow(*ALL_ROLES)
def get_review(review_id):
    """One review."""
    db = get_session()
    review = reviews.get_review(db, review_id)
    return jsonify(_review(review, db.get(Vendor, review.vendor_id)))


@bp.post("/reviews/<int:review_id>/record")
@allow(*WRITERS)
def record_review(review_id):
    """Save what a review checked; ``"complete": true`` completes it and raises its findings."""
    db = get_session()
    review = reviews.get_review(db, review_id)
    body = json_body()
    raised = reviews.record_review(db, review, auth.current_user(), body, today=date.today(),
                                   complete=bool(body.get("complete")))
    db.commit()
    return jsonify({"review": _review(review, db.get(Vendor, review.vendor_id)),
                    "findings": [_finding(f) for f in raised]})


@bp.get("/findings")
@allow(*ALL_ROLES)
def list_findings():
    """Findings, filtered by status, severity, source, vendor, owner or overdue."""
    args = request.args
    query = findings.finding_query(status=args.get("status"), severity=args.get("severity"),
                                   source=args.get("source"), vendor_id=args.get("vendor_id", type=int),
                                   owner_id=auth.current_user().id if args.get("mine") == "1" else args.get("owner_id", type=int),
                                   overdue_on=date.today() if args.get("overdue") == "1" else None)
    page = paginate(get_session(), query, *_page_args(), scalars=False)
    return jsonify(_listing(page, _finding))


@bp.post("/findings")
@allow(*WRITERS)
def create_finding():
    """Raise a finding by hand."""
    db = get_session()
    finding = findings.create_finding(db, auth.current_user(), json_body(), date.today())
    db.commit()
    return jsonify(_finding(finding)), 201


@bp.get("/findings/<int:finding_id>")
@allow(*ALL_ROLES)
def get_finding(finding_id):
    """One finding with its history."""
    db = get_session()
    finding = findings.get_finding(db, finding_id)
    data = _finding(finding)
    data["history"] = [{**to_dict(event), "actor": actor.email if actor else None}
                       for event, actor in findings.history(db, finding_id)]
    return jsonify(data)


@bp.patch("/findings/<int:finding_id>")
@allow("admin", "compliance")
def update_finding(finding_id):
    """Change severity, owner or due date."""
    db = get_session()
    finding = findings.update_finding(db, findings.get_finding(db, finding_id), auth.current_user(), json_body())
    db.commit()
    return jsonify(_finding(finding))


@bp.post("/findings/<int:finding_id>/transitions")
@allow(*WRITERS)
def move_finding(finding_id):
    """Move a finding to another status; closing needs ``evidence`` and a second person."""
    db = get_session()
    body = json_body()
    finding = findings.move_finding(db, findings.get_finding(db, finding_id), auth.current_user(),
                                    str(body.get("status", "")), note=str(body.get("note", "")),
                                    evidence=str(body.get("evidence", "")))
    db.commit()
    return jsonify(_finding(finding))


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _listing_schema(item):
    return {"type": "object", "properties": {"items": {"type": "array", "items": _ref(item)},
                                             "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                             "total": {"type": "integer"}}}


_PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
         {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}]
_ID = lambda name: [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}]  # noqa: E731

OPENAPI = {
    "paths": {
        "/api/v1/reviews": {"get": {
            "summary": "List monitoring reviews", "operationId": "listReviews", "tags": ["monitoring"],
            "parameters": [{"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": list(reviews.REVIEW_FILTERS)}},
                           {"name": "vendor_id", "in": "query", "schema": {"type": "integer"}},
                           {"name": "owner_id", "in": "query", "schema": {"type": "integer"}},
                           {"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["1"]}}] + _PAGE,
            "responses": {"200": json_response("A page of reviews", _listing_schema("MonitoringReview")),
                          **error_responses(401, 422)}}},
        "/api/v1/reviews/{review_id}": {"get": {
            "summary": "One review", "operationId": "getReview", "tags": ["monitoring"],
            "parameters": _ID("review_id"),
            "responses": {"200": json_response("The review", _ref("MonitoringReview")), **error_responses(401, 404)}}},
        "/api/v1/reviews/{review_id}/record": {"post": {
            "summary": "Record (and optionally complete) a review", "operationId": "recordReview",
            "tags": ["monitoring"], "parameters": _ID("review_id"),
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ReviewRecord")}}},
            "responses": {"200": json_response("The review and the findings raised", {"type": "object", "properties": {
                "review": _ref("MonitoringReview"), "findings": {"type": "array", "items": _ref("Finding")}}}),
                **error_responses(400, 401, 403, 404, 409, 422)}}},
        "/api/v1/findings": {
            "get": {"summary": "List findings", "operationId": "listFindings", "tags": ["monitoring"],
                    "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}}
                                   for n in ("status", "severity", "source")]
                    + [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("vendor_id", "owner_id")]
                    + [{"name": n, "in": "query", "schema": {"type": "string", "enum": ["1"]}} for n in ("overdue", "mine")]
                    + _PAGE,
                    "responses": {"200": json_response("A page of findings", _listing_schema("Finding")),
                                  **error_responses(401)}},
            "post": {"summary": "Raise a finding", "operationId": "createFinding", "tags": ["monitoring"],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("FindingCreate")}}},
                     "responses": {"201": json_response("The finding", _ref("Finding")),
                                   **error_responses(400, 401, 403, 422)}}},
        "/api/v1/findings/{finding_id}": {
            "get": {"summary": "One finding with its history", "operationId": "getFinding", "tags": ["monitoring"],
                    "parameters": _ID("finding_id"),
                    "responses": {"200": json_response("The finding", _ref("Finding")), **error_responses(401, 404)}},
            "patch": {"summary": "Change severity, owner or due date", "operationId": "updateFinding",
                      "tags": ["monitoring"], "parameters": _ID("finding_id"),
                      "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("FindingUpdate")}}},
                      "responses": {"200": json_response("The finding", _ref("Finding")),
                                    **error_responses(400, 401, 403, 404, 409, 422)}}},
        "/api/v1/findings/{finding_id}/transitions": {"post": {
            "summary": "Move a finding (open, in_progress, resolved, closed)", "operationId": "moveFinding",
            "tags": ["monitoring"], "parameters": _ID("finding_id"),
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("FindingTransition")}}},
            "responses": {"200": json_response("The finding", _ref("Finding")),
                          **error_responses(400, 401, 403, 404, 409, 422)}}},
    },
    "components": {"schemas": {
        "MonitoringReview": {"type": "object", "properties": {
            "id": {"type": "integer"}, "vendor_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["planned", "in_progress", "completed"]},
            "risk_tier": {"type": "string"}, "frequency_months": {"type": "integer"},
            "due_date": {"type": "string", "format": "date"}, "owner_id": {"type": ["integer", "null"]},
            "performed_on": {"type": ["string", "null"], "format": "date"}, "method": {"type": "string"},
            "checks": {"type": "object"}, "outcome": {"type": "string"}, "summary": {"type": "string"},
            "vendor": {"type": "object"}}},
        "ReviewRecord": {"type": "object", "properties": {
            "performed_on": {"type": "string", "format": "date"},
            "method": {"type": "string", "enum": ["onsite", "remote", "document"]},
            "outcome": {"type": "string", "enum": ["satisfactory", "needs_improvement", "unsatisfactory"]},
            "summary": {"type": "string"},
            "checks": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "result": {"type": "string", "enum": ["ok", "issue", "not_applicable"]}, "note": {"type": "string"}}}},
            "findings": {"type": "array", "items": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string"}, "severity": {"type": "string"},
                "due_date": {"type": "string", "format": "date"}, "description": {"type": "string"}}}},
            "complete": {"type": "boolean"}}},
        "Finding": {"type": "object", "properties": {
            "id": {"type": "integer"}, "vendor_id": {"type": "integer"}, "source": {"type": "string"},
            "title": {"type": "string"}, "severity": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "in_progress", "resolved", "closed"]},
            "owner_id": {"type": ["integer", "null"]}, "due_date": {"type": ["string", "null"], "format": "date"},
            "closure_evidence": {"type": "string"}, "history": {"type": "array", "items": {"type": "object"}}}},
        "FindingCreate": {"type": "object", "required": ["vendor_id", "title"], "properties": {
            "vendor_id": {"type": "integer"}, "title": {"type": "string"}, "severity": {"type": "string"},
            "due_date": {"type": "string", "format": "date"}, "description": {"type": "string"},
            "arrangement_id": {"type": ["integer", "null"]}, "owner_id": {"type": ["integer", "null"]}}},
        "FindingUpdate": {"type": "object", "properties": {
            "severity": {"type": "string"}, "owner_id": {"type": "integer"},
            "due_date": {"type": ["string", "null"], "format": "date"}}},
        "FindingTransition": {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["open", "in_progress", "resolved", "closed"]},
            "note": {"type": "string"}, "evidence": {"type": "string"}}},
    }},
}
