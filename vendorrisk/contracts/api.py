"""Contracts API: upload a version (checked at once), read contracts, versions and checks,
the combined results of an arrangement's contract set, review a check, download the Word
checklist of a contract or of the set."""
from flask import Blueprint, g, jsonify, request

from vendorrisk.contracts import service, set_service, sets
from vendorrisk.contracts.api_shapes import (
    ChecklistQuery,
    ClauseCheckPublic,
    ClauseReviewInput,
    ContractFile,
    ContractList,
    ContractListed,
    ContractPublic,
    ContractSetFiles,
    ContractSetPublic,
    ContractSetUpload,
    ContractUpload,
    ContractVersionPublic,
    SetUploadDocument,
)
from vendorrisk.contracts.checker import reasons
from vendorrisk.contracts.reasons import ocr_reason_fields
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import DOCX, send_download
from vendorrisk.core.errors import ValidationFailed, too_large_advice
from vendorrisk.core.i18n import language

bp = Blueprint("api_contracts", __name__, url_prefix="/api/v1")


def check_dict(check, clauses) -> dict:
    """A clause check as JSON."""
    clause = clauses.get(check.clause_id)
    lang = language()
    reason = reasons.render(check.reason_key, check.reason_params, lang) if check.reason_key else check.reason
    return ClauseCheckPublic.dump(check, evidence_read_by_ocr=bool((check.reason_params or {}).get("ocr")),
                                  evidence_page=(check.reason_params or {}).get("page"),
                                  clause_article=clause.text("article", "en") if clause else "",
                                  title=clause.text("title", "en") if clause else check.clause_id, reason=reason)


def version_dict(session, version, **extra) -> dict:
    """A contract version with its checks (and ``extra``) as JSON."""
    context = service.version_context(session, version.id)
    return ContractVersionPublic.dump(version, structure=version.structure_style, **ocr_reason_fields(version),
                                      checks=[check_dict(c, context["clauses"]) for c in context["checks"]], **extra)


@bp.post("/arrangements/<int:arrangement_id>/contracts")
@allow("compliance", "procurement", "vendor_owner")
@operation("uploadContract", "Upload a contract version and check its clauses", ok=ContractUpload, status=201,
           form=ContractFile, errors=(404, 409, 503))
def upload(arrangement_id: int):
    """Upload a contract version (multipart field ``file``); answers the checks."""
    db = get_session()
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("The multipart field 'file' is required.",
                               [{"field": "file", "message": "Attach the contract as the field 'file'."}])
    with reading(db):  # the installation's reviewer examples, read without the write lock
        examples = service.reviewer_examples(db)
    prepared = service.prepare_version(file.read(), file.filename or "",  # outside the write transaction
                                       examples)
    version = service.upload_version(db, arrangement_id=arrangement_id, prepared=prepared, user=g.user,
                                     contract_id=request.form.get("contract_id", type=int),
                                     title=request.form.get("title", ""),
                                     document_kind=request.form.get("document_kind", ""))
    body = version_dict(db, version)
    arrangement_set = sets.set_summary(db, arrangement_id, language())
    db.commit()
    return jsonify(ContractUpload.dump(version, id=version.contract_id, version_id=version.id,
                                       version=version.number, checks=body["checks"],
                                       set_checks=arrangement_set["set_checks"])), 201


@bp.post("/arrangements/<int:arrangement_id>/contract-set")
@allow("compliance", "procurement", "vendor_owner")
@operation("uploadContractSet", "Upload several documents of the contract set at once, all or none",
           ok=ContractSetUpload, status=201, form=ContractSetFiles, errors=(404, 503))
@too_large_advice(set_service.SEVERAL_UPLOADS)
def upload_set(arrangement_id: int):
    """Upload the documents of the set (multipart field ``files``, repeated); one bad file
    refuses them all (422, a detail per refused file naming it)."""
    db = get_session()
    files = [f for f in request.files.getlist("files") if f and f.filename]
    versions = set_service.receive_set(db, arrangement_id, files, g.user)
    uploaded = []
    for version in versions:
        contract = service.get_contract(db, version.contract_id)
        uploaded.append(SetUploadDocument.dump(version, contract_id=contract.id, title=contract.title,
                                               document_kind=contract.document_kind, version_id=version.id,
                                               version=version.number, checks=version_dict(db, version)["checks"]))
    body = ContractSetUpload.dump(**sets.set_summary(db, arrangement_id, language()), uploaded=uploaded)
    db.commit()
    return jsonify(body), 201


@bp.get("/arrangements/<int:arrangement_id>/contract-set")
@allow(*ALL_ROLES)
@operation("getContractSet", "The arrangement's contract set and its combined clause results", ok=ContractSetPublic,
           errors=(404,))
def contract_set(arrangement_id: int):
    """The documents of the arrangement's contract set (latest version of each) and, per
    clause, the combined result and the document that covers it; these drive the matrix."""
    db = get_session()
    service.get_arrangement(db, arrangement_id)
    return jsonify(ContractSetPublic.dump(**sets.set_summary(db, arrangement_id, language())))


@bp.get("/arrangements/<int:arrangement_id>/contracts")
@allow(*ALL_ROLES)
@operation("listContracts", "Contracts of an arrangement", ok=ContractList, errors=(404,))
def list_contracts(arrangement_id: int):
    """The contracts of an arrangement with their versions."""
    db = get_session()
    service.get_arrangement(db, arrangement_id)
    return jsonify(ContractList.dump(items=[ContractListed.dump(c, versions=versions) for c, versions
                                            in service.contracts_of_arrangement(db, arrangement_id)]))


@bp.get("/contracts/<int:contract_id>")
@allow(*ALL_ROLES)
@operation("getContract", "A contract, its versions and its latest checks", ok=ContractPublic, errors=(404,))
def get_contract(contract_id: int):
    """A contract, its versions and the checks of its latest version."""
    db = get_session()
    contract = service.get_contract(db, contract_id)
    _c, versions = next((c, vs) for c, vs in service.contracts_of_arrangement(db, contract.arrangement_id)
                        if c.id == contract.id)
    return jsonify(ContractPublic.dump(contract, versions=versions,
                                       latest=version_dict(db, versions[0]) if versions else None))


@bp.get("/contract-versions/<int:version_id>")
@allow(*ALL_ROLES)
@operation("getContractVersion", "A contract version with checks and changes", ok=ContractVersionPublic,
           errors=(404,))
def get_version(version_id: int):
    """A contract version with its checks and the changes since the previous version."""
    db = get_session()
    version = service.get_version(db, version_id)
    previous, changes = service.compare_with_previous(db, version)
    return jsonify(version_dict(db, version, previous_version_id=previous.id if previous else None,
                                changes=[c for c in changes if c.changed]))


@bp.post("/clause-checks/<int:check_id>/review")
@allow("compliance")
@operation("reviewClauseCheck", "Confirm or override a clause check", ok=ClauseCheckPublic, body=ClauseReviewInput,
           errors=(404,))
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
@operation("getContractChecklist", "Word checklist of the contract's latest version",
           ok=Binary(DOCX, "The Word checklist"), query=ChecklistQuery, errors=(403, 404))
def checklist(contract_id: int):
    """The Word checklist of the contract's latest version (``?lang=ja|en``, else the user's language)."""
    db = get_session()
    filename, data = service.checklist_for_contract(db, contract_id, request.args.get("lang") or language(), g.user)
    return send_download(db, data, filename, DOCX, entity=None)  # the service recorded the export


@bp.get("/arrangements/<int:arrangement_id>/contract-set/checklist.docx")
@allow(*ALL_ROLES)
@operation("getContractSetChecklist", "Word checklist of the arrangement's contract set",
           ok=Binary(DOCX, "The Word checklist of the set: its documents, then per required clause the result, "
                           "the document and place that cover it"),
           query=ChecklistQuery, errors=(403, 404, 422))
def set_checklist(arrangement_id: int):
    """The Word checklist of the arrangement's contract set, the page's document (``?lang=ja|en``,
    else the user's language); 422 while the arrangement has no document."""
    db = get_session()
    filename, data = set_service.checklist_document(db, arrangement_id, request.args.get("lang") or language(),
                                                    g.user)
    return send_download(db, data, filename, DOCX, entity=None)  # the service recorded the export
