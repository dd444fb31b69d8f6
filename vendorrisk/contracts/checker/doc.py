"""Reading a Word 97–2003 file (``.doc``) into text blocks, as ``word`` reads a ``.docx``: the
body's paragraphs and table rows, then the footnotes, then the headers and footers.

The compound file is opened with ``olefile``; the text is read as [MS-DOC] lays it out: the FIB
(``core.compound.read_fib``) names the table stream (``0Table``/``1Table``), where the piece
table (the Clx) maps character positions to the ``WordDocument`` stream, each piece either
Windows-1252 bytes ("compressed") or UTF-16LE (Japanese is stored so). The story lengths of
FibRgLw97 (``ccpText``, ``ccpFtn``, ``ccpHdd``) cut the text into the body, the footnotes and the
header/footer story, whose stories the PlcfHdd separates.

Fields keep their result and lose their code; object anchors, footnote marks and optional
hyphens are dropped, a non-breaking hyphen is a hyphen, a line break a space. Paragraph
properties (PAPX) are not read: a paragraph ending in cell marks (0x07) is a table row, its
cells joined as ``word`` joins them; so the first paragraphs of a cell holding several are read
as body paragraphs before the row, and an empty cell ends its row early. Not read: numbers drawn
by Word's automatic numbering (not in a .doc's text; typed numbers read as typed), tracked changes
(deleted text still in the piece table reads as text), comments, text boxes."""
import io
import re
import struct

from vendorrisk.contracts.checker.text import Block, _refuse, normalise
from vendorrisk.core import time_budget
from vendorrisk.core.compound import WORD_97_NFIB, BadWordFile, read_fib

CLX, PLCF_HDD = 33, 11  # indexes of (fcClx, lcbClx) and (fcPlcfHdd, lcbPlcfHdd) in FibRgFcLcb97
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
    ``table``), the footnotes, then the headers and footers; ``UnreadableContract`` when the file
    is damaged, encrypted or in a format older than Word 97."""
    try:
        word, table, fib = _streams(data)
    except (_Corrupt, BadWordFile) as exc:
        _refuse(f"The Word file is corrupt and cannot be read ({exc}).", "docx_corrupt")
    if fib.nfib < WORD_97_NFIB:
        _refuse("The file is in too old a Word format (Word 6.0/95): save it as .docx and upload again.", "doc_old")
    if fib.encrypted:
        _refuse("The file is password-protected: save it without a password and upload again.", "doc_password")
    try:
        text = _piece_text(word, table, fib)
        counts = fib.counts
        if len(counts) <= CCP_HDD or min(counts[CCP_TEXT], counts[CCP_FTN], counts[CCP_HDD]) < 0:
            raise _Corrupt("no story lengths")
        body_end = counts[CCP_TEXT]
        notes_end = body_end + counts[CCP_FTN]
        if notes_end + counts[CCP_HDD] > len(text):
            raise _Corrupt("the stories are longer than the text")
        blocks = _story_blocks(text[:body_end], "body") + _story_blocks(text[body_end:notes_end], "footnote")
        blocks += _header_blocks(text[notes_end:notes_end + counts[CCP_HDD]], table, fib)
    except (_Corrupt, struct.error) as exc:
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


def _piece_text(word: bytes, table: bytes, fib) -> str:
    """The document's characters in order, from the piece table ([MS-DOC] 2.9.38 Clx)."""
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
            raw = word[start // 2:start // 2 + length]
            encoding = "cp1252"
        else:
            raw = word[start:start + 2 * length]
            encoding = "utf-16-le"
        if len(raw) != (length if encoding == "cp1252" else 2 * length):
            raise _Corrupt("a piece lies outside the WordDocument stream")
        pieces.append(raw.decode(encoding, errors="replace"))
    return "".join(pieces)


def _clean(story: str) -> str:
    """The story's text as read: field results without their codes, marks dropped or mapped;
    paragraph (0x0D) and cell (0x07) marks kept."""
    kept, fields = [], []  # fields: for each open field, whether its result has begun
    for start in range(0, len(story), 65536):
        time_budget.check()
        for char in story[start:start + 65536]:
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
                kept.append(MARKS.get(char, char))
    return "".join(kept)


def _story_blocks(story: str, part: str) -> list[Block]:
    """A story's paragraphs and table rows as blocks of ``part`` (rows as ``table`` in the body)."""
    blocks, row, cell = [], [], []
    previous = "\r"
    for piece, mark in re.findall(r"([^\r\x07]*)([\r\x07]|$)", _clean(story)):
        if mark == "\x07":
            if not piece and not cell and previous == "\x07":  # the row's end mark after its last cell
                if any(row):
                    blocks.append(Block(" | ".join(c for c in row if c), "table" if part == "body" else part))
                row = []
            else:
                row.append(normalise(" ".join(cell + [piece])))
                cell = []
        elif row:  # a paragraph inside a cell (after the row's first cell)
            cell.append(piece)
        elif piece:
            blocks.append(Block(normalise(piece), part))
        previous = mark
    if any(row) or cell:  # a row cut short by the story's end
        blocks.append(Block(" | ".join(c for c in row + [normalise(" ".join(cell))] if c),
                            "table" if part == "body" else part))
    return [b for b in blocks if b.text]


def _header_blocks(story: str, table: bytes, fib) -> list[Block]:
    """The headers and footers of every section, each text once ([MS-DOC] 2.9.89 Plcfhdd)."""
    fc, lcb = fib.pair(PLCF_HDD)
    if not story or lcb < 8:
        return []
    if fc + lcb > len(table):
        raise _Corrupt("the header table lies outside the table stream")
    cps = struct.unpack_from(f"<{lcb // 4}I", table, fc)
    stories = [(HDD_PARTS[(i - 6) % 6], story[cps[i]:cps[i + 1]]) for i in range(6, len(cps) - 1)
               if cps[i] < cps[i + 1] <= len(story)]
    blocks, seen = [], set()
    for part in ("header", "footer"):
        for story_part, text in stories:
            for block in _story_blocks(text, part) if story_part == part else ():
                if (part, block.text) not in seen:
                    seen.add((part, block.text))
                    blocks.append(block)
    return blocks
