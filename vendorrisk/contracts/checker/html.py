"""Reading a contract saved as HTML: an SEC EDGAR exhibit (``.htm``) or a web page of terms
saved from a browser (cloud terms, a DPA, a Japanese 利用規約).

The page is read into blocks as the Word reader gives them, in reading order: each block
element (a paragraph, a heading, a list item, a definition, a ``<pre>`` line; ``<br>`` breaks
a line) is a block; inline elements join without spaces of their own, so ``<span>第</span>
<span>3</span>条`` reads ``第3条`` and a space stays only where the source has one (a line
break of the source between two Japanese characters is no space). The numbers a browser draws
before the items of an ``<ol>`` (``start``, ``type`` a/A/i/I, ``value``, nested lists) are
written as text, as Word's automatic numbering is. A table row is a ``table`` block, its cells
joined by `` | ``; a layout table's row whose first cell is only a number (``12.3``, ``(a)``)
or a bullet is the numbered paragraph it draws, and a row of one cell is the paragraphs in it.
Left out: scripts, styles, the page's head, navigation (``nav``, ``aside``, buttons, ``role=navigation``;
forms, cookie and consent banners unless they hold a page of text), hidden elements and page-number lines
between an exhibit's pages; the page's own ``header`` and ``footer`` are the header and footer
parts. An exhibit's pages (between its page breaks: ``page-break-after``/``-before``, ``break-before:page``;
``<PAGE>`` in a plain-text one) lose the running head and foot they repeat (the company's name,
"Confidential", "Exhibit 10.1"), kept once as a header or a footer as a PDF's are, and a paragraph the
break cut in two is joined again. An EDGAR submission's SGML envelope (``<DOCUMENT><TYPE>EX-10.1 ... <TEXT>``) is
unwrapped to the text of its first document. The encoding is the byte order mark's, else the
page's declared charset, else guessed as for a text file (``core.encodings.decode_html``).
No network, no entity but HTML's own, bounded by the reading budget (``core.time_budget``).
"""
import re
from collections import Counter
from dataclasses import replace

from vendorrisk.contracts.checker.numbering import to_roman
from vendorrisk.contracts.checker.pdf import WORD, Vocabulary, _join_wrapped, _without_running_lines
from vendorrisk.contracts.checker.text import PAGE_NUMBER, Block, UnreadableContract, normalise
from vendorrisk.core import time_budget
from vendorrisk.core.encodings import decode_html

DROPPED = {"script", "style", "noscript", "template", "svg", "math", "head", "nav", "aside", "button", "iframe",
           "object", "embed", "select", "textarea", "input", "canvas", "video", "audio", "map", "dialog"}
# a form or a banner holds a few words; one this long is the page itself (ASP.NET wraps every page in a <form>)
CHROME_CHARS = 400
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "section",
          "article", "main", "center", "address", "figure", "figcaption", "ul", "ol", "dl", "body", "html", "hr",
          "fieldset", "details", "summary", "caption", "legend", "header", "footer", "menu", "dir", "table"}
SIGNALS = {"hidden", "aria-hidden", "role", "style", "id", "class"}  # the attributes that can leave an element out
DROPPED_ROLES = {"navigation", "search", "menu", "menubar", "dialog", "alertdialog", "tablist"}
PART_ROLES = {"banner": "header", "contentinfo": "footer"}
# the id or class a site gives its cookie and consent banners, breadcrumbs and menus
CHROME = re.compile(r"cookie|consent|gdpr|breadcrumb|skip-?link|navbar|global-?nav|site-?nav|share-?buttons", re.I)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([a-z-]+)", re.I)
CSS_TYPES = {"none": "", "decimal": "1", "lower-alpha": "a", "lower-latin": "a", "upper-alpha": "A",
             "upper-latin": "A", "lower-roman": "i", "upper-roman": "I"}
CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
# a break of the source's lines between two Japanese characters: a browser draws no space there
CJK_BREAK = re.compile(f"(?<=[{CJK}])[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=[{CJK}])")
SPACES = re.compile(r"[ \t\r\n\f]+")
# a cell that holds only the number (or bullet) of the paragraph in the next cell: a layout table
NUMBER_CELL = re.compile(r"\(?(\d{1,3}(\.\d{1,3})*|[a-zA-Z]{1,2}|[ivxlIVXL]{1,6})[.)]?|\(?\d{1,3}(\.\d{1,3})*\)?"
                         r"|[(（][0-9a-zA-Z一二三四五六七八九十]{1,4}[)）]|第[0-9一二三四五六七八九十百]{1,5}[条項号]"
                         r"|(Section|SECTION|Article|ARTICLE)\s+[0-9IVXL.]{1,8}|[•·▪◦○●■□\-–—*※]")
BULLET_CELL = re.compile(r"[•·▪◦○●■□\-–—*]")
# an item that types its own number (its list's markers hidden by a style sheet): no number drawn
TYPED_NUMBER = re.compile(r"(\(?[0-9]{1,3}(\.[0-9]{1,3})*[.)]|\([a-zA-Z]{1,4}\)|[a-zA-Z][.)]|[(（][0-9一二三四五六七八九十]{1,3}[)）]"
                          r"|第[0-9一二三四五六七八九十百]{1,5}[条項号])(\s|$)")
ENVELOPE = re.compile(r"\s*<(SEC-DOCUMENT|SEC-HEADER|IMS-HEADER|DOCUMENT)>", re.I)
ENVELOPE_TEXT = re.compile(r"<TEXT>(.*?)(</TEXT>|\Z)", re.I | re.S)
MARKUP = re.compile(r"<(html|body|p|div|br|table|font|center|h[1-6]|pre|ol|ul|b|i|a)\b", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# a page break an exhibit's word processor writes (<hr style="page-break-after:always">, <div
# style="break-before:page">); a plain-text exhibit's pages are split by <PAGE> lines
BREAK_BEFORE = re.compile(r"(?<![\w-])(?:page-)?break-before\s*:\s*(?:always|page|left|right)", re.I)
BREAK_AFTER = re.compile(r"(?<![\w-])(?:page-)?break-after\s*:\s*(?:always|page|left|right)", re.I)
# a paragraph cut by a page break goes on in lower case, or with a figure (``4 (Exit Management)``)
# that is no paragraph's number (``5.2 The``, ``2 乙は``), or in Japanese after Japanese; a capital
# opens a new sentence or heading as often as it goes on with a name (CUAD's exhibits)
RUNS_ON = re.compile(r"[a-z]|[0-9](?![0-9.)]*\s+[A-Z\u3040-\u30ff\u3400-\u9fff])")
CJK_EDGE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ENDED = re.compile(r"[.。．!?！？:：;；]$")  # a bracket closes no sentence here: "Schedule 4 (Exit Management)" / "shall"
RUN_ON_CHARS = 30  # a shorter line before a break is a heading or a signature line, not half a paragraph


def read_html(data: bytes) -> list[Block]:
    """The blocks of an HTML contract, in reading order (body, then its header and footer parts)."""
    text = decode_html(data)
    if text is None:
        raise UnreadableContract("The text file's encoding was not recognised; save it as UTF-8 and upload again.",
                                 "not_utf8")
    text, enveloped = _unwrapped(text)
    if enveloped and not MARKUP.search(text):  # an EDGAR exhibit filed as plain text inside its envelope
        pages: list[list[Block]] = [[]]
        for line in map(normalise, text.splitlines()):
            if line.upper() == "<PAGE>":
                pages.append([])
            elif line and not PAGE_NUMBER.fullmatch(line):
                pages[-1].append(Block(line))
        return without_running_heads(pages)
    from lxml import etree  # loaded when an HTML file comes

    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
    try:
        root = etree.fromstring(XML_DECLARATION.sub("", text), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    reader = _Reader()
    reader.walk(root)
    reader.flush()
    body = without_running_heads([[b for b in page if b.part != "body" or not PAGE_NUMBER.fullmatch(b.text)]
                                  for page in reader.pages()])
    return ([b for b in body if b.part not in ("header", "footer")]
            + [b for b in body if b.part in ("header", "footer")])


def without_running_heads(pages: list[list[Block]]) -> list[Block]:
    """An exhibit's blocks read page by page (between its page breaks) without the running head
    and foot it repeats on most pages (the company's name, "Confidential", "Exhibit 10.1"), as a
    PDF's are read (``pdf._without_running_lines``: kept once at the end as a header or a footer),
    and a paragraph cut by a page break joined again."""
    if len(pages) < 3:
        return [b for page in pages for b in page]
    last = {id(b): n for n, page in enumerate(pages) for b in page}  # the page a body block ends on
    blocks = _without_running_lines(pages)
    vocabulary = None
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.part == block.part == "body" and last.get(id(prev)) != last.get(id(block)) \
                and len(prev.text) >= RUN_ON_CHARS and (CJK_EDGE.match(prev.text[-1]) and CJK_EDGE.match(block.text)
                                                         or not ENDED.search(prev.text) and RUNS_ON.match(block.text)):
            if vocabulary is None:  # how the exhibit hyphenates its words, read when a break is first joined
                vocabulary = Vocabulary(Counter(w.lower() for b in blocks for w in WORD.findall(b.text)))
            out[-1] = replace(prev, text=_join_wrapped(prev.text, block.text, vocabulary))
            last[id(out[-1])] = last.get(id(block))
        else:
            out.append(block)
    return out


def _unwrapped(text: str) -> tuple[str, bool]:
    """An EDGAR submission's first document's ``<TEXT>`` (and True); any other page as it is."""
    if ENVELOPE.match(text) and (found := ENVELOPE_TEXT.search(text)):
        return found.group(1), True
    return text, False


def marker(value: int, kind: str) -> str:
    """The number a browser draws before an ``<ol>`` item of ``type`` ``kind`` (``1``, ``a``, ``A``, ``i``, ``I``)."""
    if kind in ("a", "A") and value > 0:
        letters = ""
        while value:
            value, rest = divmod(value - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return (letters if kind == "a" else letters.upper()) + "."
    if kind in ("i", "I") and value > 0:
        roman = to_roman(value)
        return (roman.lower() if kind == "i" else roman) + "."
    return f"{value}."


class _List:
    """The counter of one ``<ol>`` (or ``<ul>``, which draws no number)."""

    def __init__(self, element):
        self.ordered = element.tag == "ol"
        style = LIST_STYLE.search(element.get("style") or "")
        self.kind = CSS_TYPES.get(style.group(1).lower(), "1") if style else (element.get("type") or "1")
        self.step = -1 if element.get("reversed") is not None else 1
        items = sum(1 for child in element if child.tag == "li")
        self.value = _integer(element.get("start"), items if self.step < 0 else 1)

    def next_marker(self, item) -> str:
        """The number drawn before ``item`` (a ``value`` on it sets the count), counting on."""
        self.value = _integer(item.get("value"), self.value)
        value, self.value = self.value, self.value + self.step
        kind = item.get("type") or self.kind
        return marker(value, kind) if self.ordered and kind else ""


def _integer(text, default: int) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return default


def _dropped(element) -> bool:
    if element.tag not in DROPPED and SIGNALS.isdisjoint(element.attrib.keys()):  # most elements: <FONT SIZE>
        return element.tag == "form" and _short(element)
    if element.tag in DROPPED or element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if (element.get("role") or "").lower() in DROPPED_ROLES or HIDDEN.search(element.get("style") or ""):
        return True
    if element.tag == "form" or CHROME.search(f"{element.get('id') or ''} {element.get('class') or ''}"):
        return _short(element)
    return False


def _short(element) -> bool:
    """Whether ``element`` holds less text than a contract page (a search form, a cookie banner)."""
    count = 0
    for piece in element.itertext():
        count += len(piece.strip())
        if count >= CHROME_CHARS:
            return False
    return True


def _chrome_part(element) -> str:
    """``header`` or ``footer`` for the page's own header and footer (not an article's), else ""."""
    part = PART_ROLES.get((element.get("role") or "").lower()) or (
        element.tag if element.tag in ("header", "footer") else "")
    if part and any(a.tag in ("article", "main", "section") for a in element.iterancestors()):
        return ""
    return part


class _Reader:
    """Walks the parsed page, gathering inline text into lines and lines into blocks."""

    def __init__(self, part: str = "body"):
        self.blocks: list[Block] = []
        self.line: list[str] = []
        self.part = part
        self.prefix = ""  # the number a list item draws, written before its first line
        self.pre = 0
        self.lists: list[_List] = []
        self.breaks: list[int] = []  # where a page starts (an index into blocks)

    def pages(self) -> list[list[Block]]:
        """The blocks between page breaks, page by page."""
        cuts = [0, *sorted(set(self.breaks)), len(self.blocks)]
        return [self.blocks[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]

    def flush(self) -> None:
        """End the current line: one block (a line of ``<pre>`` each)."""
        if not self.line:
            return
        raw, self.line = "".join(self.line), []
        if raw.isspace():
            return
        lines = raw.splitlines() if self.pre else [SPACES.sub(" ", CJK_BREAK.sub("", raw) if "\n" in raw else raw)]
        for line in lines:
            text = normalise(line)
            if not text:
                continue
            if self.prefix:
                if not TYPED_NUMBER.match(text):
                    text = f"{self.prefix} {text}"
                self.prefix = ""
            self.blocks.append(Block(text, self.part))

    def walk(self, element) -> None:
        """Read ``element`` and its tail."""
        time_budget.check()
        tag = element.tag
        if isinstance(tag, str) and not _dropped(element):
            style = element.get("style") or ""
            style = style if "break" in style else ""  # most elements have none: no search
            if style and BREAK_BEFORE.search(style):
                self.flush()
                self.breaks.append(len(self.blocks))
            if tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(element)
            elif tag in BLOCKS or tag in ("tr", "td", "th"):
                self.block(element, tag)
            else:
                self.children(element)
            if style and BREAK_AFTER.search(style):
                self.flush()
                self.breaks.append(len(self.blocks))
        if element.tail:
            self.line.append(element.tail)

    def children(self, element) -> None:
        """Read the text and children of ``element``."""
        if element.text:
            self.line.append(element.text)
        for child in element:
            self.walk(child)

    def block(self, element, tag: str) -> None:
        """A block element: its own lines, in its part, its list counted."""
        self.flush()
        part, self.part = self.part, _chrome_part(element) or self.part
        if tag in ("ol", "ul"):
            self.lists.append(_List(element))
        elif tag == "li" and self.lists:
            drawn = self.lists[-1].next_marker(element)
            self.prefix = f"{self.prefix} {drawn}".strip() if drawn else self.prefix
        self.pre += tag == "pre"
        self.children(element)
        self.flush()
        self.pre -= tag == "pre"
        if tag in ("ol", "ul"):
            self.lists.pop()
        elif tag == "li":
            self.prefix = ""
        self.part = part

    def table(self, table) -> None:
        """Each row of ``table`` (not of the tables inside its cells) as its blocks."""
        for row in _rows(table):
            cells = []
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th") or _dropped(cell):
                    continue
                inner = _Reader(self.part)
                inner.children(cell)
                inner.flush()
                if inner.blocks:
                    cells.append(inner.blocks)
            self.blocks.extend(self.row_blocks(cells))

    def row_blocks(self, cells: list[list[Block]]) -> list[Block]:
        """A row's cells as blocks: the paragraphs of a lone cell, a numbered paragraph drawn as a
        layout table (the number in the first cell), else one ``table`` block."""
        if len(cells) <= 1:
            return cells[0] if cells else []
        first = " ".join(b.text for b in cells[0])
        if NUMBER_CELL.fullmatch(first) and cells[1][0].part != "table":
            lead = "" if BULLET_CELL.fullmatch(first) else f"{first} "
            rest = [b for cell in cells[1:] for b in cell]
            return [Block(lead + rest[0].text, self.part), *[Block(b.text, self.part) for b in rest[1:]]]
        part = self.part if self.part in ("header", "footer") else "table"
        return [Block(" | ".join(" ".join(b.text for b in cell) for cell in cells), part)]


def _rows(table):
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if row.tag == "tr")
