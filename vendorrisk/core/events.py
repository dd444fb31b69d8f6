"""Domain events: how one area tells the others what changed, inside the writing transaction.

A service publishes an event after it has flushed its change; every listener an area
subscribed in its ``init_app`` runs at once, with the same session, so its own changes
(a recomputed risk tier, a review plan, a maintained verdict) commit or roll back together
with the change that caused them. Listeners never commit.
"""
from dataclasses import dataclass

from sqlmodel import Session

from vendorrisk.core import registry


@dataclass(frozen=True)
class ChainChanged:
    """Arrangements whose chain (links, arrangement facts, data locations) changed, and the
    vendors of those chains before and after the change."""

    arrangement_ids: frozenset[int]
    vendor_ids: frozenset[int]


@dataclass(frozen=True)
class LinkRemoved:
    """A sub-outsourcing link is about to be removed, for ``reason``. Published before the
    row is deleted (a ``ChainChanged`` follows), so that records pointing at the link (a
    questionnaire's accepted proposal) can keep the fact and the reason and let go of it."""

    arrangement_id: int
    link_id: int
    vendor_id: int
    reason: str


@dataclass(frozen=True)
class ArrangementEnded:
    """An arrangement was terminated (``vendors.exits``; a ``ChainChanged`` precedes it):
    what hangs on it in the other areas (open findings of its contract set) is dealt with."""

    arrangement_id: int
    vendor_id: int


@dataclass(frozen=True)
class VendorChanged:
    """Vendors were registered, or their own records changed (status, flags, owners, risk
    tier): one vendor from a form, many from a register import."""

    vendor_ids: frozenset[int]


@dataclass(frozen=True)
class UserActiveChanged:
    """A user was deactivated or reactivated: what is assigned to them may need another owner."""

    user_id: int


@dataclass(frozen=True)
class AssessmentDecided:
    """A selection assessment was approved or rejected."""

    vendor_id: int
    assessment_id: int
    decision: str


@dataclass(frozen=True)
class ContractChecked:
    """A contract version was checked or a clause result reviewed."""

    arrangement_id: int
    contract_id: int


@dataclass(frozen=True)
class ReviewCompleted:
    """A monitoring review was completed."""

    vendor_id: int
    review_id: int


@dataclass(frozen=True)
class CertificateChanged:
    """A certificate or report was stored, reviewed or removed."""

    vendor_id: int
    certificate_id: int


@dataclass(frozen=True)
class FindingSettled:
    """The product closed a finding it had raised because the gap it reports is gone
    (``vendors.findings.settle_finding``): ``evidence`` says what covers it now. What hangs
    on the open finding (a risk acceptance) ends with it."""

    finding_id: int
    vendor_id: int
    previous_status: str
    evidence: str
    actor_id: int | None


@dataclass(frozen=True)
class ReminderSent:
    """The SMTP server accepted a reminder (published by the sender, in the transaction that
    records it as sent): the area whose source made it may note the delivery."""

    subject_type: str
    subject_id: int
    kind: str
    recipient: str


def publish(session: Session, event) -> None:
    """Run every listener of ``event``'s type, in subscription order, in this transaction."""
    for listener in registry.current().listeners.get(type(event), ()):
        listener(session, event)
