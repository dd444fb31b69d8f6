"""The people of a vendor: its contact persons, and the member's own staff assigned to it
(Art. 26(2)). Services add and flush; the caller commits."""
import re

from flask import current_app
from flask_babel import gettext as _
from pydantic import field_validator
from sqlmodel import Session, SQLModel, select

from vendorrisk.core import events
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.core.textfields import single_line
from vendorrisk.core.validation import parse
from vendorrisk.vendors.findings import take_unowned
from vendorrisk.vendors.models import Vendor, VendorContact, VendorOwner


class ContactCreate(SQLModel):
    """A vendor contact."""

    name: str
    email: str = ""
    phone: str = ""
    title: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        if not value.strip():
            raise ValueError(_("Enter the contact's name."))
        return single_line(value.strip())

    @field_validator("phone", "title")
    @classmethod
    def _one_line(cls, value):
        return single_line(value.strip())

    @field_validator("email")
    @classmethod
    def _email(cls, value):
        value = value.strip()
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(_("Enter a valid e-mail address."))
        return value


def add_contact(session: Session, vendor: Vendor, data: dict) -> VendorContact:
    """Add a contact person at the vendor."""
    payload = parse(ContactCreate, data)
    contact = VendorContact(vendor_id=vendor.id, **payload.model_dump())
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, vendor: Vendor, contact_id: int) -> None:
    """Remove a contact of this vendor."""
    contact = session.get(VendorContact, contact_id)
    if contact is None or contact.vendor_id != vendor.id:
        raise NotFound(_("Contact %(id)s does not exist for this vendor.", id=contact_id))
    session.delete(contact)
    session.flush()


def assign_owner(session: Session, vendor: Vendor, user_id: int, is_primary: bool = True) -> VendorOwner:
    """Assign a member of staff to the vendor (Art. 26(2)); auditors cannot be owners."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise ValidationFailed(_("Unknown user."), [{"field": "user_id", "message": _("Choose an active user.")}])
    if user.role == "auditor":
        raise ValidationFailed(_("Auditors cannot be assigned to vendors."),
                               [{"field": "user_id", "message": _("Auditors read, they do not own.")}])
    existing = session.exec(select(VendorOwner).where(VendorOwner.vendor_id == vendor.id,
                                                      VendorOwner.user_id == user_id)).first()
    if existing is not None:
        raise Conflict(_("%(name)s is already assigned to this vendor.", name=user.display_name or user.email))
    owner = VendorOwner(vendor_id=vendor.id, user_id=user_id, is_primary=is_primary)
    session.add(owner)
    session.flush()
    take_unowned(session, vendor.id)  # findings nobody owned are followed up by the person now assigned
    events.publish(session, events.VendorChanged(frozenset({vendor.id})))
    return owner


def remove_owner(session: Session, vendor: Vendor, owner_id: int) -> None:
    """End a staff assignment."""
    owner = session.get(VendorOwner, owner_id)
    if owner is None or owner.vendor_id != vendor.id:
        raise NotFound(_("Assignment %(id)s does not exist for this vendor.", id=owner_id))
    session.delete(owner)
    session.flush()
    events.publish(session, events.VendorChanged(frozenset({vendor.id})))


def assign_owners(session: Session, vendor_ids: list[int], user_id: int, is_primary: bool = True) -> int:
    """Assign a member of staff to several vendors at once (Art. 26(2)); vendors they are
    already assigned to are left as they are. Returns how many were newly assigned."""
    vendors = session.exec(select(Vendor).where(Vendor.id.in_(vendor_ids))).all()
    if len(vendors) != len(set(vendor_ids)):
        raise NotFound(_("One of the vendors ticked does not exist (any more)."))
    assigned = set(session.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == user_id,
                                                                    VendorOwner.vendor_id.in_(vendor_ids))))
    count = 0
    for vendor in vendors:
        if vendor.id not in assigned:
            assign_owner(session, vendor, user_id, is_primary)
            count += 1
    return count


def compliance_recipients(session: Session) -> list[tuple[str, str, int | None]]:
    """Who compliance is for a reminder, as (address, language, user id): ``COMPLIANCE_EMAIL``
    when set, else every active compliance user — told of what nobody owns (Art. 26(2))."""
    configured = current_app.config.get("COMPLIANCE_EMAIL", "")
    if configured:
        return [(configured, "ja", None)]
    return [(u.email, u.language or "ja", u.id) for u in session.exec(
        select(User).where(User.role == "compliance", User.is_active.is_(True)).order_by(User.id))]
