"""Reading a Word file (``.docx``) into text blocks: body paragraphs and tables in document
order, also inside content controls and text boxes, with Word's automatic numbering rendered as
Word counts it (``第3条``, ``5.2``, ``(iv)``) and followed as Word follows it (``w:suff``), then the
footnotes and endnotes (each a block of its part, numbered), then the headers and footers of every section.
Tracked changes are read as accepted (insertions kept, deletions dropped); comments are left out."""
import io
import re
import zipfile

from vendorrisk.contracts.checker.numbering import to_kanji, to_roman
from vendorrisk.contracts.checker.text import Block, _refuse, normalise
from vendorrisk.core import time_budget

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Word writes a text box twice: as DrawingML (``mc:Choice``) and as VML for older readers (``mc:Fallback``)
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
NOT_THE_PARAGRAPHS = (f"{W_NS}del", f"{W_NS}moveFrom", MC_FALLBACK, f"{W_NS}txbxContent")
NOTES = ("footnote", "endnote")  # the notes parts, read after the body in this order
NOTE_TYPES = ("", "normal")  # a w:type of "separator", "continuationSeparator" or "continuationNotice": no note


def _under(node, tags, element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not element:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def paragraph_text(element) -> str:
    """The accepted text of a Word paragraph: runs inside insertions (``w:ins``, ``w:moveTo``)
    count, deletions (``w:del``, ``w:moveFrom``) and comments do not; tabs are spaces, a
    non-breaking hyphen (``w:noBreakHyphen``: "sub‑processor", "24‑hour") a hyphen. The text
    of a text box anchored in it is not its text (``text_boxes``)."""
    parts = []
    for node in element.iter(f"{W_NS}t", f"{W_NS}tab", f"{W_NS}br", f"{W_NS}cr", f"{W_NS}noBreakHyphen"):
        if not _under(node, NOT_THE_PARAGRAPHS, element):
            parts.append(node.text or "" if node.tag == f"{W_NS}t" else
                         "-" if node.tag == f"{W_NS}noBreakHyphen" else " ")
    return "".join(parts)


def text_boxes(element) -> list:
    """The text boxes anchored in a Word paragraph (``w:txbxContent``), each once: not Word's VML
    copy for older readers, not a box inside another box (read with that box)."""
    return [box for box in element.iter(f"{W_NS}txbxContent")
            if not _under(box, (MC_FALLBACK, f"{W_NS}txbxContent"), element)]


def _with_boxes(element) -> str:
    return " ".join([paragraph_text(element)] + [_with_boxes(p) for box in text_boxes(element)
                                                 for p in box.iter(f"{W_NS}p") if not _under(p, (f"{W_NS}p",), box)])


def docx_blocks(data: bytes) -> list[Block]:
    """The blocks of a Word file: the body in document order, then each section's headers and footers."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        _refuse(f"The Word file is corrupt and cannot be read ({type(exc).__name__}).", "docx_corrupt")
    except Exception as exc:  # lxml raises its own parse errors on damaged XML parts
        _refuse(f"The Word file is corrupt and cannot be read ({type(exc).__name__}).", "docx_corrupt")
    numbering = _Numbering(document)
    blocks = list(_docx_body(document, numbering)) + _notes(document)
    seen = set()
    for section in document.sections:
        for part, story in (("header", section.header), ("footer", section.footer)):
            if story.is_linked_to_previous and seen:
                continue
            for paragraph in story.paragraphs:
                text = normalise(paragraph.text)
                if text and (part, text) not in seen:
                    seen.add((part, text))
                    blocks.append(Block(text, part))
            for table in story.tables:
                for row in _table_rows(table):
                    blocks.append(Block(row, part))
    return blocks


def _notes(document) -> list[Block]:
    """The footnotes and endnotes (``word/footnotes.xml``, ``word/endnotes.xml``, found through the
    relationships of the document part), each one block of its part numbered as Word numbers it:
    in the order the body refers to them (a note it does not refer to, after them). Word's separator lines are no notes; the paragraphs are
    read as the body's are. The reference mark in the body is no text (no digit in a sentence)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    blocks = []
    for part, reltype in zip(NOTES, (RT.FOOTNOTES, RT.ENDNOTES)):
        target = next((rel.target_part for rel in document.part.rels.values()
                       if rel.reltype == reltype and not rel.is_external), None)
        if target is None:
            continue
        try:
            root = etree.fromstring(target.blob, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue  # a damaged notes part: the body is still read
        notes = {note.get(f"{W_NS}id"): note for note in root.iter(f"{W_NS}{part}")
                 if (note.get(f"{W_NS}type") or "") in NOTE_TYPES}
        # numbered in the order the body refers to them, any other after them in the part's order
        order = dict.fromkeys(ref.get(f"{W_NS}id") for ref in document.element.body.iter(f"{W_NS}{part}Reference"))
        for number, note in enumerate((notes[i] for i in {**order, **dict.fromkeys(notes)} if i in notes), 1):
            time_budget.check()
            text = normalise(" ".join(_with_boxes(p) for p in note.iter(f"{W_NS}p") if not _under(p, (f"{W_NS}p",), note)))
            if text:
                blocks.append(Block(text, part, note=number))
    return blocks


def _docx_body(document, numbering, container=None):
    """The body's paragraphs and table rows in document order, also those inside content
    controls (``w:sdt``: a template's fill-in parts, sometimes the whole text) and custom XML
    wrappers; a table of contents or a cover page (building blocks of Word's gallery) is left
    out: its lines repeat the headings without the articles."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in (container if container is not None else document.element.body).iterchildren():
        time_budget.check()
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = normalise(paragraph_text(child))
            prefix = numbering.label(paragraph)
            if text or prefix:
                yield Block(normalise(prefix + text) if prefix else text)
            for box in text_boxes(child):  # a box's paragraphs after the paragraph it is anchored in
                yield from _docx_body(document, numbering, box)
        elif tag == "tbl":
            for row in _table_rows(Table(child, document)):
                yield Block(row, "table")
        elif tag == "sdt" and not _gallery_part(child):
            content = child.find(f"{W_NS}sdtContent")
            if content is not None:
                yield from _docx_body(document, numbering, content)
        elif tag == "customXml":
            yield from _docx_body(document, numbering, child)


def _gallery_part(sdt) -> bool:
    """Whether a content control is one of Word's gallery parts (a table of contents, a cover page)."""
    gallery = sdt.find(f"{W_NS}sdtPr/{W_NS}docPartObj/{W_NS}docPartGallery")
    return gallery is not None and (gallery.get(f"{W_NS}val") or "") in ("Table of Contents", "Cover Pages")


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeats; read it once
                continue
            previous = cell._tc
            # a table inside a cell (an SLA's measures under one service) is read after its paragraphs
            text = normalise(" ".join([_with_boxes(p._p) for p in cell.paragraphs]
                                      + [" / ".join(_table_rows(inner)) for inner in cell.tables]))
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


class _Numbering:
    """Renders Word's automatic numbering (``w:numPr``) as the text a reader sees."""

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int, str]]] = {}
        # Word counts a list on its abstract definition: w:num instances of one w:abstractNum
        # continue each other's numbers, and one carrying an override restarts the levels it
        # overrides where it is first used (ECMA-376 17.9; "Restart at 1" is such an instance).
        self.abstract_of: dict[str, str] = {}
        self.restarts: dict[str, dict[int, int]] = {}
        self.entered: set[str] = set()
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        W = self.W
        abstract = {node.get(f"{W}abstractNumId"): {int(lvl.get(f"{W}ilvl")): self._level(lvl)
                                                     for lvl in node.findall(f"{W}lvl")}
                    for node in root.findall(f"{W}abstractNum")}
        linked = self._style_links(document, root)
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                num_id, abstract_id = num.get(f"{W}numId"), linked.get(ref.get(f"{W}val"), ref.get(f"{W}val"))
                levels, restarts = dict(abstract.get(abstract_id, {})), {}
                # a list restarted or set to a value ("Set Numbering Value") is a w:num whose
                # w:lvlOverride gives the level a new start or a whole new definition
                for override in num.findall(f"{W}lvlOverride"):
                    ilvl = int(override.get(f"{W}ilvl") or 0)
                    lvl, start = override.find(f"{W}lvl"), override.find(f"{W}startOverride")
                    if lvl is not None:
                        levels[ilvl] = self._level(lvl)
                        restarts[ilvl] = levels[ilvl][2]
                    if start is not None:
                        fmt, text, _start, suff = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1, "tab"))
                        levels[ilvl] = (fmt, text, int(start.get(f"{W}val")), suff)
                        restarts[ilvl] = levels[ilvl][2]
                self.levels[num_id], self.restarts[num_id] = levels, restarts
                self.abstract_of[num_id] = abstract_id

    def _style_links(self, document, root) -> dict[str, str]:
        """Definitions that are a list style's (``w:numStyleLink``: no levels of their own) to the
        definition that style numbers with, the one Word counts on."""
        W = self.W
        abstract_of_num = {num.get(f"{W}numId"): ref.get(f"{W}val") for num in root.findall(f"{W}num")
                           if (ref := num.find(f"{W}abstractNumId")) is not None}
        try:
            styles = document.styles.element.findall(f"{W}style")
        except (NotImplementedError, KeyError, AttributeError):
            return {}
        num_of_style = {style.get(f"{W}styleId"): num_id.get(f"{W}val") for style in styles
                        if (num_id := style.find(f"{W}pPr/{W}numPr/{W}numId")) is not None}
        links = {node.get(f"{W}abstractNumId"): link.get(f"{W}val") for node in root.findall(f"{W}abstractNum")
                 if (link := node.find(f"{W}numStyleLink")) is not None}
        resolved = {}
        for abstract_id, style_id in links.items():
            target = abstract_of_num.get(num_of_style.get(style_id, ""), abstract_id)
            if target not in links:  # a link to a link is a broken file: left as it is
                resolved[abstract_id] = target
        return resolved

    def _level(self, lvl) -> tuple[str, str, int, str]:
        """A ``w:lvl``'s number format, text (``第%1条``), start value and what follows the number
        (``w:suff``: ``tab``, the default, ``space`` or ``nothing``)."""
        W = self.W
        fmt, text, start = lvl.find(f"{W}numFmt"), lvl.find(f"{W}lvlText"), lvl.find(f"{W}start")
        suff = lvl.find(f"{W}suff")
        return (fmt.get(f"{W}val") if fmt is not None else "decimal",
                text.get(f"{W}val") if text is not None else "",
                int(start.get(f"{W}val")) if start is not None else 1,
                suff.get(f"{W}val") if suff is not None else "tab")

    def _style_ppr(self, paragraph):
        # python-docx looks a paragraph's style up by scanning every style, and the default
        # style (no w:pStyle) again for each paragraph: once per style id is enough.
        cache = self.__dict__.setdefault("_style_pprs", {})
        style_id = paragraph._p.style
        if style_id not in cache:
            style = paragraph.style
            cache[style_id] = getattr(style.element, "pPr", None) if style is not None else None
        return cache[style_id]

    def _num_pr(self, paragraph):
        W = self.W
        for ppr in (paragraph._p.pPr, self._style_ppr(paragraph)):
            if ppr is None:
                continue
            num_pr = ppr.find(f"{W}numPr")
            if num_pr is not None:
                num_id = num_pr.find(f"{W}numId")
                ilvl = num_pr.find(f"{W}ilvl")
                if num_id is not None:
                    return num_id.get(f"{W}val"), int(ilvl.get(f"{W}val")) if ilvl is not None else 0
        return None

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` and what follows it — a space for a tab or a
        space, nothing for ``w:suff`` nothing (``第1条（目的）``) — ``""`` when it is not numbered."""
        found = self._num_pr(paragraph)
        if not found or found[0] not in self.levels:
            return ""
        num_id, ilvl = found
        levels = self.levels[num_id]
        counters = self.counters.setdefault(self.abstract_of.get(num_id, num_id), {})
        fmt, text, start, suff = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1, "tab"))
        if num_id not in self.entered:  # its overrides start where it is first used
            self.entered.add(num_id)
            for level, value in self.restarts.get(num_id, {}).items():
                if level < ilvl:
                    counters[level] = value  # shown above this paragraph's number as it starts
                elif level == ilvl:
                    counters[level] = value - 1
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""

        def render(match):
            level = int(match.group(1)) - 1
            level_fmt = levels.get(level, ("decimal", "", 1))[0]
            value = counters.get(level, levels.get(level, ("", "", 1))[2])
            if level_fmt in ("japaneseCounting", "ideographTraditional", "japaneseLegal", "ideographDigital"):
                return to_kanji(value)
            if level_fmt == "lowerLetter":
                return chr(ord("a") + (value - 1) % 26)
            if level_fmt == "upperLetter":
                return chr(ord("A") + (value - 1) % 26)
            if level_fmt in ("lowerRoman", "upperRoman"):
                roman = to_roman(value)
                return roman if level_fmt == "upperRoman" else roman.lower()
            return str(value)
        return re.sub(r"%(\d)", render, text) + ("" if suff == "nothing" else " ")
