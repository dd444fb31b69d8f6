"""Reminders: one row per (subject, kind, due date, recipient), so each is sent once."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field

REMINDER_STATUSES = ("pending", "sending", "sent", "failed")


class Reminder(SQLModel, table=True):
    """An e-mail reminder; the unique key makes every sweep idempotent."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "kind", "due_date", "recipient",
                         name="uq_reminder_once"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=40)  # review, finding, certificate, arrangement, ...
    subject_id: int
    kind: str = Field(max_length=40)  # e.g. due_in_30, due_today, overdue_week_2
    due_date: date
    recipient: str = Field(max_length=254)
    recipient_user_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    language: str = Field(default="ja", max_length=5)
    subject_line: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: Optional[datetime] = Field(default=None, index=True)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()
    sent_at: Optional[datetime] = None
    # Added by monitoring (0006_monitoring): which sweep claimed the row for sending, and when.
    claimed_by: str = Field(default="", max_length=100)
    claimed_at: Optional[datetime] = None
    # Added by questionnaire campaigns (0017_campaigns): a file sent with the message (the
    # workbook a vendor is asked to fill in) and the address replies should go to.
    attachment_file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    attachment_name: str = Field(default="", max_length=300)
    reply_to: str = Field(default="", max_length=254)
