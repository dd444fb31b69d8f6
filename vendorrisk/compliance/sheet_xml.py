"""Worksheet rows written as SpreadsheetML text, without openpyxl's per-cell objects.

A cell is written as openpyxl's write-only sheet writes it (same escaping, same refusal of
illegal characters, formula injection neutralised by ``core.xlsx.neutralise``), but without
its ``r="B7"`` reference: cells of a row are placed one after the other (ECMA-376 makes the
reference optional; Excel, LibreOffice and openpyxl read them so), an empty value as
``<c/>``. So a cell's XML depends on its value alone and can be built once per distinct value:
the matrix export has a million cells and a few thousand distinct values.
"""
import io
import queue
import threading
import zipfile
from datetime import date
from typing import IO, Any, Callable, Iterable, Sequence

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError

from vendorrisk.core.xlsx import neutralise

MEMO_LIMIT = 5_000  # distinct cell texts remembered while spooling (bounded memory)
FIRST_SHEET = "xl/worksheets/sheet1.xml"
HANDOFF_BYTES = 256 * 1024  # rows handed to the deflating thread this many bytes at a time


def cell(value: Any) -> str:
    """The XML of one cell holding ``value``."""
    value = neutralise(value)
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c t="n"><v>{value!r}</v></c>'
    if isinstance(value, date):  # written as ISO text (2026-04-01), not as a styled date serial
        value = value.isoformat()
    value = str(value)[:32767]
    if not value:
        return '<c t="inlineStr"/>'
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if value in ERROR_CODES:
        return f'<c t="e"><v>{text}</v></c>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Cells:
    """``cells(value)``: the XML of a cell, built once per distinct value (bounded memo);
    ``Cells(encoded=True)``: the same as UTF-8 bytes, encoded once per distinct value."""

    def __init__(self, encoded: bool = False):
        self.memo: dict = {}
        self.encoded = encoded

    def __call__(self, value: Any) -> str | bytes:
        key = (type(value), value)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            found = self.memo[key] = cell(value).encode() if self.encoded else cell(value)
        return found


SHARED_STRINGS = "xl/sharedStrings.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_INLINE, _INLINE_END = '<c t="inlineStr"><is>', "</is></c>"
_SHARED_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_SHARED_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings").encode()


class SharedStrings:
    """A sheet's shared string table (ECMA-376 Part 1, 18.4) for the few texts that repeat on
    every row (an obligation's id, citations and title, a status, yes/no): a cell refers to
    its text by number (``<c t="s"><v>3</v></c>``) instead of holding it inline, so the sheet's
    XML is shorter by a third. ``cell(value)`` is the XML of a cell holding ``value``: a
    reference for a non-empty text, written into the table as ``cell`` would write it inline
    (same neutralising, escaping, ``xml:space``); any other value as ``cell`` writes it.
    ``count``, the references written, is the writer's to keep (the table's ``count``)."""

    def __init__(self):
        self.items: dict[str, int] = {}  # an item's XML (``<t>...</t>``) -> its number
        self.count = 0

    def cell(self, value: Any) -> bytes:
        xml = cell(value)
        if not xml.startswith(_INLINE):
            return xml.encode()
        item = xml[len(_INLINE):-len(_INLINE_END)]
        return b'<c t="s"><v>%d</v></c>' % self.items.setdefault(item, len(self.items))

    def part(self) -> bytes:
        """The ``xl/sharedStrings.xml`` part."""
        items = "".join(f"<si>{item}</si>" for item in self.items)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                f'count="{self.count}" uniqueCount="{len(self.items)}">{items}</sst>').encode()

    def declared(self, name: str, data: bytes) -> bytes:
        """``data`` of the package's part ``name`` with the table declared in it: its content
        type in ``[Content_Types].xml``, its relationship in the workbook's relationships."""
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", _SHARED_TYPE + b"</Types>", 1)
        if name == "xl/_rels/workbook.xml.rels":
            number = data.count(b"<Relationship ") + 1
            while b'Id="rId%d"' % number in data:
                number += 1
            return data.replace(b"</Relationships>", b'<Relationship Type="%s" Target="sharedStrings.xml" '
                                b'Id="rId%d"/></Relationships>' % (_SHARED_REL, number), 1)
        return data


def spool_rows(rows: Iterable[Sequence[Any]], spool, first: int = 2) -> int:
    """Write ``rows`` as sheet rows numbered from ``first`` into ``spool``; returns their count."""
    cells = Cells()
    count = 0
    for count, row in enumerate(rows, start=1):
        spool.write(f'<row r="{first + count - 1}">{"".join(map(cells, row))}</row>'.encode())
    return count


def streamed(skeleton: Callable[[int | None], bytes], write_rows: Callable[[IO[bytes]], int], out: IO[bytes],
             shared: SharedStrings | None = None) -> None:
    """Write into ``out`` the workbook ``skeleton(count)`` builds (openpyxl: the header row,
    widths, frozen pane, filter; ``count`` the rows of its first sheet, None while unknown)
    with the rows ``write_rows(sheet)`` writes (returning their count) streamed into the end
    of its first sheet's data: deflated as they come, never held nor spooled to a file.
    The parts before that sheet and the sheet's head come from ``skeleton(None)``: they do
    not depend on the count (checked); the sheet's tail (its filter) and the parts after it
    (the workbook's defined names) from ``skeleton(count)``, built once the rows are written.
    ``shared``: the shared strings the rows refer to, written after them and declared in the
    package's content types and the workbook's relationships (both after the first sheet)."""
    with zipfile.ZipFile(io.BytesIO(skeleton(None))) as first, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = first.namelist()
        for info in first.infolist()[:names.index(FIRST_SHEET)]:
            target.writestr(info, first.read(info.filename))
        head = first.read(FIRST_SHEET).split(b"</sheetData>", 1)[0]
        # The big sheet is deflated fast (level 1): a few percent larger, several times quicker.
        target.compresslevel = 1
        with target.open(FIRST_SHEET, "w", force_zip64=True) as sheet:
            sheet.write(head)
            with Deflating(sheet) as rows:
                count = write_rows(rows)
            final = zipfile.ZipFile(io.BytesIO(skeleton(count)))
            counted_head, tail = final.read(FIRST_SHEET).split(b"</sheetData>", 1)
            if counted_head != head:
                raise RuntimeError("the sheet's head depends on its row count")
            sheet.write(b"</sheetData>" + tail)
        with final:
            declared = []
            for info in final.infolist()[final.namelist().index(FIRST_SHEET) + 1:]:
                data = final.read(info.filename)
                if shared is not None:
                    data, before = shared.declared(info.filename, data), data
                    if data != before:
                        declared.append(info.filename)
                target.writestr(info, data)
        if shared is not None:
            if len(declared) != 2:
                raise RuntimeError(f"the shared strings could not be declared (only in {declared})")
            target.writestr(SHARED_STRINGS, shared.part())


class Deflating:
    """A writer that hands what is written, in blocks of ``HANDOFF_BYTES``, to a thread that
    writes it into ``target`` (a zip entry): zlib's deflate and CRC release the GIL, so the
    compression runs beside the building of the next rows, on another core when one is free.
    At most two blocks wait (bounded memory); leaving the block writes the rest and joins the
    thread, and raises what the thread met."""

    def __init__(self, target: IO[bytes]):
        self.target, self.pending, self.size, self.error = target, [], 0, None
        self.blocks: queue.Queue = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._drain, name="deflating", daemon=True)

    def __enter__(self) -> "Deflating":
        self.thread.start()
        return self

    def write(self, data: bytes) -> None:
        self.pending.append(data)
        self.size += len(data)
        if self.size >= HANDOFF_BYTES:
            self._hand_off()

    def _hand_off(self) -> None:
        if self.error is not None:
            raise self.error
        self.blocks.put(b"".join(self.pending))
        self.pending, self.size = [], 0

    def _drain(self) -> None:
        while (block := self.blocks.get()) is not None:
            if self.error is None:
                try:
                    self.target.write(block)
                except BaseException as exc:  # raised in the writing thread, by write or on leaving
                    self.error = exc

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None and self.pending:
                self._hand_off()
        finally:
            self.blocks.put(None)
            self.thread.join()
        if kind is None and self.error is not None:
            raise self.error
