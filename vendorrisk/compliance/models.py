"""Monthly snapshots of the compliance matrix, kept to draw the trend of gaps over time."""
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field, json_list_field


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


class ComplianceVerdict(SQLModel, table=True):
    """One maintained cell of the matrix: a vendor's verdict on one obligation.

    Written only by ``compliance.maintain`` (inside the transaction of the change that caused
    it, or by the rebuild and the daily refresh); pages, counts and exports read it. The
    reason and the link labels are stored untranslated (``core.messages.to_json``) and
    rendered in the reader's language.
    """

    __tablename__ = "compliance_verdict"
    __table_args__ = (Index("ix_compliance_verdict_obligation_status", "obligation", "status", "vendor_id"),)
    vendor_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    obligation: str = Field(primary_key=True, max_length=60)
    status: str = Field(max_length=20)
    reason: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    links: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ComplianceVendor(SQLModel, table=True):
    """What the matrix knows of a vendor before any rule (its chain facts, which the filters
    read) and the counts of its verdicts by status; maintained with its verdicts."""

    __tablename__ = "compliance_vendor"
    vendor_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    tier: Optional[int] = Field(default=None, index=True)
    arrangements: int = Field(default=0, index=True)
    important: bool = False
    cloud: bool = False
    user_data: bool = False
    met: int = 0
    gap: int = Field(default=0, index=True)
    not_applicable: int = 0


class ComplianceCount(SQLModel, table=True):
    """How many vendors have a maintained verdict of ``status`` under ``scope`` (``*``, an
    article, a paragraph or an obligation): the matrix's counts, kept by ``compliance.counts``
    with the verdicts."""

    __tablename__ = "compliance_count"
    scope: str = Field(primary_key=True, max_length=60)
    status: str = Field(primary_key=True, max_length=20)
    vendors: int = 0


class ComplianceState(SQLModel, table=True):
    """One row: which obligations the maintained verdicts were built for, and the day the
    time-dependent ones (a review overdue today, a certificate expired today) were last
    brought up to date."""

    __tablename__ = "compliance_state"
    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True, autoincrement=False))
    obligations: str = Field(default="", sa_column=Column(Text, nullable=False))
    refreshed_on: Optional[date] = None
    rebuilt_at: Optional[datetime] = None


JOB_STATUSES = ("queued", "running", "done", "failed")


class ExportJob(SQLModel, table=True):
    """An export built in the background by the scheduler process (``compliance.jobs``):
    who asked for it, with what, how far it got, and the file once done."""

    __tablename__ = "export_job"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    params: dict = json_dict_field()
    language: str = Field(default="en", max_length=5)
    status: str = Field(default="queued", max_length=10, index=True)
    progress: int = 0
    total: int = 0
    attempts: int = 0
    created_by_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = created_at_field()
    started_at: Optional[datetime] = None
    heartbeat_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None
    runner: str = Field(default="", max_length=80)
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    filename: str = Field(default="", max_length=200)
    size: int = 0
