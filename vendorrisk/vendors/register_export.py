"""The outsourcing register as an Excel workbook.

Sheet ``register``: one row per node of every chain (arrangement, tier, path, vendor,
service, approval, user data, locations). Sheets ``vendors``, ``arrangements`` and
``links`` hold the same data in the layout that ``register_reader`` reads back, so an
export is also a bulk-onboarding template; the arrangements sheet also shows each one's status
and exit (termination date, what became of the data, when confirmed, the note), read-only:
the import refuses a row that says its arrangement ended (``register_reader.refuse_arrangement_end``;
an end is recorded on the arrangement's exit page). Sheet ``ended_links`` keeps the sub-outsourcing that ended, with its end
date and reason (the reader leaves it alone: an import records the chain as it is now). For a
Japanese reader the sheets and columns
have Japanese names (``register_layout``; the import takes either). An approval's status and
basis are written as the pages name them, in the reader's language (承認済み, 事前承諾,
"pending approval"; words fixed in ``register_layout`` — the import reads 未承認 / unapproved
back as the code). Text cells are neutralised against formula
injection by ``core.xlsx``.
"""
from sqlmodel import Session, select

from vendorrisk.core import clock
from vendorrisk.core.i18n import language
from vendorrisk.core.models import User
from vendorrisk.core.xlsx import table_workbook
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors import register_layout as layout
from vendorrisk.vendors.arrangements import locations_by_owner
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor

REGISTER_HEADERS = ["arrangement_ref", "arrangement", "important", "arrangement_user_data", "tier", "path",
                    "vendor_ref", "vendor", "vendor_en", "corporate_number", "country", "parent_vendor",
                    "is_final_contractor", "service", "approval_status", "approval_basis", "approved_on",
                    "approved_by", "touches_user_data", "data_locations"]
VENDOR_HEADERS = ["ref", "name", "name_kana", "name_en", "corporate_number", "lei", "country", "address",
                  "representative", "is_system_subsidiary", "is_cloud", "status", "risk_tier"]
ARRANGEMENT_HEADERS = ["ref", "vendor", "title", "service", "business_function", "is_important", "is_cloud",
                       "handles_user_data", "user_data_categories", "subcontracting_allowed", "start_date",
                       "end_date", "notice_period_days", "exit_plan", "data_locations", "status", "terminated_on",
                       "data_disposition", "data_disposition_confirmed_on", "exit_note"]
LINK_HEADERS = ["arrangement", "parent_vendor", "vendor", "service", "touches_user_data", "approval_status",
                "approval_basis", "approved_on", "data_locations"]
ENDED_LINK_HEADERS = LINK_HEADERS[:-1] + ["recorded_on", "ended_on", "end_reason", "data_locations"]


def vendor_ref(vendor_id: int) -> str:
    """The reference of a vendor inside a register workbook."""
    return f"V{vendor_id}"


def arrangement_ref(arrangement_id: int) -> str:
    """The reference of an arrangement inside a register workbook."""
    return f"A{arrangement_id}"


def _yes(value) -> str:
    return "yes" if value else "no"


def _japanese_yes(value) -> str:
    return layout.YES_NO_JA[bool(value)]


def _locations(items) -> str:
    return "; ".join(f"{loc.country}:{loc.region}" if loc.region else loc.country for loc in items or [])


def _day(value) -> str:
    return value.isoformat() if value else ""


def approval_word(status: str | None, japanese: bool) -> str:
    """A link's approval status as the pages name it, in the workbook's language."""
    return layout.APPROVAL_WORDS["ja" if japanese else "en"].get(status, status or "")


def basis_word(basis: str | None, japanese: bool) -> str:
    """An approval's basis (``prior_consent``, ``notification``) in the workbook's language."""
    return layout.BASIS_WORDS["ja" if japanese else "en"].get(basis, basis or "")


def register_workbook(session: Session, arrangement_ids: list[int] | None = None) -> bytes:
    """The whole register as .xlsx bytes (a handful of set queries, streamed); sheet names,
    headers and yes/no in the reader's language (``core.i18n.language``). With
    ``arrangement_ids`` (the arrangements list's filters), only those arrangements' chains,
    links and the vendors they name — still a workbook the import reads back."""
    japanese = language() == "ja"
    yes = _japanese_yes if japanese else _yes
    arrangement_query = select(Arrangement).order_by(Arrangement.id)
    link_query = select(OutsourcingLink).order_by(OutsourcingLink.arrangement_id, OutsourcingLink.id)
    if arrangement_ids is not None:
        arrangement_query = arrangement_query.where(Arrangement.id.in_(arrangement_ids))
        link_query = link_query.where(OutsourcingLink.arrangement_id.in_(arrangement_ids))
    arrangements = list(session.exec(arrangement_query))
    ids = [a.id for a in arrangements]
    locations = locations_by_owner(session, ids)
    nodes = chains_queries.chain_nodes(session, arrangement_ids)
    links = list(session.exec(link_query))
    vendor_query = select(Vendor).order_by(Vendor.id)  # ids: the refs stay in order
    if arrangement_ids is not None:
        named = {a.vendor_id for a in arrangements} | {n.vendor_id for n in nodes}
        named |= {v for link in links for v in (link.parent_vendor_id, link.vendor_id)}
        vendor_query = vendor_query.where(Vendor.id.in_(named))
    vendors = list(session.exec(vendor_query))
    approvers = dict(session.exec(select(User.id, User.email)).all())
    by_arrangement = {a.id: a for a in arrangements}
    names = {v.id: v.name for v in vendors}
    link_approver = {link.id: approvers.get(link.approved_by_id, "") for link in links}
    ended = [link for link in links if link.ended_on is not None]
    links = [link for link in links if link.ended_on is None]

    def register_rows():
        for node in nodes:
            arrangement = by_arrangement[node.arrangement_id]
            loc_key = ("link", node.link_id) if node.link_id else ("arrangement", arrangement.id)
            yield [arrangement_ref(arrangement.id), arrangement.title, yes(arrangement.is_important),
                   yes(arrangement.handles_user_data), node.tier, " > ".join(node.path_names),
                   vendor_ref(node.vendor_id), node.vendor_name, node.vendor_name_en, node.corporate_number or "",
                   node.country, names.get(node.parent_vendor_id, ""), yes(node.is_final), node.service or arrangement.service,
                   approval_word(node.approval_status, japanese), basis_word(node.approval_basis, japanese),
                   node.approved_on.isoformat() if node.approved_on else "",
                   link_approver.get(node.link_id, "") if node.link_id else "",
                   yes(node.touches_user_data if node.link_id else arrangement.handles_user_data),
                   _locations(locations.get(loc_key))]

    vendor_rows = ([vendor_ref(v.id), v.name, v.name_kana, v.name_en, v.corporate_number or "", v.lei or "",
                    v.country, v.address, v.representative, yes(v.is_system_subsidiary), yes(v.is_cloud),
                    layout.word(layout.STATUS_WORDS, v.status, japanese),
                    layout.word(layout.TIER_WORDS, v.risk_tier, japanese)]
                   for v in vendors)
    arrangement_rows = ([arrangement_ref(a.id), vendor_ref(a.vendor_id), a.title, a.service, a.business_function,
                         yes(a.is_important), yes(a.is_cloud), yes(a.handles_user_data),
                         ", ".join(a.user_data_categories), yes(a.subcontracting_allowed),
                         a.start_date.isoformat() if a.start_date else "",
                         a.end_date.isoformat() if a.end_date else "",
                         a.notice_period_days if a.notice_period_days is not None else "", a.exit_plan,
                         _locations(locations.get(("arrangement", a.id))),
                         layout.word(layout.ARRANGEMENT_STATUS_WORDS, a.status, japanese), _day(a.terminated_on),
                         layout.word(layout.DISPOSITION_WORDS, a.data_disposition, japanese),
                         _day(a.data_disposition_confirmed_on), a.exit_note] for a in arrangements)
    link_rows = ([arrangement_ref(link.arrangement_id), vendor_ref(link.parent_vendor_id), vendor_ref(link.vendor_id),
                  link.service, yes(link.touches_user_data), approval_word(link.approval_status, japanese),
                  basis_word(link.approval_basis, japanese),
                  link.approved_on.isoformat() if link.approved_on else "",
                  _locations(locations.get(("link", link.id)))] for link in links)
    ended_rows = ([arrangement_ref(link.arrangement_id), vendor_ref(link.parent_vendor_id), vendor_ref(link.vendor_id),
                   link.service, yes(link.touches_user_data), approval_word(link.approval_status, japanese),
                   basis_word(link.approval_basis, japanese),
                   link.approved_on.isoformat() if link.approved_on else "",
                   clock.day_of(link.created_at).isoformat(), link.ended_on.isoformat(), link.end_reason,
                   _locations(locations.get(("link", link.id)))] for link in ended)
    sheets = (("register", REGISTER_HEADERS, register_rows()), ("vendors", VENDOR_HEADERS, vendor_rows),
              ("arrangements", ARRANGEMENT_HEADERS, arrangement_rows), ("links", LINK_HEADERS, link_rows),
              ("ended_links", ENDED_LINK_HEADERS, ended_rows))
    return table_workbook([(layout.sheet_title(key, japanese), layout.headers(key, keys, japanese), rows)
                           for key, keys, rows in sheets])
