"""Remediation of findings (Art. 24 guideline): the evidence that a finding was dealt with,
and the acceptance of a risk that is not remediated, approved by a second person and
limited in time (Art. 8(5))."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field

# requested -> approved | rejected | withdrawn; approved -> expired (its day passed) or
# ended (the finding was remediated or sent back to work before it expired); requested or
# approved -> ended when the product closes the finding itself (its gap is gone).
ACCEPTANCE_STATUSES = ("requested", "approved", "rejected", "withdrawn", "expired", "ended")


class FindingEvidence(SQLModel, table=True):
    """Evidence of a finding's remediation: a text, a file, or both."""

    __tablename__ = "finding_evidence"
    id: Optional[int] = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True, ondelete="CASCADE")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    filename: str = Field(default="", max_length=300)  # as uploaded, may be Japanese
    added_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    added_at: datetime = created_at_field()


class RiskAcceptance(SQLModel, table=True):
    """A request to accept a finding's risk until ``expires_on``, and its decision; the
    approver is never the requester."""

    __tablename__ = "risk_acceptance"
    id: Optional[int] = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True, ondelete="CASCADE")
    status: str = Field(default="requested", max_length=12, index=True)
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    expires_on: date = Field(index=True)
    # The expiry asked for when it fell on a closed day (``expires_on`` moved before it).
    nominal_expires_on: Optional[date] = None
    # The status the finding had when the acceptance was asked for; it returns to it.
    finding_status: str = Field(default="open", max_length=20)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_at: datetime = created_at_field()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    decided_at: Optional[datetime] = None
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ended_at: Optional[datetime] = None
