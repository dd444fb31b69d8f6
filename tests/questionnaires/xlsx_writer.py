"""A small .xlsx writer for test workbooks, writing the parts the way Excel saves them:
formulas WITH their cached results (openpyxl drops those on saving), shared formulas,
shared strings or inline strings, merged ranges, hidden and very hidden sheets, defined
names, and drop-down lists both as Excel 2007 writes them and in Excel 2010's extension
block (``x14:dataValidation`` with ``xm:f``) for lists on another sheet.

    book = Book()
    sheet = book.add("Answers")
    sheet.set("A1", "Question")
    sheet.set("B2", "Yes", formula="VLOOKUP(A2,Lists!$A$1:$B$9,2,FALSE)")
    sheet.merge("A10:D10")
    sheet.drop_down("C2:C200", "Lists!$A$1:$A$3", extension=True)
    data = book.to_bytes()
"""
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import column_index_from_string, get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
BOLD = 1
TAB_SELECTED = ' tabSelected="1"'
ERRORS = ("#N/A", "#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!")


def split(ref: str) -> tuple[int, int]:
    """(row, column) of an A1 reference."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), column_index_from_string(letters)


def ref(row: int, column: int) -> str:
    """The A1 reference of (row, column)."""
    return f"{get_column_letter(column)}{row}"


@dataclass
class Cell:
    """A value, or a formula with its cached result (``value``); ``shared`` = (index, range
    or None) makes it part of a shared formula (the first cell carries the text and range)."""

    value: object = None
    formula: str | None = None
    style: int = 0
    shared: tuple[int, str | None] | None = None


@dataclass
class Sheet:
    """One worksheet being written."""

    title: str
    state: str = "visible"
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    lists: list[tuple[str, str, bool]] = field(default_factory=list)  # (sqref, formula1, extension)
    widths: dict[int, float] = field(default_factory=dict)

    def set(self, where: str | tuple[int, int], value=None, *, formula: str | None = None, style: int = 0,
            shared: tuple[int, str | None] | None = None) -> None:
        """Put a value, or a formula and its cached result, in a cell ("B5" or (row, column))."""
        key = split(where) if isinstance(where, str) else where
        self.cells[key] = Cell(value, formula, style, shared)

    def row(self, number: int, values, style: int = 0) -> None:
        """Put values in a row from column A (None leaves a cell empty)."""
        for column, value in enumerate(values, start=1):
            if value is not None:
                self.set((number, column), value, style=style)

    def merge(self, area: str) -> None:
        """Merge a range (its top-left cell keeps the value)."""
        self.merges.append(area)

    def drop_down(self, sqref: str, source: str, *, extension: bool = False) -> None:
        """A list validation on ``sqref``: ``source`` is '"a,b,c"', a range or a defined name."""
        self.lists.append((sqref, source, extension))

    def _cell_xml(self, key: tuple[int, int], cell: Cell, strings: "Strings | None") -> str:
        attrs = f' r="{ref(*key)}"' + (f' s="{cell.style}"' if cell.style else "")
        value = cell.value
        if cell.formula is not None or cell.shared is not None:
            if cell.shared is not None:
                index, area = cell.shared
                head = f'<f t="shared" si="{index}"' + (f' ref="{area}">{escape(cell.formula)}</f>' if area else "/>")
            else:
                head = f"<f>{escape(cell.formula)}</f>"
            if isinstance(value, bool):
                return f'<c{attrs} t="b">{head}<v>{int(value)}</v></c>'
            if isinstance(value, (int, float)):
                return f"<c{attrs}>{head}<v>{value}</v></c>"
            if value in ERRORS:
                return f'<c{attrs} t="e">{head}<v>{escape(value)}</v></c>'
            if value is None:
                return f"<c{attrs}>{head}<v></v></c>"  # as openpyxl saves it: no cached result
            return f'<c{attrs} t="str">{head}<v>{escape(str(value))}</v></c>'
        if value is None:
            return f"<c{attrs}/>"
        if isinstance(value, bool):
            return f'<c{attrs} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            return f"<c{attrs}><v>{value}</v></c>"
        if strings is None:
            return f'<c{attrs} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
        return f'<c{attrs} t="s"><v>{strings.index(str(value))}</v></c>'

    def to_xml(self, strings: "Strings | None", selected: bool) -> bytes:
        """The worksheet part."""
        rows: dict[int, list] = {}
        for key in sorted(self.cells):
            rows.setdefault(key[0], []).append(key)
        last = max(self.cells, default=(1, 1))
        width = max((k[1] for k in self.cells), default=1)
        parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
                 f'xmlns:r="{REL}" xmlns:x14="{X14}" xmlns:xm="{XM}">'
                 f'<dimension ref="A1:{ref(last[0], width)}"/>'
                 f'<sheetViews><sheetView workbookViewId="0"{TAB_SELECTED if selected else ""}/></sheetViews>'
                 '<sheetFormatPr defaultRowHeight="15"/>']
        if self.widths:
            parts.append("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                                            for c, w in sorted(self.widths.items())) + "</cols>")
        parts.append("<sheetData>")
        for number, keys in sorted(rows.items()):
            parts.append(f'<row r="{number}">' + "".join(self._cell_xml(k, self.cells[k], strings) for k in keys)
                         + "</row>")
        parts.append("</sheetData>")
        if self.merges:
            parts.append(f'<mergeCells count="{len(self.merges)}">'
                         + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>")
        plain = [(s, f) for s, f, ext in self.lists if not ext]
        if plain:
            parts.append(f'<dataValidations count="{len(plain)}">' + "".join(
                f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
                f'sqref="{s}"><formula1>{escape(f)}</formula1></dataValidation>' for s, f in plain)
                + "</dataValidations>")
        parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
        extended = [(s, f) for s, f, ext in self.lists if ext]
        if extended:
            parts.append('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}">'
                         f'<x14:dataValidations count="{len(extended)}">' + "".join(
                             '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" '
                             f'showErrorMessage="1"><x14:formula1><xm:f>{escape(f)}</xm:f></x14:formula1>'
                             f"<xm:sqref>{s}</xm:sqref></x14:dataValidation>" for s, f in extended)
                         + "</x14:dataValidations></ext></extLst>")
        parts.append("</worksheet>")
        return "".join(parts).encode("utf-8")


class Strings:
    """The shared string table, in order of first use."""

    def __init__(self):
        self.items: dict[str, int] = {}

    def index(self, text: str) -> int:
        """The index of a string, added if new."""
        return self.items.setdefault(text, len(self.items))

    def to_xml(self) -> bytes:
        """The sharedStrings part."""
        body = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in self.items)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                f'count="{len(self.items)}" uniqueCount="{len(self.items)}">{body}</sst>').encode("utf-8")


STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
          '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
          '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
          'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" '
          'borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          "</styleSheet>").encode("utf-8")


@dataclass
class Book:
    """A workbook being written: sheets in tab order, defined names, shared or inline strings."""

    sheets: list[Sheet] = field(default_factory=list)
    names: list[tuple[str, str, int | None]] = field(default_factory=list)  # (name, reference, local sheet)
    shared_strings: bool = True

    def add(self, title: str, state: str = "visible") -> Sheet:
        """A new sheet at the end of the tabs."""
        sheet = Sheet(title, state)
        self.sheets.append(sheet)
        return sheet

    def define(self, name: str, reference: str, local_sheet: int | None = None) -> None:
        """A defined name (a drop-down list may point at one)."""
        self.names.append((name, reference, local_sheet))

    def to_bytes(self) -> bytes:
        """The .xlsx package."""
        strings = Strings() if self.shared_strings else None
        active = next(i for i, s in enumerate(self.sheets) if s.state == "visible")
        parts = {f"xl/worksheets/sheet{i}.xml": sheet.to_xml(strings, i - 1 == active)
                 for i, sheet in enumerate(self.sheets, start=1)}
        sheets = "".join(f'<sheet name={quoteattr(s.title)} sheetId="{i}"'
                         + (f' state="{s.state}"' if s.state != "visible" else "") + f' r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))
        names = "".join(f'<definedName name={quoteattr(n)}' + (f' localSheetId="{lo}"' if lo is not None else "")
                        + f">{escape(r)}</definedName>" for n, r, lo in self.names)
        parts["xl/workbook.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<workbookPr/><bookViews><workbookView activeTab="{active}"/></bookViews><sheets>{sheets}</sheets>'
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="191029"/></workbook>').encode("utf-8")
        count = len(self.sheets)
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, count + 1))
        rels += f'<Relationship Id="rId{count + 1}" Type="{REL}/styles" Target="styles.xml"/>'
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
                            for i in range(1, count + 1))
        if strings is not None:
            parts["xl/sharedStrings.xml"] = strings.to_xml()
            rels += f'<Relationship Id="rId{count + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            overrides += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                               f'<Relationships xmlns="{PKG}">{rels}</Relationships>').encode()
        parts["xl/styles.xml"] = STYLES
        parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                                f'xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                                'Target="xl/workbook.xml"/></Relationships>').encode()
        parts["[Content_Types].xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{TYPES}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>').encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                         "xl/styles.xml", *sorted(n for n in parts if n.startswith("xl/worksheets/")),
                         *(["xl/sharedStrings.xml"] if strings is not None else [])]:
                archive.writestr(name, parts[name])
        return out.getvalue()
