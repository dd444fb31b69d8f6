"""Vendors: registration with validation and duplicate detection, edits, lifecycle status
(contacts and the staff assigned to each vendor are in ``vendors.people``, the register as a
searchable list in ``vendors.listing``).

Input is validated through the SQLModel ``VendorCreate`` / ``VendorUpdate`` models before a
table row is touched. Services add and flush; the caller commits.
"""
import re
import unicodedata
from typing import Optional

from flask_babel import gettext as _
from pydantic import field_validator
from sqlalchemy import exists, or_
from sqlmodel import Session, SQLModel, select

from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import insert_once, lock
from vendorrisk.core.models import User
from vendorrisk.core.textfields import multi_line, single_line
from vendorrisk.core.validation import parse, too_long
from vendorrisk.vendors import antisocial
from vendorrisk.vendors.changes import vendor_changed
from vendorrisk.vendors.identifiers import corporate_number_problem, normalise_corporate_number
from vendorrisk.vendors.kana import kana_problem, normalise_kana, reading_key
from vendorrisk.vendors.models import (
    VENDOR_STATUSES,
    Vendor,
    VendorOwner,
)

# Legal-form words dropped when comparing names; matched after NFKC and lower-casing.
_LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|\(同\)"
    r"|\bco\.?,?\s*ltd\.?|\bk\.?\s?k\.?(?=\s|$|,)|\bg\.?\s?k\.?(?=\s|$|,)|\binc\.?|\bcorp(oration|\.)?"
    r"|\bltd\.?|\bllc\b|\bcompany\b|\blimited\b|\bco\.(?=\s|$)")
_NOISE = re.compile(r"[\s・,.、。\-‐−()\"'&/]+")

# Lifecycle: prospect -> under assessment -> approved / conditionally approved / rejected -> terminated.
TRANSITIONS = {
    "prospect": {"under_assessment", "rejected", "terminated"},
    "under_assessment": {"approved", "conditionally_approved", "rejected", "prospect"},
    "conditionally_approved": {"approved", "under_assessment", "rejected", "terminated"},
    "approved": {"under_assessment", "conditionally_approved", "terminated"},
    "rejected": {"under_assessment", "terminated"},
    "terminated": set(),
}
DECISIONS = {"approved", "conditionally_approved", "rejected"}  # compliance decides these
APPROVED = antisocial.APPROVED  # statuses that need a current 反社会的勢力チェック
# Approval is four-eyes (Art. 25(1), 8(5)): these statuses are set only by the decision of a
# selection assessment (selection.service), never by a status change, an edit or an import.
FOLLOW_ASSESSMENT = frozenset(APPROVED)
EDITORS = ("admin", "compliance", "procurement")


def normalise_name(name: str) -> str:
    """A company name reduced for comparison: NFKC (full/half width), lower case, without
    legal-form words (株式会社, (株), ㈱, K.K., Co., Ltd., Inc. ...), spaces or punctuation."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _LEGAL_FORMS.sub(" ", text)
    return _NOISE.sub("", text)[:300]


class VendorBase(SQLModel):
    """Fields of a vendor that people type in."""

    name_en: str = ""
    name_kana: str = ""
    lei: Optional[str] = None
    country: str = "JP"
    address: str = ""
    representative: str = ""
    is_system_subsidiary: bool = False
    is_cloud: bool = False
    notes: str = ""

    @field_validator("corporate_number", mode="before", check_fields=False)
    @classmethod
    def _corporate_number(cls, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        problem = corporate_number_problem(str(value))
        if problem:
            raise ValueError(problem)
        return normalise_corporate_number(str(value))

    @field_validator("lei", mode="before", check_fields=False)
    @classmethod
    def _lei(cls, value):
        if value is None or not str(value).strip():
            return None
        value = str(value).strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", value):
            raise ValueError(_("An LEI has 20 characters: 18 letters or digits and 2 check digits."))
        return value

    @field_validator("country", mode="before", check_fields=False)
    @classmethod
    def _country(cls, value):
        value = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(_("Use a two-letter country code (ISO 3166-1), e.g. JP."))
        return value

    @field_validator("name", "name_en", "address", "representative", "notes", mode="before", check_fields=False)
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("name", "name_en", "address", "representative", check_fields=False)
    @classmethod
    def _one_line(cls, value):
        return single_line(value)  # names reach e-mail subjects and Excel cells

    @field_validator("representative", check_fields=False)
    @classmethod
    def _representative(cls, value):
        if problem := too_long(value, 200):
            raise ValueError(problem)
        return value

    @field_validator("name_kana", mode="before", check_fields=False)
    @classmethod
    def _kana(cls, value):
        if value is None:
            return None
        kana = normalise_kana(str(value))
        problem = kana_problem(kana)
        if problem:
            raise ValueError(problem)
        return kana

    @field_validator("notes", check_fields=False)
    @classmethod
    def _writable(cls, value):
        return multi_line(value)  # read from register workbooks too; it reaches exports


class VendorCreate(VendorBase):
    """A new vendor; ``confirm_duplicate`` accepts a name that matches another vendor's."""

    name: str
    corporate_number: Optional[str] = None
    confirm_duplicate: bool = False

    @field_validator("name")
    @classmethod
    def _name_required(cls, value):
        if not value or len(value) > 300:
            raise ValueError(_("Enter the legal name (at most 300 characters)."))
        return value


class VendorUpdate(VendorBase):
    """Changes to a vendor; only the fields given change."""

    name: Optional[str] = None
    corporate_number: Optional[str] = None
    name_en: Optional[str] = None
    name_kana: Optional[str] = None
    country: Optional[str] = None
    address: Optional[str] = None
    representative: Optional[str] = None
    is_system_subsidiary: Optional[bool] = None
    is_cloud: Optional[bool] = None
    notes: Optional[str] = None
    confirm_duplicate: bool = False


def get_vendor(session: Session, vendor_id: int) -> Vendor:
    """The vendor with this id, or ``NotFound``."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(_("Vendor %(id)s does not exist.", id=vendor_id))
    return vendor


def find_duplicates(session: Session, *, name: str = "", corporate_number: str | None = None,
                    exclude_id: int | None = None) -> list[Vendor]:
    """Vendors sharing the corporate number or the normalised name (one query)."""
    conditions = []
    normalised = normalise_name(name)
    if normalised:
        conditions.append(Vendor.name_normalized == normalised)
    if corporate_number:
        conditions.append(Vendor.corporate_number == corporate_number)
    if not conditions:
        return []
    query = select(Vendor).where(or_(*conditions)).order_by(Vendor.id)
    if exclude_id is not None:
        query = query.where(Vendor.id != exclude_id)
    return list(session.exec(query))


def _refuse_duplicates(session, name, corporate_number, confirm, exclude_id=None):
    refuse_duplicates_among(find_duplicates(session, name=name, corporate_number=corporate_number,
                                            exclude_id=exclude_id), corporate_number, confirm)


def refuse_duplicates_among(others: list[Vendor], corporate_number: str | None, confirm: bool) -> None:
    """Raise the ``Conflict`` that ``others`` (``find_duplicates``' answer, by id) make for a
    vendor with this corporate number (``confirm``: a shared name is accepted)."""
    for other in others:
        if corporate_number and other.corporate_number == corporate_number:
            raise Conflict(_("Vendor %(name)s (id %(id)s) already has corporate number %(number)s.",
                             name=other.name, id=other.id, number=corporate_number),
                           [{"field": "corporate_number", "message": _("Already registered."),
                             "vendor_id": other.id}])
        if not confirm:
            raise Conflict(_("Vendor %(name)s (id %(id)s) has the same name once normalised; "
                             "confirm to register a separate vendor.", name=other.name, id=other.id),
                           [{"field": "name", "message": _("Possible duplicate."), "vendor_id": other.id}])


def refuse_risk_tier(data: dict, current: str | None = None) -> dict:
    """The risk tier is not an input: the selection area computes it, and only compliance
    overrides it, with a reason kept in the override history (issue 16, 5). Returns ``data``
    without a ``risk_tier`` that is empty or unchanged; refuses one that would set a tier."""
    if "risk_tier" not in data:
        return data
    rest = {k: v for k, v in data.items() if k != "risk_tier"}
    if (data["risk_tier"] or None) == current:
        return rest
    raise ValidationFailed(_("The risk tier cannot be set here: it is computed from the vendor's place in "
                             "outsourcing chains, and compliance staff override it, with a reason, on the "
                             "vendor's selection page."), [{"field": "risk_tier", "message": _(
                                 "Leave it out; to override it: the vendor's selection page, or POST "
                                 "/api/v1/selection/vendors/ID/risk-tier-override (compliance).")}])


def create_vendor(session: Session, data: dict) -> Vendor:
    """Register a vendor (status prospect) after validation and duplicate checks; its risk
    tier is computed, never given."""
    payload = parse(VendorCreate, refuse_risk_tier(data))
    _refuse_duplicates(session, payload.name, payload.corporate_number, payload.confirm_duplicate)
    vendor = Vendor(**payload.model_dump(exclude={"confirm_duplicate"}),
                    name_normalized=normalise_name(payload.name),
                    kana_key=reading_key(payload.name_kana, normalise_name(payload.name)))
    if insert_once(session, vendor) is None:  # registered by someone else at the same moment
        _refuse_duplicates(session, "", payload.corporate_number, True)
        raise Conflict(_("A vendor with the same unique data was registered at the same moment; "
                         "reload and check."))
    vendor_changed(session, vendor.id)  # its tier is computed at once
    return vendor


def update_vendor(session: Session, vendor: Vendor, data: dict) -> Vendor:
    """Change the given fields of a vendor, with the same checks as registration (the risk
    tier is not one of them: ``refuse_risk_tier``)."""
    payload = parse(VendorUpdate, refuse_risk_tier(data, vendor.risk_tier))
    changes = payload.model_dump(exclude_unset=True, exclude={"confirm_duplicate"})
    if "name" in changes and not changes["name"]:
        raise ValidationFailed(_("The input is invalid."), [{"field": "name", "message": _("Enter the legal name.")}])
    new_name = changes.get("name", vendor.name)
    new_number = changes.get("corporate_number", vendor.corporate_number)
    if new_name != vendor.name or new_number != vendor.corporate_number:
        _refuse_duplicates(session, new_name if new_name != vendor.name else "", new_number,
                           payload.confirm_duplicate, exclude_id=vendor.id)
    for key, value in changes.items():
        if value is None and key not in ("corporate_number", "lei"):
            continue
        setattr(vendor, key, value)
    vendor.name_normalized = normalise_name(vendor.name)
    vendor.kana_key = reading_key(vendor.name_kana, vendor.name_normalized)
    session.add(vendor)
    session.flush()
    vendor_changed(session, vendor.id)
    return vendor


def refuse_approval() -> None:
    """Raise the ``Conflict`` that says a vendor is approved only through a decided selection
    assessment (issue 16: the vendor form and API could set ``approved`` directly)."""
    raise Conflict(_("A vendor is approved only through a selection assessment (Art. 25(1)): one person "
                     "prepares and submits it, another approves it (Art. 8(5)), and the vendor's status "
                     "follows that decision."),
                   [{"field": "status", "message": _(
                       "Start one with New assessment on the vendor's page or the Selection page, or "
                       "POST /api/v1/selection/assessments.")}])


def change_status(session: Session, vendor: Vendor, status: str, user: User) -> Vendor:
    """Move a vendor along its lifecycle (under assessment, back to prospect, rejected,
    terminated); rejection is for compliance, and approval follows a selection assessment
    (``FOLLOW_ASSESSMENT``), never a status change."""
    if status not in VENDOR_STATUSES:
        raise ValidationFailed(_("Unknown status."), [{"field": "status", "message": _(
            "Choose one of %(choices)s.", choices=", ".join(VENDOR_STATUSES))}])
    if status == vendor.status:
        return vendor
    if status in FOLLOW_ASSESSMENT:
        refuse_approval()
    lock(session, vendor)  # decide on the latest committed status; concurrent deciders queue
    if status == vendor.status:
        return vendor
    if status not in TRANSITIONS[vendor.status]:
        # the statuses as the page names them (a Japanese reader reads 契約終了, not "terminated")
        label = lambda code: _(code.replace("_", " "))  # noqa: E731
        raise Conflict(_("A vendor cannot go from %(current)s to %(status)s.", current=label(vendor.status),
                         status=label(status)),
                       [{"field": "status", "message": _("Allowed next: %(choices)s.", choices=", ".join(
                           label(s) for s in sorted(TRANSITIONS[vendor.status])) or _("none"))}])
    if status in DECISIONS and user.role not in ("admin", "compliance"):
        raise Forbidden(_("Only compliance staff decide on approval or rejection."))
    vendor.status = status
    session.add(vendor)
    session.flush()
    vendor_changed(session, vendor.id)
    return vendor


def can_edit_vendor(session: Session, user: User | None, vendor_id: int) -> bool:
    """Staff writers edit every vendor; a vendor owner only the vendors assigned to them."""
    if user is None:
        return False
    if user.role in EDITORS:
        return True
    if user.role != "vendor_owner":
        return False
    return bool(session.exec(select(exists().where(VendorOwner.vendor_id == vendor_id,
                                                   VendorOwner.user_id == user.id))).one())


def may_change_here(vendor_id: int) -> bool:
    """``can_edit_vendor`` for the signed-in user of the request (templates offer the forms
    and links that change a vendor's records only to those who may)."""
    from vendorrisk.core.auth import current_user
    from vendorrisk.core.db import get_session
    return can_edit_vendor(get_session(), current_user(), vendor_id)


def require_edit(session: Session, user: User | None, vendor_id: int) -> None:
    """Raise ``Forbidden`` unless the user may change this vendor's records."""
    if not can_edit_vendor(session, user, vendor_id):
        raise Forbidden(_("You may change only the vendors assigned to you."))

