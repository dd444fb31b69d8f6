"""The compliance matrix and the outsourcing register as Excel, streamed (write-only mode)."""
import io
from collections import defaultdict
from typing import Iterator

from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session

from ..compliance import matrix
from ..compliance.chains import chain_nodes
from ..models.vendors import Arrangement, DataLocation, OutsourcingLink, Vendor
from .xlsx import add_table_sheet

MATRIX_HEADERS = ("Vendor ID", "Vendor", "Vendor (English)", "Chain tier", "Important", "Cloud", "User data",
                  "Obligation", "Citation", "条項", "Obligation title", "Status", "Reason", "Proof")
MATRIX_WIDTHS = (10, 36, 30, 10, 10, 8, 10, 26, 16, 16, 40, 14, 70, 50)
REGISTER_HEADERS = ("Arrangement ID", "Arrangement", "Service", "Important", "Cloud", "Arrangement user data",
                    "Tier", "Vendor ID", "Vendor", "Vendor (English)", "Corporate number", "LEI", "Country",
                    "Sub-outsourced by", "Sub-outsourced service", "Link touches user data", "Approval",
                    "Approval basis", "Approved on", "Data locations")
REGISTER_WIDTHS = (12, 40, 30, 10, 8, 12, 6, 10, 36, 30, 16, 22, 8, 36, 30, 12, 12, 14, 12, 30)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def matrix_rows(session: Session, filters: matrix.MatrixFilters) -> Iterator[tuple]:
    """One spreadsheet row per (vendor, obligation) the filters admit, generated batch by batch."""
    obligations = matrix.select_obligations(filters.article)
    for row in matrix.iter_rows(session, filters, obligations=obligations):
        v = row.vendor
        for ob in obligations:
            verdict = row.verdicts[ob.id]
            if filters.status and verdict.status != filters.status:
                continue
            yield (v.id, v.name, v.name_en, v.tier, _yes(v.important), _yes(v.cloud), _yes(v.user_data),
                   ob.id, ob.citation_en, ob.citation_ja, ob.title_en, verdict.status, verdict.reason,
                   " ; ".join(f"{label}: {href}" for label, href in verdict.links))


def matrix_workbook(session: Session, filters: matrix.MatrixFilters) -> bytes:
    """The matrix as a workbook: a sheet of cells and a sheet documenting the obligations."""
    workbook = Workbook(write_only=True)
    add_table_sheet(workbook, "Matrix", MATRIX_HEADERS, matrix_rows(session, filters), MATRIX_WIDTHS)
    add_table_sheet(workbook, "Obligations", ("Obligation", "Citation", "条項", "Title", "表題", "Rule"),
                    ((o.id, o.citation_en, o.citation_ja, o.title_en, o.title_ja, o.doc)
                     for o in matrix.select_obligations(filters.article)), (26, 16, 16, 40, 30, 100))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _locations(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    by_arrangement, by_link = defaultdict(list), defaultdict(list)
    for arrangement_id, link_id, country, region in session.execute(
            select(DataLocation.arrangement_id, DataLocation.link_id, DataLocation.country, DataLocation.region)
            .order_by(DataLocation.id)):
        text = f"{country}/{region}" if region else country
        (by_arrangement[arrangement_id] if arrangement_id else by_link[link_id]).append(text)
    return ({k: "; ".join(v) for k, v in by_arrangement.items()}, {k: "; ".join(v) for k, v in by_link.items()})


def register_query():
    """Every node of every chain with its arrangement, vendor and (for tier 2+) its link."""
    nodes = chain_nodes()
    arrangement, vendor, link = Arrangement.__table__, Vendor.__table__, OutsourcingLink.__table__
    parent = Vendor.__table__.alias("parent")
    return (select(arrangement.c.id.label("arrangement_id"), arrangement.c.title, arrangement.c.service,
                   arrangement.c.is_important, arrangement.c.is_cloud, arrangement.c.handles_user_data,
                   nodes.c.tier, vendor.c.id.label("vendor_id"), vendor.c.name, vendor.c.name_en,
                   vendor.c.corporate_number, vendor.c.lei, vendor.c.country, parent.c.name.label("parent_name"),
                   link.c.id.label("link_id"), link.c.service.label("link_service"), link.c.touches_user_data,
                   link.c.approval_status, link.c.approval_basis, link.c.approved_on)
            .select_from(nodes.join(arrangement, arrangement.c.id == nodes.c.arrangement_id)
                         .join(vendor, vendor.c.id == nodes.c.vendor_id)
                         .outerjoin(link, link.c.id == nodes.c.link_id)
                         .outerjoin(parent, parent.c.id == nodes.c.parent_vendor_id))
            .order_by(arrangement.c.id, nodes.c.tier, vendor.c.name, link.c.id))


def register_rows(session: Session) -> Iterator[tuple]:
    """One spreadsheet row per chain node, streamed from one query."""
    by_arrangement, by_link = _locations(session)
    for r in session.execute(register_query().execution_options(yield_per=2000)):
        tier1 = r.link_id is None
        yield (r.arrangement_id, r.title, r.service, _yes(r.is_important), _yes(r.is_cloud),
               _yes(r.handles_user_data), r.tier, r.vendor_id, r.name, r.name_en, r.corporate_number or "",
               r.lei or "", r.country, r.parent_name or "", r.link_service or "",
               "" if tier1 else _yes(r.touches_user_data), "" if tier1 else r.approval_status,
               r.approval_basis or "", r.approved_on,
               by_arrangement.get(r.arrangement_id, "") if tier1 else by_link.get(r.link_id, ""))


def register_workbook(session: Session) -> bytes:
    """The register of information of every chain, one row per node."""
    workbook = Workbook(write_only=True)
    add_table_sheet(workbook, "Register", REGISTER_HEADERS, register_rows(session), REGISTER_WIDTHS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
