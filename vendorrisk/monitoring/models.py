"""Monitoring (Art. 26(1)-(2)): planned and recorded reviews of every vendor of every tier,
and the secret calendar feeds of users."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field

REVIEW_STATUSES = ("planned", "in_progress", "completed")
REVIEW_METHODS = ("onsite", "remote", "document")
REVIEW_OUTCOMES = ("satisfactory", "needs_improvement", "unsatisfactory")
# What a review looks at; each is answered ok / issue / not_applicable with a note.
REVIEW_CHECKS = ("service_levels", "incidents", "sub_outsourcing_changes", "certificates_reports",
                 "user_data_handling", "data_locations")
CHECK_RESULTS = ("ok", "issue", "not_applicable")


class MonitoringReview(SQLModel, table=True):
    """One periodic review of a vendor: planned by the sweep, recorded by its owner."""

    __tablename__ = "monitoring_review"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    status: str = Field(default="planned", max_length=20, index=True)
    # Equals vendor_id while the review is open and NULL once completed: the unique index
    # keeps one open review per vendor, whatever the number of concurrent sweeps.
    open_vendor_id: Optional[int] = Field(default=None, unique=True)
    risk_tier: str = Field(default="medium", max_length=10)
    frequency_months: int = 12
    due_date: date = Field(index=True)
    # The date the frequency gives when it fell on a closed day and ``due_date`` moved to the
    # business day before it (core.business_days); NULL when it did not move.
    nominal_due_date: Optional[date] = None
    owner_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    planned_at: datetime = created_at_field()
    started_at: Optional[datetime] = None
    performed_on: Optional[date] = None
    method: str = Field(default="", max_length=20)
    checks: dict = json_dict_field()
    outcome: str = Field(default="", max_length=30)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    completed_at: Optional[datetime] = None
    completed_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")


class ReviewAttachment(SQLModel, table=True):
    """A file kept as evidence of a review (report, minutes, certificate)."""

    __tablename__ = "review_attachment"
    __table_args__ = (UniqueConstraint("review_id", "file_id", name="uq_review_attachment"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="monitoring_review.id", index=True, ondelete="CASCADE")
    file_id: int = Field(foreign_key="stored_file.id")
    added_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    added_at: datetime = created_at_field()


class CalendarFeed(SQLModel, table=True):
    """A user's secret iCalendar URL; only the SHA-256 of its token is kept."""

    __tablename__ = "calendar_feed"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = created_at_field()
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None
