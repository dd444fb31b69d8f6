"""Writing Excel workbooks: streaming (write-only) sheets with frozen header, filter, widths,
and every text cell neutralised against formula injection."""
import io
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")


def neutralise(value: Any) -> Any:
    """Make a text value inert in spreadsheets: one that starts like a formula gets a quote."""
    if isinstance(value, str) and value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def add_table_sheet(workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                    widths: Sequence[int] | None = None) -> None:
    """Append a sheet (write-only workbook) with a styled, frozen, filterable header."""
    sheet = workbook.create_sheet(title=title[:31])
    widths = widths or [max(12, min(50, len(str(h)) + 4)) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    count = 0
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"


def table_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Build a workbook of (title, headers, rows) sheets in write-only mode and return its bytes."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        add_table_sheet(workbook, title, headers, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
