"""The contracts API's shapes, declared once: the OpenAPI document is generated from them and
the API answers with them (``contracts.api``)."""
from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, Field

from vendorrisk.contracts import set_service
from vendorrisk.contracts.models import CHECK_STATUSES, DOCUMENT_KINDS
from vendorrisk.core.api import Public

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
    evidence_page: Optional[int] = Field(default=None, description="The page (from 1) of the PDF (text, scanned "
                                         "and read by OCR, or glyph pages read by OCR) or of the scanned image "
                                         "(PNG, JPEG, TIFF) the evidence sentence starts on; none for other "
                                         "files and for checks stored before pages were named")
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
                           description="OCR of a scanned PDF or image, or of a PDF's pages of glyph numbers, in the "
                                       "background: queued, running, done, failed (ocr_reason says why) or unavailable "
                                       "(no OCR engine on the server); empty when nothing is to be read by OCR")
    ocr_reason: str = Field(description="Why the OCR failed, in the user's language")
    ocr_reason_key: str = Field(json_schema_extra={"enum": ["", "page_limit", "page_time", "not_installed", "stopped",
                                                            "too_poor", "engine_error"]})
    ocr_reason_detail: str = Field(description="The OCR runner's own words (English), for the administrator")
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
    evidence_page: Optional[int] = Field(default=None, description="The page of the PDF or scanned image the "
                                         "evidence starts on (as a version's check gives it)")
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

    file: bytes = Field(description=".docx, .doc (Word 97–2003), .pdf, .txt, .md, .html/.htm (an EDGAR exhibit, "
                                    "a saved web page) or .rtf; or "
                                    "a scan as an image (.png, .jpg, .tif: multi-page TIFF too), read by OCR in the "
                                    "background")
    contract_id: Optional[int] = Field(default=None, description="Add a version to this contract")
    title: str = Field(default="", description="Start a new contract (a new document of the set) with this title; "
                                               "a title a document of the set has already is refused (422): send "
                                               "its contract_id to add a version")
    document_kind: Literal[DOCUMENT_KINDS] = Field(default="master", description="Which document of the "
                                                   "arrangement's contract set a new contract is")


class ContractSetFiles(BaseModel):
    """The documents of a contract set uploaded together (multipart form, the field repeated)."""

    files: list[bytes] = Field(description=f"Up to {set_service.MAX_SET_FILES} files (.docx, .doc, .pdf, .txt, .md, "
                                           ".html, .rtf, or scans as .png, .jpg, .tif); all are stored or none. A file named like a document of "
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
