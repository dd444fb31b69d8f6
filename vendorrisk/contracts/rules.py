"""Compliance-matrix rows for the contract clauses of Art. 25(2) and 25(3), and the
contract checklists in a vendor's evidence pack.

A tier-1 vendor (the vendor of an arrangement) meets an obligation when the contract set
of every one of its active arrangements covers the clause: some document of the set (the
latest version of each: master agreement, DPA, SLA, 覚書...) has it *found* — the
reviewer's result when reviewed, else the automatic one. A vendor that appears only
further down a chain has no direct contract with the member: its contract terms reach it
through the tier-1 contract's sub-outsourcing clause (flow-down), so the row is not
applicable to it; the tier-1 vendor's row carries the obligation. Its reason says whether
that clause is on record in the tier-1 contract set of each chain it is in (never that it
is when it is not), with links to those contracts.
"""
from pathlib import PurePath

from flask_babel import gettext  # the evidence pack's descriptions, in the language it is built in
from sqlmodel import Session, select

from vendorrisk.contracts import sets
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.core import events
from vendorrisk.core.i18n import language
from vendorrisk.core.messages import join
from vendorrisk.core.messages import msg as _  # reasons are stored; rendered when shown
from vendorrisk.core.registry import EvidenceFile, Obligation, Verdict, batch_memo, obligation
from vendorrisk.vendors.chain_reach import probed
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, current_link

CLAUSE_ROWS = [
    # id, clause, citation ja/en, title ja/en, order
    ("25-2-roles_responsibilities", "roles_responsibilities", "第25条第2項", "Art. 25(2)",
     "契約における役割・責任の分担", "Roles and responsibilities in the contract", 251),
    ("25-2-audit_rights", "audit_rights", "第25条第2項", "Art. 25(2)",
     "契約における監査権限", "Audit rights in the contract", 252),
    ("25-2-subcontracting", "subcontracting", "第25条第2項", "Art. 25(2)",
     "契約における再委託手続き", "Sub-outsourcing procedure in the contract", 253),
    ("25-2-service_levels", "service_levels", "第25条第2項", "Art. 25(2)",
     "契約におけるサービス水準", "Service levels in the contract", 254),
    ("25-3", "security_requirements", "第25条第3項", "Art. 25(3)",
     "要員の遵守事項・セキュリティ要件の契約への記載", "Staff rules and security requirements written into the contract", 255),
]
SUBCONTRACTING = "subcontracting"  # the clause that carries a tier-1 contract's terms down its chain
SHOWN_CHAINS = 5  # chains a subcontractor's reason names and links at most


def _contract_evidence(session: Session, vendor_ids: list[int], clause_ids: list[str]):
    """The batch's active arrangements, the active arrangements in whose chains the batch's
    vendors are subcontractors (by vendor), the latest versions of both and the checks of
    every clause of these rules on them: four set queries, shared by the five clause rules
    of a matrix batch."""
    arrangements = session.exec(select(Arrangement.id, Arrangement.vendor_id, Arrangement.title)
                                .where(Arrangement.vendor_id.in_(vendor_ids or [0]),
                                       Arrangement.status != "terminated")).all()
    upstream: dict[int, dict[int, object]] = {}  # subcontractor -> its chains' arrangements by id
    link = OutsourcingLink.__table__
    held, on = probed(session, vendor_ids, Arrangement.__table__, name="held",
                      columns=("id", "title", "status"), id=link.c.arrangement_id)
    for row in session.execute(
            select(link.c.vendor_id.label("subcontractor"), held.c.id, held.c.title)
            .select_from(link.join(held, on))
            .where(link.c.vendor_id.in_(vendor_ids or [0]), held.c.status != "terminated", current_link(link))
            .order_by(held.c.id)).all():
        upstream.setdefault(row.subcontractor, {})[row.id] = row
    wanted = {a.id for a in arrangements} | {a for found in upstream.values() for a in found}
    latest = sets.latest_versions_by_arrangement(session, sorted(wanted))
    version_ids = [v.id for members in latest.values() for _c, v in members]
    checks = {(c.version_id, c.clause_id): c for c in session.exec(select(ClauseCheck).where(
        ClauseCheck.version_id.in_(version_ids or [0]), ClauseCheck.clause_id.in_(clause_ids)))}
    return arrangements, latest, checks, {v: list(found.values()) for v, found in upstream.items()}


def _set_verdict(arrangement, latest, all_checks, clause_id):
    """How one arrangement's contract set stands on a clause: (the gap as a message, or None
    when some document has the clause found; the proof link; whether that finding is the
    checker's alone, no reviewer having confirmed it)."""
    members = latest.get(arrangement.id)
    if not members:
        return (_("no contract uploaded for “%(title)s”", title=arrangement.title),
                (arrangement.title, f"/contracts/arrangements/{arrangement.id}"), False)
    combined = sets.combine(members, all_checks, [clause_id])
    best = combined[0] if combined else None
    contract, version = (best.contract, best.version) if best else members[0]
    link = (f"{arrangement.title}: {contract.title} v{version.number}", f"/contracts/versions/{version.id}")
    check = best.check if best else None
    named = {"title": f"{arrangement.title} / {contract.title}", "number": version.number}
    if check is None:
        return _("clause not checked in “%(title)s” v%(number)s", **named), link, False
    if check.status != "found":
        status = _(check.status.replace("_", " "))  # "not found", "needs review"
        if check.reviewer_status:
            return _("clause %(status)s in “%(title)s” v%(number)s", status=status, **named), link, False
        return _("clause %(status)s in “%(title)s” v%(number)s (automatic)", status=status, **named), link, False
    return None, link, not check.reviewer_status


def _subcontractor_verdict(chains, latest, all_checks) -> Verdict:
    """A vendor with no arrangement of its own, in the chains of ``chains``: its terms reach
    it only through the sub-outsourcing clause of each tier-1 contract, so the row is not
    applicable to it; the reason says whether that clause is there (the tier-1 vendor's row
    carries the gap). A widely shared provider is in thousands of chains: the reason names
    and links the first ``SHOWN_CHAINS`` of them and counts the rest, so that its cells stay
    the size of anyone's."""
    if not chains:
        return Verdict("not_applicable", _("The vendor has no active outsourcing arrangement."))
    gaps, gap_links, links = [], [], []
    for arrangement in chains:
        gap, link, _automatic = _set_verdict(arrangement, latest, all_checks, SUBCONTRACTING)
        if len(links) < SHOWN_CHAINS:
            links.append(link)
        if gap is not None:
            gaps.append(gap)
            if len(gap_links) < SHOWN_CHAINS:
                gap_links.append(link)
    if len(gaps) > SHOWN_CHAINS:
        return Verdict("not_applicable", _("No direct contract, and the tier-1 contract's sub-outsourcing clause "
                                           "that would carry the terms down is not on record in %(count)s "
                                           "chains, among them: %(gaps)s.", count=len(gaps),
                                           gaps=join(_("; ").key, gaps[:SHOWN_CHAINS])), gap_links)
    if gaps:
        return Verdict("not_applicable", _("No direct contract, and the tier-1 contract's sub-outsourcing clause "
                                           "that would carry the terms down is not on record: %(gaps)s.",
                                           gaps=join(_("; ").key, gaps)), gap_links)
    return Verdict("not_applicable", _("No direct contract; covered by the tier-1 contract's sub-outsourcing clause."),
                   links)


def clause_verdicts(session: Session, vendor_ids: list[int], clause_id: str) -> dict[int, Verdict]:
    """Verdicts of one clause for many vendors, in four set queries (once per matrix batch)."""
    clause_ids = [row[1] for row in CLAUSE_ROWS]
    if clause_id in clause_ids:
        evidence = batch_memo(session, "contracts.evidence", vendor_ids,
                              lambda: _contract_evidence(session, vendor_ids, clause_ids))
    else:
        evidence = _contract_evidence(session, vendor_ids, [clause_id, SUBCONTRACTING])
    arrangements, latest, all_checks, upstream = evidence
    by_vendor: dict[int, list] = {}
    for arrangement in arrangements:
        by_vendor.setdefault(arrangement.vendor_id, []).append(arrangement)
    verdicts = {}
    for vendor_id in vendor_ids:
        own = by_vendor.get(vendor_id)
        if not own:
            verdicts[vendor_id] = _subcontractor_verdict(upstream.get(vendor_id, []), latest, all_checks)
            continue
        gaps, links, automatic = [], [], 0
        for arrangement in own:
            gap, link, unconfirmed = _set_verdict(arrangement, latest, all_checks, clause_id)
            links.append(link)
            automatic += unconfirmed
            if gap is not None:
                gaps.append(gap)
        if gaps:
            verdicts[vendor_id] = Verdict("gap", _gap_sentence(gaps), links)
        elif automatic:  # met on the checker's word: the reason says no reviewer has confirmed it
            verdicts[vendor_id] = Verdict("met", _("Arrangements whose contract set has the clause: %(count)s; "
                                                  "found by the automatic check only, not yet confirmed by a "
                                                  "reviewer: %(automatic)s.", count=len(own), automatic=automatic),
                                          links)
        else:
            verdicts[vendor_id] = Verdict("met", _("Arrangements whose contract set has the clause: %(count)s.",
                                                  count=len(own)), links)
    return verdicts


def _gap_sentence(gaps: list[str]) -> str:
    """The gaps of a vendor as one sentence in the user's language, its first letter capitalised."""
    # Translators: joins the gaps of one sentence (e.g. "no contract ...; clause not found in ...").
    return _("%(gaps)s.", gaps=join(_("; ").key, gaps, capitalise=True))


def _clause_obligation(obligation_id, clause_id, citation_ja, citation_en, title_ja, title_en, order) -> Obligation:
    def rule(session: Session, vendor_ids: list[int]) -> dict[int, Verdict]:
        return clause_verdicts(session, vendor_ids, clause_id)
    rule.__doc__ = (f"Met when the contract set (latest version of each document) of every active arrangement "
                    f"of the (tier-1) vendor has the clause for “{title_en}” found in some document (reviewed result, else automatic); gap when "
                    f"it is not found, needs review, or no contract is uploaded; not applicable to vendors "
                    f"that are only subcontractors (no direct contract; the tier-1 contract's "
                    f"sub-outsourcing clause flows the terms down), whose reason says whether that clause "
                    f"is on record in the tier-1 contract set of each of their chains.")
    rule.__name__ = f"contract_{clause_id}"
    doc_ja = (f"外部委託先（一次委託先）の有効な委託業務すべてについて、契約書一式（各文書の最新版）のいずれかで条項「{title_ja}」が"
              f"「あり」と判定されていれば充足（確認者の判定があればそれを、なければ自動判定を用います）。"
              f"「なし」又は「要確認」の場合、又は契約書が登録されていない場合は不足。再委託先にすぎない"
              f"外部委託先（直接の契約がなく、一次委託先との契約の再委託条項で義務が及ぶもの）は対象外とし、"
              f"その理由には、所属する各委託チェーンの一次委託先の契約書一式に再委託条項が確認されているかを示します。")
    return obligation(obligation_id, citation_ja=citation_ja, citation_en=citation_en, title_ja=title_ja,
                      title_en=title_en, order=order, doc_ja=doc_ja,
                      moved_by=(events.ContractChecked, events.ChainChanged))(rule)


CLAUSE_OBLIGATIONS = tuple(_clause_obligation(*row) for row in CLAUSE_ROWS)


def contract_checklists(session: Session, vendor_id: int):
    """The Word checklist of each of the vendor's arrangements: of its contract set (every
    document, the one and place of each clause) when it has several documents, as the verdicts
    read the set; else of its one document's latest version. In the language the pack is built
    in (its starter's: the job runs in it), as the rest of the pack."""
    from vendorrisk.contracts.service import checklist_document
    from vendorrisk.contracts.set_service import checklist_document as set_checklist

    arrangements = session.exec(select(Arrangement).where(Arrangement.vendor_id == vendor_id)
                                .order_by(Arrangement.id)).all()
    documents = sets.latest_versions_by_arrangement(session, [a.id for a in arrangements])
    lang = language()
    for arrangement in arrangements:
        versions = [version for _contract, version in documents.get(arrangement.id, [])]
        if len(versions) > 1:
            filename, data = set_checklist(session, arrangement.id, lang, None)
            description = gettext("Contract set clause checklist, %(arrangement)s, %(n)s documents",
                                  arrangement=arrangement.title, n=len(versions))
        elif versions:
            filename, data = checklist_document(session, versions[0].id, lang, None)
            description = gettext("Contract clause checklist, %(arrangement)s, version %(n)s",
                                  arrangement=arrangement.title, n=versions[0].number)
        else:
            continue
        yield EvidenceFile(path=f"contracts/{arrangement.id}_{PurePath(filename).name}", data=data,
                           description=description)
