"""The shapes of the vendors API (``vendors/api.py``): what it answers, read from the tables
and the chain queries, and what it accepts — the services' own ``VendorCreate``,
``ArrangementCreate``, ``LinkCreate``... which validate every request body."""
from datetime import date
from typing import Literal, Optional

from pydantic import BaseModel, Field

from vendorrisk.core.api import Flag, PageQuery, Public, columns, page_of
from vendorrisk.vendors.arrangements import LocationCreate
from vendorrisk.vendors.chains import LinkUpdate
from vendorrisk.vendors.link_notes import display_approval_note
from vendorrisk.vendors.models import (
    APPROVAL_BASES,
    APPROVAL_STATUSES,
    RISK_TIERS,
    VENDOR_STATUSES,
    Arrangement,
    DataLocation,
    OutsourcingLink,
    Vendor,
)
from vendorrisk.vendors.service import VendorUpdate


class VendorPublic(columns(Vendor, exclude=("name_normalized",))):
    """The vendor."""


class DataLocationPublic(columns(DataLocation)):
    """Where user data of an arrangement (or of one of its links) is stored or processed."""


class ArrangementPublic(columns(Arrangement)):
    """The arrangement."""

    data_locations: list[DataLocationPublic] = Field(
        default_factory=list, description="Present when one arrangement is read or created.")


class LinkPublic(columns(OutsourcingLink)):
    """The sub-outsourcing link."""

    approval_note_localized: str = Field(description="The approval note in the request's language, as the "
                                         "pages show it; `approval_note` stays the stored text (English when the "
                                         "product wrote it)")

    @classmethod
    def dump(cls, source=None, /, **fields) -> dict:
        """The link as JSON, its note rendered for the reader (``link_notes.display_approval_note``)."""
        if isinstance(source, OutsourcingLink) and "approval_note_localized" not in fields:
            fields["approval_note_localized"] = display_approval_note(source)
        return super().dump(source, **fields)


VendorPage = page_of(VendorPublic, "VendorPage")
ArrangementPage = page_of(ArrangementPublic, "ArrangementPage")


class VendorPatch(VendorUpdate):
    """Changes to a vendor (validated as ``VendorUpdate``); ``status`` moves it through its
    lifecycle (compliance and procurement staff only). ``approved`` and
    ``conditionally_approved`` are refused (409): they follow a selection assessment's decision."""

    status: Optional[Literal[VENDOR_STATUSES]] = None


class LinkPatch(LinkUpdate):
    """Changes to a link (``LinkUpdate``) and, by compliance, its approval (``LinkApproval``)."""

    approval_status: Optional[Literal[APPROVAL_STATUSES]] = None
    approval_basis: Optional[Literal[APPROVAL_BASES]] = None
    approved_on: Optional[date] = None
    approval_note: Optional[str] = None


class DataLocationCreate(LocationCreate):
    """A data location of the arrangement, or of one of its links (``link_id``)."""

    link_id: Optional[int] = Field(default=None, description="A link of this arrangement; omit for the "
                                                              "arrangement itself.")


class ExposureItem(Public):
    """An arrangement whose chain contains the vendor, and the tiers it sits at there."""

    arrangement_id: int
    title: str
    tier1_vendor_id: int
    tiers: list[int]
    is_important: bool
    handles_user_data: bool
    status: str


class Exposure(Public):
    """Arrangements whose chains contain the vendor."""

    vendor_id: int
    arrangements: list[ExposureItem]


class ChainNode(Public):
    """A vendor of the chain: its tier, its path from tier 1 and whether it is a final contractor."""

    vendor_id: int
    parent_vendor_id: Optional[int]
    link_id: Optional[int]
    tier: int
    path: list[int]
    path_names: list[str]
    is_final: bool
    vendor_name: str
    service: Optional[str]
    approval_status: Optional[str]
    touches_user_data: Optional[bool]


class Chain(Public):
    """The chain of an arrangement."""

    arrangement_id: int
    as_of: Optional[date] = Field(default=None, description="The day whose chain this is; null: today's")
    tier1_vendor_id: int
    depth: int
    final_contractor_ids: list[int]
    nodes: list[ChainNode]


class ConcentrationItem(Public):
    """A vendor and how many active arrangements depend on it, directly or below tier 1."""

    vendor_id: int
    name: str
    name_en: str
    is_cloud: bool
    country: str
    status: str
    arrangement_count: int
    important_count: int
    user_data_count: int
    direct_count: int
    indirect_count: int


class Concentration(Public):
    """Vendors most depended on, most first."""

    vendors: list[ConcentrationItem]
    limit: int
    offset: int


class GapItem(Public):
    """An active arrangement with unapproved links or user data in no recorded location."""

    arrangement_id: int
    title: str
    vendor_id: int
    vendor_name: str
    is_important: bool
    unapproved_links: int
    links_without_location: int
    arrangement_without_location: bool


class Gaps(Public):
    """Arrangements with gaps."""

    arrangements: list[GapItem]


class ImportReport(Public):
    """What was (or, in a dry run, would be) stored."""

    dry_run: bool
    vendors: int
    arrangements: int
    links: int
    locations: int


class VendorQuery(PageQuery):
    """Filters of the vendor list (as on the register page)."""

    q: str = Field(default="", description="Name in Japanese or English, or corporate number")
    status: Optional[Literal[VENDOR_STATUSES]] = None
    risk_tier: Optional[Literal[RISK_TIERS]] = None
    position: Optional[Literal["tier1", "subcontractor", "none"]] = Field(
        default=None, description="Tier 1 of an arrangement, a subcontractor, or in no chain")
    cloud: Flag = Field(default=None, description="true: cloud services only (false: no filter)")
    subsidiary: Flag = Field(default=None, description="true: system subsidiaries only (false: no filter)")
    unowned: Flag = Field(default=None, description=(
        "true: only vendors with no active assigned staff (Art. 26(2)): none assigned, or all deactivated; "
        "their reviews and findings have no owner and compliance follows them up (false: no filter)"))
    user_data: Flag = Field(default=None, description=(
        "true: only vendors that reach users' data in an arrangement in force — the tier-1 vendor of one "
        "handling user data, or a subcontractor whose current link touches it (Art. 26(3)) (false: no filter)"))


class ArrangementQuery(PageQuery):
    """Filter of the arrangement list."""

    vendor_id: Optional[int] = Field(default=None, description="Only this tier-1 vendor's arrangements")


class LinkEndQuery(BaseModel):
    """Why a link ends."""

    reason: str = Field(default="", max_length=1000, description="Kept with the ended link and in the audit trail")


class ChainQuery(BaseModel):
    """Which day's chain to read."""

    as_of: Optional[date] = Field(default=None, description="The chain as it stood on this day (links recorded "
                                                            "by then and not ended on or before it); today's "
                                                            "when omitted")


class ConcentrationQuery(BaseModel):
    """A window of the concentration list."""

    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class ImportQuery(BaseModel):
    """How to import a register workbook."""

    dry_run: Flag = Field(default=None, description="true: check only, store nothing")
    filename: str = "register.xlsx"

