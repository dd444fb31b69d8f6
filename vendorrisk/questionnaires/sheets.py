"""Every sheet of a questionnaire workbook (.xlsx) or CSV file as plain data, for finding
where a vendor put its answers.

Pure: bytes in, ``Book`` out; no Flask, no database. An .xlsx is read with the streaming,
defused reader of ``reader_xml`` and ``reader_cells`` (a DTD, entity declaration or external reference
refuses the file), every sheet once, visible or hidden, the columns it uses of the first
``MAX_COLUMNS``:
cell values (a formula reads as its cached value), which cells are formulas and their text,
merged ranges (the top-left value carried into every covered cell) and the drop-down lists
of data validations, resolved to their values whether written inline, as a range on any
sheet (hidden or not) or as a defined name. The caller has passed the upload through
``uploads.inspect_upload`` (size, type, decompression gate); the part sizes are checked
again here so that the reader is safe on its own.
"""
import codecs
import csv
import io
import pyexpat
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

from defusedxml.common import DefusedXmlException
from openpyxl.utils import column_index_from_string, range_boundaries

from vendorrisk.core import encodings
from vendorrisk.questionnaires import reader_cells as cells
from vendorrisk.questionnaires import reader_xml as xml
from vendorrisk.questionnaires.reader_xml import NO_CACHED_VALUE

# Columns read at most: Japanese forms drawn on a grid of narrow columns (方眼紙) merge a
# question over dozens of them and put the answer far to the right. A sheet keeps only
# the columns it uses (values, and drop-down lists on blank answer cells).
MAX_COLUMNS = 120
MAX_LIST_COLUMNS = 200
LIST_CELLS = 2000  # lists over larger areas are checked by their bounds
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
BROKEN = (pyexpat.ExpatError, KeyError, ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError,
          NotImplementedError, RuntimeError)
# A1 reference or range, optionally on a sheet ('quoted name' or bare name): Lists!$A$1:$A$3
REFERENCE = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([^'!\s][^!]*))!)?"
                       r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


class UnreadableWorkbook(ValueError):
    """A file that cannot be read as a workbook. ``reason`` is ``declarations`` (XML that
    no workbook needs: DTD, entities, external references), ``too_large`` (it would expand
    beyond the limit: a decompression bomb) or ``corrupt``; ``sheet`` names the sheet."""

    def __init__(self, reason: str, sheet: str = "", detail: str = ""):
        super().__init__(f"{reason}: {sheet} {detail}".strip())
        self.reason, self.sheet, self.detail = reason, sheet, detail


@dataclass
class Sheet:
    """One sheet: values by row (``width`` wide: the columns used, merged ranges filled from their
    top-left cell), formula text by (row, column), merged boxes and drop-down lists."""

    title: str
    state: str = "visible"
    rows: dict[int, list] = field(default_factory=dict)
    last_row: int = 0
    width: int = MAX_COLUMNS
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (left, top, right, bottom)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    lists: list[tuple[tuple[int, int, int, int], tuple[str, ...]]] = field(default_factory=list)
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # cell -> its merge anchor
    boxes: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)  # anchor -> merge
    merged_rows: set[int] = field(default_factory=set)  # rows a merged range touches
    _list_index: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def visible(self) -> bool:
        """Whether the sheet is shown in Excel's tabs."""
        return self.state == "visible"

    def value(self, row: int, column: int):
        """The value of a cell (None when empty or beyond the columns read)."""
        values = self.rows.get(row)
        return values[column - 1] if values is not None and 0 < column <= len(values) else None

    def is_formula(self, row: int, column: int) -> bool:
        """Whether the cell (or the anchor of the merged range covering it) holds a formula."""
        return (row, column) in self.formulas or self.covered.get((row, column)) in self.formulas

    def list_columns(self) -> set[int]:
        """The columns (within those read) that have a drop-down list somewhere."""
        return {c for (left, _t, right, _b), _v in self.lists for c in range(left, min(right, self.width) + 1)}

    def allowed_at(self, row: int, column: int) -> tuple[str, ...]:
        """The values of the drop-down list on a cell, if it has one."""
        if not self.lists:
            return ()
        if self._list_index is None:
            self._index_lists()
        cells, wide = self._list_index
        found = cells.get((row, column))
        for position, (left, top, right, bottom), values in wide:
            if found is not None and found[0] < position:
                break
            if left <= column <= right and top <= row <= bottom:
                return values
        return found[1] if found is not None else ()

    def _index_lists(self) -> None:
        """Lists over small areas by cell (a workbook may put one on every answer cell); the
        first list given for a cell wins, as in Excel."""
        cells: dict[tuple[int, int], tuple[int, tuple[str, ...]]] = {}
        wide = []
        for position, (box, values) in enumerate(self.lists):
            left, top, right, bottom = box
            right = min(right, self.width)
            if (right - left + 1) * (bottom - top + 1) > LIST_CELLS:
                wide.append((position, box, values))
                continue
            for row in range(top, bottom + 1):
                for column in range(left, right + 1):
                    cells.setdefault((row, column), (position, values))
        self._list_index = (cells, wide)

    def widen(self, width: int) -> None:
        """Make every row ``width`` columns long (columns a user names beyond those used)."""
        if width > self.width:
            for values in self.rows.values():
                values.extend([None] * (width - len(values)))
            self.width = width

    def merged_span(self, row: int, column: int) -> int:
        """How many columns the merged range covering the cell spans (1 if none)."""
        box = self.boxes.get(self.covered.get((row, column), (row, column)))
        return box[2] - box[0] + 1 if box else 1


@dataclass
class Book:
    """A workbook's sheets in tab order; ``kind`` is ``xlsx`` or ``csv``."""

    sheets: list[Sheet]
    kind: str = "xlsx"

    def sheet(self, title: str) -> Sheet | None:
        """The sheet of this title, if any."""
        return next((s for s in self.sheets if s.title == title), None)


def text_of(value) -> str:
    """A cell value as trimmed text (dates as ISO, integral floats as ints, blank for none)."""
    if value is None or value is NO_CACHED_VALUE:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_book(data: bytes, *, max_unpacked: int = MAX_UNPACKED) -> Book:
    """Read an .xlsx (by its ZIP signature) or a CSV file (anything else that is text)."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return read_xlsx(data, max_unpacked=max_unpacked)
    return read_csv(data)


def _check_sizes(archive: zipfile.ZipFile, limit: int) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise UnreadableWorkbook("too_large", detail=f"{info.filename} expands "
                                     f"{info.file_size // max(info.compress_size, 1)} times")
    if total > limit:
        raise UnreadableWorkbook("too_large", detail=f"{total // 2**20} MB unpacked")


def read_xlsx(data: bytes, *, max_unpacked: int = MAX_UNPACKED) -> Book:
    """Every sheet of an .xlsx package, with drop-down lists resolved."""
    title = ""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except BROKEN as exc:
        raise UnreadableWorkbook("corrupt", detail=type(exc).__name__) from None
    with archive:
        _check_sizes(archive, max_unpacked)
        try:
            package = xml.read_package(archive)
            dates, durations = xml.date_styles(archive, package.styles)
            strings = xml.shared_strings(archive, package.shared_strings)

            def load(sheet_title: str, state: str, path: str, width: int) -> tuple[Sheet, list]:
                nonlocal title
                title = sheet_title
                raw = cells.read_sheet(archive, path, max_col=width, min_row=1, max_row=None, strings=strings,
                                     dates=dates, durations=durations, epoch=package.epoch, formulas=True)
                return _sheet(sheet_title, state, raw, width), raw.validations
            loaded = [load(t, s, p, MAX_COLUMNS) for t, s, p in package.sheets]
            book = Book([sheet for sheet, _v in loaded])
            paths = {t: (s, p) for t, s, p in package.sheets}
            wider: dict[str, Sheet] = {}

            def lookup(sheet_title: str, right: int) -> Sheet | None:
                found = book.sheet(sheet_title)
                if found is None or right <= found.width:
                    return found
                if right > MAX_LIST_COLUMNS:
                    return None
                if sheet_title not in wider:  # a list kept far to the right: read that sheet again, wider
                    state, path = paths[sheet_title]
                    wider[sheet_title] = load(sheet_title, state, path, MAX_LIST_COLUMNS)[0]
                return wider[sheet_title]
            for index, (sheet, validations) in enumerate(loaded):
                title = sheet.title
                sheet.lists = _lists(sheet, index, validations, package.defined_names, lookup)
        except DefusedXmlException as exc:
            raise UnreadableWorkbook("declarations", title, type(exc).__name__) from None
        except BROKEN as exc:
            raise UnreadableWorkbook("corrupt", title, type(exc).__name__) from None
    return book


def _used_width(raw: cells.SheetData, width: int) -> int:
    """The columns a sheet uses, of the ``width`` read: its values, and the left edge of its
    drop-down lists (an answer column may be all blank)."""
    used = raw.last_column
    for kind, sqref, _formula in raw.validations:
        for part in sqref.split() if kind == "list" else ():
            try:
                left = range_boundaries(part)[0]
            except (TypeError, ValueError):
                continue
            if left and used < left <= width:
                used = left
    return max(1, min(used, width))


def _sheet(title: str, state: str, raw: cells.SheetData, width: int) -> Sheet:
    width = _used_width(raw, width)
    cells.pad(raw.rows, width)
    sheet = Sheet(title, state, raw.rows, raw.last_row, width, formulas=raw.formulas)
    for ref in raw.merges:
        try:
            left, top, right, bottom = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if None in (left, top, right, bottom) or left > width or top > raw.last_row:
            continue
        right, bottom = min(right, width), min(bottom, raw.last_row)
        sheet.merges.append((left, top, right, bottom))
        sheet.boxes[(top, left)] = (left, top, right, bottom)
        anchor = sheet.value(top, left)
        if (right - left + 1) * (bottom - top + 1) > 100_000:
            continue  # a merge over a whole area carries nothing useful cell by cell
        sheet.merged_rows.update(range(top, bottom + 1))
        for row in range(top, bottom + 1):
            values = sheet.rows.get(row)
            if values is None:
                if anchor is None:
                    continue
                values = sheet.rows[row] = [None] * width
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    values[column - 1] = anchor
                    sheet.covered[(row, column)] = (top, left)
    return sheet


def _lists(sheet: Sheet, index: int, validations, names: dict[str, str], lookup) -> list:
    found = []
    for kind, sqref, formula in validations:
        if kind != "list" or not formula:
            continue
        values = _list_values(formula, sheet, index, names, lookup)
        if not values:
            continue
        for part in sqref.split():
            try:
                left, top, right, bottom = range_boundaries(part)
            except (TypeError, ValueError):
                continue
            if None not in (left, top, right, bottom):
                found.append(((left, top, right, bottom), values))
    return found


def _list_values(formula: str, sheet: Sheet, index: int, names: dict[str, str], lookup) -> tuple[str, ...]:
    formula = formula.strip().lstrip("=")
    if formula.startswith('"') and formula.endswith('"'):
        return tuple(v.strip() for v in formula[1:-1].replace('""', '"').split(",") if v.strip())
    for _depth in range(3):  # a name may stand for another name
        target = names.get(f"{index}!{formula}") or names.get(formula)
        if target is None:
            break
        formula = target.strip().lstrip("=")
    match = REFERENCE.match(formula)
    if match is None:
        return ()  # OFFSET, INDIRECT and the like: not followed
    quoted, bare, first_col, first_row, last_col, last_row = match.groups()
    left, top = column_index_from_string(first_col), int(first_row)
    right = column_index_from_string(last_col) if last_col else left
    bottom = int(last_row) if last_row else top
    title = (quoted.replace("''", "'") if quoted else bare) if (quoted or bare) else sheet.title
    source = lookup(title, right)
    if source is None or bottom - top > 10_000:
        return ()
    values = []
    for row in range(top, min(bottom, source.last_row) + 1):
        for column in range(left, right + 1):
            text = text_of(source.value(row, column))
            if text and text not in values:
                values.append(text)
    return tuple(values)


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8, UTF-16 (by its byte order mark), Shift_JIS (cp932) or
    Windows-1252 (``encodings.decode_text``)."""
    text = encodings.decode_text(data)
    if text is None:
        raise UnreadableWorkbook("corrupt", detail="not UTF-8, UTF-16, Shift_JIS or Windows-1252 text")
    return text


def read_csv(data: bytes, title: str = "CSV") -> Book:
    """A CSV file (comma, tab or semicolon separated; UTF-8, UTF-16 or Shift_JIS) as one sheet."""
    if b"\x00" in data[:4096] and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise UnreadableWorkbook("corrupt", detail="binary data")
    text = decode_text(data)
    sample = text[:20000]
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in sample.splitlines()[:50]))
    sheet = Sheet(title)
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            cells = [v if v.strip() else None for v in values[:MAX_COLUMNS]]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                sheet.rows[number] = cells
                sheet.last_row = number
    except csv.Error as exc:
        raise UnreadableWorkbook("corrupt", detail=str(exc)) from None
    sheet.width = max((len(values) for values in sheet.rows.values()), default=1)
    for values in sheet.rows.values():
        values.extend([None] * (sheet.width - len(values)))
    return Book([sheet], kind="csv")
