"""The vendor register as a list: search in Japanese or English, filters, 50音 order
(``vendor_query``) and how many it finds (``register_total``), for the register page, the API
and the compliance figures. Reads only; registration and edits are in ``vendors.service``."""
from sqlalchemy import exists, or_
from sqlmodel import Session, select

from vendorrisk.core import counters
from vendorrisk.core.models import User
from vendorrisk.vendors.identifiers import normalise_corporate_number
from vendorrisk.vendors.kana import search_form
from vendorrisk.vendors.models import (
    READING_ORDER,
    RISK_TIERS,
    VENDOR_STATUSES,
    Arrangement,
    OutsourcingLink,
    Vendor,
    VendorOwner,
    current_link,
)
from vendorrisk.vendors.service import normalise_name


def register_total(session: Session, *, q: str = "", status: str = "", risk_tier: str = "", position: str = "",
                   cloud: bool = False, subsidiary: bool = False, unowned: bool = False,
                   user_data: bool = False) -> int | None:
    """How many vendors ``vendor_query`` finds, from the maintained counts of vendors by risk
    tier (``vendors.counted``) when it filters on the tier alone or not at all; None
    otherwise (the query is counted)."""
    if (q or status in VENDOR_STATUSES or position in ("tier1", "subcontractor", "none") or cloud or subsidiary
            or unowned or user_data):
        return None
    by_tier = counters.by_scope(session, "vendors_by_tier")
    return by_tier.get(risk_tier, 0) if risk_tier in RISK_TIERS else sum(by_tier.values())


def vendor_query(*, q: str = "", status: str = "", risk_tier: str = "", position: str = "",
                 cloud: bool = False, subsidiary: bool = False, unowned: bool = False, user_data: bool = False):
    """The vendor register in 50音 order, filtered: search in Japanese or English (also by
    フリガナ, typed in hiragana or katakana, normalised name or corporate number), status,
    risk tier, position in chains, flags, no active assigned staff (``unowned``), reaching
    users' data in a chain in force (``user_data``)."""
    # 50音順 by reading (kana_key: the フリガナ, else the name when it reads as written, Latin
    # letters before kana); vendors whose reading is unknown (kanji, no フリガナ) after them by name
    query = select(Vendor).order_by(*READING_ORDER)
    if q:
        like = f"%{q}%"
        conditions = [Vendor.name.ilike(like), Vendor.name_en.ilike(like)]
        kana = search_form(q)
        if kana:
            conditions.append(Vendor.name_kana.like(f"%{kana}%"))
        normalised = normalise_name(q)
        if normalised:
            conditions.append(Vendor.name_normalized.like(f"%{normalised}%"))
        number = normalise_corporate_number(q)
        if number.isdigit():
            conditions.append(Vendor.corporate_number == number)
        query = query.where(or_(*conditions))
    if status in VENDOR_STATUSES:
        query = query.where(Vendor.status == status)
    if risk_tier in RISK_TIERS:
        query = query.where(Vendor.risk_tier == risk_tier)
    first_tier = exists().where(Arrangement.vendor_id == Vendor.id)
    subcontractor = exists().where(OutsourcingLink.vendor_id == Vendor.id, current_link())
    if position == "tier1":
        query = query.where(first_tier)
    elif position == "subcontractor":
        query = query.where(subcontractor)
    elif position == "none":
        query = query.where(~first_tier, ~subcontractor)
    if cloud:
        query = query.where(Vendor.is_cloud.is_(True))
    if subsidiary:
        query = query.where(Vendor.is_system_subsidiary.is_(True))
    if unowned:  # no active primary (nor other) owner, Art. 26(2): its reviews and findings have no owner
        query = query.where(~exists().where(VendorOwner.vendor_id == Vendor.id, VendorOwner.user_id == User.id,
                                            User.is_active.is_(True)))
    if user_data:  # as the compliance matrix's user-data fact reads a chain in force
        in_force = Arrangement.status != "terminated"
        query = query.where(or_(
            exists().where(Arrangement.vendor_id == Vendor.id, in_force, Arrangement.handles_user_data.is_(True)),
            exists().where(OutsourcingLink.vendor_id == Vendor.id, current_link(),
                           OutsourcingLink.touches_user_data.is_(True),
                           OutsourcingLink.arrangement_id == Arrangement.id, in_force)))
    return query
