"""Writing Excel workbooks and CSV files: streaming (write-only) sheets with frozen header,
filter, widths; every text cell of every workbook and CSV file goes through ``neutralise``.

``neutralise`` is the one function every CSV and XLSX writer calls on every cell: a text
that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, their full-width
forms, or a tab, CR or LF first, also after leading spaces) gets a leading apostrophe
(OWASP's advice for CSV injection), and characters no worksheet can hold (NUL, vertical tab,
lone surrogates ...) become U+FFFD, so that no stored value can make an export fail.
"""
import csv
import io
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from vendorrisk.core.textfields import writable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\u2212",
                    "\ufe62", "\ufe63", "\ufe66", "\ufe6b")
# Spaces a spreadsheet may skip before it sees the formula sign (ASCII, no-break, ideographic).
LEADING_SPACES = " \u00a0\u3000"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")


def neutralise(value: Any) -> Any:
    """Make a cell value inert and writable: text that starts like a formula gets a quote,
    characters no worksheet can hold become U+FFFD; other values pass unchanged."""
    if not isinstance(value, str) or not value:
        return value
    value = writable(value)
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip(LEADING_SPACES).startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(row: Iterable[Any]) -> str:
    """One CSV line (CRLF-terminated) of neutralised cells."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file of neutralised cells, UTF-8 with a BOM (so that Excel reads Japanese)."""
    return ("\ufeff" + "".join(csv_row(row) for row in rows)).encode("utf-8")


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
