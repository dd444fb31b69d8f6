"""Reading a Word 97–2003 file (``.doc``) into text blocks, as ``word`` reads a ``.docx``: the
body's paragraphs and table rows, then the footnotes, then the headers and footers.

The compound file is opened with ``olefile``; the text is read as [MS-DOC] lays it out: the FIB
(``core.compound.read_fib``) names the table stream (``0Table``/``1Table``), where the piece
table (the Clx) maps character positions to the ``WordDocument`` stream, each piece either
Windows-1252 bytes ("compressed") or UTF-16LE (Japanese is stored so). The story lengths of
FibRgLw97 (``ccpText``, ``ccpFtn``, ``ccpHdd``) cut the text into the body, the footnotes and the
header/footer story, whose stories the PlcfHdd separates.

Fields keep their result and lose their code; object anchors, footnote marks and optional
hyphens are dropped, a non-breaking hyphen is a hyphen, a line break a space. The paragraph
properties (``doc_properties``) say which marks end a table cell or row: a row's cells are joined
as ``word`` joins them (a cell's paragraphs with spaces, empty cells left out); a file without them
is read by its marks (a cell mark ends a cell, two in a row end the row). Tracked changes are read
as accepted: the text a deletion marks (``sprmCFRMarkDel``) is left out. The numbers Word's
automatic numbering draws are not in a .doc's text: ``doc_lists`` draws them from the list tables.
Footnotes are a part of their own after the body, outside the articles. Not read: comments, text
boxes, endnotes, properties a paragraph takes from its style (a list number given by a style)."""
import bisect
import io
import re
import struct
from dataclasses import replace

from vendorrisk.contracts.checker import doc_properties as properties
from vendorrisk.contracts.checker.doc_lists import ListNumbers
from vendorrisk.contracts.checker.text import Block, _refuse, normalise
from vendorrisk.core import time_budget
from vendorrisk.core.compound import WORD_97_NFIB, BadWordFile, read_fib

CLX, PLCF_HDD, PLCFFND_TXT = 33, 11, 3  # indexes of (fcClx, lcbClx), (fcPlcfHdd, …), (fcPlcffndTxt, …) in FibRgFcLcb97
CCP_TEXT, CCP_FTN, CCP_HDD = 3, 4, 5  # indexes in FibRgLw97
# the header/footer story's first six are separators; then six a section, in this order
HDD_PARTS = ("header", "header", "footer", "footer", "header", "footer")  # even, odd, first
MARKS = {"\x01": "", "\x08": "", "\x02": "", "\x05": "", "\x00": "", "\x1f": "", "\x1e": "-", "\x0b": " ",
         "\t": " ", "\x0c": "\r"}
MAX_FIELD_DEPTH = 64


class _Corrupt(Exception):
    pass


def doc_blocks(data: bytes) -> list[Block]:
    """The blocks of a Word 97–2003 file: the body in document order (paragraphs; table rows as
    ``table``), the footnotes (``footnote``), then the headers and footers; ``UnreadableContract``
    when the file is damaged, encrypted or in a format older than Word 97."""
    try:
        word, table, fib = _streams(data)
    except (_Corrupt, BadWordFile) as exc:
        _refuse(f"The Word file is corrupt and cannot be read ({exc}).", "docx_corrupt")
    if fib.nfib < WORD_97_NFIB:
        _refuse("The file is in too old a Word format (Word 6.0/95): save it as .docx and upload again.", "doc_old")
    if fib.encrypted:
        _refuse("The file is password-protected: save it without a password and upload again.", "doc_password")
    try:
        text = _Text(word, table, fib)
        counts = fib.counts
        if len(counts) <= CCP_HDD or min(counts[CCP_TEXT], counts[CCP_FTN], counts[CCP_HDD]) < 0:
            raise _Corrupt("no story lengths")
        body_end = counts[CCP_TEXT]
        notes_end = body_end + counts[CCP_FTN]
        if notes_end + counts[CCP_HDD] > len(text.chars):
            raise _Corrupt("the stories are longer than the text")
        blocks = text.blocks(0, body_end, "body") + _note_blocks(text, body_end, notes_end, table, fib)
        blocks += _header_blocks(text, notes_end, notes_end + counts[CCP_HDD], table, fib)
    except (_Corrupt, properties.CorruptProperties, struct.error) as exc:
        _refuse(f"The Word file is corrupt and cannot be read ({exc}).", "docx_corrupt")
    return blocks


def _streams(data: bytes):
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError, ValueError, IndexError or struct.error on a damaged container
        raise _Corrupt(type(exc).__name__) from exc
    try:
        word = ole.openstream("WordDocument").read()
        fib = read_fib(word)
        table = ole.openstream(fib.table_stream).read() if fib.nfib >= WORD_97_NFIB and not fib.encrypted else b""
    except BadWordFile:
        raise
    except Exception as exc:  # a missing stream (OSError) or a broken sector chain
        raise _Corrupt(type(exc).__name__) from exc
    finally:
        ole.close()
    return word, table, fib


class _Text:
    """The document's characters in order (``chars``; deleted ones as NUL), where each lies in
    the WordDocument stream, and what its paragraph marks end."""

    def __init__(self, word: bytes, table: bytes, fib):
        self.pieces = _pieces(word, table, fib)  # (first cp, fc, bytes a character, text)
        self.starts = [cp for cp, _fc, _width, _text in self.pieces]
        removed = properties.deleted(word, table, fib)
        self.chars = "".join(_without(text, fc, width, removed) for _cp, fc, width, text in self.pieces)
        self.marks = properties.ParagraphMarks(word, table, fib)
        self.lists = ListNumbers(table, fib)

    def fc(self, cp: int) -> int:
        """Where character ``cp`` lies in the WordDocument stream."""
        index = bisect.bisect_right(self.starts, cp) - 1
        first, fc, width, _text = self.pieces[max(index, 0)]
        return fc + (cp - first) * width

    def blocks(self, start: int, end: int, part: str) -> list[Block]:
        """The paragraphs and table rows of the story from ``start`` to ``end`` as blocks of
        ``part`` (rows as ``table`` in the body)."""
        kept, marks = _clean(self.chars[start:end], start)
        if not self.marks:  # without paragraph properties, the marks alone say where cells and rows end
            return _story_blocks(kept, ["guess"] * len(marks), [""] * len(marks), "table" if part == "body" else part,
                                 part)
        found = [self.marks.properties(self.fc(cp)) if cp >= 0 else {} for cp in marks]
        kinds = [properties.kind_of(sprms) for sprms in found]
        labels = [self.lists.label(sprms) for sprms in found]  # counted in document order
        return _story_blocks(kept, kinds, labels, "table" if part == "body" else part, part)


def _pieces(word: bytes, table: bytes, fib) -> list[tuple[int, int, int, str]]:
    """The pieces of the text ([MS-DOC] 2.9.38 Clx): first cp, fc, bytes a character, text."""
    fc, lcb = fib.pair(CLX)
    if not lcb or fc + lcb > len(table):
        raise _Corrupt("the piece table lies outside the table stream")
    clx, at = table[fc:fc + lcb], 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting of pieces, not text
        at += 3 + max(struct.unpack_from("<h", clx, at + 1)[0], 0)
    if at >= len(clx) or clx[at] != 0x02:
        raise _Corrupt("no piece table")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5:at + 5 + size]
    if len(plc) != size or size < 16 or (size - 4) % 12:
        raise _Corrupt("the piece table is cut short")
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces, total = [], 0
    for index in range(count):
        time_budget.check()
        length = cps[index + 1] - cps[index]
        fc_compressed = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        total += max(length, 0)
        if length < 0 or total > len(word):  # a character takes a byte at least: pieces cannot overlap so
            raise _Corrupt("the pieces overlap or run backwards")
        start = fc_compressed & 0x3FFFFFFF
        if fc_compressed & 0x40000000:  # fCompressed: one Windows-1252 byte a character, at fc/2
            start, width, encoding = start // 2, 1, "cp1252"
        else:
            width, encoding = 2, "utf-16-le"
        raw = word[start:start + width * length]
        if len(raw) != width * length:
            raise _Corrupt("a piece lies outside the WordDocument stream")
        pieces.append((cps[index], start, width, raw.decode(encoding, errors="replace")))
    return pieces


def _without(text: str, fc: int, width: int, removed: list[tuple[int, int]]) -> str:
    """A piece's text with the characters a tracked change deleted as NUL (dropped when read)."""
    end = fc + width * len(text)
    first = bisect.bisect_right(removed, (fc, -1)) - 1
    chars = None
    for start, stop in removed[max(first, 0):]:
        if start >= end:
            break
        if stop <= fc:
            continue
        chars = chars or list(text)
        for index in range(max(0, (start - fc + width - 1) // width), min(len(text), (stop - fc + width - 1) // width)):
            chars[index] = "\x00"
    return "".join(chars) if chars else text


def _clean(story: str, start: int) -> tuple[str, list[int]]:
    """The story's text as read: field results without their codes, marks dropped or mapped,
    paragraph (0x0D) and cell (0x07) marks kept; and the cp of each kept mark (-1 for a page break's)."""
    kept, marks, fields = [], [], []  # fields: for each open field, whether its result has begun
    for offset in range(0, len(story), 65536):
        time_budget.check()
        for cp, char in enumerate(story[offset:offset + 65536], start + offset):
            if char == "\x13":
                if len(fields) >= MAX_FIELD_DEPTH:
                    raise _Corrupt("fields nested too deep")
                fields.append(False)
            elif char == "\x14":
                if fields:
                    fields[-1] = True
            elif char == "\x15":
                if fields:
                    fields.pop()
            elif all(fields):
                mapped = MARKS.get(char, char)
                if mapped in ("\r", "\x07"):  # a page break (0x0C) ends a block, not its paragraph: no properties
                    marks.append(cp if mapped == char else -1)
                kept.append(mapped)
    return "".join(kept), marks


def _story_blocks(kept: str, kinds: list[str], labels: list[str], row_part: str, part: str) -> list[Block]:
    """Blocks of the paragraphs and rows of a story's text: a row when its end mark comes, a cell's
    paragraphs joined with spaces, its cells with " | " (as ``word`` joins them); a numbered
    paragraph with the number its list draws (``labels``, one a mark)."""
    blocks, row, cell = [], [], []
    previous = "\r"
    pieces = re.findall(r"([^\r\x07]*)([\r\x07])", kept)
    tail = kept[sum(len(a) + len(b) for a, b in pieces):]
    for (piece, mark), kind, label in zip(pieces + [(tail, "")], kinds + ["paragraph"], labels + [""]):
        piece = f"{label} {piece}" if label else piece
        if kind == "guess":  # no paragraph properties: cell marks end cells; two in a row end the row
            kind = ("row" if not piece and not cell and previous == "\x07" else "in_table") if mark == "\x07" else \
                "in_cell" if row else "paragraph"
        if kind == "row" or (kind == "in_table" and mark == "\x07"):
            if kind == "in_table" or piece or cell:
                row.append(normalise(" ".join(cell + [piece])))
                cell = []
            if kind == "row":
                if any(row):
                    blocks.append(Block(" | ".join(c for c in row if c), row_part))
                row = []
        elif kind in ("in_table", "in_cell", "inner_row"):
            cell.append(piece)
        elif piece:
            blocks.append(Block(normalise(piece), part))
        previous = mark
    if any(row) or any(cell):  # a row cut short by the story's end
        blocks.append(Block(" | ".join(c for c in row + [normalise(" ".join(cell))] if c), row_part))
    return [b for b in blocks if b.text]


def _note_blocks(text: _Text, start: int, end: int, table: bytes, fib) -> list[Block]:
    """The footnotes, each numbered as Word numbers it, from where each note's text starts in the
    footnote story ([MS-DOC] 2.8.28 PlcffndTxt); the story as one note when that table is missing."""
    fc, lcb = fib.pair(PLCFFND_TXT)
    if start == end:
        return []
    if lcb < 8 or fc + lcb > len(table):
        return text.blocks(start, end, "footnote")
    cps = struct.unpack_from(f"<{lcb // 4}I", table, fc)
    notes = [(start + cps[i], start + cps[i + 1]) for i in range(len(cps) - 1) if cps[i] < cps[i + 1] <= end - start]
    return [replace(block, note=number) for number, (first, last) in enumerate(notes, 1)
            for block in text.blocks(first, last, "footnote")]


def _header_blocks(text: _Text, start: int, end: int, table: bytes, fib) -> list[Block]:
    """The headers and footers of every section, each text once ([MS-DOC] 2.9.89 Plcfhdd)."""
    fc, lcb = fib.pair(PLCF_HDD)
    if start == end or lcb < 8:
        return []
    if fc + lcb > len(table):
        raise _Corrupt("the header table lies outside the table stream")
    cps = struct.unpack_from(f"<{lcb // 4}I", table, fc)
    stories = [(HDD_PARTS[(i - 6) % 6], start + cps[i], start + cps[i + 1]) for i in range(6, len(cps) - 1)
               if cps[i] < cps[i + 1] <= end - start]
    blocks, seen = [], set()
    for part in ("header", "footer"):
        for story_part, first, last in stories:
            for block in text.blocks(first, last, part) if story_part == part else ():
                if (part, block.text) not in seen:
                    seen.add((part, block.text))
                    blocks.append(block)
    return blocks
