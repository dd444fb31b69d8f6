"""Contracts API: upload a version (checked at once), read contracts, versions and checks,
the combined results of an arrangement's contract set, review a check, download the Word
checklist of a contract or of the set."""
from datetime import datetime
from typing import Literal, Optional

from flask import Blueprint, g, jsonify, request
from pydantic import BaseModel, Field

from vendorrisk.contracts import service, set_service, sets
from vendorrisk.contracts.checker import reasons
from vendorrisk.contracts.models import CHECK_STATUSES, DOCUMENT_KINDS
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, Public, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import DOCX, send_download
from vendorrisk.core.errors import ValidationFailed, too_large_advice
from vendorrisk.core.i18n import language

bp = Blueprint("api_contracts", __name__, url_prefix="/api/v1")
_STATUS = {"enum": list(CHECK_STATUSES)}


class ClauseCheckPublic(Public):
    """A clause of the library checked in a contract version: the result that counts
    (``status``: the reviewer's, else the automatic one), its evidence and the review."""

    id: int
    clause_id: str
    status: str = Field(json_schema_extra=_STATUS)
    auto_status: str = Field(json_schema_extra=_STATUS)
    confidence: float
    reason: str = Field(description="Why, in the user's language")
    reason_key: str = Field(description="The reason as a key (found, weak, direction, negative, not_found, "
                                        "scanned, unreadable_text...) for clients that render it themselves")
    reason_params: dict = Field(description="The parameters of the reason (location, score, heading...)")
    evidence: str
    evidence_read_by_ocr: bool = Field(description="The evidence was read by OCR from a scanned page: check it "
                                                   "against the scan")
    location: str
    article: str
    clause_article: str
    title: str
    reviewer_status: Optional[str]
    reviewer_comment: str
    reviewed_at: Optional[datetime]


class ClauseChange(Public):
    """How a clause's result moved since the previous version."""

    clause_id: str
    previous: Optional[str]
    current: Optional[str]
    evidence_changed: bool


class ContractVersionPublic(Public):
    """A contract version with its checks; read alone, also the changes since the previous version."""

    id: int
    contract_id: int
    number: int
    filename: str
    file_kind: str
    extraction_status: str = Field(description="How the file was read: ok, no_structure, scanned, partly_scanned, "
                                               "ocr (a scan read by OCR), unreadable_text, partly_unreadable")
    extraction_note: str
    ocr_state: str = Field(json_schema_extra={"enum": ["", "queued", "running", "done", "failed", "unavailable"]},
                           description="OCR of a scanned PDF, done in the background: queued, running, done, failed "
                                       "(ocr_reason says why) or unavailable (no OCR engine on the server); "
                                       "empty when the file is not a scan")
    ocr_reason: str
    ocr_pages: int = Field(description="Pages read by OCR")
    structure: str
    uploaded_at: datetime
    checks: list[ClauseCheckPublic]
    previous_version_id: Optional[int] = None
    changes: list[ClauseChange] = Field(default_factory=list)


class SetCheckPublic(Public):
    """The combined result of one clause over the arrangement's contract set: found when any
    document of the set has it found; the document and the place that cover it."""

    clause_id: str
    status: str = Field(json_schema_extra=_STATUS)
    reviewed: bool
    check_id: Optional[int]
    contract_id: Optional[int]
    document: Optional[str] = Field(description="Title of the document that covers (or best matches) the clause")
    document_kind: Optional[str] = Field(json_schema_extra={"enum": list(DOCUMENT_KINDS)})
    version_id: Optional[int]
    version: Optional[int]
    location: str
    evidence: str
    reason: str
    documents_checked: int


class SetDocument(Public):
    """A document of the contract set: the latest version of one contract of the arrangement."""

    contract_id: int
    title: str
    document_kind: str
    version_id: int
    version: int
    filename: str
    extraction_status: str


class ContractSetPublic(Public):
    """An arrangement's contract set: its documents and the combined result per clause."""

    arrangement_id: int
    documents: list[SetDocument]
    set_checks: list[SetCheckPublic]


class ContractUpload(Public):
    """The contract id, the checks of the uploaded document alone (``checks``) and the
    combined results of the arrangement's contract set after the upload (``set_checks``)."""

    id: int = Field(description="The contract id")
    contract_id: int
    version_id: int
    version: int
    extraction_status: str
    extraction_note: str
    ocr_state: str = Field(description="queued when the file is a scan to be read by OCR in the background "
                                       "(unavailable without an OCR engine on the server); empty otherwise")
    checks: list[ClauseCheckPublic]
    set_checks: list[SetCheckPublic]


class SetUploadDocument(Public):
    """A document stored by a set upload: a new document of the set, or the next version of
    the document of the same name; ``checks`` are its own results alone."""

    contract_id: int
    title: str
    document_kind: str = Field(json_schema_extra={"enum": list(DOCUMENT_KINDS)})
    version_id: int
    version: int
    filename: str
    extraction_status: str
    checks: list[ClauseCheckPublic]


class ContractSetUpload(Public):
    """The documents a set upload stored, and the arrangement's contract set after it: its
    documents and the combined result per clause (``set_checks``)."""

    arrangement_id: int
    uploaded: list[SetUploadDocument]
    documents: list[SetDocument]
    set_checks: list[SetCheckPublic]


class VersionListed(Public):
    """A version in a contract list."""

    id: int
    number: int
    filename: str
    extraction_status: str


class ContractListed(Public):
    """A contract of the arrangement with its versions."""

    id: int
    title: str
    document_kind: str
    arrangement_id: int
    versions: list[VersionListed]


class ContractList(Public):
    """Contracts and versions."""

    items: list[ContractListed]


class VersionRef(Public):
    """A version of the contract."""

    id: int
    number: int
    filename: str


class ContractPublic(Public):
    """The contract, its versions (newest first) and its latest version's checks."""

    id: int
    title: str
    arrangement_id: int
    versions: list[VersionRef]
    latest: Optional[ContractVersionPublic]


class ContractFile(BaseModel):
    """A contract file; a new contract, or a new version of ``contract_id`` (multipart form)."""

    file: bytes = Field(description=".docx, .pdf (text layer), .txt, .md or .html/.htm (an EDGAR exhibit, "
                                   "a saved web page)")
    contract_id: Optional[int] = Field(default=None, description="Add a version to this contract")
    title: str = Field(default="", description="Start a new contract (a new document of the set) with this title; "
                                               "a title a document of the set has already is refused (422): send "
                                               "its contract_id to add a version")
    document_kind: Literal[DOCUMENT_KINDS] = Field(default="master", description="Which document of the "
                                                   "arrangement's contract set a new contract is")


class ContractSetFiles(BaseModel):
    """The documents of a contract set uploaded together (multipart form, the field repeated)."""

    files: list[bytes] = Field(description=f"Up to {set_service.MAX_SET_FILES} files (.docx, .pdf with text, "
                                           ".txt, .md, .html); all are stored or none. A file named like a document of "
                                           "the set (its title or latest file name, blanks around it and letter "
                                           "case ignored) is its next version; any other starts a new document, "
                                           "its kind recognised from its name and title. A set larger than one "
                                           "request (more files, or more than MAX_UPLOAD_MB + 1 MB in all: 413) is "
                                           "sent in several requests: the files of each join the same set")


class ClauseReviewInput(BaseModel):
    """Confirm or override the result of a check."""

    status: Literal["found", "not_found"]
    comment: str = ""


class ChecklistQuery(BaseModel):
    """The checklist's language."""

    lang: Optional[Literal["ja", "en"]] = Field(default=None, description="Default: the user's language")


def check_dict(check, clauses) -> dict:
    """A clause check as JSON."""
    clause = clauses.get(check.clause_id)
    lang = language()
    reason = reasons.render(check.reason_key, check.reason_params, lang) if check.reason_key else check.reason
    return ClauseCheckPublic.dump(check, evidence_read_by_ocr=bool((check.reason_params or {}).get("ocr")),
                                  clause_article=clause.text("article", "en") if clause else "",
                                  title=clause.text("title", "en") if clause else check.clause_id, reason=reason)


def version_dict(session, version, **extra) -> dict:
    """A contract version with its checks (and ``extra``) as JSON."""
    context = service.version_context(session, version.id)
    return ContractVersionPublic.dump(version, structure=version.structure_style,
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
