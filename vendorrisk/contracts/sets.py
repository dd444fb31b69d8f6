"""An arrangement's contract set: the latest version of each of its documents (master
agreement, DPA, SLA, security exhibit, 覚書...), and per clause the document that covers it.

A clause is covered (*found*) when any document of the set has it found — the reviewer's
result when reviewed, else the automatic one; otherwise the set's result is the best of
the documents' (*needs review* before *not found*). Among results of the same status a
reviewed one comes first, then the surest automatic one. Each combined result names the
document and the place in it, so the checklist and the matrix can say where the clause is.
"""
from dataclasses import dataclass

from sqlmodel import Session, select

from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.checker import reasons
from vendorrisk.contracts.models import ClauseCheck, Contract, ContractVersion

RANK = {"found": 2, "needs_review": 1, "not_found": 0}


@dataclass(frozen=True)
class SetCheck:
    """The set's result for one clause, with the document and check it comes from."""

    clause_id: str
    status: str
    check: ClauseCheck | None
    contract: Contract | None
    version: ContractVersion | None
    documents: int  # how many documents of the set were checked for the clause

    def as_dict(self, lang: str = "en") -> dict:
        """The JSON form (``set_checks`` of the API)."""
        check, contract, version = self.check, self.contract, self.version
        reason = ""
        if check is not None:
            reason = reasons.render(check.reason_key, check.reason_params, lang) if check.reason_key else check.reason
        return {"clause_id": self.clause_id, "status": self.status,
                "reviewed": bool(check and check.reviewer_status),
                "check_id": check.id if check else None,
                "contract_id": contract.id if contract else None,
                "document": contract.title if contract else None,
                "document_kind": contract.document_kind if contract else None,
                "version_id": version.id if version else None,
                "version": version.number if version else None,
                "location": check.location if check else "",
                "evidence": check.evidence if check else "",
                "evidence_page": (check.reason_params or {}).get("page") if check else None,
                "reason": reason, "documents_checked": self.documents}


def latest_versions_by_arrangement(session: Session, arrangement_ids) -> dict[int, list[tuple[Contract, ContractVersion]]]:
    """For each arrangement, the latest version of each of its contracts (one query)."""
    out: dict[int, list[tuple[Contract, ContractVersion]]] = {}
    if not arrangement_ids:
        return out
    rows = session.exec(select(ContractVersion, Contract)
                        .join(Contract, Contract.id == ContractVersion.contract_id)
                        .where(Contract.arrangement_id.in_(list(arrangement_ids)))
                        .order_by(Contract.id, ContractVersion.number.desc())).all()
    seen = set()
    for version, contract in rows:
        if contract.id not in seen:
            seen.add(contract.id)
            out.setdefault(contract.arrangement_id, []).append((contract, version))
    return out


def combine(members: list[tuple[Contract, ContractVersion]], checks: dict[tuple[int, str], ClauseCheck],
            clause_ids: list[str]) -> list[SetCheck]:
    """The combined result per clause of one set (``checks`` keyed by version and clause)."""
    combined = []
    for clause_id in clause_ids:
        best = None
        count = 0
        for contract, version in members:
            check = checks.get((version.id, clause_id))
            if check is None:
                continue
            count += 1
            key = (RANK.get(check.status, 0), bool(check.reviewer_status),  # a reviewer's result before a guess
                   check.confidence if check.status != "not_found" else -check.confidence)
            if best is None or key > best[0]:
                best = (key, check, contract, version)
        if best is None:
            continue
        _key, check, contract, version = best
        combined.append(SetCheck(clause_id, check.status, check, contract, version, count))
    return combined


def current_checks(session: Session, arrangement_id: int) -> tuple[list[tuple[Contract, ContractVersion]],
                                                                     dict[tuple[int, str], ClauseCheck]]:
    """The documents of an arrangement's set (latest version of each) and their checks,
    keyed by version and clause (two queries)."""
    members = latest_versions_by_arrangement(session, [arrangement_id]).get(arrangement_id, [])
    version_ids = [v.id for _c, v in members]
    checks = {(c.version_id, c.clause_id): c for c in session.exec(
        select(ClauseCheck).where(ClauseCheck.version_id.in_(version_ids or [0])))}
    return members, checks


def set_checks(session: Session, arrangement_id: int) -> list[SetCheck]:
    """The combined results of an arrangement's contract set, in the library's order."""
    members, checks = current_checks(session, arrangement_id)
    order = [c.id for c in contracts_library.library()]
    present = {clause for _v, clause in checks}
    return combine(members, checks, [c for c in order if c in present])


def set_summary(session: Session, arrangement_id: int, lang: str = "en") -> dict:
    """The contract set of an arrangement as the API shows it."""
    members = latest_versions_by_arrangement(session, [arrangement_id]).get(arrangement_id, [])
    return {"arrangement_id": arrangement_id,
            "documents": [{"contract_id": c.id, "title": c.title, "document_kind": c.document_kind,
                           "version_id": v.id, "version": v.number, "filename": v.filename,
                           "extraction_status": v.extraction_status} for c, v in members],
            "set_checks": [s.as_dict(lang) for s in set_checks(session, arrangement_id)]}
