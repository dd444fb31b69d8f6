"""Reading a contract saved as RTF (Word's or 一太郎's "Save as RTF", WordPad, LibreOffice) into
the blocks the Word reader gives: body paragraphs and table rows in document order (cells joined
by `` | ``), then the footnotes and endnotes (parts of their own, numbered), then the headers and footers.

Our own tokenizer, no dependency. Bytes written as ``\\'hh`` (or raw, by older writers) are read
in the code page in force: the ``\\fcharset`` of the font the text is set in (``\\f``, and the
font of the double-byte region after ``\\dbch`` as Word writes it; 128 → cp932 …), else the
document's ``\\ansicpg``; a double-byte character split over two ``\\'hh`` is read whole, also when
a writer leaves a Latin font in force before it in a Japanese (Chinese, Korean) document.
``\\uN`` is the character N (negative N + 65536), the ``\\ucN`` units of fallback after it
skipped. Left out: the font, colour, style and list tables, the document's information,
pictures, embedded objects (``\\object``/``\\objdata``: never run, never read), field
instructions (a field's shown result is kept), bookmarks and every ``{\\*\\…}`` destination not
known, hidden text (``\\v``) and deleted revisions (``\\deleted``; insertions are kept). The
numbers a writer draws before a list item (``{\\listtext 第1条\\tab}``, ``{\\pntext 1.}``) are kept
as the paragraph's text, as Word's automatic numbering is. Bounded by the reading budget
(``core.time_budget``) and a nesting depth of ``MAX_DEPTH`` groups.
"""
import codecs
import re
from dataclasses import dataclass, field, replace

from vendorrisk.contracts.checker.text import Block, _refuse, normalise
from vendorrisk.core import time_budget

MAX_DEPTH = 200
CHARSETS = {0: "cp1252", 77: "mac_roman", 128: "cp932", 129: "cp949", 130: "johab", 134: "gbk", 136: "cp950",
            161: "cp1253", 162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257",
            204: "cp1251", 222: "cp874", 238: "cp1250", 255: "cp437"}
CODE_PAGES = {437: "cp437", 850: "cp850", 874: "cp874", 932: "cp932", 936: "gbk", 949: "cp949", 950: "cp950",
              1250: "cp1250", 1251: "cp1251", 1252: "cp1252", 1253: "cp1253", 1254: "cp1254", 1255: "cp1255",
              1256: "cp1256", 1257: "cp1257", 1258: "cp1258", 10000: "mac_roman", 65001: "utf-8"}
DOUBLE_BYTE = {"cp932", "cp949", "gbk", "cp950", "johab"}
SKIPPED = {"fonttbl", "colortbl", "stylesheet", "info", "listtable", "listoverridetable", "pict", "object",
           "objdata", "themedata", "datastore", "xmlnstbl", "rsidtbl", "generator", "fldinst", "filetbl",
           "revtbl", "latentstyles", "shppict", "nonshppict", "shpinst", "sp", "bkmkstart", "bkmkend",
           "annotation", "atnid", "atnauthor", "xe", "tc", "template", "docvar", "userprops", "pgdsctbl",
           "mmathPr", "listpicture", "pn", "private", "colorschememapping", "passwordhash", "defchp", "defpap",
           "blipuid", "background", "protusertbl", "txe", "wgrffmtfilter", "aftnsep", "aftnsepc", "ftnsep",
           "ftnsepc", "ftncn", "aftncn", "nonesttables", "operator", "author", "title", "subject", "keywords", "comment"}
HEADERS = {"header": "header", "headerl": "header", "headerr": "header", "headerf": "header",
           "footer": "footer", "footerl": "footer", "footerr": "footer", "footerf": "footer"}
SYMBOLS = {"emdash": "\u2014", "endash": "\u2013", "emspace": " ", "enspace": " ", "qmspace": " ",
           "bullet": "\u2022", "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c",
           "rdblquote": "\u201d", "tab": " ", "line": " ", "~": "\u00a0", "_": "-", "{": "{", "}": "}",
           "\\": "\\", "zwj": "", "zwnj": "", "-": "", "zwbo": "", "zwnbo": ""}
SURROGATE = re.compile("[\ud800-\udfff]")
PARAGRAPH_ENDS = {"par", "sect", "page"}
TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|[\r\n]+"
                   rb"|([^\\{}\r\n\x80-\xff]+)|([\x80-\xff]+)|\\")


@dataclass
class _State:
    """What a group sets and its inner groups inherit."""

    sink: "_Sink"
    font: int = -1
    dbch_font: int = -1
    region: str = ""
    uc: int = 1
    skip: bool = False
    fonttbl: bool = False
    hidden: bool = False
    deleted: bool = False
    intbl: bool = False


@dataclass
class _Sink:
    """Where text goes: the body, a footnote, a header or a footer, its current line and rows."""

    part: str
    blocks: list = field(default_factory=list)
    line: list = field(default_factory=list)
    cell: list = field(default_factory=list)  # the paragraphs of the cell being read
    cells: list = field(default_factory=list)  # the cells of the row being read
    nested: list = field(default_factory=list)  # the cells of a table inside a cell
    nested_rows: list = field(default_factory=list)

    def end_line(self) -> str:
        """The line read so far, normalised; the line starts again."""
        text, self.line = "".join(self.line), []
        if SURROGATE.search(text):  # a character beyond U+FFFF written as two \uN, as Word does
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return normalise(text)

    def paragraph(self, intbl: bool) -> None:
        """End a paragraph: a block, or a paragraph of the cell being read."""
        text = self.end_line()
        if intbl:
            self.cell.append(text)
        elif text:
            self.blocks.append(Block(text, self.part))

    def end_cell(self, nested: bool) -> None:
        """End a cell (``\\cell``, ``\\nestcell``); empty cells are left out, as a merged cell's repeats."""
        self.cell.append(self.end_line())
        if not nested and self.nested_rows:
            self.cell.append(" / ".join(self.nested_rows))
            self.nested_rows = []
        text = normalise(" ".join(t for t in self.cell if t))
        self.cell = []
        if text:
            (self.nested if nested else self.cells).append(text)

    def end_row(self, nested: bool) -> None:
        """End a row (``\\row``, ``\\nestrow``): one ``table`` block (in a header or footer, of that part)."""
        if nested:
            if self.nested:
                self.nested_rows.append(" | ".join(self.nested))
            self.nested = []
            return
        if self.cells:
            self.blocks.append(Block(" | ".join(self.cells), "table" if self.part == "body" else self.part))
        self.cells = []


def _code_page(number: int) -> str:
    """The codec of a Windows code page number; "" for one Python does not know (read as the document's)."""
    name = CODE_PAGES.get(number, f"cp{number}")
    try:
        codecs.lookup(name)
    except LookupError:
        return ""
    return name


class _Reader:
    """Reads the tokens of one RTF file into the sinks of its parts."""

    def __init__(self):
        self.body = _Sink("body")
        self.notes: list[_Sink] = []  # each footnote (\footnote) or endnote (with \ftnalt) its own sink
        self.parts: list[_Sink] = []
        self.fonts: dict[int, str] = {}  # font number → code page, from the font table
        self.default_font = -1
        self.ansi = "cp1252"
        self.pending = bytearray()
        self.pending_state: _State | None = None
        self.skip = 0  # fallback units still to skip after a \uN
        self.table_font = -1

    def code_page(self, state: _State) -> str:
        """The code page of text in ``state``: its font's charset (the double-byte font's after ``\\dbch``)."""
        font = state.dbch_font if state.region == "dbch" and state.dbch_font in self.fonts else state.font
        if font not in self.fonts:
            font = self.default_font
        return self.fonts.get(font) or self.ansi

    def flush_bytes(self) -> None:
        """Decode the bytes read so far (``\\'hh`` or raw) in the code page of the state they were read in."""
        if self.pending:
            state, raw, self.pending = self.pending_state, bytes(self.pending), bytearray()
            self.put(state, self.double_byte(state, raw) or raw.decode(self.code_page(state), errors="replace")
                     .replace("\ufffd", ""))

    def double_byte(self, state: _State, raw: bytes) -> str:
        """Pairs of bytes set in a Latin font of a Japanese (Chinese, Korean) document, as writers that
        leave ``\\loch`` before double-byte text do: read in the double-byte font's code page when
        every pair is a character there; "" otherwise."""
        wide = self.fonts.get(state.dbch_font) or self.ansi
        if self.ansi not in DOUBLE_BYTE or wide not in DOUBLE_BYTE or self.code_page(state) in DOUBLE_BYTE \
                or len(raw) % 2:
            return ""
        try:
            text = raw.decode(wide)
        except UnicodeDecodeError:
            return ""
        return text if len(text) * 2 == len(raw) else ""

    def put(self, state: _State, text: str) -> None:
        """Add text to the current line of the state's part, unless it is not read (skipped, hidden, deleted)."""
        if not (state.skip or state.hidden or state.deleted):
            state.sink.line.append(text)

    def read(self, data: bytes) -> list[Block]:
        """The blocks of the file: the body, the footnotes, then each header and footer line once."""
        state = _State(self.body)
        stack: list[_State] = []
        destination_next = False  # after "{" : the group's first control word names its destination
        starred = False
        position, count = 0, 0
        while position < len(data):
            count += 1
            if not count & 255:
                time_budget.check()
            match = TOKEN.match(data, position)
            position = match.end()
            if match.lastindex is None:  # a line break of the source (between the bytes of a pair too)
                continue
            word, parameter, hexbyte, symbol, brace, plain, high = match.groups()
            if hexbyte is not None or high is not None:
                raw = bytes.fromhex(hexbyte.decode()) if hexbyte is not None else high
                if self.skip:
                    taken = min(self.skip, len(raw))
                    self.skip -= taken
                    raw = raw[taken:]
                if raw and not state.skip:
                    if self.pending and self.pending_state is not state:
                        self.flush_bytes()
                    self.pending += raw
                    self.pending_state = state
                destination_next = False
                continue
            self.flush_bytes()
            if brace is not None:
                self.skip = 0
                if brace == b"{":
                    if len(stack) >= MAX_DEPTH:
                        _refuse(f"The RTF file is damaged: its groups nest more than {MAX_DEPTH} deep.",
                                "rtf_corrupt")
                    stack.append(state)
                    state = replace(state)
                    destination_next, starred = True, False
                elif stack:
                    state = stack.pop()
                    destination_next = False
                continue
            if plain is not None:
                text = plain.decode("ascii")
                if self.skip:
                    taken = min(self.skip, len(text))
                    self.skip -= taken
                    text = text[taken:]
                if text:
                    self.put(state, text)
                destination_next = False
                continue
            if symbol is not None:
                name = symbol.decode("latin-1")
                if name == "*":
                    starred = destination_next
                    continue
                if self.skip:
                    self.skip -= 1
                    continue
                if state.skip:
                    continue
                if name in ("\n", "\r"):
                    self.paragraph(state)
                elif name in SYMBOLS:
                    self.put(state, SYMBOLS[name])
                destination_next = False
                continue
            if word is None:
                continue
            name = word.decode("ascii")
            value = int(parameter) if parameter is not None else None
            first, destination_next = destination_next, False
            if self.skip and name != "bin":  # a control word in the fallback counts as one unit
                self.skip -= 1
                continue
            if name == "bin":  # \binN: N raw bytes follow (a picture's), never text
                position += max(value or 0, 0)
                continue
            if first and ((starred and name != "nesttableprops") or name in SKIPPED):  # the props end a nested row
                state.skip = True
                state.fonttbl = name == "fonttbl"
                if name == "fonttbl":
                    continue
            if state.skip and not state.fonttbl:
                continue
            self.control(state, name, value, first)
        self.flush_bytes()
        for sink in (self.body, *self.notes, *self.parts):
            sink.paragraph(False)
            sink.end_row(False)
        blocks, numbers = list(self.body.blocks), {"footnote": 0, "endnote": 0}
        for sink in self.notes:  # numbered as Word numbers them, footnotes and endnotes apart
            numbers[sink.part] += 1
            blocks += [replace(block, part=sink.part, note=numbers[sink.part]) for block in sink.blocks]
        seen = set()
        for sink in self.parts:
            for block in sink.blocks:
                if (block.part, block.text) not in seen:
                    seen.add((block.part, block.text))
                    blocks.append(block)
        return blocks

    def paragraph(self, state: _State) -> None:
        """End the paragraph being read in ``state`` (a paragraph of a cell inside a table)."""
        state.sink.paragraph(state.intbl)

    def control(self, state: _State, name: str, value: int | None, first: bool) -> None:
        """Apply a control word to ``state`` (the reader's state when it is a document setting)."""
        if state.fonttbl:
            if name == "f" and value is not None:
                self.table_font = value
                self.fonts.setdefault(value, "")
            elif name == "fcharset" and value is not None and self.table_font >= 0:
                self.fonts[self.table_font] = CHARSETS.get(value, "") if value not in (1, 2) else ""
            elif name == "cpg" and value is not None and self.table_font >= 0:
                self.fonts[self.table_font] = _code_page(value)
            return
        if name in SYMBOLS:
            self.put(state, SYMBOLS[name])
        elif name in PARAGRAPH_ENDS:
            self.paragraph(state)
        elif name in ("cell", "nestcell"):
            state.sink.end_cell(nested=name == "nestcell")
        elif name in ("row", "nestrow"):
            state.sink.end_row(nested=name == "nestrow")
        elif name == "u" and value is not None:
            code = value + 65536 if value < 0 else value
            if 0 <= code <= 0x10FFFF:
                self.put(state, chr(code))
            self.skip = state.uc
        elif name == "uc" and value is not None:
            state.uc = max(value, 0)
        elif name == "ansicpg" and value is not None:
            self.ansi = _code_page(value) or self.ansi
        elif name == "deff" and value is not None:
            self.default_font = value
        elif name == "f" and value is not None:
            state.font = value
            if state.region == "dbch":
                state.dbch_font = value
        elif name == "af" and value is not None and state.region == "dbch":
            state.dbch_font = value
        elif name in ("loch", "hich", "dbch"):
            state.region = name
        elif name == "plain":
            state.font, state.region, state.hidden, state.deleted = self.default_font, "", False, False
        elif name == "pard":
            state.intbl = False
        elif name == "intbl":
            state.intbl = True
        elif name == "v":
            state.hidden = value != 0
        elif name == "deleted":
            state.deleted = value != 0
        elif first and name in HEADERS:
            sink = _Sink(HEADERS[name])
            self.parts.append(sink)
            state.sink, state.intbl = sink, False
        elif first and name == "footnote":
            sink = _Sink("footnote")
            self.notes.append(sink)
            state.sink, state.intbl = sink, False
        elif name == "ftnalt" and any(state.sink is note for note in self.notes):
            state.sink.part = "endnote"



def read_rtf(data: bytes) -> list[Block]:
    """The blocks of an RTF contract: the body in document order, its footnotes, then its headers and footers."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{\\rtf"):
        _refuse("The RTF file is damaged: it does not begin as RTF does.", "rtf_corrupt")
    return _Reader().read(start)
