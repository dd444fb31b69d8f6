"""Reading questionnaire workbooks: fast, bounded, and exact about what a cell holds.

Only called on bytes that passed ``uploads.inspect_upload`` (size, type and decompression
gate). Each sheet is streamed once with a defused expat parser (``reader_xml``, ``reader_cells``):
only the rows and columns asked for are kept, so a sheet formatted down to row 1,048,576
costs a pass over its XML but no memory for its empty rows; merged ranges carry their
top-left value; and a formula saved without a cached value reads as ``NO_CACHED_VALUE``
(an uncalculated formula is not an empty answer). Values are those openpyxl's read-only,
cached-value mode gives: numbers, dates by cell style, shared and inline strings.
"""
import io
import pyexpat
import zipfile
import zlib
from datetime import date, datetime

from defusedxml.common import DefusedXmlException
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from vendorrisk.core.errors import ValidationFailed
from vendorrisk.questionnaires import reader_cells as cells
from vendorrisk.questionnaires import reader_xml as xml
from vendorrisk.questionnaires.reader_xml import NO_CACHED_VALUE
from vendorrisk.questionnaires.workbook import META_SHEET

__all__ = ["NO_CACHED_VALUE", "WorkbookReader", "as_text", "cell_ref"]
BROKEN = (pyexpat.ExpatError, KeyError, ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError,
          NotImplementedError, RuntimeError)


def _refuse(exc: Exception, sheet: str = "") -> ValidationFailed:
    if isinstance(exc, DefusedXmlException):
        message = _("The workbook contains XML declarations (DTD, entities or external references) that "
                    "no Excel workbook needs; it is refused.")
    else:
        message = _("The file is not a readable Excel workbook (.xlsx); it may be corrupt.")
    return ValidationFailed(message, [{"sheet": sheet, "cell": "", "message": f"{message} ({type(exc).__name__})"}])


class WorkbookReader:
    """A workbook opened for reading; sheets are read as grids of cell values."""

    def __init__(self, data: bytes):
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            self.package = xml.read_package(self.archive)
            self.dates, self.durations = xml.date_styles(self.archive, self.package.styles)
        except BROKEN as exc:
            raise _refuse(exc) from None
        self._paths = {title: path for title, _state, path in self.package.sheets}
        self._strings: list[str] | None = None

    def close(self) -> None:
        """Release the workbook."""
        self.archive.close()

    def sheets(self) -> list[tuple[str, str]]:
        """Every sheet as (title, state): state is visible, hidden or veryHidden."""
        return [(title, state) for title, state, _path in self.package.sheets]

    def has_sheet(self, title: str) -> bool:
        """Whether a sheet of this title exists."""
        return title in self._paths

    def grid(self, title: str, max_col: int, min_row: int = 1, max_row: int | None = None) -> list[list]:
        """Rows ``min_row``.. of a sheet, ``max_col`` wide, up to its last row with a value.

        Merged ranges carry their top-left value into every covered cell; a formula
        without a cached value reads as ``NO_CACHED_VALUE``; trailing blank rows are dropped.
        """
        try:
            if self._strings is None:
                self._strings = xml.shared_strings(self.archive, self.package.shared_strings)
            sheet = cells.read_sheet(self.archive, self._paths[title], max_col=max_col, min_row=min_row,
                                   max_row=max_row, strings=self._strings, dates=self.dates,
                                   durations=self.durations, epoch=self.package.epoch)
        except BROKEN as exc:
            raise _refuse(exc, title) from None
        cells.pad(sheet.rows, max_col)
        last = sheet.last_row if max_row is None else min(sheet.last_row, max_row)
        if last < min_row:
            return []
        stored = sheet.rows
        merges = []
        for ref in sheet.merges:
            left, top, right, bottom = range_boundaries(ref)
            if top <= last and left <= max_col:
                anchor = stored.get(top, ())[left - 1:left] if top >= min_row else ()
                merges.append((left, top, min(right, max_col), min(bottom, last), anchor[0] if anchor else None))
        # Rows past the last kept value are blank unless a merged value reaches them.
        end = max([r for r in stored if r <= last] + [b for _l, _t, _r, b, a in merges if a is not None] + [0])
        rows = [stored.get(row) or [None] * max_col for row in range(min_row, end + 1)]
        for left, top, right, bottom, anchor in merges:
            for row in range(max(top, min_row), min(bottom, end) + 1):
                rows[row - min_row][left - 1:right] = [anchor] * (right - left + 1)
        while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
            rows.pop()
        return rows

    def metadata(self) -> dict[str, str] | None:
        """The key/value pairs of our hidden metadata sheet, or None if there is none."""
        if not self.has_sheet(META_SHEET):
            return None
        return {str(k): "" if v is None else str(v) for k, v, *_ in self.grid(META_SHEET, 2) if k}


def cell_ref(row: int, column: int) -> str:
    """An A1 reference."""
    return f"{get_column_letter(column)}{row}"


def as_text(value) -> str:
    """A cell value as text for storage and messages (dates as ISO, integral floats as ints)."""
    if value is None or value is NO_CACHED_VALUE:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
