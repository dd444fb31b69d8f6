"""After an import: responses listed and compared, subcontractor proposals accepted into
the vendor's chains or rejected, and the latest workbooks offered as evidence."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlmodel import Session, select

from vendorrisk.core import storage
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import StoredFile, utcnow
from vendorrisk.core.registry import EvidenceFile
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors import chains
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.service import create_vendor

LOCATION_RE = re.compile(r"^([A-Za-z]{2})(?:[\s:/,-]+(.*))?$")


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
    linked = select(OutsourcingLink.arrangement_id).where(OutsourcingLink.vendor_id == vendor_id)
    return list(session.exec(select(Arrangement).where(
        or_(Arrangement.vendor_id == vendor_id, Arrangement.id.in_(linked))).order_by(Arrangement.title)))


def _subcontractor_vendor(session: Session, proposal: SubcontractorProposal) -> Vendor:
    vendor = None
    if proposal.corporate_number:
        vendor = session.exec(select(Vendor).where(Vendor.corporate_number == proposal.corporate_number)).first()
    if vendor is None:
        vendor = session.exec(select(Vendor).where(or_(Vendor.name == proposal.name,
                                                       Vendor.name_en == proposal.name))).first()
    if vendor is None:
        # Registered like any other vendor (validated, status prospect); the name search
        # above already offered the match, so a similar name is a separate company.
        vendor = create_vendor(session, {"name": proposal.name, "corporate_number": proposal.corporate_number,
                                         "country": proposal.country or "JP", "confirm_duplicate": True})
    return vendor


def _pending(session: Session, proposal_id: int) -> SubcontractorProposal:
    proposal = session.get(SubcontractorProposal, proposal_id)
    if proposal is None:
        raise NotFound(_("There is no subcontractor proposal %(id)s.", id=proposal_id))
    lock(session, proposal)  # accepted or rejected once, however many click at the same moment
    if proposal.status != "pending":
        raise Conflict(_("This proposal was already accepted.") if proposal.status == "accepted"
                       else _("This proposal was already rejected."))
    return proposal


def accept_proposal(session: Session, proposal_id: int, arrangement_id: int, user_id: int | None) -> OutsourcingLink:
    """Add the proposed subcontractor under the vendor in the chosen arrangement's chain."""
    proposal = _pending(session, proposal_id)
    if arrangement_id not in {a.id for a in arrangements_for(session, proposal.vendor_id)}:
        raise ValidationFailed(_("Choose an arrangement in whose chain the vendor appears."),
                               [{"field": "arrangement_id", "message": _("The vendor is not in this arrangement's chain.")}])
    child = _subcontractor_vendor(session, proposal)
    arrangement = session.get(Arrangement, arrangement_id)
    # The chains area refuses self-links, cycles and duplicate links, and re-tiers the chain.
    link = chains.add_link(session, arrangement, {"parent_vendor_id": proposal.vendor_id, "vendor_id": child.id,
                                                  "service": proposal.service,
                                                  "touches_user_data": proposal.touches_user_data})
    link.approval_status = "pending"
    link.approval_note = f"Listed in questionnaire response {proposal.response_id}"
    session.add(link)
    session.flush()
    match = LOCATION_RE.match(proposal.data_location.strip())
    if match:
        session.add(DataLocation(link_id=link.id, country=match.group(1).upper(), region=(match.group(2) or "")[:100]))
    proposal.status, proposal.link_id = "accepted", link.id
    proposal.reviewed_by_id, proposal.reviewed_at = user_id, utcnow()
    session.add(proposal)
    session.flush()
    return link


def reject_proposal(session: Session, proposal_id: int, user_id: int | None, note: str = "") -> SubcontractorProposal:
    """Record that a proposed subcontractor will not be added."""
    proposal = _pending(session, proposal_id)
    proposal.status, proposal.note = "rejected", note[:1000]
    proposal.reviewed_by_id, proposal.reviewed_at = user_id, utcnow()
    session.add(proposal)
    session.flush()
    return proposal


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
                           description=f"Questionnaire response {response.id} ({key}), score {response.score}, "
                                       f"sha256 {stored.sha256}")
