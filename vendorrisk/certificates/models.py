"""Certificates and assurance reports (Art. 26(4) guideline): what a vendor's evidence says,
which file holds it, who read it, and which subservice organisations it leaves out.

A certificate (ISO/IEC 27001, ISMAP, PrivacyMark...) is valid between its issue and expiry
dates; a report (SOC 1/2/3, bridge letter) covers a period. Which of the two a record
carries is decided by its type (``DATE_KIND``).
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Index, Text, event
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.clock import add_months
from vendorrisk.core.models import created_at_field

CERTIFICATE_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3", "iso27001", "iso27017",
                     "iso27018", "ismap", "pci_dss", "privacymark", "bridge_letter",
                     "onsite_audit", "pentest_summary", "other")
TYPE_LABELS = {
    "soc1": "SOC 1", "soc2_type1": "SOC 2 Type I", "soc2_type2": "SOC 2 Type II", "soc3": "SOC 3",
    "iso27001": "ISO/IEC 27001", "iso27017": "ISO/IEC 27017", "iso27018": "ISO/IEC 27018",
    "ismap": "ISMAP registration", "pci_dss": "PCI DSS attestation", "privacymark": "PrivacyMark",
    "bridge_letter": "Bridge letter", "onsite_audit": "On-site audit report",
    "pentest_summary": "Penetration test summary", "other": "Other",
}
# "period": a report over period_start..period_end; "validity": issue_date..expiry_date.
DATE_KIND = {"soc1": "period", "soc2_type1": "period", "soc2_type2": "period", "soc3": "period",
             "bridge_letter": "period", "onsite_audit": "validity", "pentest_summary": "validity",
             "iso27001": "validity", "iso27017": "validity", "iso27018": "validity",
             "ismap": "validity", "pci_dss": "validity", "privacymark": "validity",
             "other": "validity"}
# Types that can stand for an audit of an important vendor under Art. 26(4).
ASSURANCE_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3", "iso27001", "iso27017",
                   "iso27018", "ismap", "pci_dss", "onsite_audit")
SOC_REPORT_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3")
OPINIONS = ("unqualified", "qualified", "adverse")
SUBSERVICE_TREATMENTS = ("carved_out", "inclusive")


class Certificate(SQLModel, table=True):
    """One certificate or assurance report of a vendor, with the file it came in."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
                        name="ck_certificate_period"),
        CheckConstraint("expiry_date IS NULL OR issue_date IS NULL OR expiry_date >= issue_date",
                        name="ck_certificate_validity"),
        Index("ix_certificate_due_on", "due_on", "id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    type: str = Field(max_length=20, index=True)
    issuer: str = Field(default="", max_length=300)  # certification body or audit firm
    scope: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    services_covered: str = Field(default="", max_length=1000)
    regions_covered: str = Field(default="", max_length=500)
    period_start: Optional[date] = None
    period_end: Optional[date] = Field(default=None, index=True)
    issue_date: Optional[date] = None
    expiry_date: Optional[date] = Field(default=None, index=True)
    opinion: Optional[str] = Field(default=None, max_length=12)
    exceptions_noted: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Complementary user-entity controls the member must operate, one per line.
    cuecs: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    file_id: int = Field(foreign_key="stored_file.id", index=True)
    original_filename: str = Field(max_length=300)  # as uploaded for this record, may be Japanese
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
    # The last day the record counts (``counts_until``), kept by _keep_due_on so that lists
    # by end date (tasks, reminders, the expiring list) read ix_certificate_due_on.
    due_on: Optional[date] = None


GAP_MONTHS = 3  # a report counts this many months after its period ends (then a bridge letter)
UNDATED_VALIDITY_MONTHS = 12  # an audit or certificate without expiry date counts for a year


def counts_until(certificate: "Certificate") -> date | None:
    """The last day a record counts as evidence: a certificate's expiry date; a report's
    period end plus ``GAP_MONTHS`` (a report is issued after its period, and a bridge letter
    or the next report is due by then); an undated audit or certificate a year after issue;
    None when nothing bounds it."""
    if DATE_KIND.get(certificate.type) == "period":
        return add_months(certificate.period_end, GAP_MONTHS) if certificate.period_end else None
    if certificate.expiry_date:
        return certificate.expiry_date
    if certificate.type in ASSURANCE_TYPES and certificate.issue_date:
        return add_months(certificate.issue_date, UNDATED_VALIDITY_MONTHS)
    return None


@event.listens_for(Certificate, "before_insert")
@event.listens_for(Certificate, "before_update")
def _keep_due_on(_mapper, _connection, certificate: Certificate) -> None:
    certificate.due_on = counts_until(certificate)


class SubserviceOrganisation(SQLModel, table=True):
    """A subservice organisation named in a report, carved out or included in its scope."""

    __tablename__ = "certificate_subservice"
    id: Optional[int] = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=300)
    services: str = Field(default="", max_length=300)
    treatment: str = Field(default="carved_out", max_length=12)
    vendor_id: Optional[int] = Field(default=None, foreign_key="vendor.id", index=True)


class CertificateReview(SQLModel, table=True):
    """Someone read the report: when, what they concluded, how exceptions and CUECs are followed up."""

    __tablename__ = "certificate_review"
    id: Optional[int] = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True, ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="user_account.id", index=True)
    reviewed_on: date
    covers_services: bool = False  # the scope covers the services the vendor provides to us
    conclusion: str = Field(sa_column=Column(Text, nullable=False))
    exceptions_follow_up: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    cuecs_follow_up: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    finding_id: Optional[int] = Field(default=None, foreign_key="finding.id")
    created_at: datetime = created_at_field()
