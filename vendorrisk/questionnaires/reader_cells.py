"""Streaming one sheet of an .xlsx package with the defused expat parser of ``reader_xml``.

A sheet is read in one pass: the cell values of the wanted rows and columns, the last row
that holds a value or formula anywhere, the merged ranges, and which formulas were saved
without a calculated value; on request also the text of each wanted formula cell (its
cached value stays its value), and always the sheet's data validations (drop-down lists).
"""
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601

from vendorrisk.core.time_budget import check as budget_check
from vendorrisk.questionnaires.reader_xml import CHUNK, NO_CACHED_VALUE, SHEET_TAGS, parser

DIGITS = "0123456789"


@dataclass
class SheetData:
    """One pass over a sheet: wanted cells by row, last row with content, merged ranges,
    data validations as (type, sqref, formula1), and (when asked for) the formula text of
    wanted formula cells by (row, column), a shared formula's followers given its text."""

    rows: dict[int, list] = field(default_factory=dict)
    last_row: int = 0
    last_column: int = 0  # the rightmost wanted column holding a value
    merges: list[str] = field(default_factory=list)
    validations: list[tuple[str, str, str]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


ROOT_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
NUMBERED = re.compile(rb"\sr\s*=")


def _only_empty_rows(xml: bytes, row_start: bytes, row_end: bytes, cell_start: bytes) -> bool:
    rows, ends, cells = xml.count(row_start), xml.count(row_end), xml.count(cell_start)
    # Every tag is a row start or end or a cell start, and each cell closes itself.
    return xml.count(b"<") == rows + ends + cells and xml.count(b"/>") == rows - ends + cells


def without_empty_row_runs(stream, size: int = CHUNK) -> Iterator[bytes]:
    """The sheet's XML with each chunk's run of empty rows reduced to its last row.

    A sheet formatted down to row 1,048,576 holds a million rows without content; expat
    would call a handler for each. The XML is cut before the last row start of each chunk,
    so that a chunk after the first is a run of whole rows. If every tag in it is a row
    start, a row end or a self-closing cell start (no value, formula, inline string,
    comment or anything after the rows), only its last row is kept. That changes no row's
    number as long as the kept row carries its number (r="...").
    """
    tail, row_start = b"", None
    while True:
        chunk = stream.read(size)
        if not chunk:
            yield tail
            return
        buffer = tail + chunk
        if row_start is None:
            root = ROOT_RE.search(buffer)
            if root is None:
                tail = buffer if len(buffer) < size * 4 else b""
                if not tail:
                    yield buffer
                continue
            prefix = root.group(1) or b""
            row_start, row_end, cell_start = b"<" + prefix + b"row", b"</" + prefix + b"row>", b"<" + prefix + b"c "
        cut = buffer.rfind(row_start)
        if cut <= 0:
            tail = b""
            yield buffer
            continue
        head, tail = buffer[:cut], buffer[cut:]
        if head.startswith(row_start) and _only_empty_rows(head, row_start, row_end, cell_start):
            last = head[head.rfind(row_start):]
            if NUMBERED.search(last[:last.find(b">")]):
                head = last
        yield head


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = _COLUMNS[letters] = column_index_from_string(letters)
    return index


def _number(raw: str):
    return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)


def read_sheet(archive: zipfile.ZipFile, path: str, *, max_col: int, min_row: int, max_row: int | None,
               strings: list[str], dates: frozenset, durations: frozenset, epoch,
               formulas: bool = False) -> SheetData:
    """Stream a sheet once, keeping the values of columns 1..``max_col`` in rows
    ``min_row``..``max_row`` (each row as long as its last value: ``pad`` them to a width);
    values convert as openpyxl's read-only, cached-value mode
    does, except that a formula without a cached value reads as ``NO_CACHED_VALUE``
    (a string formula whose cached result is empty reads as blank). With ``formulas``,
    the text of each wanted formula cell is kept too."""
    data = SheetData()
    rows, merges, tags = data.rows, data.merges, SHEET_TAGS
    validation: list = []  # the data validation being read: [type, sqref, formula1]
    shared: dict[str, str] = {}  # shared formula index -> the text its first cell carries
    top = max_row if max_row is not None else 1 << 30
    text: list[str] = []
    seen: dict[str, str] = {}
    nones = [None] * max_col
    # One mutable record of the cell being read, cheaper than many nonlocal names.
    cell = {"row": 0, "column": 0, "wanted": False, "kind": "n", "style": "", "formula": False,
            "inline": False, "capture": False, "phonetic": False, "last": 0, "right": 0, "shared": None}

    def start(tag, attrs):
        local = tags.get(tag)
        if local is None:
            return
        if local == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(DIGITS)
                column, row = _column(letters), int(ref[len(letters):])
            else:
                column, row = cell["column"] + 1, cell["row"]
            cell["column"], cell["row"] = column, row
            cell["wanted"] = column <= max_col and min_row <= row <= top
            cell["kind"] = attrs.get("t", "n")
            cell["style"] = attrs.get("s", "")
            cell["formula"] = cell["inline"] = False
            text.clear()
        elif local == "v" or local == "t":
            cell["capture"] = not cell["phonetic"]
            if cell["row"] > cell["last"]:
                cell["last"] = cell["row"]
            if cell["formula"]:
                cell["formula"] = "v"  # a cached value was saved, if only an empty one
        elif local == "is":
            cell["inline"] = True
            if cell["row"] > cell["last"]:
                cell["last"] = cell["row"]
        elif local == "row":
            budget_check()  # a file that takes too long to read is refused (core.parse_budget)
            number = attrs.get("r")
            cell["row"] = int(number) if number else cell["row"] + 1
            cell["column"] = 0
        elif local == "f":
            cell["formula"] = True
            if cell["row"] > cell["last"]:
                cell["last"] = cell["row"]
            if formulas and cell["wanted"]:
                cell["capture"], cell["shared"] = True, attrs.get("si") if attrs.get("t") == "shared" else None
        elif local == "rPh":
            cell["phonetic"] = True
        elif local == "mergeCell":
            ref = attrs.get("ref")
            if ref:
                merges.append(ref)
        elif local == "dataValidation":
            validation[:] = [attrs.get("type", ""), attrs.get("sqref", ""), ""]
        elif local in ("formula1", "xm_f", "xm_sqref") and validation:
            text.clear()
            cell["capture"] = True

    def end(tag):
        local = tags.get(tag)
        if local is None:
            return
        if local == "c":
            if cell["wanted"]:
                value = _value(cell, text, strings, dates, durations, epoch, seen)
                if value is not None:
                    row = cell["row"]
                    values = rows.get(row)
                    if values is None:
                        values = rows[row] = []
                    column = cell["column"]
                    short = column - len(values)
                    if short > 0:  # rows grow to the cells they hold; callers pad them
                        values.extend(nones[:short])
                    values[column - 1] = value
                    if column > cell["right"]:
                        cell["right"] = column
        elif local == "v" or local == "t":
            cell["capture"] = False
        elif local == "rPh":
            cell["phonetic"] = False
        elif local == "f":
            if cell["capture"]:
                formula, si = "".join(text), cell["shared"]
                if si is not None:
                    formula = shared.setdefault(si, formula) if formula else shared.get(si, "")
                data.formulas[(cell["row"], cell["column"])] = formula
                text.clear()
                cell["capture"] = False
        elif validation and local in ("formula1", "xm_f", "xm_sqref"):
            if local == "xm_sqref":
                validation[1] = "".join(text).strip()
            elif not validation[2]:
                validation[2] = "".join(text).strip()
            text.clear()
            cell["capture"] = False
        elif local == "dataValidation" and validation:
            data.validations.append(tuple(validation))
            validation.clear()

    def characters(chunk):
        if cell["capture"]:
            text.append(chunk)
    xml = parser()
    xml.StartElementHandler, xml.EndElementHandler, xml.CharacterDataHandler = start, end, characters
    with archive.open(path) as stream:
        for piece in without_empty_row_runs(stream):
            xml.Parse(piece, False)
    xml.Parse(b"", True)
    data.last_row, data.last_column = cell["last"], cell["right"]
    return data


def pad(rows: dict[int, list], width: int) -> None:
    """Make every row ``width`` long (cut or filled with None)."""
    for values in rows.values():
        short = width - len(values)
        if short > 0:
            values.extend([None] * short)
        elif short < 0:
            del values[width:]


def _value(cell: dict, text: list[str], strings: list[str], dates: frozenset, durations: frozenset, epoch,
           seen: dict[str, str]):
    kind = cell["kind"]
    raw = "".join(text)
    if kind == "inlineStr":
        # Inline strings repeat (sections, articles, answer labels): keep one copy of each.
        return seen.setdefault(raw, raw) if cell["inline"] else None
    if cell["formula"] and not raw:
        return None if cell["formula"] == "v" and kind == "str" else NO_CACHED_VALUE
    if not raw:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind == "n":
        number = _number(raw)
        style = cell["style"]
        if style and style in dates:
            try:
                return from_excel(number, epoch, timedelta=style in durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number
    if kind == "b":
        return bool(int(raw))
    if kind == "d":
        return from_ISO8601(raw)
    return raw  # "str" (a formula's text result) and "e" (an error such as #N/A)
