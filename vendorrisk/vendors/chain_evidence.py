"""The vendor's outsourcing chains in its evidence pack (Art. 25(4), 26(1), 26(3)): every
chain the vendor is part of, as tier-1 vendor or subcontractor, node by node down to the
final contractors, with each sub-outsourcing's approval and the data locations. A verdict
on these paragraphs ("sub-outsourcing links not approved: 3") is checked in the pack
itself, without the app. A second sheet lists the sub-outsourcing of those chains that ended
within the last twelve months, with the day it was recorded, the day it ended and why: a
subcontractor that served a chain for part of the year is still accounted for."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from vendorrisk.core import clock
from vendorrisk.core.i18n import language
from vendorrisk.core.models import User
from vendorrisk.core.registry import EvidenceFile
from vendorrisk.core.xlsx import table_workbook
from vendorrisk.vendors.arrangements import locations_by_owner
from vendorrisk.vendors.chain_queries import chain_nodes
from vendorrisk.vendors.chains import APPROVAL_BASIS_LABELS, APPROVAL_LABELS
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

HEADERS = (_l("Arrangement"), _l("Important"), _l("Tier"), _l("Path"), _l("Vendor"), _l("Vendor (English)"),
           _l("Corporate number"), _l("Country"), _l("Final contractor"), _l("Service"), _l("Approval"),
           _l("Approval basis"), _l("Approved on"), _l("Approved by"), _l("User data"), _l("Data locations"))
ENDED_HEADERS = (_l("Arrangement"), _l("Vendor that sub-outsources"), _l("Subcontractor"), _l("Corporate number"),
                 _l("Service"), _l("Approval"), _l("User data"), _l("Recorded on"), _l("Ended on"), _l("Reason"))


def _chains_of(session: Session, vendor_id: int, since) -> list[Arrangement]:
    """The active arrangements whose chain the vendor is in (tier 1 or further down), or was
    in by a link that ended after ``since``."""
    downstream = select(OutsourcingLink.arrangement_id).where(
        OutsourcingLink.vendor_id == vendor_id, current_link() | (OutsourcingLink.ended_on > since))
    return list(session.exec(select(Arrangement).where(
        (Arrangement.vendor_id == vendor_id) | Arrangement.id.in_(downstream),
        Arrangement.status != "terminated").order_by(Arrangement.id)))


def _ended_rows(session: Session, by_id: dict, since, yes: str, no: str):
    """The links of these chains that ended after ``since``, oldest end first."""
    parent = Vendor.__table__.alias("parent")
    rows = session.execute(
        select(OutsourcingLink, parent.c.name, Vendor.name, Vendor.corporate_number)
        .join(parent, parent.c.id == OutsourcingLink.parent_vendor_id)
        .join(Vendor, Vendor.id == OutsourcingLink.vendor_id)
        .where(OutsourcingLink.arrangement_id.in_(list(by_id)), OutsourcingLink.ended_on > since)
        .order_by(OutsourcingLink.ended_on, OutsourcingLink.id)).all()
    for link, parent_name, name, number in rows:
        yield (by_id[link.arrangement_id].title, parent_name, name, number or "", link.service,
               str(APPROVAL_LABELS.get(link.approval_status, link.approval_status)),
               yes if link.touches_user_data else no, clock.day_of(link.created_at).isoformat(),
               link.ended_on.isoformat(), link.end_reason)


def chain_evidence(session: Session, vendor_id: int):
    """One workbook of the vendor's chains, in the reader's language; nothing when the
    vendor is in no active chain and left none within the last twelve months."""
    since = clock.add_months(clock.today(), -12)
    arrangements = _chains_of(session, vendor_id, since)
    if not arrangements:
        return
    ids = [a.id for a in arrangements]
    by_id = {a.id: a for a in arrangements}
    nodes = chain_nodes(session, ids)
    locations = locations_by_owner(session, ids)
    approvers = dict(session.exec(select(OutsourcingLink.id, User.display_name)
                                  .join(User, User.id == OutsourcingLink.approved_by_id)
                                  .where(OutsourcingLink.arrangement_id.in_(ids))).all())
    yes, no = gettext("yes"), gettext("no")

    def rows():
        for node in nodes:
            arrangement = by_id[node.arrangement_id]
            owner = ("link", node.link_id) if node.link_id else ("arrangement", arrangement.id)
            user_data = node.touches_user_data if node.link_id else arrangement.handles_user_data
            yield (arrangement.title, yes if arrangement.is_important else no, node.tier, " > ".join(node.path_names),
                   node.vendor_name, node.vendor_name_en, node.corporate_number or "", node.country,
                   yes if node.is_final else no, node.service or arrangement.service,
                   str(APPROVAL_LABELS.get(node.approval_status, node.approval_status or "")),
                   str(APPROVAL_BASIS_LABELS.get(node.approval_basis, node.approval_basis or "")),
                   node.approved_on.isoformat() if node.approved_on else "", approvers.get(node.link_id, ""),
                   yes if user_data else no,
                   "; ".join(f"{loc.country}:{loc.region}" if loc.region else loc.country
                             for loc in locations.get(owner, [])))

    japanese = language() == "ja"
    data = table_workbook([("委託チェーン" if japanese else "Chains", [str(h) for h in HEADERS], rows()),
                           ("終了した再委託（過去12か月）" if japanese else "Ended (12 months)",
                            [str(h) for h in ENDED_HEADERS], _ended_rows(session, by_id, since, yes, no))])
    yield EvidenceFile(path=f"chains/vendor-{vendor_id}-chains.xlsx", data=data,
                       description=gettext("Outsourcing chains of the vendor down to the final contractors, with "
                                           "approvals and data locations, and the sub-outsourcing that ended within "
                                           "the last twelve months (Art. 25(4), 26(1), 26(3))"))
