"""Streaming the XML parts of an .xlsx package with expat, defused.

Every part is parsed by a bare expat parser that refuses a document type declaration,
entity declarations and external references outright (defusedxml's policy, with its
exceptions), so neither an entity expansion bomb nor an external entity reaches us.
defusedxml's own ``iterparse`` sits on ElementTree's pure-Python parser, which builds an
element per tag; expat calling our handlers directly reads a sheet several times faster.

Here: the parser, the package (workbook, sheets, defined names, date system), the styles
that show dates and the shared strings; one sheet is streamed by ``reader_cells``.
"""
import posixpath
import pyexpat
import zipfile
from dataclasses import dataclass, field

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

SEPARATOR = "}"
MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main")
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Excel 2010 writes drop-downs whose list is on another sheet in an extension block.
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
CHUNK = 1 << 16


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
