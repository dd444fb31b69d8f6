"""Outsourcing arrangements (委託業務) and the data locations of arrangements and links.

An arrangement is the member's contract with its tier-1 vendor; where it handles user
data, the countries and regions where the data is stored and processed are recorded
(Art. 26(3)). Services add and flush; the caller commits.
"""
import re
import unicodedata
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from pydantic import ValidationInfo, field_validator
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, select

from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.textfields import multi_line, single_line
from vendorrisk.core.validation import parse
from vendorrisk.vendors import exits
from vendorrisk.vendors.chains import chain_changed
from vendorrisk.vendors.models import LOCATION_PURPOSES, Arrangement, DataLocation, OutsourcingLink, Vendor

SUBSTITUTABILITY = ("easy", "medium", "hard")
ARRANGEMENT_STATUSES = ("active", "terminated")


class ArrangementBase(SQLModel):
    """Fields of an arrangement that people type in."""

    service: str = ""
    business_function: str = ""
    is_important: bool = False
    is_cloud: bool = False
    handles_user_data: bool = False
    user_data_categories: list[str] = []
    subcontracting_allowed: bool = True
    substitutability: str = "medium"
    start_date: Optional[date] = None
    end_date: Optional[date] = None
    notice_period_days: Optional[int] = None
    exit_plan: str = ""

    @field_validator("user_data_categories", mode="before", check_fields=False)
    @classmethod
    def _categories(cls, value):
        if value is None:
            return []
        if isinstance(value, str):
            value = re.split(r"[,、;\n]", value)
        return [str(v).strip() for v in value if str(v).strip()]

    @field_validator("title", "service", "business_function", check_fields=False)
    @classmethod
    def _one_line(cls, value):
        return single_line(value)  # titles reach e-mail subjects and Excel cells

    @field_validator("exit_plan", check_fields=False)
    @classmethod
    def _writable(cls, value):
        return multi_line(value)  # read from workbooks too; it reaches exports

    @field_validator("substitutability", check_fields=False)
    @classmethod
    def _substitutability(cls, value):
        if value is not None and value not in SUBSTITUTABILITY:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(SUBSTITUTABILITY)))
        return value

    @field_validator("notice_period_days", check_fields=False)
    @classmethod
    def _notice(cls, value):
        if value is not None and not 0 <= value <= 3650:
            raise ValueError(_("Give the notice period in days (0 to 3650)."))
        return value

    @field_validator("end_date", check_fields=False)
    @classmethod
    def _dates(cls, value, info: ValidationInfo):
        # a field's refusal, not the model's: it names the end date (a form field, a register column)
        start = info.data.get("start_date")
        if start and value and value < start:
            raise ValueError(_("The end date is before the start date."))
        return value


class ArrangementCreate(ArrangementBase):
    """A new arrangement with its tier-1 vendor."""

    vendor_id: int
    title: str

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        value = value.strip()
        if not value or len(value) > 300:
            raise ValueError(_("Enter a title (at most 300 characters)."))
        return value


class ArrangementUpdate(ArrangementBase):
    """Changes to an arrangement (its tier-1 vendor stays)."""

    title: Optional[str] = None
    service: Optional[str] = None
    business_function: Optional[str] = None
    is_important: Optional[bool] = None
    is_cloud: Optional[bool] = None
    handles_user_data: Optional[bool] = None
    user_data_categories: Optional[list[str]] = None
    subcontracting_allowed: Optional[bool] = None
    substitutability: Optional[str] = None
    exit_plan: Optional[str] = None
    status: Optional[str] = None

    @field_validator("status")
    @classmethod
    def _status(cls, value):
        if value is not None and value not in ARRANGEMENT_STATUSES:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(ARRANGEMENT_STATUSES)))
        return value


def get_arrangement(session: Session, arrangement_id: int) -> Arrangement:
    """The arrangement with this id, or ``NotFound``."""
    arrangement = session.get(Arrangement, arrangement_id)
    if arrangement is None:
        raise NotFound(_("Arrangement %(id)s does not exist.", id=arrangement_id))
    return arrangement


def create_arrangement(session: Session, data: dict) -> Arrangement:
    """Record an arrangement; its vendor becomes tier 1 of the chain. Every problem is
    reported at once (the fields and the vendor)."""
    arrangement = new_arrangement(session, data)
    session.add(arrangement)
    session.flush()
    chain_changed(session, arrangement.id)
    return arrangement


def new_arrangement(session: Session, data: dict) -> Arrangement:
    """An arrangement checked as ``create_arrangement`` checks it, not yet added (a register
    import adds a sheet of them at once)."""
    vendor_missing = [] if session.get(Vendor, data.get("vendor_id") or 0) is not None else [
        {"field": "vendor_id", "message": _("No such vendor.")}]
    try:
        payload = parse(ArrangementCreate, data)
    except ValidationFailed as exc:
        exc.details = [d for d in exc.details if d.get("field") != "vendor_id"] + vendor_missing
        raise
    if vendor_missing:
        raise ValidationFailed(_("Unknown vendor."), vendor_missing)
    return Arrangement(**payload.model_dump())


def update_arrangement(session: Session, arrangement: Arrangement, data: dict) -> Arrangement:
    """Change the given fields of an arrangement. ``status`` ``terminated`` terminates it as
    ``exits.record_exit`` does (today, its data disposition still to record); a terminated
    arrangement is not put back in force."""
    payload = parse(ArrangementUpdate, data)
    changes = payload.model_dump(exclude_unset=True)
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationFailed(_("The input is invalid."), [{"field": "title", "message": _("Enter a title.")}])
    status = changes.pop("status", None)
    if status == "active":
        exits.refuse_reinstating(arrangement)
    ending = status == "terminated" and arrangement.status != "terminated"
    for key, value in changes.items():
        if value is None and key not in ("start_date", "end_date", "notice_period_days"):
            continue
        setattr(arrangement, key, value)
    if arrangement.start_date and arrangement.end_date and arrangement.end_date < arrangement.start_date:
        raise ValidationFailed(_("The input is invalid."), [{"field": "end_date",
                                                             "message": _("The end date is before the start date.")}])
    session.add(arrangement)
    session.flush()
    if ending:
        exits.record_exit(session, arrangement, {})  # tells the other areas of the change too
    else:
        chain_changed(session, arrangement.id)
    return arrangement


class LocationCreate(SQLModel):
    """Where user data is stored or processed: a country and, optionally, a region."""

    country: str
    region: str = ""
    purpose: str = "both"

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value):
        value = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(_("Use a two-letter country code (ISO 3166-1), e.g. JP."))
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value):
        return value.strip()[:100]

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, value):
        if value not in LOCATION_PURPOSES:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(LOCATION_PURPOSES)))
        return value


def add_location(session: Session, data: dict, *, arrangement: Arrangement | None = None,
                 link: OutsourcingLink | None = None) -> DataLocation:
    """Record a data location for an arrangement or for one current link of its chain."""
    if (arrangement is None) == (link is None):
        raise ValueError("give exactly one of arrangement or link")
    if link is not None and link.ended_on is not None:
        raise Conflict(_("This sub-outsourcing ended on %(date)s; an ended link is kept as it was.",
                         date=link.ended_on))
    payload = parse(LocationCreate, data)
    location = DataLocation(arrangement_id=arrangement.id if arrangement else None,
                            link_id=link.id if link else None, **payload.model_dump())
    session.add(location)
    session.flush()
    chain_changed(session, arrangement.id if arrangement else link.arrangement_id)
    return location


def remove_location(session: Session, arrangement: Arrangement, location_id: int) -> None:
    """Remove a data location of this arrangement or of a link in its chain."""
    location = session.get(DataLocation, location_id)
    owner_ok = location is not None and (
        location.arrangement_id == arrangement.id
        or (location.link_id is not None
            and session.exec(select(OutsourcingLink.arrangement_id)
                             .where(OutsourcingLink.id == location.link_id)).first() == arrangement.id))
    if not owner_ok:
        raise NotFound(_("Data location %(id)s does not exist in this arrangement.", id=location_id))
    session.delete(location)
    session.flush()
    chain_changed(session, arrangement.id)


def locations_by_owner(session: Session, arrangement_ids: list[int]) -> dict[tuple[str, int], list[DataLocation]]:
    """Data locations of these arrangements and of their links, keyed ("arrangement"|"link", id)."""
    if not arrangement_ids:
        return {}
    link_ids = select(OutsourcingLink.id).where(OutsourcingLink.arrangement_id.in_(arrangement_ids))
    rows = session.exec(select(DataLocation).where(
        (DataLocation.arrangement_id.in_(arrangement_ids)) | (DataLocation.link_id.in_(link_ids)))
        .order_by(DataLocation.id))
    result: dict[tuple[str, int], list[DataLocation]] = {}
    for row in rows:
        key = ("arrangement", row.arrangement_id) if row.arrangement_id else ("link", row.link_id)
        result.setdefault(key, []).append(row)
    return result


def filter_arrangements(query, q: str = "", important: bool = False):
    """``query`` (over ``Arrangement`` joined to its tier-1 ``Vendor``) narrowed to the
    arrangements list's filters: words in the title, service or vendor's names, important only.
    The list and its register export read the same arrangements."""
    if q:
        like = f"%{q}%"
        query = query.where(or_(Arrangement.title.ilike(like), Arrangement.service.ilike(like),
                                Vendor.name.ilike(like), Vendor.name_en.ilike(like)))
    if important:
        query = query.where(Arrangement.is_important.is_(True))
    return query
