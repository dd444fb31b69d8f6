"""Findings: issues raised by reviews, questionnaires, contract checks, certificates or
assessments, followed up until verified and closed (Art. 24 guideline)."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from .base import created_at_field

SEVERITIES = ("critical", "high", "medium", "low")
FINDING_STATUSES = ("open", "in_progress", "resolved", "closed")
FINDING_SOURCES = ("manual", "review", "questionnaire", "contract", "certificate", "assessment")


class Finding(SQLModel, table=True):
    """A finding about a vendor; ``source`` + ``source_ref`` identify what raised it."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_finding_source"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    arrangement_id: Optional[int] = Field(default=None, foreign_key="arrangement.id")
    source: str = Field(default="manual", max_length=20)
    # e.g. "questionnaire_response:12:Q-03"; NULL for manual findings (NULLs never collide).
    source_ref: Optional[str] = Field(default=None, max_length=200)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    severity: str = Field(default="medium", max_length=10, index=True)
    status: str = Field(default="open", max_length=20, index=True)
    owner_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    due_date: Optional[date] = Field(default=None, index=True)
    raised_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    raised_at: datetime = created_at_field()
    resolved_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    closed_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    closure_evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    closure_file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
