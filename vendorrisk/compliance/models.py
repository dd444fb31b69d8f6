"""Monthly snapshots of the compliance matrix, kept to draw the trend of gaps over time."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from vendorrisk.core.models import created_at_field, json_list_field


class ComplianceSnapshot(SQLModel, table=True):
    """The counts of one obligation's statuses in one month (first day of the month).

    One row per (month, obligation); taking the snapshot again in the same month
    replaces the counts, so the command is idempotent per month.
    """

    __tablename__ = "compliance_snapshot"
    __table_args__ = (UniqueConstraint("month", "obligation", name="uq_snapshot_month_obligation"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    obligation: str = Field(max_length=60)
    met: int = 0
    gap: int = 0
    not_applicable: int = 0
    # Vendors with a gap, so that a report can say which gaps opened or closed since.
    gap_vendor_ids: list[int] = json_list_field()
    taken_at: datetime = created_at_field()
