"""Questionnaire campaigns: one workbook sent to several vendors at once, each vendor's copy
kept, its e-mails sent and reminded through the reminder machinery, its return matched."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_list_field

CAMPAIGN_STATUSES = ("open", "closed")
# What a vendor of a campaign shows: derived from the row's dates (and, for ``ended``, from its
# arrangements all having ended), never stored.
RECIPIENT_STATES = ("queued", "sent", "overdue", "returned", "ended")


class QuestionnaireCampaign(SQLModel, table=True):
    """A questionnaire sent to several vendors with one due date."""

    __tablename__ = "questionnaire_campaign"
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    template_id: str = Field(max_length=60)
    template_version: int
    due_date: date = Field(index=True)  # a business day (core.business_days)
    nominal_due_date: date | None = None  # the date asked for, when it fell on a closed day
    sent_on: date  # the day the requests were sent: the key of the request e-mails
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reply_to: str = Field(default="", max_length=254)  # where vendors send the file back
    status: str = Field(default="open", max_length=10, index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
    closed_at: Optional[datetime] = None


class CampaignVendor(SQLModel, table=True):
    """A vendor of a campaign: the addresses written to, the workbook sent (kept as it was
    attached), when the request went out, and the response that came back."""

    __tablename__ = "questionnaire_campaign_vendor"
    __table_args__ = (UniqueConstraint("campaign_id", "vendor_id", name="uq_campaign_vendor_once"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="questionnaire_campaign.id", index=True, ondelete="CASCADE")
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    emails: list[str] = json_list_field()
    language: str = Field(default="ja", max_length=5)
    file_id: int = Field(foreign_key="stored_file.id")
    filename: str = Field(default="", max_length=300)
    sent_at: Optional[datetime] = None  # the first request e-mail accepted by the SMTP server
    returned_at: Optional[datetime] = None
    response_id: Optional[int] = Field(default=None, foreign_key="questionnaire_response.id",
                                       ondelete="SET NULL")
