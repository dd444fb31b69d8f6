"""API of the compliance matrix and the dashboard figures."""
from flask import Blueprint, jsonify, request, url_for

from vendorrisk.compliance import dashboard, matrix, snapshots
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_response
from vendorrisk.core.db import get_session
from vendorrisk.core.models import utcnow

bp = Blueprint("api_compliance", __name__, url_prefix="/api/v1")


def _flag_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "enum": ["yes", "no"]}}


MATRIX_PARAMETERS = [
    {"name": "tier", "in": "query", "required": False, "description": "Lowest chain tier of the vendor (1 = direct)",
     "schema": {"type": "integer", "minimum": 1}},
    {"name": "risk_tier", "in": "query", "required": False, "schema": {"type": "string",
                                                                         "enum": ["critical", "high", "medium", "low"]}},
    {"name": "article", "in": "query", "required": False, "description": "Article, paragraph or obligation id: 27, 25-2, 25-2-audit_rights",
     "schema": {"type": "string"}},
    {"name": "status", "in": "query", "required": False, "description": "Only cells of this status (and vendors having one)",
     "schema": {"type": "string", "enum": list(matrix.STATUSES)}},
    _flag_param("important", "Vendor is in an important arrangement's chain"),
    _flag_param("cloud", "Vendor provides a cloud service"),
    _flag_param("user_data", "Vendor handles user data"),
    {"name": "vendor_id", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "q", "in": "query", "required": False, "description": "Vendor name contains", "schema": {"type": "string"}},
    {"name": "page", "in": "query", "required": False, "description": "Page of vendors", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "required": False, "description": "Vendors per page (max 200)",
     "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
]

COUNT_LINK = {"type": "object", "properties": {"count": {"type": ["integer", "null"]}, "href": {"type": "string"}}}

OPENAPI = {
    "paths": {
        "/api/v1/compliance-matrix": {"get": {
            "summary": "The compliance matrix: one row per (vendor, obligation), vendors paginated",
            "operationId": "getComplianceMatrix", "parameters": MATRIX_PARAMETERS,
            "responses": {"200": json_response("Matrix rows", {"$ref": "#/components/schemas/ComplianceMatrix"}),
                          **error_responses(401, 403, 422)}}},
        "/api/v1/compliance-matrix/obligations": {"get": {
            "summary": "The registered obligations and their documentation", "operationId": "listObligations",
            "responses": {"200": json_response("Obligations", {"type": "object", "properties": {
                "obligations": {"type": "array", "items": {"$ref": "#/components/schemas/Obligation"}}}}),
                **error_responses(401, 403)}}},
        "/api/v1/compliance-matrix/trend": {"get": {
            "summary": "Gaps per month from the monthly snapshots", "operationId": "getComplianceTrend",
            "responses": {"200": json_response("Trend", {"type": "object", "properties": {"months": {
                "type": "array", "items": {"type": "object", "properties": {
                    "month": {"type": "string"}, "gaps": {"type": "integer"},
                    "by_obligation": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}),
                **error_responses(401, 403)}}},
        "/api/v1/dashboard": {"get": {
            "summary": "The dashboard figures, each with the link to its list", "operationId": "getDashboard",
            "responses": {"200": json_response("Figures", {"$ref": "#/components/schemas/Dashboard"}),
                          **error_responses(401, 403)}}},
    },
    "components": {"schemas": {
        "ComplianceCell": {"type": "object", "required": ["vendor_id", "obligation", "status", "reason"], "properties": {
            "vendor_id": {"type": "integer"}, "vendor_name": {"type": "string"}, "vendor_name_en": {"type": "string"},
            "tier": {"type": ["integer", "null"]}, "obligation": {"type": "string"}, "citation": {"type": "string"},
            "citation_ja": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "string", "enum": list(matrix.STATUSES)}, "reason": {"type": "string"},
            "links": {"type": "array", "items": {"type": "object", "properties": {
                "label": {"type": "string"}, "href": {"type": "string"}}}}}},
        "ComplianceMatrix": {"type": "object", "required": ["rows"], "properties": {
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/ComplianceCell"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total_vendors": {"type": ["integer", "null"], "description": "null when a status filter was not scanned to the end"},
            "has_next": {"type": "boolean"}, "obligations": {"type": "array", "items": {"type": "string"}}}},
        "Obligation": {"type": "object", "properties": {
            "id": {"type": "string"}, "citation": {"type": "string"}, "citation_ja": {"type": "string"},
            "title": {"type": "string"}, "title_ja": {"type": "string"}, "doc": {"type": "string"}}},
        "Dashboard": {"type": "object", "properties": {
            "as_of": {"type": "string", "format": "date"},
            "overdue_reviews": COUNT_LINK, "certificates_expiring_60_days": COUNT_LINK,
            "open_findings_by_severity": {"type": "object", "additionalProperties": COUNT_LINK},
            "vendors_by_risk_tier": {"type": "object", "additionalProperties": COUNT_LINK},
            "unapproved_sub_outsourcing": COUNT_LINK,
            "top_concentration": {"type": "array", "items": {"type": "object", "properties": {
                "vendor_id": {"type": "integer"}, "name": {"type": "string"}, "name_en": {"type": "string"},
                "arrangements": {"type": "integer"}, "tier": {"type": "integer"}, "href": {"type": "string"}}}},
            "gaps_last_snapshot": {"type": ["object", "null"], "properties": {
                "month": {"type": "string"}, "gaps": {"type": "integer"}}}}},
    }},
}


@bp.get("/compliance-matrix")
@allow(*ALL_ROLES)
def compliance_matrix():
    """Matrix rows for a page of vendors, filtered as the query parameters say."""
    filters = matrix.MatrixFilters.from_args(request.args)
    page = matrix.matrix_page(get_session(), filters, request.args.get("page", 1, type=int),
                              request.args.get("per_page", 50, type=int))
    return jsonify({"rows": list(matrix.flat_rows(page.rows, page.obligations, filters.status)),
                    "page": page.page, "per_page": page.per_page, "total_vendors": page.total,
                    "has_next": page.has_next, "obligations": [o.id for o in page.obligations]})


@bp.get("/compliance-matrix/obligations")
@allow(*ALL_ROLES)
def obligations():
    """Every registered obligation with its citation, title and documentation."""
    return jsonify({"obligations": [{"id": o.id, "citation": o.citation_en, "citation_ja": o.citation_ja,
                                     "title": o.title_en, "title_ja": o.title_ja, "doc": o.doc}
                                    for o in matrix.all_obligations()]})


@bp.get("/compliance-matrix/trend")
@allow(*ALL_ROLES)
def trend():
    """Gaps per month, oldest first."""
    return jsonify({"months": [{"month": p.month.strftime("%Y-%m"), "gaps": p.gaps, "by_obligation": p.by_obligation}
                               for p in snapshots.trend(get_session())]})


@bp.get("/dashboard")
@allow(*ALL_ROLES)
def dashboard_figures():
    """The dashboard figures; a count is null when the area holding its data is not installed."""
    session = get_session()
    figures = dashboard.figures(session, utcnow().date(), url_for)
    points = snapshots.trend(session, 1)
    figures["gaps_last_snapshot"] = ({"month": points[-1].month.strftime("%Y-%m"), "gaps": points[-1].gaps}
                                     if points else None)
    return jsonify(figures)
