"""Subcontractors listed in a response, planned into an arrangement's chain as the tree they
describe, shown before they are accepted, then built through the chain service.

Each listed company is matched to a vendor already registered, by corporate number and
then by normalised name (legal-form words, width and case aside). Who contracts it (委託元)
decides its parent: the respondent, or another listed company. A company already in the
chain is not added a second time at another tier: under the same parent it is already
recorded (``linked``), elsewhere it is shown where it is (``elsewhere``). The respondent
itself, or a company contracting itself, is refused (``self``); a company whose
contractor is neither in the chain nor being added waits for it (``blocked``).
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, select

from vendorrisk.core.models import utcnow
from vendorrisk.questionnaires.models import QuestionnaireResponse, SubcontractorProposal
from vendorrisk.questionnaires.native import company_key
from vendorrisk.vendors import chain_queries, chains, link_notes
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor

LOCATION_RE = re.compile(r"^([A-Za-z]{2})(?:[\s:/,-]+(.*))?$")
ADD, LINKED, ELSEWHERE, SELF, BLOCKED, SKIPPED = "add", "linked", "elsewhere", "self", "blocked", "skipped"


@dataclass
class PlannedLink:
    """One listed company as the chain would take it: the vendor it is (``vendor`` when
    registered, else a new vendor), under whom (``parent_vendor_id``, or ``parent_row``
    when the parent is itself a new vendor planned here), the action and the tier."""

    proposal: SubcontractorProposal
    vendor: Vendor | None
    matched_by: str  # corporate_number, name, or "" for a vendor to register
    action: str  # add, linked, elsewhere, self, blocked, skipped; or the proposal's status when reviewed
    parent_vendor_id: int | None = None
    parent_row: int | None = None
    parent_name: str = ""
    tier: int | None = None
    tiers: tuple[int, ...] = ()  # where a company already in the chain sits


@dataclass
class TreeNode:
    """A node of the chain as it would be: ``state`` existing (already in the chain) or add."""

    name: str
    tier: int
    state: str
    vendor_id: int | None = None
    proposal_id: int | None = None
    service: str = ""
    children: list["TreeNode"] = field(default_factory=list)


@dataclass
class ChainPlan:
    """The arrangement's chain with the response's subcontractors planned into it."""

    arrangement: Arrangement
    response: QuestionnaireResponse
    links: list[PlannedLink]
    tree: list[TreeNode]

    @property
    def to_add(self) -> list[PlannedLink]:
        """The companies that accepting adds, parents first."""
        return [link for link in self.links if link.action == ADD]

    def of(self, proposal_id: int) -> PlannedLink | None:
        """The plan of one proposal."""
        return next((link for link in self.links if link.proposal.id == proposal_id), None)


def _matches(session: Session, proposals: list[SubcontractorProposal]) -> dict[int, tuple[Vendor | None, str]]:
    """Each proposal's registered vendor (one query): by corporate number, else by name."""
    numbers = {p.corporate_number for p in proposals if p.corporate_number}
    keys = {company_key(p.name) for p in proposals} - {""}
    names = {p.name for p in proposals}
    found = session.exec(select(Vendor).where(or_(Vendor.corporate_number.in_(numbers), Vendor.name_normalized.in_(keys),
                                                  Vendor.name.in_(names), Vendor.name_en.in_(names)))).all()
    by_number = {v.corporate_number: v for v in found if v.corporate_number}
    by_key: dict[str, Vendor] = {}
    for vendor in sorted(found, key=lambda v: v.id):
        for key in (company_key(vendor.name), company_key(vendor.name_en or "")):
            if key:
                by_key.setdefault(key, vendor)
    matched = {}
    for proposal in proposals:
        vendor = by_number.get(proposal.corporate_number) if proposal.corporate_number else None
        if vendor is not None:
            matched[proposal.id] = (vendor, "corporate_number")
            continue
        vendor = by_key.get(company_key(proposal.name))
        # Another corporate number on both sides is another company, whatever its name.
        if vendor is not None and not (proposal.corporate_number and vendor.corporate_number):
            matched[proposal.id] = (vendor, "name")
        else:
            matched[proposal.id] = (None, "")
    return matched


def _parents_first(proposals: list[SubcontractorProposal]) -> list[SubcontractorProposal]:
    by_row = {p.row: p for p in proposals}
    ordered, placed = [], set()

    def place(proposal, depth=0):
        if proposal.row in placed or depth > len(proposals):
            return
        parent = by_row.get(proposal.parent_row) if proposal.parent_row is not None else None
        if parent is not None:
            place(parent, depth + 1)
        placed.add(proposal.row)
        ordered.append(proposal)
    for proposal in sorted(proposals, key=lambda p: p.row):
        place(proposal)
    return ordered


def plan(session: Session, response: QuestionnaireResponse, arrangement: Arrangement,
         selected: set[int] | None = None) -> ChainPlan:
    """Plan the response's subcontractors into the arrangement's chain (``selected``: only
    these pending proposals are to be added; the others are ``skipped``)."""
    nodes = chain_queries.chain_nodes(session, [arrangement.id])
    tiers: dict[int, list[int]] = {}
    parents: dict[int, set[int]] = {}
    names = {node.vendor_id: node.vendor_name for node in nodes}
    for node in nodes:
        tiers.setdefault(node.vendor_id, []).append(node.tier)
        if node.parent_vendor_id is not None:
            parents.setdefault(node.vendor_id, set()).add(node.parent_vendor_id)
    proposals = list(session.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == response.id)))
    matched = _matches(session, proposals)
    linked = {p.link_id: link for p in proposals if p.link_id
              for link in [session.get(OutsourcingLink, p.link_id)] if link is not None}
    respondent = response.vendor_id
    planned: dict[int, PlannedLink] = {}
    new_by_key: dict[str, int] = {}  # a company listed twice is one new vendor
    links = []
    for proposal in _parents_first(proposals):
        vendor, how = matched[proposal.id]
        item = PlannedLink(proposal, vendor, how, proposal.status)
        planned[proposal.row] = item
        links.append(item)
        # Who contracts it, and where that one is (or will be) in the chain.
        parent = planned.get(proposal.parent_row) if proposal.parent_row is not None else None
        if parent is None:
            item.parent_vendor_id, item.parent_name = respondent, names.get(respondent, "")
            parent_tier = min(tiers.get(respondent, [1]))
        elif parent.vendor is not None and parent.vendor.id in tiers:
            item.parent_vendor_id, item.parent_name = parent.vendor.id, parent.vendor.name
            parent_tier = min(tiers[parent.vendor.id])
        elif parent.action == ADD:
            item.parent_row, item.parent_name, parent_tier = parent.proposal.row, parent.proposal.name, parent.tier
        else:
            item.parent_name, parent_tier = parent.proposal.name, None
        if proposal.status == "accepted" and proposal.link_id in linked:
            link = linked[proposal.link_id]
            item.vendor = item.vendor or session.get(Vendor, link.vendor_id)
            item.tiers = tuple(sorted(set(tiers.get(link.vendor_id, []))))
            continue
        if proposal.status != "pending":
            continue
        key = company_key(proposal.name)
        if vendor is None and key in new_by_key and planned[new_by_key[key]].action == ADD:
            first = planned[new_by_key[key]]
            same_parent = (first.parent_vendor_id, first.parent_row) == (item.parent_vendor_id, item.parent_row)
            item.action, item.tiers = (LINKED if same_parent else ELSEWHERE), (first.tier,)
            continue
        if vendor is not None and (vendor.id == respondent or vendor.id == item.parent_vendor_id):
            item.action = SELF
        elif vendor is not None and vendor.id in tiers:
            item.tiers = tuple(sorted(set(tiers[vendor.id])))
            item.action = LINKED if item.parent_vendor_id in parents.get(vendor.id, ()) else ELSEWHERE
            item.parent_name = item.parent_name if item.action == LINKED else ", ".join(
                sorted(names.get(p, "") for p in parents.get(vendor.id, ())))
        elif parent_tier is None:
            item.action = BLOCKED
        elif selected is not None and proposal.id not in selected:
            item.action = SKIPPED
        else:
            item.action, item.tier = ADD, parent_tier + 1
            if vendor is None:
                new_by_key.setdefault(key, proposal.row)
    return ChainPlan(arrangement, response, links, _tree(nodes, links))


def _tree(nodes, links: list[PlannedLink]) -> list[TreeNode]:
    """The chain as it would be: its nodes, and the companies to add under their parents."""
    by_path: dict[str, TreeNode] = {}
    first_of: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for node in nodes:  # ordered by tier: parents first
        item = TreeNode(node.vendor_name, node.tier, "existing", node.vendor_id, service=node.service or "")
        by_path[node.path] = item
        first_of.setdefault(node.vendor_id, item)
        parent_path = node.path[: node.path.rstrip("/").rfind("/") + 1]
        parent = by_path.get(parent_path) if node.parent_vendor_id is not None else None
        (parent.children if parent else roots).append(item)
    new_of: dict[int, TreeNode] = {}
    for link in links:
        if link.action != ADD:
            continue
        item = TreeNode(link.vendor.name if link.vendor else link.proposal.name, link.tier or 0, ADD,
                        link.vendor.id if link.vendor else None, link.proposal.id, link.proposal.service)
        new_of[link.proposal.row] = item
        parent = first_of.get(link.parent_vendor_id) if link.parent_row is None else new_of.get(link.parent_row)
        (parent.children if parent else roots).append(item)
    return roots


def accept(session: Session, chain: ChainPlan, user_id: int | None) -> list[OutsourcingLink]:
    """Build the planned links through the chain service, parents first: register the new
    vendors (status prospect), link each under its contractor with approval pending, record
    its data location, and mark its proposal accepted."""
    created: dict[int, int] = {}  # proposal row -> vendor id
    made = []
    with chains.chain_changes_once(session):  # the other areas hear of the new chain once
        for item in chain.to_add:
            made.append(_add(session, chain, item, created, user_id))
    session.flush()
    return made


def _add(session: Session, chain: ChainPlan, item: PlannedLink, created: dict[int, int],
         user_id: int | None) -> OutsourcingLink:
    """One planned company linked under its contractor (a vendor registered first if new)."""
    proposal = item.proposal
    vendor = item.vendor
    if vendor is None:
        vendor = vendor_service.create_vendor(session, {
            "name": proposal.name, "corporate_number": proposal.corporate_number,
            "country": proposal.country or "JP", "confirm_duplicate": True})
    created[proposal.row] = vendor.id
    parent_id = item.parent_vendor_id if item.parent_row is None else created[item.parent_row]
    link = chains.add_link(session, chain.arrangement, {
        "parent_vendor_id": parent_id, "vendor_id": vendor.id, "service": proposal.service,
        "touches_user_data": proposal.touches_user_data})
    link.approval_status = "pending"
    response = session.get(QuestionnaireResponse, proposal.response_id)
    # The product's note, naming the workbook (not an id), read in each reader's language.
    for name, value in link_notes.note_fields("questionnaire_listed", {
            "file": response.filename if response else "", "row": proposal.row}).items():
        setattr(link, name, value)
    session.add(link)
    session.flush()
    location = location_of(proposal.data_location)
    if location:
        session.add(DataLocation(link_id=link.id, country=location[0], region=location[1]))
    proposal.status, proposal.link_id = "accepted", link.id
    proposal.reviewed_by_id, proposal.reviewed_at = user_id, utcnow()
    session.add(proposal)
    return link


def location_of(text: str) -> tuple[str, str] | None:
    """A data location as written ("JP Tokyo", "SG"): country code and region."""
    match = LOCATION_RE.match(text.strip())
    return (match.group(1).upper(), (match.group(2) or "")[:100]) if match else None
