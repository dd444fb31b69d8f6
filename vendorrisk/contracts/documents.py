"""The documents of an arrangement's contract set, one per title: a title names one document
of the set (``models.title_key``: blanks around it and letter case ignored), which the
database keeps unique (``uq_contract_title``), also when two uploads start the same
document at the same moment."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, func
from sqlmodel import Session, select

from vendorrisk.contracts.models import (
    CHECK_STATUSES,
    DOCUMENT_KINDS,
    TITLE_MAX,
    ClauseCheck,
    Contract,
    ContractVersion,
    title_key,
)
from vendorrisk.core import locking
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.vendors.models import Arrangement


def document_titled(session: Session, arrangement_id: int, title: str) -> Contract | None:
    """The document of the arrangement's set titled ``title`` (as ``title_key`` compares
    titles), if any."""
    return session.exec(select(Contract).where(Contract.arrangement_id == arrangement_id,
                                               Contract.title_key == title_key(title))).first()


def start_document(session: Session, arrangement: Arrangement, *, title: str, document_kind: str,
                   user: User) -> Contract | None:
    """A new document of the arrangement's contract set, or ``None`` when the set has a
    document of that title already (``title_key``), also one that a concurrent upload
    committed after this request read the set: the insert runs in a savepoint
    (``locking.insert_once``), so the transaction stays usable for the caller's choice."""
    return locking.insert_once(session, Contract(arrangement_id=arrangement.id, created_by_id=user.id,
                                                 title=title.strip()[:TITLE_MAX],
                                                 document_kind=document_kind or "master"))


def start_numbered_document(session: Session, arrangement: Arrangement, *, title: str, document_kind: str,
                            user: User) -> Contract:
    """A new document of the set, always: titled ``title``, else, when the set has a document
    of that title, ``title (2)``, ``(3)``... the first that is free."""
    number, candidate = 1, title
    while (contract := start_document(session, arrangement, title=candidate, document_kind=document_kind,
                                      user=user)) is None:
        number += 1
        candidate = numbered_title(title, number)
    return contract


def numbered_title(title: str, number: int) -> str:
    """``title (number)``, shortened to fit a title."""
    suffix = f" ({number})"
    return title.strip()[:TITLE_MAX - len(suffix)].rstrip() + suffix


def title_taken(existing: Contract | None) -> ValidationFailed:
    """The refusal of a new document whose title a document of the set has already."""
    message = _("The contract set already has a document titled %(title)s: upload the file as its new version, "
                "or give the new document another title.", title=existing.title if existing else "")
    return ValidationFailed(message, [{"field": "title", "message": message}])


@dataclass
class ListedDocument:
    """One document of an arrangement's contract set on the contracts page: its latest
    version (None: none read yet) and that version's checks by status."""

    contract: Contract
    version: ContractVersion | None
    found: int = 0
    not_found: int = 0
    needs_review: int = 0


def documents_of(session: Session, arrangement_ids: list[int]) -> dict[int, list[ListedDocument]]:
    """Every document of each arrangement's contract set, by kind (the set's order) then
    title, each with its latest version and that version's counts — in one query whatever
    the number of arrangements and documents (one page of the contracts page)."""
    if not arrangement_ids:
        return {}
    latest = (select(ContractVersion.contract_id, func.max(ContractVersion.number).label("number"))
              .join(Contract, Contract.id == ContractVersion.contract_id)
              .where(Contract.arrangement_id.in_(arrangement_ids))
              .group_by(ContractVersion.contract_id).subquery())
    status = func.coalesce(func.nullif(ClauseCheck.reviewer_status, ""), ClauseCheck.auto_status)  # .status
    counts = (select(ClauseCheck.version_id,
                     *(func.sum(case((status == name, 1), else_=0)).label(name) for name in CHECK_STATUSES))
              .join(ContractVersion, ContractVersion.id == ClauseCheck.version_id)
              .join(latest, (latest.c.contract_id == ContractVersion.contract_id)
                    & (latest.c.number == ContractVersion.number))
              .group_by(ClauseCheck.version_id).subquery())
    rows = session.exec(
        select(Contract, ContractVersion, *(counts.c[name] for name in CHECK_STATUSES))
        .outerjoin(latest, latest.c.contract_id == Contract.id)
        .outerjoin(ContractVersion, (ContractVersion.contract_id == Contract.id)
                   & (ContractVersion.number == latest.c.number))
        .outerjoin(counts, counts.c.version_id == ContractVersion.id)
        .where(Contract.arrangement_id.in_(arrangement_ids))).all()
    listed: dict[int, list[ListedDocument]] = {}
    for contract, version, *numbers in rows:
        listed.setdefault(contract.arrangement_id, []).append(
            ListedDocument(contract, version, *(int(n or 0) for n in numbers)))
    order = {kind: n for n, kind in enumerate(DOCUMENT_KINDS)}
    for documents in listed.values():
        documents.sort(key=lambda d: (order.get(d.contract.document_kind, len(order)), d.contract.title_key,
                                      d.contract.id))
    return listed
