"""Reading questionnaire workbooks: fast, bounded, and exact about what a cell holds.

Only called on bytes that passed ``uploads.inspect_upload`` (size, type and decompression
gate). openpyxl reads in read-only mode with cached values (defusedxml is installed, so
its XML parsing is defused). Before openpyxl iterates a sheet, one streaming pass over
the sheet's XML finds the last row that holds a value (so a sheet formatted down to row
1,048,576 costs no more than its data), the merged ranges (read-only mode does not report
them), and whether any formula lacks a cached value (read-only mode would show it as a
blank, but an uncalculated formula is not an empty answer).
"""
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from ..errors import ValidationFailed
from ..exports.questionnaire_xlsx import META_SHEET

_NS = rb"(?:[A-Za-z0-9_]+:)?"
ROW_RE = re.compile(rb"<" + _NS + rb'row\b[^>]*?\sr="(\d+)"')
VALUE_RE = re.compile(rb"<" + _NS + rb"(?:v|is)[\s>]")
MERGE_RE = re.compile(rb"<" + _NS + rb'mergeCell\b[^>]*?\sref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
FORMULA_RE = re.compile(rb"<" + _NS + rb"f[\s>/]")
CELL_RE = re.compile(rb"<(" + _NS + rb')c\b([^>]*?)(?:/>|>(.*?)</\1c>)', re.S)
COORD_RE = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
CACHED_RE = re.compile(rb"<" + _NS + rb"v>[^<]")
CHUNK = 1 << 20
OVERLAP = 512


class _NoCachedValue:
    """A formula cell saved without its calculated value."""

    def __repr__(self) -> str:
        return "<formula without cached value>"


NO_CACHED_VALUE = _NoCachedValue()


@dataclass
class SheetScan:
    """What the streaming pass learnt about a sheet."""

    last_row: int = 0
    merges: list[str] = field(default_factory=list)
    uncached_formulas: set[str] = field(default_factory=set)


def _last_row_number(buffer: bytes, current: int) -> int:
    """The number of the last row started in ``buffer`` (looking at its end first)."""
    for start in (max(0, len(buffer) - 65536), 0):
        found = ROW_RE.findall(buffer, start)
        if found:
            return int(found[-1])
    return current


def scan_sheet(archive: zipfile.ZipFile, path: str) -> SheetScan:
    """Stream a sheet's XML once: last row with a value, merged ranges, uncached formulas."""
    scan = SheetScan()
    merges: set[str] = set()
    has_formula = False
    current = 0
    tail = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            buffer = tail + chunk
            last_value = None
            for last_value in VALUE_RE.finditer(buffer):
                pass
            if last_value is not None:
                row_before = None
                for row_before in ROW_RE.finditer(buffer, 0, last_value.start()):
                    pass
                scan.last_row = max(scan.last_row, int(row_before.group(1)) if row_before else current)
            current = _last_row_number(buffer, current)
            merges.update(m.group(1).decode() for m in MERGE_RE.finditer(buffer))
            has_formula = has_formula or FORMULA_RE.search(buffer) is not None
            tail = buffer[-OVERLAP:]
    scan.merges = sorted(merges)
    if has_formula:
        for match in CELL_RE.finditer(archive.read(path)):
            body = match.group(3) or b""
            if FORMULA_RE.search(body) and not CACHED_RE.search(body):
                coord = COORD_RE.search(match.group(2))
                if coord:
                    scan.uncached_formulas.add(coord.group(1).decode())
    return scan


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


class WorkbookReader:
    """A workbook opened for reading; sheets are read as grids of cell values."""

    def __init__(self, data: bytes):
        try:
            self.book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken container
            message = "The file is not a readable Excel workbook (.xlsx); it may be corrupt."
            raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": f"{message} ({type(exc).__name__})"}])
        self.archive: zipfile.ZipFile = self.book._archive
        self._scans: dict[str, SheetScan] = {}

    def close(self) -> None:
        """Release the workbook."""
        self.book.close()

    def sheets(self) -> list[tuple[str, str]]:
        """Every sheet as (title, state): state is visible, hidden or veryHidden."""
        return [(ws.title, ws.sheet_state) for ws in self.book.worksheets]

    def has_sheet(self, title: str) -> bool:
        """Whether a sheet of this title exists."""
        return title in self.book.sheetnames

    def grid(self, title: str, max_col: int, min_row: int = 1, max_row: int | None = None) -> list[list]:
        """Rows ``min_row``.. of a sheet, ``max_col`` wide, up to its last row with a value.

        Merged ranges carry their top-left value into every covered cell; a formula
        without a cached value reads as ``NO_CACHED_VALUE``; trailing blank rows are dropped.
        """
        sheet = self.book[title]
        scan = self._scans.get(title)
        if scan is None:
            scan = self._scans[title] = scan_sheet(self.archive, sheet._worksheet_path)
        last = scan.last_row if max_row is None else min(scan.last_row, max_row)
        if last < min_row:
            return []
        rows = [list(values) for values in sheet.iter_rows(min_row=min_row, max_row=last, min_col=1,
                                                          max_col=max_col, values_only=True)]
        for ref in scan.uncached_formulas:
            column, row = range_boundaries(ref)[:2]
            if column <= max_col and min_row <= row <= last:
                rows[row - min_row][column - 1] = NO_CACHED_VALUE
        for ref in scan.merges:
            left, top, right, bottom = range_boundaries(ref)
            if top > last or left > max_col:
                continue
            anchor = rows[top - min_row][left - 1] if top >= min_row else None
            for row in range(max(top, min_row), min(bottom, last) + 1):
                for column in range(left, min(right, max_col) + 1):
                    rows[row - min_row][column - 1] = anchor
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
    return _coordinate(row, column)


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
