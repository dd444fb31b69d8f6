"""Questionnaire responses: the imported workbook, its answers, and the subcontractors it
listed, proposed for the vendor's chains until reviewed."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field, json_list_field

# Our own workbook, the industry's formats known by a profile, or a layout the user confirmed.
RESPONSE_FORMATS = ("native", "caiq", "hecvat3", "hecvat4", "sig", "ja_checklist", "unknown")
# withdrawn: accepted, then its link was removed from the chain (``note`` says why).
PROPOSAL_STATUSES = ("pending", "accepted", "rejected", "withdrawn")


class QuestionnaireResponse(SQLModel, table=True):
    """A vendor's answers to a questionnaire, imported from one workbook (kept by its hash)."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (UniqueConstraint("vendor_id", "file_sha256", name="uq_response_file_once"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    # NULL for a foreign workbook imported without a mapping to one of our templates.
    template_id: Optional[str] = Field(default=None, max_length=60, index=True)
    template_version: Optional[int] = None
    format: str = Field(default="native", max_length=20)
    # The known format's profile that mapped a foreign workbook's answers onto our questions.
    profile_id: Optional[str] = Field(default=None, max_length=60)
    confidence: Optional[float] = None  # how surely the layout was detected (foreign formats)
    # Where the answers were read: the sheets, header rows and columns (foreign formats).
    layout: dict = json_dict_field()
    # Per article served (27(1)...27(9), 26(3)...): questions, answered, points, possible, score.
    article_scores: dict = json_dict_field()
    # A foreign workbook's answers as our questions (template, question, article, value,
    # sources, points, max_points, flagged, severity): it may span several of our templates.
    mapped: list = json_list_field()
    file_id: int = Field(foreign_key="stored_file.id")
    file_sha256: str = Field(max_length=64, index=True)
    filename: str = Field(default="", max_length=300)
    questions: int = 0
    answered: int = 0
    score: Optional[float] = None
    flags: int = 0
    imported_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class QuestionnaireAnswer(SQLModel, table=True):
    """One answer: our question id (if known) and the id and cell it came from."""

    __tablename__ = "questionnaire_answer"
    id: Optional[int] = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="questionnaire_response.id", index=True, ondelete="CASCADE")
    position: int = 0
    question_id: Optional[str] = Field(default=None, max_length=60)
    source_id: str = Field(default="", max_length=100)
    sheet: str = Field(default="", max_length=100)
    cell: str = Field(default="", max_length=12)
    question_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    value: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    raw: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    points: Optional[float] = None
    max_points: Optional[float] = None
    flagged: bool = False
    severity: Optional[str] = Field(default=None, max_length=10)


class SubcontractorProposal(SQLModel, table=True):
    """A subcontractor listed in a response, proposed as a link in the vendor's chains."""

    __tablename__ = "subcontractor_proposal"
    id: Optional[int] = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="questionnaire_response.id", index=True, ondelete="CASCADE")
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    row: int = 0
    name: str = Field(max_length=300)
    corporate_number: Optional[str] = Field(default=None, max_length=13)
    country: str = Field(default="", max_length=2)
    service: str = Field(default="", max_length=300)
    touches_user_data: bool = False
    data_location: str = Field(default="", max_length=200)
    # Who sub-outsources to it, as written (委託元); blank: the vendor itself. parent_row is the
    # row of the subcontractor named there, when it is another row of the same sheet.
    contracted_by: str = Field(default="", max_length=300)
    parent_row: Optional[int] = None
    status: str = Field(default="pending", max_length=10, index=True)
    # The link it became; a link removed from the chain leaves the proposal as a record.
    link_id: Optional[int] = Field(default=None, foreign_key="outsourcing_link.id", ondelete="SET NULL")
    reviewed_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    reviewed_at: Optional[datetime] = None
    note: str = Field(default="", max_length=1000)
