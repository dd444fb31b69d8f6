"""The compliance matrix and the outsourcing register as Excel, streamed (write-only mode).

The full matrix is 200,000 rows of 14 cells for 10,000 vendors; openpyxl's write-only sheet
spends ~10 µs on each cell (a Cell object, type checks, one XML element at a time), which
alone would take half a minute. Its rows are therefore written as the same inline-string
XML openpyxl writes (same escaping, same refusal of illegal characters, same cell types),
spooled to a temporary file, and spliced into the sheet of a write-only workbook that
openpyxl builds with the styled header, widths, frozen pane and filter.
"""
import io
import shutil
import tempfile
import zipfile
from collections import defaultdict
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.compliance import matrix, store
from vendorrisk.core.messages import Renderer
from vendorrisk.core.xlsx import add_table_sheet, neutralise
from vendorrisk.vendors.chain_reach import chain_nodes
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor

MATRIX_HEADERS = ("Vendor ID", "Vendor", "Vendor (English)", "Chain tier", "Important", "Cloud", "User data",
                  "Obligation", "Citation", "条項", "Obligation title", "Status", "Reason", "Proof")
MATRIX_WIDTHS = (10, 36, 30, 10, 10, 8, 10, 26, 16, 16, 40, 14, 70, 50)
REGISTER_HEADERS = ("Arrangement ID", "Arrangement", "Service", "Important", "Cloud", "Arrangement user data",
                    "Tier", "Vendor ID", "Vendor", "Vendor (English)", "Corporate number", "LEI", "Country",
                    "Sub-outsourced by", "Sub-outsourced service", "Link touches user data", "Approval",
                    "Approval basis", "Approved on", "Data locations")
REGISTER_WIDTHS = (12, 40, 30, 10, 8, 12, 6, 10, 36, 30, 16, 22, 8, 36, 30, 12, 12, 14, 12, 30)


Progress = Callable[[int, int], None]  # (done, in all)

def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def matrix_rows(session: Session, filters: matrix.MatrixFilters, progress: Progress | None = None) -> Iterator[tuple]:
    """One spreadsheet row per (vendor, obligation) the filters admit, read from the maintained
    verdicts batch by batch; ``progress(vendors done, vendors in all)`` after each batch."""
    obligations = matrix.select_obligations(filters.article)
    render = Renderer()  # each distinct reason and label translated once, not once per cell
    total = store.count(session, filters) if progress else 0
    for done, row in enumerate(store.iter_rows(session, filters, obligations=obligations), start=1):
        if progress and done % matrix.EXPORT_BATCH_SIZE == 0:
            progress(done, total)
        v = row.vendor
        for ob in obligations:
            verdict = row.verdicts[ob.id]
            if filters.status and verdict.status != filters.status:
                continue
            yield (v.id, v.name, v.name_en, v.tier, _yes(v.important), _yes(v.cloud), _yes(v.user_data),
                   ob.id, ob.citation_en, ob.citation_ja, ob.title_en, verdict.status, render(verdict.reason),
                   " ; ".join(f"{render(label)}: {href}" for label, href in verdict.links))


MEMO_LIMIT = 50_000  # distinct cell texts remembered while spooling (bounded memory)


def _cell_body(value: Any) -> str:
    """A cell as openpyxl's write-only sheet writes it, after ``<c r="A1"`` (None: no cell)."""
    value = neutralise(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f' t="n"><v>{value!r}</v></c>'
    if isinstance(value, date):  # written as ISO text (2026-04-01), not as a styled date serial
        value = value.isoformat()
    value = str(value)[:32767]
    if not value:
        return ' t="inlineStr"/>'
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if value in ERROR_CODES:
        return f' t="e"><v>{text}</v></c>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _spool_rows(rows: Iterable[Sequence[Any]], columns: int, spool) -> int:
    """Write ``rows`` (neutralised) as sheet rows from row 2 into ``spool``; returns their count.

    Most cells repeat (obligation titles, statuses, yes/no, common reasons), so each distinct
    value's XML is built once."""
    letters = [get_column_letter(i) for i in range(1, columns + 1)]
    bodies: dict[tuple[type, Any], str | None] = {}
    number = 1
    for number, row in enumerate(rows, start=2):
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, row):
            key = (type(value), value)
            body = bodies.get(key)
            if body is None and key not in bodies:
                if len(bodies) >= MEMO_LIMIT:
                    bodies.clear()
                body = bodies[key] = _cell_body(value)
            if body is not None:
                parts.append(f'<c r="{letter}{number}"{body}')
        parts.append("</row>")
        spool.write("".join(parts).encode())
    return number - 1


def _splice(workbook_bytes: bytes, sheet_path: str, spool, out=None) -> bytes | None:
    """Copy a workbook into ``out`` (or into bytes, returned), inserting the spooled rows at
    the end of one sheet's data."""
    if out is None:
        return _written(lambda target: _splice(workbook_bytes, sheet_path, spool, target), None)
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != sheet_path:
                target.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            # The big sheet is deflated fast (level 1): a few percent larger, several times quicker.
            target.compresslevel = 1
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                spool.seek(0)
                shutil.copyfileobj(spool, sheet, 1 << 20)
                sheet.write(b"</sheetData>" + tail)


def _written(build, out) -> bytes | None:
    """Run ``build(target)`` into ``out`` (a binary file), or into memory and return the bytes."""
    if out is not None:
        build(out)
        return None
    buffer = io.BytesIO()
    build(buffer)
    return buffer.getvalue()


def matrix_workbook(session: Session, filters: matrix.MatrixFilters, out=None,
                    progress: Progress | None = None) -> bytes | None:
    """The matrix as a workbook: a sheet of cells and a sheet documenting the obligations,
    written into ``out`` (streamed: rows are spooled to a temporary file) or returned."""
    with tempfile.TemporaryFile() as spool:
        count = _spool_rows(matrix_rows(session, filters, progress), len(MATRIX_HEADERS), spool)
        workbook = Workbook(write_only=True)
        add_table_sheet(workbook, "Matrix", MATRIX_HEADERS, (), MATRIX_WIDTHS)
        workbook["Matrix"].auto_filter.ref = f"A1:{get_column_letter(len(MATRIX_HEADERS))}{count + 1}"
        add_table_sheet(workbook, "Obligations", ("Obligation", "Citation", "条項", "Title", "表題", "Rule"),
                        ((o.id, o.citation_en, o.citation_ja, o.title_en, o.title_ja, o.doc)
                         for o in matrix.select_obligations(filters.article)), (26, 16, 16, 40, 30, 100))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _written(lambda target: _splice(buffer.getvalue(), "xl/worksheets/sheet1.xml", spool, target), out)


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


def register_rows(session: Session, progress: Progress | None = None) -> Iterator[tuple]:
    """One spreadsheet row per chain node, streamed from one query; ``progress(arrangements
    done, arrangements in all)`` every few hundred arrangements."""
    by_arrangement, by_link = _locations(session)
    total = session.execute(select(func.count()).select_from(Arrangement.__table__)).scalar_one() if progress else 0
    done, last = 0, None
    for r in session.execute(register_query().execution_options(yield_per=2000)):
        if r.arrangement_id != last:
            last, done = r.arrangement_id, done + 1
            if progress and done % 200 == 0:
                progress(done, total)
        tier1 = r.link_id is None
        yield (r.arrangement_id, r.title, r.service, _yes(r.is_important), _yes(r.is_cloud),
               _yes(r.handles_user_data), r.tier, r.vendor_id, r.name, r.name_en, r.corporate_number or "",
               r.lei or "", r.country, r.parent_name or "", r.link_service or "",
               "" if tier1 else _yes(r.touches_user_data), "" if tier1 else r.approval_status,
               r.approval_basis or "", r.approved_on,
               by_arrangement.get(r.arrangement_id, "") if tier1 else by_link.get(r.link_id, ""))


def register_workbook(session: Session, out=None, progress: Progress | None = None) -> bytes | None:
    """The register of information of every chain, one row per node (spooled like the matrix)."""
    with tempfile.TemporaryFile() as spool:
        count = _spool_rows(register_rows(session, progress), len(REGISTER_HEADERS), spool)
        workbook = Workbook(write_only=True)
        add_table_sheet(workbook, "Register", REGISTER_HEADERS, (), REGISTER_WIDTHS)
        workbook["Register"].auto_filter.ref = f"A1:{get_column_letter(len(REGISTER_HEADERS))}{count + 1}"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _written(lambda target: _splice(buffer.getvalue(), "xl/worksheets/sheet1.xml", spool, target), out)
