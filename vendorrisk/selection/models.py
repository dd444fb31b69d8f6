"""Selection assessments (Art. 25(1)) with four-eyes approval (Art. 8(5)), and the history of
manual overrides of a vendor's inherent risk tier."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field, json_list_field

ASSESSMENT_STATUSES = ("draft", "submitted", "approved", "rejected")
DECISIONS = ("approve", "approve_with_conditions", "reject")


class SelectionAssessment(SQLModel, table=True):
    """An evaluation of a vendor against the selection criteria.

    ``criteria_snapshot`` holds the criteria exactly as scored (sets, versions, file hashes)
    and ``criteria_hash`` its SHA-256, so later edits of the criteria files change no past
    score. Once approved or rejected the assessment is immutable.
    """

    __tablename__ = "selection_assessment"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    status: str = Field(default="draft", max_length=12, index=True)
    criteria_snapshot: dict = json_dict_field()
    criteria_hash: str = Field(max_length=64)
    criteria_versions: str = Field(default="", max_length=300)  # "general v1, cloud-art27 v1"
    vendor_facts: dict = json_dict_field()  # applicability at creation: cloud, important, ...
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    conditions: list = json_list_field()  # follow-up conditions proposed by the preparer
    total_percent: Optional[float] = None
    recommendation: Optional[str] = Field(default=None, max_length=30)  # band from the score
    knockouts: list = json_list_field()  # criterion ids scored below their knock-out line
    decision: Optional[str] = Field(default=None, max_length=30)
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    prepared_by_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = created_at_field()
    submitted_at: Optional[datetime] = None
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    decided_at: Optional[datetime] = None


class AssessmentScore(SQLModel, table=True):
    """The score one criterion received, with the preparer's comment."""

    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id", name="uq_score_once"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="selection_assessment.id", index=True, ondelete="CASCADE")
    criterion_id: str = Field(max_length=40)
    score: Optional[int] = None
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AssessmentEvidence(SQLModel, table=True):
    """A file attached as evidence for one criterion of an assessment."""

    __tablename__ = "assessment_evidence"
    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="selection_assessment.id", index=True, ondelete="CASCADE")
    criterion_id: str = Field(max_length=40)
    file_id: int = Field(foreign_key="stored_file.id")
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    uploaded_at: datetime = created_at_field()


class RiskTierOverride(SQLModel, table=True):
    """A manual override of a vendor's computed risk tier; ``tier`` None ends the override.

    Rows are never edited: the latest row per vendor is in force, the rest is history.
    """

    __tablename__ = "risk_tier_override"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    tier: Optional[str] = Field(default=None, max_length=10)
    computed_tier: str = Field(max_length=10)  # what the formula said when overridden
    reason: str = Field(sa_column=Column(Text, nullable=False))
    set_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    set_at: datetime = created_at_field()
