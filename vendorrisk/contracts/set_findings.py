"""Missing-clause findings about an arrangement's contract set (issue 13, item 3): a clause is
covered when any document of the set covers it, so a reviewer's *not found* in one document
raises a finding only when no current document of the set has the clause *found* (reviewed
result, else automatic), and the set coming to cover it (a new document or version, a
reviewer's *found*) closes the open finding, naming the document that covers it.

One finding per arrangement and clause: ``source_ref`` ``contract_set:<arrangement>:<clause>``,
then ``…#2``, ``…#3`` for a gap raised again after the finding before was closed (a closed
finding stays closed). Findings raised before sets (``contract:<contract>:<clause>``, one per
document) count as the set's: an open one stops a new one, and the set covering the clause
closes it too. The description and the closure evidence are stored as messages
(``vendors.finding_texts``): each reader sees them in their own language.
"""
from sqlmodel import Session, select

from vendorrisk.contracts import sets
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.models import ClauseCheck, Contract, ContractVersion
from vendorrisk.core.messages import join
from vendorrisk.core.messages import msg as _  # descriptions and evidence are stored; rendered when shown
from vendorrisk.core.models import User
from vendorrisk.vendors import findings
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Arrangement

TITLE_KEY = "contract_set_clause_missing"


def set_ref(arrangement_id: int, clause_id: str, number: int = 1) -> str:
    """The ``source_ref`` of the set's ``number``-th finding about a clause."""
    base = f"contract_set:{arrangement_id}:{clause_id}"
    return base if number == 1 else f"{base}#{number}"


def settle(session: Session, arrangement: Arrangement, user: User, *, clause_ids=None,
           reviewed: ClauseCheck | None = None, comment: str = "") -> None:
    """Bring the set's missing-clause findings in line with the set (``clause_ids``: those a
    change may have moved; all the set's clauses when ``None``). A clause the set covers
    closes its open findings; a clause it lacks raises one when a reviewer said *not found*
    (``reviewed``, the check just reviewed with ``comment``, or a current document's check)
    and none is open. Adds and flushes."""
    members, checks = sets.current_checks(session, arrangement.id)
    wanted = list(clause_ids) if clause_ids is not None else sorted({clause for _v, clause in checks})
    combined = {s.clause_id: s for s in sets.combine(members, checks, wanted)}
    held = _held(session, arrangement.id, wanted)
    for clause_id in wanted:
        result, own = combined.get(clause_id), held.get(clause_id, [])
        if result is not None and result.status == "found":
            evidence = _covered(result)
            for finding in own:
                findings.settle_finding(session, finding, evidence_key="contract_set_covered",
                                        evidence_params=evidence, actor_id=user.id)
            continue
        confirmed = [(contract, version, checks[(version.id, clause_id)]) for contract, version in members
                     if (version.id, clause_id) in checks and checks[(version.id, clause_id)].reviewer_status == "not_found"]
        if not (confirmed or (reviewed is not None and reviewed.clause_id == clause_id
                              and reviewed.status == "not_found")):
            continue
        if any(f.status != "closed" for f in own):
            continue  # one open finding per arrangement and clause, whichever documents said so
        raised_before = sum(1 for f in own if f.source_ref.startswith("contract_set:"))
        _raise(session, arrangement, clause_id, members, checks, user, comment,
               set_ref(arrangement.id, clause_id, raised_before + 1))
    session.flush()


def _held(session: Session, arrangement_id: int, clause_ids: list[str] | None) -> dict[str, list[Finding]]:
    """The set's findings per clause (of ``clause_ids``; every clause when ``None``), old
    per-document ones included (two queries)."""
    contract_ids = set(session.exec(select(Contract.id).where(Contract.arrangement_id == arrangement_id)))
    wanted = set(clause_ids) if clause_ids is not None else None
    out: dict[str, list[Finding]] = {}
    for finding in session.exec(select(Finding).where(Finding.source == "contract",
                                                      Finding.arrangement_id == arrangement_id)
                                .order_by(Finding.id)):
        kind, _sep, rest = (finding.source_ref or "").partition(":")
        owner, _sep, clause = rest.partition(":")
        clause = clause.split("#", 1)[0]
        ours = ((kind == "contract_set" and owner == str(arrangement_id))
                or (kind == "contract" and owner.isdigit() and int(owner) in contract_ids))
        if ours and (wanted is None or clause in wanted):
            out.setdefault(clause, []).append(finding)
    return out


def _document(contract: Contract, version: ContractVersion) -> str:
    return f"{contract.title} (v{version.number}, {version.filename})"


def _covered(result: sets.SetCheck) -> dict:
    """The closure evidence's parameters: the document, version, file and place that cover
    the clause, and who said so."""
    check = result.check
    where = f" {check.location}" if check.location else ""
    if page := (check.reason_params or {}).get("page"):  # a PDF's or a scan's page
        where += f" ({_('p. %(n)s', n=page)})"
    how = _("confirmed by a reviewer") if check.reviewer_status else _("found by the automatic check")
    return {"document": _document(result.contract, result.version), "where": where, "how": how}


def _raise(session: Session, arrangement: Arrangement, clause_id: str, members, checks, user: User,
           comment: str, source_ref: str) -> None:
    clause = contracts_library.clauses_by_id().get(clause_id)
    title = {lang: clause.text("title", lang) if clause else clause_id for lang in ("ja", "en")}
    article = {lang: clause.text("article", lang) if clause else "" for lang in ("ja", "en")}
    params = {"clause": title, "article": article, "arrangement": arrangement.title}
    read = [_("%(document)s: %(status)s", document=_document(contract, version),
              status=_status(checks.get((version.id, clause_id)))) for contract, version in members]
    described = {"documents": join("; ", read) if read else "-"}
    if comment:
        described["comment"] = comment
    findings.raise_finding(
        session, vendor_id=arrangement.vendor_id, arrangement_id=arrangement.id, source="contract",
        source_ref=source_ref, title=findings.english_title(TITLE_KEY, params), title_key=TITLE_KEY,
        title_params=params, description_params=described,
        description_key="contract_set_clause_missing_commented" if comment else "contract_set_clause_missing",
        severity="high" if arrangement.is_important else "medium", raised_by_id=user.id)


def _status(check: ClauseCheck | None):
    if check is None:
        return _("not checked")
    label = {"found": _("found"), "not_found": _("not found"), "needs_review": _("needs review")}[check.status]
    return _("%(status)s (reviewed)", status=label) if check.reviewer_status else label


def on_arrangement_ended(session: Session, event) -> None:
    """Listener of ``events.ArrangementEnded``: the open missing-clause findings of the
    arrangement's contract set (old per-document ones included) are closed, the evidence
    saying the arrangement was terminated and when — a contract no longer in force is not
    remediated, and its findings must not stay open for ever. Adds and flushes."""
    arrangement = session.get(Arrangement, event.arrangement_id)
    if arrangement is None:
        return
    day = arrangement.terminated_on.isoformat() if arrangement.terminated_on else ""
    for own in _held(session, arrangement.id, None).values():
        for finding in own:
            if finding.status != "closed":
                findings.settle_finding(session, finding, evidence_key="arrangement_ended",
                                        evidence_params={"arrangement": arrangement.title, "day": day},
                                        actor_id=session.info.get("actor_id"))
