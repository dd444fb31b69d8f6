"""Streaming the XML parts of an .xlsx package with expat, defused.

Every part is parsed by a bare expat parser that refuses a document type declaration,
entity declarations and external references outright (defusedxml's policy, with its
exceptions), so neither an entity expansion bomb nor an external entity reaches us.
defusedxml's own ``iterparse`` sits on ElementTree's pure-Python parser, which builds an
element per tag; expat calling our handlers directly reads a sheet several times faster.

A sheet is read in one pass: the cell values of the wanted rows and columns, the last row
that holds a value or formula anywhere, the merged ranges, and which formulas were saved
without a calculated value; on request also the text of each wanted formula cell (its
cached value stays its value), and always the sheet's data validations (drop-down lists).
"""
import posixpath
import pyexpat
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from vendorrisk.core import parse_budget

SEPARATOR = "}"
MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main")
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Excel 2010 writes drop-downs whose list is on another sheet in an extension block.
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
CHUNK = 1 << 16
DIGITS = "0123456789"


def _names(*local: str) -> dict[str, str]:
    return {f"{ns}{SEPARATOR}{name}": name for ns in MAIN for name in local}


SHEET_TAGS = _names("row", "c", "v", "f", "is", "t", "rPh", "mergeCell", "dataValidation", "formula1")
SHEET_TAGS.update({f"{X14}{SEPARATOR}dataValidation": "dataValidation", f"{X14}{SEPARATOR}formula1": "formula1",
                   f"{XM}{SEPARATOR}f": "xm_f", f"{XM}{SEPARATOR}sqref": "xm_sqref"})
STRING_TAGS = _names("si", "t", "rPh")


class NoCachedValue:
    """A formula cell saved without its calculated value."""

    def __repr__(self) -> str:
        return "<formula without cached value>"


NO_CACHED_VALUE = NoCachedValue()


def _forbid_dtd(name, sysid, pubid, _has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, _is_parameter, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def parser() -> pyexpat.XMLParserType:
    """A namespace-aware expat parser that refuses DTDs, entities and external references."""
    xml = pyexpat.ParserCreate(namespace_separator=SEPARATOR)
    xml.StartDoctypeDeclHandler = _forbid_dtd
    xml.EntityDeclHandler = _forbid_entity
    xml.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    xml.ExternalEntityRefHandler = _forbid_external
    xml.buffer_text = True
    xml.buffer_size = CHUNK
    return xml


def _parse(archive: zipfile.ZipFile, path: str, start, end=None, text=None) -> None:
    xml = parser()
    xml.StartElementHandler = start
    if end is not None:
        xml.EndElementHandler = end
    if text is not None:
        xml.CharacterDataHandler = text
    with archive.open(path) as stream:
        xml.ParseFile(stream)


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target path inside the package)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found

    def start(tag, attrs):
        if tag == f"{PACKAGE_RELATIONSHIPS}{SEPARATOR}Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), path)
    _parse(archive, rels, start)
    return found


@dataclass
class Package:
    """The workbook part of an .xlsx package: its sheets and the parts cells refer to."""

    sheets: list[tuple[str, str, str]] = field(default_factory=list)  # (title, state, path)
    shared_strings: str | None = None
    styles: str | None = None
    epoch: object = WINDOWS_EPOCH
    # Defined names (drop-down lists often point at one): name -> reference; a name scoped
    # to one sheet is also kept under "<sheet index>!<name>".
    defined_names: dict[str, str] = field(default_factory=dict)


def read_package(archive: zipfile.ZipFile) -> Package:
    """Find the workbook, its sheets (title, visibility, part) and date system."""
    workbook = next((path for kind, path in relationships(archive, "").values()
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
    rels = relationships(archive, workbook)
    package = Package()
    ids = []
    name: list = []  # the defined name being read: [name, local sheet id, text parts]

    def start(tag, attrs):
        local = tag.rpartition(SEPARATOR)[2]
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if k.endswith(f"{SEPARATOR}id")), "")
            ids.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            package.epoch = CALENDAR_MAC_1904
        elif local == "definedName":
            name[:] = [attrs.get("name", ""), attrs.get("localSheetId"), []]

    def end(tag):
        if name and tag.rpartition(SEPARATOR)[2] == "definedName":
            title, scope, parts = name
            if scope is None:
                package.defined_names[title] = "".join(parts)
            else:
                package.defined_names[f"{scope}!{title}"] = "".join(parts)
                package.defined_names.setdefault(title, "".join(parts))
            name.clear()

    def text(data):
        if name:
            name[2].append(data)
    _parse(archive, workbook, start, end, text)
    for title, state, rid in ids:
        package.sheets.append((title, state, rels[rid][1]))
    for kind, path in rels.values():
        if kind.endswith("/sharedStrings"):
            package.shared_strings = path
        elif kind.endswith("/styles"):
            package.styles = path
    return package


def date_styles(archive: zipfile.ZipFile, path: str | None) -> tuple[frozenset, frozenset]:
    """The cell style indices (as the strings cells carry) that show dates, and durations."""
    if path is None or path not in archive.NameToInfo:
        return frozenset(), frozenset()
    custom: dict[str, str] = {}
    formats: list[str] = []
    depth = [0]

    def start(tag, attrs):
        local = tag.rpartition(SEPARATOR)[2]
        if local == "numFmt":
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth[0] = 1
        elif local == "xf" and depth[0]:
            number = attrs.get("numFmtId", "0")
            formats.append(custom.get(number) or BUILTIN_FORMATS.get(int(number) if number.isdigit() else 0, ""))

    def end(tag):
        if tag.rpartition(SEPARATOR)[2] == "cellXfs":
            depth[0] = 0
    _parse(archive, path, start, end)
    dates = frozenset(str(i) for i, fmt in enumerate(formats) if is_date_format(fmt))
    durations = frozenset(str(i) for i, fmt in enumerate(formats) if is_timedelta_format(fmt))
    return dates, durations


def shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    """The shared string table: each item's text runs joined, phonetic guides (rPh) left out."""
    strings: list[str] = []
    if path is None or path not in archive.NameToInfo:
        return strings
    parts: list[str] = []
    state = {"capture": False, "phonetic": False}
    tags = STRING_TAGS

    def start(tag, _attrs):
        local = tags.get(tag)
        if local == "t":
            state["capture"] = not state["phonetic"]
        elif local == "si":
            parts.clear()
        elif local == "rPh":
            state["phonetic"] = True

    def end(tag):
        local = tags.get(tag)
        if local == "t":
            state["capture"] = False
        elif local == "si":
            strings.append("".join(parts))
        elif local == "rPh":
            state["phonetic"] = False

    def text(data):
        if state["capture"]:
            parts.append(data)
    _parse(archive, path, start, end, text)
    return strings


@dataclass
class SheetData:
    """One pass over a sheet: wanted cells by row, last row with content, merged ranges,
    data validations as (type, sqref, formula1), and (when asked for) the formula text of
    wanted formula cells by (row, column), a shared formula's followers given its text."""

    rows: dict[int, list] = field(default_factory=dict)
    last_row: int = 0
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
    ``min_row``..``max_row``; values convert as openpyxl's read-only, cached-value mode
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
    # One mutable record of the cell being read, cheaper than many nonlocal names.
    cell = {"row": 0, "column": 0, "wanted": False, "kind": "n", "style": "", "formula": False,
            "inline": False, "capture": False, "phonetic": False, "last": 0, "shared": None}

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
            parse_budget.check()
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
                        values = rows[row] = [None] * max_col
                    values[cell["column"] - 1] = value
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
    data.last_row = cell["last"]
    return data


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
