"""Contracts API: upload a version (checked at once), read contracts, versions and checks,
review a check, download the Word checklist."""
from flask import Blueprint, g, jsonify, request

from vendorrisk.contracts import service
from vendorrisk.contracts.models import CHECK_STATUSES
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import error_responses, json_body, json_response
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import DOCX, send_download
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.i18n import language

bp = Blueprint("api_contracts", __name__, url_prefix="/api/v1")


def check_dict(check, clauses) -> dict:
    """A clause check as JSON."""
    clause = clauses.get(check.clause_id)
    return {"id": check.id, "clause_id": check.clause_id, "status": check.status,
            "auto_status": check.auto_status, "confidence": check.confidence, "reason": check.reason,
            "evidence": check.evidence, "location": check.location, "article": check.article,
            "clause_article": clause.text("article", "en") if clause else "",
            "title": clause.text("title", "en") if clause else check.clause_id,
            "reviewer_status": check.reviewer_status, "reviewer_comment": check.reviewer_comment,
            "reviewed_at": check.reviewed_at.isoformat() if check.reviewed_at else None}


def version_dict(session, version) -> dict:
    """A contract version with its checks as JSON."""
    context = service.version_context(session, version.id)
    return {"id": version.id, "contract_id": version.contract_id, "number": version.number,
            "filename": version.filename, "file_kind": version.file_kind,
            "extraction_status": version.extraction_status, "extraction_note": version.extraction_note,
            "structure": version.structure_style, "uploaded_at": version.uploaded_at.isoformat(),
            "checks": [check_dict(c, context["clauses"]) for c in context["checks"]]}


@bp.post("/arrangements/<int:arrangement_id>/contracts")
@allow("compliance", "procurement", "vendor_owner")
def upload(arrangement_id: int):
    """Upload a contract version (multipart field ``file``); answers the checks."""
    db = get_session()
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("The multipart field 'file' is required.",
                               [{"field": "file", "message": "Attach the contract as the field 'file'."}])
    version = service.upload_version(db, arrangement_id=arrangement_id, data=file.read(),
                                     filename=file.filename or "", user=g.user,
                                     contract_id=request.form.get("contract_id", type=int),
                                     title=request.form.get("title", ""))
    body = version_dict(db, version)
    db.commit()
    return jsonify({"id": version.contract_id, "contract_id": version.contract_id, "version_id": version.id,
                    "version": version.number, "extraction_status": version.extraction_status,
                    "extraction_note": version.extraction_note, "checks": body["checks"]}), 201


@bp.get("/arrangements/<int:arrangement_id>/contracts")
@allow(*ALL_ROLES)
def list_contracts(arrangement_id: int):
    """The contracts of an arrangement with their versions."""
    db = get_session()
    service.get_arrangement(db, arrangement_id)
    items = [{"id": c.id, "title": c.title, "arrangement_id": c.arrangement_id,
              "versions": [{"id": v.id, "number": v.number, "filename": v.filename,
                            "extraction_status": v.extraction_status} for v in versions]}
             for c, versions in service.contracts_of_arrangement(db, arrangement_id)]
    return jsonify({"items": items})


@bp.get("/contracts/<int:contract_id>")
@allow(*ALL_ROLES)
def get_contract(contract_id: int):
    """A contract, its versions and the checks of its latest version."""
    db = get_session()
    contract = service.get_contract(db, contract_id)
    _c, versions = next((c, vs) for c, vs in service.contracts_of_arrangement(db, contract.arrangement_id)
                        if c.id == contract.id)
    return jsonify({"id": contract.id, "title": contract.title, "arrangement_id": contract.arrangement_id,
                    "versions": [{"id": v.id, "number": v.number, "filename": v.filename} for v in versions],
                    "latest": version_dict(db, versions[0]) if versions else None})


@bp.get("/contract-versions/<int:version_id>")
@allow(*ALL_ROLES)
def get_version(version_id: int):
    """A contract version with its checks and the changes since the previous version."""
    db = get_session()
    version = service.get_version(db, version_id)
    previous, changes = service.compare_with_previous(db, version)
    body = version_dict(db, version)
    body["previous_version_id"] = previous.id if previous else None
    body["changes"] = [{"clause_id": c.clause_id, "previous": c.previous, "current": c.current,
                        "evidence_changed": c.evidence_changed} for c in changes if c.changed]
    return jsonify(body)


@bp.post("/clause-checks/<int:check_id>/review")
@allow("compliance")
def review(check_id: int):
    """Confirm or override a check: ``{"status": "found"|"not_found", "comment": "..."}``."""
    db = get_session()
    body = json_body()
    check = service.review_check(db, check_id=check_id, status=str(body.get("status", "")),
                                 comment=str(body.get("comment", "")), user=g.user)
    context = service.version_context(db, check.version_id)
    db.commit()
    return jsonify(check_dict(check, context["clauses"]))


@bp.get("/contracts/<int:contract_id>/checklist.docx")
@allow(*ALL_ROLES)
def checklist(contract_id: int):
    """The Word checklist of the contract's latest version (``?lang=ja|en``, else the user's language)."""
    db = get_session()
    filename, data = service.checklist_for_contract(db, contract_id, request.args.get("lang") or language(), g.user)
    return send_download(db, data, filename, DOCX, entity=None)  # the service recorded the export


_CHECK = {"type": "object", "required": ["clause_id", "status", "evidence", "location"], "properties": {
    "id": {"type": "integer"}, "clause_id": {"type": "string"},
    "status": {"type": "string", "enum": list(CHECK_STATUSES)},
    "auto_status": {"type": "string", "enum": list(CHECK_STATUSES)},
    "confidence": {"type": "number"}, "reason": {"type": "string"}, "evidence": {"type": "string"},
    "location": {"type": "string"}, "article": {"type": "string"}, "clause_article": {"type": "string"},
    "title": {"type": "string"}, "reviewer_status": {"type": ["string", "null"]},
    "reviewer_comment": {"type": "string"}, "reviewed_at": {"type": ["string", "null"]}}}
_VERSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "contract_id": {"type": "integer"}, "number": {"type": "integer"},
    "filename": {"type": "string"}, "file_kind": {"type": "string"},
    "extraction_status": {"type": "string", "enum": ["ok", "no_structure", "scanned"]},
    "extraction_note": {"type": "string"}, "structure": {"type": "string"}, "uploaded_at": {"type": "string"},
    "checks": {"type": "array", "items": {"$ref": "#/components/schemas/ClauseCheck"}},
    "previous_version_id": {"type": ["integer", "null"]},
    "changes": {"type": "array", "items": {"type": "object"}}}}
_ID = lambda name: {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}  # noqa: E731
_DOCX = {"description": "The Word checklist", "content": {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"type": "string", "format": "binary"}}}}

OPENAPI = {
    "paths": {
        "/api/v1/arrangements/{arrangement_id}/contracts": {
            "post": {"summary": "Upload a contract version and check its clauses", "operationId": "uploadContract",
                     "parameters": [_ID("arrangement_id")],
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary", "description": ".docx, .pdf (text layer), .txt or .md"},
                             "contract_id": {"type": "integer", "description": "Add a version to this contract"},
                             "title": {"type": "string", "description": "Start a new contract with this title"}}}}}},
                     "responses": {"201": json_response("The contract id and the checks of the new version",
                                                        {"$ref": "#/components/schemas/ContractUpload"}),
                                   **error_responses(401, 403, 404, 409, 422)}},
            "get": {"summary": "Contracts of an arrangement", "operationId": "listContracts",
                    "parameters": [_ID("arrangement_id")],
                    "responses": {"200": json_response("Contracts and versions"), **error_responses(401, 404)}}},
        "/api/v1/contracts/{contract_id}": {
            "get": {"summary": "A contract, its versions and its latest checks", "operationId": "getContract",
                    "parameters": [_ID("contract_id")],
                    "responses": {"200": json_response("The contract"), **error_responses(401, 404)}}},
        "/api/v1/contract-versions/{version_id}": {
            "get": {"summary": "A contract version with checks and changes", "operationId": "getContractVersion",
                    "parameters": [_ID("version_id")],
                    "responses": {"200": json_response("The version", {"$ref": "#/components/schemas/ContractVersion"}),
                                  **error_responses(401, 404)}}},
        "/api/v1/clause-checks/{check_id}/review": {
            "post": {"summary": "Confirm or override a clause check", "operationId": "reviewClauseCheck",
                     "parameters": [_ID("check_id")],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["status"], "properties": {
                             "status": {"type": "string", "enum": ["found", "not_found"]},
                             "comment": {"type": "string"}}}}}},
                     "responses": {"200": json_response("The reviewed check", {"$ref": "#/components/schemas/ClauseCheck"}),
                                   **error_responses(400, 401, 403, 404, 422)}}},
        "/api/v1/contracts/{contract_id}/checklist.docx": {
            "get": {"summary": "Word checklist of the contract's latest version", "operationId": "getContractChecklist",
                    "parameters": [_ID("contract_id"), {"name": "lang", "in": "query", "required": False,
                                                        "schema": {"type": "string", "enum": ["ja", "en"]}}],
                    "responses": {"200": _DOCX, **error_responses(401, 404)}}},
    },
    "components": {"schemas": {
        "ClauseCheck": _CHECK,
        "ContractVersion": _VERSION,
        "ContractUpload": {"type": "object", "required": ["id", "checks"], "properties": {
            "id": {"type": "integer", "description": "The contract id"}, "contract_id": {"type": "integer"},
            "version_id": {"type": "integer"}, "version": {"type": "integer"},
            "extraction_status": {"type": "string"}, "extraction_note": {"type": "string"},
            "checks": {"type": "array", "items": {"$ref": "#/components/schemas/ClauseCheck"}}}},
    }},
}
