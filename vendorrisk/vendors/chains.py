"""Sub-outsourcing links: adding them to an arrangement's chain, approving them, ending them
(an ended link is kept, with its day and reason, for the chain's history).

A link says "within this arrangement, the parent vendor sub-outsources a service to the
vendor". It is refused, with nothing changed, when it would link a vendor to itself (409),
close a cycle (409) or hang under a vendor that is not in the arrangement's chain (422).
Tiers are derived from the links by the queries in ``chains_queries``, never stored.
"""
from contextlib import contextmanager
from datetime import date
from typing import Iterator, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import field_validator
from sqlalchemy import and_, exists, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from vendorrisk.core import audit, clock, events
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import User
from vendorrisk.core.textfields import single_line
from vendorrisk.core.validation import parse, within
from vendorrisk.vendors.models import (
    APPROVAL_BASES,
    APPROVAL_STATUSES,
    Arrangement,
    OutsourcingLink,
    Vendor,
    current_link,
)

APPROVERS = ("admin", "compliance")
# What a reader sees for a link's stored approval status and basis: messages of their own
# ("pending approval", not "pending", which the reminder outbox translates as 送信待ち).
APPROVAL_LABELS = {"approved": _l("approved"), "pending": _l("pending approval"), "unapproved": _l("unapproved")}
APPROVAL_BASIS_LABELS = {"prior_consent": _l("prior consent"), "notification": _l("notification")}


class LinkCreate(SQLModel):
    """A new link: the parent must already be in the chain."""

    parent_vendor_id: int
    vendor_id: int
    service: str = ""
    touches_user_data: bool = False

    @field_validator("service")
    @classmethod
    def _service(cls, value):
        return single_line(within(value, 300))


class LinkUpdate(SQLModel):
    """Changes to what a link is about (not its place in the chain)."""

    service: Optional[str] = None
    touches_user_data: Optional[bool] = None

    @field_validator("service")
    @classmethod
    def _service(cls, value):
        return single_line(value.strip()) if isinstance(value, str) else value


class LinkApproval(SQLModel):
    """The member's decision on a sub-outsourcing: approved (with basis and date) or not."""

    approval_status: str
    approval_basis: Optional[str] = None
    approved_on: Optional[date] = None
    approval_note: str = ""

    @field_validator("approval_status")
    @classmethod
    def _status(cls, value):
        if value not in APPROVAL_STATUSES:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(APPROVAL_STATUSES)))
        return value

    @field_validator("approval_basis", mode="before")
    @classmethod
    def _basis(cls, value):
        if value in (None, ""):
            return None
        if value not in APPROVAL_BASES:
            raise ValueError(_("Choose one of %(choices)s.", choices=", ".join(APPROVAL_BASES)))
        return value


def get_link(session: Session, link_id: int, arrangement_id: int | None = None) -> OutsourcingLink:
    """The link with this id (in this arrangement, when given), or ``NotFound``."""
    link = session.get(OutsourcingLink, link_id)
    if link is None or (arrangement_id is not None and link.arrangement_id != arrangement_id):
        raise NotFound(_("Sub-outsourcing link %(id)s does not exist.", id=link_id))
    return link


def in_chain(session: Session, arrangement: Arrangement, vendor_id: int) -> bool:
    """Whether the vendor is a node of the arrangement's chain (tier 1 or a link's vendor)."""
    if vendor_id == arrangement.vendor_id:
        return True
    return bool(session.exec(select(exists().where(OutsourcingLink.arrangement_id == arrangement.id,
                                                   OutsourcingLink.vendor_id == vendor_id, current_link()))).one())


def reaches(session: Session, arrangement_id: int, start_vendor_id: int, target_vendor_id: int) -> bool:
    """Whether ``target`` is below ``start`` in the arrangement's chain (one recursive query)."""
    link = OutsourcingLink.__table__
    below = sa_select(link.c.vendor_id.label("vendor_id")).where(
        link.c.arrangement_id == arrangement_id, link.c.parent_vendor_id == start_vendor_id, current_link(link)
    ).cte("below", recursive=True)
    below = below.union(sa_select(link.c.vendor_id).join(
        below, and_(link.c.parent_vendor_id == below.c.vendor_id,
                    link.c.arrangement_id == arrangement_id)).where(current_link(link, below.c.vendor_id)))
    found = session.execute(sa_select(literal(1)).select_from(below)
                            .where(below.c.vendor_id == target_vendor_id).limit(1)).first()
    return found is not None


def _vendor_name(session: Session, vendor_id: int) -> str:
    vendor = session.get(Vendor, vendor_id)
    return vendor.name if vendor else str(vendor_id)


CHANGES_LATER = "vendorrisk.chain_changes_later"


def chain_changed(session: Session, arrangement_id: int, also: tuple[int, ...] = ()) -> None:
    """Tell the other areas that an arrangement's chain changed (``events.ChainChanged``),
    naming every vendor now in the chain and ``also`` those that just left it: their
    positions, user data and locations feed risk tiers, review plans and verdicts.
    Inside ``chain_changes_once`` the change is only noted, and told once at its end."""
    later = session.info.get(CHANGES_LATER)
    if later is not None:
        later[0].add(arrangement_id)
        later[1].update(also)
        return
    # the chain's vendors and its tier-1 vendor, in one round trip
    vendor_ids = set(session.execute(
        sa_select(OutsourcingLink.vendor_id).where(OutsourcingLink.arrangement_id == arrangement_id, current_link())
        .union(sa_select(Arrangement.vendor_id).where(Arrangement.id == arrangement_id))).scalars())
    events.publish(session, events.ChainChanged(frozenset({arrangement_id}), frozenset(vendor_ids | set(also))))


def as_of_day(text: str) -> date | None:
    """The day a chain is asked for as of (``?as_of=YYYY-MM-DD``, page and API alike), None
    for today's; ``ValidationFailed`` (422) on a day not written YYYY-MM-DD."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _("Give the day as YYYY-MM-DD.")
        raise ValidationFailed(message, [{"field": "as_of", "message": message}]) from None


@contextmanager
def chain_changes_once(session: Session) -> Iterator[None]:
    """Many changes in a row (a register import): tell the other areas once, at the end,
    with one ``ChainChanged`` naming every arrangement and vendor touched, instead of after
    every row (whose listeners recompute tiers, plans and verdicts each time)."""
    if session.info.get(CHANGES_LATER) is not None:
        yield
        return
    session.info[CHANGES_LATER] = (set(), set())
    try:
        yield
        arrangement_ids, also = session.info[CHANGES_LATER]
    finally:
        session.info.pop(CHANGES_LATER)
    if arrangement_ids:
        vendor_ids = set(session.exec(select(OutsourcingLink.vendor_id)
                                      .where(OutsourcingLink.arrangement_id.in_(arrangement_ids), current_link())).all())
        vendor_ids |= set(session.exec(select(Arrangement.vendor_id).where(Arrangement.id.in_(arrangement_ids))))
        events.publish(session, events.ChainChanged(frozenset(arrangement_ids), frozenset(vendor_ids | also)))


def add_link(session: Session, arrangement: Arrangement, data: dict) -> OutsourcingLink:
    """Add "parent sub-outsources to vendor" to the chain, refusing self-links and cycles
    (``Conflict``) and parents outside the chain (``ValidationFailed``)."""
    payload = parse(LinkCreate, data)
    parent_id, child_id = payload.parent_vendor_id, payload.vendor_id
    for field, vendor_id in (("parent_vendor_id", parent_id), ("vendor_id", child_id)):
        if session.get(Vendor, vendor_id) is None:
            raise ValidationFailed(_("Unknown vendor."), [{"field": field, "message": _(
                "Vendor %(id)s does not exist.", id=vendor_id)}])
    if parent_id == child_id:
        raise Conflict(_("%(name)s cannot sub-outsource to itself.", name=_vendor_name(session, child_id)),
                       [{"field": "vendor_id", "message": _("A vendor cannot be its own subcontractor.")}])
    if not in_chain(session, arrangement, parent_id):
        raise ValidationFailed(
            _("%(name)s is not in this arrangement's chain; add the link that brings it in first.",
              name=_vendor_name(session, parent_id)),
            [{"field": "parent_vendor_id", "message": _("Not in this arrangement's chain.")}])
    if child_id == arrangement.vendor_id or reaches(session, arrangement.id, child_id, parent_id):
        raise Conflict(
            _("%(name)s is already above %(parent)s in this chain; the link would create a cycle.",
              name=_vendor_name(session, child_id), parent=_vendor_name(session, parent_id)),
            [{"field": "vendor_id", "message": _("Would create a cycle.")}])
    duplicate = session.exec(select(OutsourcingLink.id).where(
        OutsourcingLink.arrangement_id == arrangement.id, OutsourcingLink.parent_vendor_id == parent_id,
        OutsourcingLink.vendor_id == child_id, current_link())).first()
    if duplicate is not None:
        raise Conflict(_("This sub-outsourcing is already recorded in the chain."),
                       [{"field": "vendor_id", "link_id": duplicate,
                         "message": _("%(parent)s already sub-outsources to %(name)s here.",
                                      parent=_vendor_name(session, parent_id), name=_vendor_name(session, child_id))}])
    link = OutsourcingLink(arrangement_id=arrangement.id, recorded_by_id=session.info.get("actor_id"),
                           **payload.model_dump())
    session.add(link)
    session.flush()
    chain_changed(session, arrangement.id)
    return link


def _refuse_ended(link: OutsourcingLink) -> None:
    """An ended link is history: it is read, not changed."""
    if link.ended_on is not None:
        raise Conflict(_("This sub-outsourcing ended on %(date)s; an ended link is kept as it was.",
                         date=link.ended_on))


def update_link(session: Session, link: OutsourcingLink, data: dict) -> OutsourcingLink:
    """Change the service or user-data flag of a link (not of an ended one: ``Conflict``)."""
    _refuse_ended(link)
    payload = parse(LinkUpdate, data)
    for key, value in payload.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(link, key, value.strip() if isinstance(value, str) else value)
    session.add(link)
    session.flush()
    chain_changed(session, link.arrangement_id)
    return link


def decide_link(session: Session, link: OutsourcingLink, data: dict, user: User | None,
                today: date | None = None) -> OutsourcingLink:
    """Record the member's approval of a sub-outsourcing (on, by, basis) or that it is not
    (yet) approved; an approval needs its basis: prior consent or notification. Only a
    person decides (``user`` None is refused), and not the one who recorded the link."""
    payload = parse(LinkApproval, data)
    if user is None:  # every decision names who took it; imports and jobs take none
        raise Forbidden(_("A decision on sub-outsourcing is recorded by a person: sign in as "
                          "compliance staff to record it."))
    lock(session, link)  # decide on the latest committed state; concurrent deciders queue
    _refuse_ended(link)
    if payload.approval_status == "approved" and link.approval_status == "approved":
        raise Conflict(_("This sub-outsourcing is already approved (on %(date)s); set it back to "
                         "pending first to record a new approval.", date=link.approved_on),
                       [{"field": "approval_status", "message": _("Already approved."),
                         "approved_by_id": link.approved_by_id}])
    if payload.approval_status == "approved":
        if payload.approval_basis is None:
            raise ValidationFailed(_("An approval needs its basis."),
                                   [{"field": "approval_basis", "message": _(
                                       "Choose one of %(choices)s.", choices=", ".join(APPROVAL_BASES))}])
        if link.recorded_by_id == user.id:
            raise Forbidden(_("Mutual checks (Art. 8(5)): you recorded this sub-outsourcing, so another "
                              "person must approve it."))
        link.approval_basis = payload.approval_basis
        link.approved_on = payload.approved_on or today or clock.today()
        link.approved_by_id = user.id
    else:
        link.approval_basis = None
        link.approved_on = None
        link.approved_by_id = None
    before = {"approval_status": link.approval_status}
    link.approval_status = payload.approval_status
    link.approval_note = payload.approval_note.strip()[:1000]
    link.approval_note_key, link.approval_note_params = None, {}  # the decider's own words
    session.add(link)
    audit.add_event(session, action="link_decision", entity="outsourcing_link",
                    entity_id=link.id, before=before,
                    after={"approval_status": link.approval_status, "approval_basis": link.approval_basis})
    session.flush()
    chain_changed(session, link.arrangement_id)
    return link


def end_link(session: Session, link: OutsourcingLink, reason: str = "", today: date | None = None) -> None:
    """End a sub-outsourcing on the member's day (``today``) unless that would cut its vendor's
    own subcontractors off the chain. The link is kept, ended, with its reason: the chain as it
    stood before can still be read (``chain_queries.chain_nodes(as_of=...)``, Art. 11(6)). The
    records that point at the link hear of it (``events.LinkRemoved``)."""
    lock(session, link)  # two people ending the same link: the second is told it has ended
    if link.ended_on is not None:
        raise Conflict(_("This sub-outsourcing already ended on %(date)s.", date=link.ended_on))
    current = current_link()
    other_parent = session.exec(select(exists().where(
        OutsourcingLink.arrangement_id == link.arrangement_id, OutsourcingLink.vendor_id == link.vendor_id,
        OutsourcingLink.id != link.id, current))).one()
    has_children = session.exec(select(exists().where(
        OutsourcingLink.arrangement_id == link.arrangement_id,
        OutsourcingLink.parent_vendor_id == link.vendor_id, current))).one()
    if has_children and not other_parent:
        raise Conflict(_("%(name)s has its own subcontractors in this chain; end their links first.",
                         name=_vendor_name(session, link.vendor_id)))
    reason = (reason or "").strip()[:1000]
    link.ended_on, link.end_reason = today or clock.today(), reason
    session.add(link)
    events.publish(session, events.LinkRemoved(link.arrangement_id, link.id, link.vendor_id, reason))
    audit.add_event(session, action="end_link", entity="outsourcing_link", entity_id=link.id,
                    before={"vendor_id": link.vendor_id, "parent_vendor_id": link.parent_vendor_id},
                    after={"ended_on": link.ended_on.isoformat(), "reason": reason})
    session.flush()
    chain_changed(session, link.arrangement_id, also=(link.vendor_id,))
