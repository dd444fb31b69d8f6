"""After an import: responses listed and compared, subcontractor proposals accepted into
the vendor's chains or rejected, and the latest workbooks offered as evidence."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlmodel import Session, select

from vendorrisk.core import audit, storage
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import StoredFile, utcnow
from vendorrisk.core.registry import EvidenceFile
from vendorrisk.questionnaires import chain_plan
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors import chains
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link


def get_response(session: Session, response_id: int) -> QuestionnaireResponse:
    """A response by id; ``NotFound`` otherwise."""
    response = session.get(QuestionnaireResponse, response_id)
    if response is None:
        raise NotFound(_("There is no questionnaire response %(id)s.", id=response_id))
    return response


def answers_of(session: Session, response_id: int) -> list[QuestionnaireAnswer]:
    """The answers of a response in workbook order."""
    return list(session.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == response_id)
                             .order_by(QuestionnaireAnswer.position)))


def proposals_of(session: Session, response_id: int) -> list[SubcontractorProposal]:
    """The subcontractor proposals of a response."""
    return list(session.exec(select(SubcontractorProposal).where(SubcontractorProposal.response_id == response_id)
                             .order_by(SubcontractorProposal.row)))


def responses_query(vendor_id: int | None = None):
    """Responses newest first with their vendor, optionally for one vendor (paginate it)."""
    query = (select(QuestionnaireResponse, Vendor).join(Vendor, Vendor.id == QuestionnaireResponse.vendor_id)
             .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc()))
    if vendor_id is not None:
        query = query.where(QuestionnaireResponse.vendor_id == vendor_id)
    return query


def previous_response(session: Session, response: QuestionnaireResponse) -> QuestionnaireResponse | None:
    """The vendor's response to the same questionnaire imported just before this one."""
    same = (QuestionnaireResponse.template_id == response.template_id if response.template_id
            else (QuestionnaireResponse.template_id.is_(None)) & (QuestionnaireResponse.format == response.format))
    return session.exec(select(QuestionnaireResponse).where(
        QuestionnaireResponse.vendor_id == response.vendor_id, same, QuestionnaireResponse.id != response.id,
        or_(QuestionnaireResponse.created_at < response.created_at,
            (QuestionnaireResponse.created_at == response.created_at) & (QuestionnaireResponse.id < response.id)))
        .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc())).first()


@dataclass(frozen=True)
class ComparedAnswer:
    """One question's answer now and in the previous response."""

    key: str
    question_text: str
    previous: QuestionnaireAnswer | None
    current: QuestionnaireAnswer | None

    @property
    def change(self) -> str:
        """``added``, ``removed``, ``changed`` or ``same``."""
        if self.previous is None:
            return "added"
        if self.current is None:
            return "removed"
        return "same" if self.previous.value == self.current.value else "changed"


def compare(session: Session, response: QuestionnaireResponse) -> tuple[QuestionnaireResponse | None, list[ComparedAnswer]]:
    """This response against the previous one, answer by answer (by our question id, else source id)."""
    previous = previous_response(session, response)
    ids = [response.id] + ([previous.id] if previous else [])
    rows = session.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id.in_(ids))
                        .order_by(QuestionnaireAnswer.position)).all()
    current, before, order = {}, {}, []
    for answer in rows:
        key = answer.question_id or answer.source_id
        (current if answer.response_id == response.id else before)[key] = answer
        if key not in order:
            order.append(key)
    compared = [ComparedAnswer(k, (current.get(k) or before.get(k)).question_text, before.get(k), current.get(k))
                for k in order]
    return previous, compared


def arrangements_for(session: Session, vendor_id: int) -> list[Arrangement]:
    """Arrangements in whose chain the vendor appears (as tier 1 or as a subcontractor)."""
    linked = select(OutsourcingLink.arrangement_id).where(OutsourcingLink.vendor_id == vendor_id, current_link())
    return list(session.exec(select(Arrangement).where(
        or_(Arrangement.vendor_id == vendor_id, Arrangement.id.in_(linked))).order_by(Arrangement.title)))


def _pending(session: Session, proposal_id: int) -> SubcontractorProposal:
    proposal = session.get(SubcontractorProposal, proposal_id)
    if proposal is None:
        raise NotFound(_("There is no subcontractor proposal %(id)s.", id=proposal_id))
    lock(session, proposal)  # accepted or rejected once, however many click at the same moment
    if proposal.status != "pending":
        raise Conflict(_("This proposal was already accepted.") if proposal.status == "accepted"
                       else _("This proposal was already rejected.") if proposal.status == "rejected"
                       else _("This proposal was accepted and its link later removed from the chain."))
    return proposal


def chain_plan_for(session: Session, response: QuestionnaireResponse, arrangement_id: int,
                   selected: set[int] | None = None) -> chain_plan.ChainPlan:
    """The response's subcontractors planned into an arrangement in whose chain the vendor is."""
    if arrangement_id not in {a.id for a in arrangements_for(session, response.vendor_id)}:
        raise ValidationFailed(_("Choose an arrangement in whose chain the vendor appears."),
                               [{"field": "arrangement_id", "message": _("The vendor is not in this arrangement's chain.")}])
    return chain_plan.plan(session, response, session.get(Arrangement, arrangement_id), selected)


def accept_proposals(session: Session, response_id: int, arrangement_id: int, proposal_ids: set[int] | None,
                     user_id: int | None) -> list[OutsourcingLink]:
    """Add the response's listed subcontractors (those of ``proposal_ids``, or every one the
    plan adds) to the arrangement's chain as the tree they describe."""
    response = get_response(session, response_id)
    planned = chain_plan_for(session, response, arrangement_id, proposal_ids)
    for item in planned.to_add:  # each added once, however many accept at the same moment
        lock(session, item.proposal)
        if item.proposal.status != "pending":
            raise Conflict(_("This proposal was already accepted.") if item.proposal.status == "accepted"
                           else _("This proposal was already rejected."))
    return chain_plan.accept(session, planned, user_id)


def accept_proposal(session: Session, proposal_id: int, arrangement_id: int, user_id: int | None) -> OutsourcingLink:
    """Add one listed subcontractor to the chain, under who contracts it (the vendor, or a
    listed subcontractor already in the chain); refused when it is the vendor itself or is
    already in the chain (409), or when its contractor is not in the chain yet (422)."""
    proposal = _pending(session, proposal_id)
    planned = chain_plan_for(session, get_response(session, proposal.response_id), arrangement_id, {proposal.id})
    item = planned.of(proposal.id)
    name = item.vendor.name if item.vendor else proposal.name
    if item.action == chain_plan.SELF:
        raise Conflict(_("%(name)s cannot be its own subcontractor or the vendor's.", name=name),
                       [{"field": "proposal", "message": _("A vendor cannot be its own subcontractor.")}])
    if item.action == chain_plan.LINKED:
        raise Conflict(_("%(name)s is already recorded in this chain under %(parent)s.", name=name,
                         parent=item.parent_name))
    if item.action == chain_plan.ELSEWHERE:
        raise Conflict(_("%(name)s is already in this chain at tier %(tiers)s (under %(parents)s); it is not added "
                         "a second time.", name=name, tiers=", ".join(map(str, item.tiers)), parents=item.parent_name))
    if item.action != chain_plan.ADD or item.parent_row is not None:
        raise ValidationFailed(_("%(parent)s, who contracts %(name)s, is not in this chain yet; accept it first.",
                                 parent=item.parent_name, name=name),
                               [{"field": "proposal", "message": _("Its contractor is not in the chain.")}])
    return chain_plan.accept(session, planned, user_id)[0]


def reject_proposal(session: Session, proposal_id: int, user_id: int | None, note: str = "") -> SubcontractorProposal:
    """Record that a proposed subcontractor will not be added."""
    proposal = _pending(session, proposal_id)
    proposal.status, proposal.note = "rejected", note[:1000]
    proposal.reviewed_by_id, proposal.reviewed_at = user_id, utcnow()
    session.add(proposal)
    session.flush()
    return proposal


def on_link_removed(session: Session, event) -> None:
    """Listener of ``events.LinkRemoved`` (a link removed from the chain page, with its
    reason): the proposal that brought the link is withdrawn, keeping the reason, before the
    link goes."""
    proposals = list(session.exec(select(SubcontractorProposal).where(SubcontractorProposal.link_id == event.link_id)))
    for proposal in proposals:
        proposal.status, proposal.link_id = "withdrawn", None
        proposal.note = (event.reason or proposal.note)[:1000]
        proposal.reviewed_at = utcnow()
        session.add(proposal)
    if proposals:
        session.flush()


def withdraw_proposal(session: Session, proposal_id: int, user_id: int | None, reason: str) -> SubcontractorProposal:
    """Remove the link an accepted proposal became from the chain, recording why."""
    proposal = session.get(SubcontractorProposal, proposal_id)
    if proposal is None:
        raise NotFound(_("There is no subcontractor proposal %(id)s.", id=proposal_id))
    lock(session, proposal)  # withdrawn once, however many click at the same moment
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed(_("Say why the link is removed."), [{"field": "reason", "message": _(
            "Say why the link is removed (e.g. the subcontractor is under another company).")}])
    link = session.get(OutsourcingLink, proposal.link_id) if proposal.link_id else None
    if proposal.status != "accepted" or link is None:
        raise Conflict(_("Only a proposal that was accepted into the chain can be withdrawn from it."))
    before = {"status": proposal.status, "link_id": link.id, "arrangement_id": link.arrangement_id,
              "parent_vendor_id": link.parent_vendor_id, "vendor_id": link.vendor_id}
    proposal.status, proposal.link_id, proposal.note = "withdrawn", None, reason[:1000]
    proposal.reviewed_by_id, proposal.reviewed_at = user_id, utcnow()
    session.add(proposal)
    session.flush()
    chains.end_link(session, link, reason)  # refused (409) while the company has subcontractors of its own there
    audit.add_event(session, action="withdraw", entity="subcontractor_proposal", entity_id=proposal.id,
                    before=before, after={"status": "withdrawn", "reason": reason[:1000]})
    session.flush()
    return proposal


def on_chain_changed(session: Session, _event) -> None:
    """A link that came from a proposal was removed from the chain (the database set the
    proposal's link to NULL): the proposal is withdrawn, with why, for the record."""
    orphaned = session.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.status == "accepted", SubcontractorProposal.link_id.is_(None))
        .execution_options(populate_existing=True)).all()
    for proposal in orphaned:
        # The status says it in the reader's language ("removed from the chain"); no stored
        # sentence in two languages. A removal with a reason came through on_link_removed.
        proposal.status = "withdrawn"
        proposal.reviewed_at = utcnow()
        session.add(proposal)
    if orphaned:
        session.flush()


def latest_workbooks(session: Session, vendor_id: int):
    """The original workbook of the vendor's latest response to each questionnaire."""
    rows = session.exec(select(QuestionnaireResponse, StoredFile)
                        .join(StoredFile, StoredFile.id == QuestionnaireResponse.file_id)
                        .where(QuestionnaireResponse.vendor_id == vendor_id)
                        .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc())).all()
    seen = set()
    for response, stored in rows:
        key = response.template_id or f"{response.format}"
        if key in seen:
            continue
        seen.add(key)
        yield EvidenceFile(path=f"questionnaires/{key}/{response.created_at:%Y%m%d}-{response.id}-{stored.original_filename}",
                           data=storage.read(stored),
                           description=_("Questionnaire response %(id)s (%(key)s), score %(score)s, "
                                         "SHA-256 %(sha256)s", id=response.id, key=key, score=response.score,
                                         sha256=stored.sha256))
