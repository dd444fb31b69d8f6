"""The vendor's outsourcing chains in its evidence pack (Art. 25(4), 26(1), 26(3)): every
chain the vendor is part of, as tier-1 vendor or subcontractor, node by node down to the
final contractors, with each sub-outsourcing's approval and the data locations. A verdict
on these paragraphs ("sub-outsourcing links not approved: 3") is checked in the pack
itself, without the app."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from vendorrisk.core.i18n import language
from vendorrisk.core.models import User
from vendorrisk.core.registry import EvidenceFile
from vendorrisk.core.xlsx import table_workbook
from vendorrisk.vendors.arrangements import locations_by_owner
from vendorrisk.vendors.chain_queries import chain_nodes
from vendorrisk.vendors.chains import APPROVAL_BASIS_LABELS, APPROVAL_LABELS
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, current_link

HEADERS = (_l("Arrangement"), _l("Important"), _l("Tier"), _l("Path"), _l("Vendor"), _l("Vendor (English)"),
           _l("Corporate number"), _l("Country"), _l("Final contractor"), _l("Service"), _l("Approval"),
           _l("Approval basis"), _l("Approved on"), _l("Approved by"), _l("User data"), _l("Data locations"))


def _chains_of(session: Session, vendor_id: int) -> list[Arrangement]:
    """The active arrangements whose chain the vendor is in (tier 1 or further down)."""
    downstream = select(OutsourcingLink.arrangement_id).where(OutsourcingLink.vendor_id == vendor_id, current_link())
    return list(session.exec(select(Arrangement).where(
        (Arrangement.vendor_id == vendor_id) | Arrangement.id.in_(downstream),
        Arrangement.status != "terminated").order_by(Arrangement.id)))


def chain_evidence(session: Session, vendor_id: int):
    """One workbook of the vendor's chains, in the reader's language; nothing when the
    vendor is in no active chain."""
    arrangements = _chains_of(session, vendor_id)
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

    title = "委託チェーン" if language() == "ja" else "Chains"
    data = table_workbook([(title, [str(h) for h in HEADERS], rows())])
    yield EvidenceFile(path=f"chains/vendor-{vendor_id}-chains.xlsx", data=data,
                       description=gettext("Outsourcing chains of the vendor down to the final contractors, with "
                                           "approvals and data locations (Art. 25(4), 26(1), 26(3))"))
