"""Questionnaire API: templates, the workbook to send, importing responses (with dry run),
responses, comparison, and the review of listed subcontractors."""
from io import BytesIO

from flask import Blueprint, current_app, g, jsonify, request, send_file
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_body, json_response, to_dict
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import Forbidden, ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.questionnaires import reviews, service
from vendorrisk.questionnaires.foreign import ROLES
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.profiles import load_profiles
from vendorrisk.questionnaires.template_files import catalogue

bp = Blueprint("api_questionnaires", __name__, url_prefix="/api/v1")
TRUE = ("1", "true", "yes", "on")


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


def _template_json(t) -> dict:
    return {"id": t.id, "version": t.version, "title_ja": t.title_ja, "title_en": t.title_en,
            "questions": [{"id": q.id, "section": q.section_id, "text_ja": q.text_ja, "text_en": q.text_en,
                           "article": q.article, "citation_ja": q.citation("ja"), "citation_en": q.citation("en"),
                           "type": q.type, "required": q.required, "weight": q.weight,
                           "expected": list(q.expected), "choices": [c.value for c in q.choices],
                           "flag": {"answers": list(q.flag_answers), "severity": q.flag_severity}
                           if q.flag_severity else None} for q in t.questions]}


@bp.get("/questionnaires")
@allow(*ALL_ROLES)
def list_templates():
    """The questionnaire templates (latest versions) and the formats recognised (profiles)."""
    cat = catalogue()
    return jsonify({"items": [_template_json(t) for t in cat.latest()],
                    "profiles": [{"id": p.id, "format": p.format, "title_ja": p.title_ja, "title_en": p.title_en,
                                  "templates": sorted({t for pairs in p.by_id.values() for t, _q in pairs}
                                                      | {t for _p, t, _q in p.by_text})}
                                 for p in load_profiles()]})


@bp.get("/questionnaires/<template_id>/workbook")
@allow("compliance", "procurement", "vendor_owner")
def workbook(template_id):
    """The .xlsx workbook of a template for the vendor ``vendor_id``."""
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is None:
        raise ValidationFailed(_("vendor_id is required."), [{"field": "vendor_id", "message": _("Give a vendor id.")}])
    session = get_session()
    data, filename = service.workbook_for(session, template_id, vendor_id, _key())
    session.commit()
    return send_file(BytesIO(data), as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/vendors/<int:vendor_id>/questionnaire-responses")
@allow("compliance", "vendor_owner")
def import_response(vendor_id):
    """Import a filled workbook or CSV (multipart ``file``); ``dry_run=1`` validates only. A
    layout not recognised answers 422 with the best guess until the request names ``sheets``
    (repeatable), ``header_row`` or ``<role>_column`` letters, a ``profile``, or ``confirmed=1``."""
    session = get_session()
    if not service.may_import(session, g.user, vendor_id):
        raise Forbidden(_("You may import questionnaires only for vendors you own."))
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed(_("Send the workbook as the multipart field 'file'."),
                               [{"sheet": "", "cell": "", "message": _("The field 'file' is missing.")}])
    upload = service.inspect_questionnaire(file.read(), file.filename)
    params = {k: request.form.get(k) for k in ("sheet", "header_row", "profile", "confirmed",
                                               *(f"{r}_column" for r in ROLES)) if request.form.get(k) is not None}
    if request.form.getlist("sheets"):
        params["sheets"] = request.form.getlist("sheets")
    result = service.import_response(session, vendor_id=vendor_id, upload=upload, key=_key(), user_id=g.user.id,
                                     dry_run=request.form.get("dry_run", request.args.get("dry_run", "")).lower() in TRUE,
                                     layout_params=params)
    session.commit()
    status = 200 if result.dry_run or result.duplicate else 201
    return jsonify(result.as_dict()), status


def _response_json(session, response: QuestionnaireResponse, details: bool = False) -> dict:
    data = to_dict(response)
    if details:
        data["answers"] = [to_dict(a, {"response_id"}) for a in reviews.answers_of(session, response.id)]
        data["proposals"] = [to_dict(p) for p in reviews.proposals_of(session, response.id)]
    return data


@bp.get("/vendors/<int:vendor_id>/questionnaire-responses")
@allow(*ALL_ROLES)
def list_responses(vendor_id):
    """A vendor's responses, newest first, paginated."""
    session = get_session()
    page = paginate(session, select(QuestionnaireResponse).where(QuestionnaireResponse.vendor_id == vendor_id)
                    .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc()),
                    request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int))
    return jsonify({"items": [_response_json(session, r) for r in page.items], "page": page.page,
                    "pages": page.pages, "total": page.total})


@bp.get("/questionnaire-responses/<int:response_id>")
@allow(*ALL_ROLES)
def get_response(response_id):
    """A response with its answers and subcontractor proposals."""
    session = get_session()
    return jsonify(_response_json(session, reviews.get_response(session, response_id), details=True))


@bp.get("/questionnaire-responses/<int:response_id>/compare")
@allow(*ALL_ROLES)
def compare(response_id):
    """A response against the vendor's previous response to the same questionnaire."""
    session = get_session()
    previous, rows = reviews.compare(session, reviews.get_response(session, response_id))
    return jsonify({"response_id": response_id, "previous_id": previous.id if previous else None,
                    "answers": [{"key": r.key, "question": r.question_text, "change": r.change,
                                 "previous": r.previous.value if r.previous else None,
                                 "current": r.current.value if r.current else None} for r in rows]})


@bp.post("/questionnaire-proposals/<int:proposal_id>/accept")
@allow("compliance", "procurement")
def accept(proposal_id):
    """Accept a listed subcontractor into an arrangement's chain (JSON ``arrangement_id``)."""
    session = get_session()
    body = json_body()
    arrangement_id = body.get("arrangement_id")
    if not isinstance(arrangement_id, int):
        raise ValidationFailed(_("arrangement_id is required."),
                               [{"field": "arrangement_id", "message": _("An integer.")}])
    link = reviews.accept_proposal(session, proposal_id, arrangement_id, g.user.id)
    session.commit()
    return jsonify({"link": to_dict(link)}), 201


@bp.post("/questionnaire-proposals/<int:proposal_id>/reject")
@allow("compliance", "procurement")
def reject(proposal_id):
    """Reject a listed subcontractor (optional JSON ``note``)."""
    session = get_session()
    proposal = reviews.reject_proposal(session, proposal_id, g.user.id, str(json_body().get("note", "")))
    session.commit()
    return jsonify(to_dict(proposal))


_ID = {"type": "integer"}
_ERR = error_responses


def _path(name: str, schema=None) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema or _ID}


OPENAPI = {
    "paths": {
        "/api/v1/questionnaires": {"get": {
            "summary": "Questionnaire templates and mappings", "operationId": "listQuestionnaires",
            "responses": {"200": json_response("Templates", {"$ref": "#/components/schemas/QuestionnaireList"}),
                          **_ERR(401, 403)}}},
        "/api/v1/questionnaires/{template_id}/workbook": {"get": {
            "summary": "The workbook to send to a vendor", "operationId": "getQuestionnaireWorkbook",
            "parameters": [_path("template_id", {"type": "string"}),
                           {"name": "vendor_id", "in": "query", "required": True, "schema": _ID}],
            "responses": {"200": {"description": "The .xlsx workbook", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}}}}, **_ERR(401, 403, 404, 422)}}},
        "/api/v1/vendors/{vendor_id}/questionnaire-responses": {
            "post": {"summary": "Import a filled questionnaire workbook", "operationId": "importQuestionnaireResponse",
                     "parameters": [_path("vendor_id")],
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "$ref": "#/components/schemas/QuestionnaireUpload"}}}},
                     "responses": {"201": json_response("Imported", {"$ref": "#/components/schemas/QuestionnaireImport"}),
                                   "200": json_response("Dry run, or the same file imported before",
                                                        {"$ref": "#/components/schemas/QuestionnaireImport"}),
                                   **_ERR(401, 403, 404, 422)}},
            "get": {"summary": "A vendor's questionnaire responses", "operationId": "listQuestionnaireResponses",
                    "parameters": [_path("vendor_id"), {"name": "page", "in": "query", "schema": _ID},
                                   {"name": "per_page", "in": "query", "schema": _ID}],
                    "responses": {"200": json_response("Responses"), **_ERR(401, 403)}}},
        "/api/v1/questionnaire-responses/{response_id}": {"get": {
            "summary": "A response with answers and proposals", "operationId": "getQuestionnaireResponse",
            "parameters": [_path("response_id")],
            "responses": {"200": json_response("The response"), **_ERR(401, 403, 404)}}},
        "/api/v1/questionnaire-responses/{response_id}/compare": {"get": {
            "summary": "Compare with the previous response", "operationId": "compareQuestionnaireResponse",
            "parameters": [_path("response_id")],
            "responses": {"200": json_response("Answer by answer"), **_ERR(401, 403, 404)}}},
        "/api/v1/questionnaire-proposals/{proposal_id}/accept": {"post": {
            "summary": "Accept a listed subcontractor into a chain", "operationId": "acceptSubcontractorProposal",
            "parameters": [_path("proposal_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["arrangement_id"], "properties": {"arrangement_id": _ID}}}}},
            "responses": {"201": json_response("The link created"), **_ERR(400, 401, 403, 404, 409, 422)}}},
        "/api/v1/questionnaire-proposals/{proposal_id}/reject": {"post": {
            "summary": "Reject a listed subcontractor", "operationId": "rejectSubcontractorProposal",
            "parameters": [_path("proposal_id")],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"note": {"type": "string"}}}}}},
            "responses": {"200": json_response("The proposal"), **_ERR(400, 401, 403, 404, 409)}}},
    },
    "components": {"schemas": {
        "QuestionnaireList": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "mappings": {"type": "array", "items": {"type": "object"}}}},
        "QuestionnaireUpload": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "dry_run": {"type": "string", "enum": ["0", "1"]},
            "mapping": {"type": "string", "description": "Mapping id, or 'none'"},
            "sheet": {"type": "string"}, "header_row": {"type": "integer"},
            "format": {"type": "string", "enum": ["caiq", "generic"]},
            **{f"{r}_column": {"type": "string", "description": "Column letter"} for r in ROLES}}},
        "QuestionnaireImport": {"type": "object", "properties": {
            "id": {"type": ["integer", "null"]}, "format": {"type": "string", "enum": ["native", "caiq", "generic"]},
            "template_id": {"type": ["string", "null"]}, "template_version": {"type": ["integer", "null"]},
            "mapping_id": {"type": ["string", "null"]}, "layout": {"type": "object"},
            "questions": {"type": "integer"}, "answered": {"type": "integer"},
            "score": {"type": ["number", "null"]}, "flags": {"type": "integer"},
            "flagged": {"type": "array", "items": {"type": "object"}}, "subcontractors": {"type": "integer"},
            "dry_run": {"type": "boolean"}, "duplicate": {"type": "boolean"},
            "findings_created": {"type": "integer"}}},
    }},
}
