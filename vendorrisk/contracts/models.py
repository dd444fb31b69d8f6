"""Contracts of an arrangement, their versions and the clause checks of each version."""
import unicodedata
from datetime import datetime
from typing import Optional

from sqlalchemy import Index, Text, UniqueConstraint, event
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field

CHECK_STATUSES = ("found", "not_found", "needs_review")
# The documents of an arrangement's contract set (基本契約, DPA, SLA, security exhibit, 覚書...), in
# the order the pages list them, with their names: the one list the model, the API, the pages'
# selects and the Word checklist read.
DOCUMENT_KIND_NAMES = {"master": {"ja": "基本契約書", "en": "Master agreement"},
                       "dpa": {"ja": "データ処理契約（DPA）", "en": "Data processing agreement"},
                       "sla": {"ja": "サービスレベル合意書（SLA）", "en": "Service level agreement"},
                       "security": {"ja": "セキュリティ別紙", "en": "Security exhibit"},
                       "memorandum": {"ja": "覚書", "en": "Memorandum"},
                       "order": {"ja": "個別契約・注文書", "en": "Individual contract or order"},
                       "other": {"ja": "その他", "en": "Other"}}
DOCUMENT_KINDS = tuple(DOCUMENT_KIND_NAMES)
TITLE_MAX = 300


def title_key(title: str) -> str:
    """The form in which two titles name the same document of a set (blanks around it, letter
    case and full-width or compatibility forms ignored: ``SLA``, ``sla `` and ``ＳＬＡ``; NFKC
    then case folding): what a file's name is matched on, and what is unique within an
    arrangement."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title.strip()[:TITLE_MAX]).casefold())
    return folded.strip()[:TITLE_MAX]


class Contract(SQLModel, table=True):
    """An outsourcing contract (外部委託契約) of an arrangement; its text comes in versions."""

    __tablename__ = "contract"
    # one document of a title per arrangement, also when two uploads start it at the same moment
    __table_args__ = (Index("uq_contract_title", "arrangement_id", "title_key", unique=True),)
    id: Optional[int] = Field(default=None, primary_key=True)
    arrangement_id: int = Field(foreign_key="arrangement.id", index=True)
    title: str = Field(max_length=TITLE_MAX)
    title_key: str = Field(default="", max_length=TITLE_MAX)  # title_key(title), kept by _keep_title_key
    # which document of the arrangement's contract set this is; a clause is covered when any
    # document of the set covers it
    document_kind: str = Field(default="master", max_length=20)
    created_at: datetime = created_at_field()
    created_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")


@event.listens_for(Contract, "before_insert")
@event.listens_for(Contract, "before_update")
def _keep_title_key(_mapper, _connection, contract: Contract) -> None:
    contract.title_key = title_key(contract.title)


class ContractVersion(SQLModel, table=True):
    """One uploaded version of a contract: the file, its extracted text, how it was read."""

    __tablename__ = "contract_version"
    __table_args__ = (UniqueConstraint("contract_id", "number", name="uq_contract_version_number"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    number: int
    file_id: int = Field(foreign_key="stored_file.id")
    filename: str = Field(max_length=300)
    file_kind: str = Field(max_length=10)  # docx, doc, pdf, txt, md, html, rtf, png, jpeg, tiff
    extracted_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    extraction_status: str = Field(default="ok", max_length=20)
    extraction_note: str = Field(default="", max_length=1000)
    structure_style: str = Field(default="none", max_length=20)
    library_version: str = Field(default="", max_length=40)
    uploaded_at: datetime = created_at_field()
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    # OCR of a scanned PDF, done by the scheduler (``ocr_jobs``): "" (not a scan), queued, running,
    # done, failed (``ocr_reason`` says why) or unavailable (Tesseract not installed)
    ocr_state: str = Field(default="", max_length=20, index=True)
    ocr_reason: str = Field(default="", max_length=1000)
    ocr_pages: int = 0  # pages read by OCR
    ocr_claimed_at: Optional[datetime] = None


class ClauseCheck(SQLModel, table=True):
    """The result for one required clause in one contract version: automatic, then reviewed."""

    __tablename__ = "clause_check"
    __table_args__ = (UniqueConstraint("version_id", "clause_id", name="uq_clause_check_once"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="contract_version.id", index=True)
    clause_id: str = Field(max_length=60, index=True)
    auto_status: str = Field(max_length=20)
    confidence: float = 0.0
    reason: str = Field(default="", max_length=1000)
    # the reason as a key and parameters (rendered in the reader's language by checker.reasons)
    reason_key: str = Field(default="", max_length=40)
    reason_params: dict = json_dict_field()
    # the sentence the scorer judged (parties written as Ⓟ/Ⓒ) and its heading: what a
    # reviewer's confirmation keeps as an example for this installation
    evidence_sentence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence_heading: str = Field(default="", max_length=300)
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    location: str = Field(default="", max_length=120)
    article: str = Field(default="", max_length=60)
    reviewer_status: Optional[str] = Field(default=None, max_length=20)
    reviewer_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewed_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    reviewed_at: Optional[datetime] = None

    @property
    def status(self) -> str:
        """The result that counts: the reviewer's when reviewed, else the automatic one."""
        return self.reviewer_status or self.auto_status


class ClauseReview(SQLModel, table=True):
    """Every confirmation or override of a clause check, kept in order (never edited)."""

    __tablename__ = "clause_review"
    id: Optional[int] = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="clause_check.id", index=True)
    status: str = Field(max_length=20)
    previous_status: str = Field(max_length=20)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewer_id: int = Field(foreign_key="user_account.id")
    at: datetime = created_at_field()


class ClauseExample(SQLModel, table=True):
    """A reviewer's verdict on the sentence of a check, kept to adapt the scorer on this
    installation's later contracts: ``label`` true = the sentence carries the clause."""

    __tablename__ = "clause_example"
    id: Optional[int] = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="clause_check.id", index=True, unique=True)
    clause_id: str = Field(max_length=60, index=True)
    sentence: str = Field(sa_column=Column(Text, nullable=False))
    heading: str = Field(default="", max_length=300)
    label: bool
    created_at: datetime = created_at_field()
    created_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
