"""Finding the articles of a contract, so that every passage has a location.

Recognises Japanese articles (``第3条``, ``第十二条の二``, with the heading in brackets on
the same line or on the line before), paragraphs (``2 乙は…``, ``第2項``), English
``Article 5`` / ``Section 3.2`` / ``Clause 7`` and plain numbered clauses (``5.``,
``5.2``), run-in headings (``3.3 Data Regions. Customer may…``) and annexes (``別紙1``,
``別表第二（作業区分）``, ``Schedule 2 – Service Levels``, ``Annex II``), each of which is a
section of its own whose numbered items are its paragraphs. A contract where no article
is found is read paragraph by paragraph and flagged as having no recognisable structure.
"""
import re

from vendorrisk.contracts.checker.document import Passage, Section, Structure
from vendorrisk.contracts.checker.numbering import NUM, ROMAN, kanji_number, roman_number
from vendorrisk.contracts.checker.text import Block

ARTICLE_JA = re.compile(rf"^第\s*({NUM})\s*条(?:\s*の\s*({NUM}))?\s*(?:[(（]([^)）]{{1,40}})[)）])?\s*(.*)$")
PARAGRAPH_JA = re.compile(rf"^第\s*({NUM})\s*項\s*(.*)$")
# 第1 受注者は… / 第2（秘密の保持）: articles numbered without 条, as in public bodies' 特記事項
# (not 第三者, 第1回, 第2項, 第1章; read only when the document has no 第N条 articles)
ARTICLE_JA_BARE = re.compile(rf"^第\s*({NUM})(?![0-9〇零一二三四五六七八九十百千条項号章節款回年月日次者期部編目])"
                             rf"\s*(?:[(（]([^)）]{{1,40}})[)）])?\s*(.*)$")
ARTICLE_EN = re.compile(rf"^(article|section|clause)\s+([0-9]+(?:\.[0-9]+)*|{ROMAN})\s*[.:)\-–—]?\s*(.*)$", re.I)
NUMBERED = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,3})*)(\.|\))?\s+(\S.*)$")
BRACKET_HEADING = re.compile(r"^[(（]([^)）]{1,30})[)）]$")
ANNEX_JA = re.compile(rf"^(別紙|別表|付属書|添付資料)\s*(第?\s*{NUM})?(?![にのをはでがとへ])\s*[:：.]?\s*(?:[(（]([^)）]{{1,40}})[)）])?\s*(.*)$")
ANNEX_EN = re.compile(r"^(schedule|annex|appendix|exhibit|attachment)(?:\s+([0-9]+|[ivx]+|[a-z]))?\b\s*[-–—:.]?\s*(.*)$", re.I)
# A run-in heading: a few capitalised words and a full stop before the text of the clause.
RUN_IN = re.compile(r"^((?:[A-Z][\w'’/-]*)(?: (?:[A-Z][\w'’/-]*|and|of|the|for|to|in|on|or|&)){0,5})\.\s+(\S.*)$")
# ``Exhibit 10.8`` / ``Exhibit 4(b)(ii).3`` atop a filed contract: the filing's number for it, no annex
FILING_EXHIBIT = re.compile(r"^ex(?:hibit)?[\s.-]*[0-9]+\s*(?:\.\s*[0-9(]|\()", re.I)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _join(left: str, right: str) -> str:
    if not left:
        return right
    if CJK.search(left[-1:]) and CJK.search(right[:1]):
        return left + right  # a Japanese sentence wrapped across lines
    return f"{left} {right}"


def _looks_like_heading(text: str) -> bool:
    return bool(text) and len(text) <= 60 and not re.search(r"[.。:;:]$", text) and text.count(" ") <= 8


def _annex(text: str) -> tuple[str, str] | None:
    """``(label, heading)`` when the line opens an annex (別紙1, Schedule 2 – Service Levels)."""
    if (m := ANNEX_JA.match(text)) and "。" not in text and len(text) <= 50:
        number = m.group(2)
        label = m.group(1) + (number.replace(" ", "") if number else "")
        return label, (m.group(3) or m.group(4) or "").strip()
    if (m := ANNEX_EN.match(text)) and _looks_like_heading(m.group(3).strip()) and text[:1].isupper() \
            and (m.group(2) or not m.group(3)):
        return f"{m.group(1).title()}{' ' + m.group(2).upper() if m.group(2) else ''}", m.group(3).strip()
    return None


def _run_in(text: str) -> tuple[str, str]:
    """Split a run-in heading off a clause: ``Data Regions. Customer may…`` -> both parts."""
    if (m := RUN_IN.match(text)) and len(m.group(1)) <= 50:
        return m.group(1), m.group(2)
    return "", text


def _style(blocks: list[Block]) -> str:
    body = [b.text for b in blocks if b.part == "body"]
    if sum(1 for t in body if ARTICLE_JA.match(t)) >= 2:
        return "ja_article"
    if sum(1 for t in body if ARTICLE_JA_BARE.match(t)) >= 2:
        return "ja_bare"
    if sum(1 for t in body if ARTICLE_EN.match(t)) >= 2:
        return "en_article"
    if sum(1 for t in body if (m := NUMBERED.match(t)) and "." not in m.group(1)) >= 2:
        return "numbered"
    return "none"


def _heading_and_text(rest: str, run_in: bool = True, cjk_only: bool = False) -> tuple[str, str]:
    """Split the text after a number into ``(heading, text)``: the whole of it is the heading
    when it reads like one (only Japanese text counts with ``cjk_only``), else a run-in
    heading is split off (``Data Regions. Customer may…``) when ``run_in``."""
    heading = rest if _looks_like_heading(rest) and (not cjk_only or CJK.search(rest)) else ""
    if not heading and run_in:
        heading, rest = _run_in(rest)
    return heading, "" if rest == heading else rest


def _item(text: str) -> re.Match | None:
    """A line numbered without a dot inside the number (``5 …``, ``5. …``, ``5) …``)."""
    n = NUMBERED.match(text)
    return n if n and "." not in n.group(1) else None


def _dotted(text: str) -> re.Match | None:
    """A line numbered with a dot inside the number (``5.2 …``, ``5.2.1 …``)."""
    n = NUMBERED.match(text)
    return n if n and "." in n.group(1) else None


class _Reader:
    """The state of a reading: the sections so far and where the next passage belongs
    (section, sub-section, paragraph), with the passage that a continuation line extends."""

    def __init__(self, style: str):
        self.style = style
        self.section = Section(None)  # the preamble, before the first article
        self.sections: list[Section] = [self.section]
        self.passages: list[Passage] = []
        self.sub_label: str | None = None
        self.sub_heading = ""
        self.paragraph = 1
        self.open: Passage | None = None
        self.in_annex = False
        self.pending_heading = ""  # a bracketed Japanese heading on the line before its article

    def start_section(self, label: str, heading: str, annex: bool = False) -> None:
        """Open a new article (or annex) with its heading."""
        self.section = Section(label, heading)
        self.sections.append(self.section)
        self.in_annex = annex
        self.sub_label, self.sub_heading, self.paragraph, self.open = None, "", 1, None

    def start_sub_section(self, label: str, heading: str) -> None:
        """Open a sub-section (``5.2``, ``Section 3.2``) of the current article."""
        self.sub_label, self.sub_heading, self.paragraph = label, heading, 1

    def add(self, text: str, part: str = "body") -> None:
        """Start a passage at the current location (nothing when ``text`` is empty)."""
        if not text:
            return
        self.open = Passage(text, len(self.passages), self.section.label, self.sub_label,
                            self.sub_heading, self.paragraph, part)
        self.passages.append(self.open)
        self.section.passages.append(self.open)

    def continue_with(self, text: str) -> None:
        """An unnumbered line: it extends the open body passage, or starts one."""
        if not text:
            return
        if self.open is not None and self.open.part == "body":
            self.open.text = _join(self.open.text, text)
        else:
            self.add(text)
        # A Japanese paragraph runs on until the next number; elsewhere a line that ends a
        # sentence ends its passage, so the next line starts a new one.
        if self.style not in ("ja_article", "ja_bare") and text.endswith((".", "。")):
            self.open = None

    def finish(self, trailing: list[Block]) -> Structure:
        """The structure read: headers and footers last, each a section of its own; every
        passage carries its article's heading unless it has its own."""
        for block in trailing:
            passage = Passage(block.text, len(self.passages), part=block.part)
            self.passages.append(passage)
            self.sections.append(Section(None, passages=[passage]))
        for section in self.sections:
            for passage in section.passages:
                passage.heading = passage.heading or section.heading
        return Structure([s for s in self.sections if s.passages or s.heading], detected=True, style=self.style)


# Recognisers: each reads one line; when the line is of its kind it updates the reader and
# answers True. They are tried in order and the first that answers True takes the line.

def _annex_start(reader: _Reader, text: str) -> bool:
    """``別紙1　サービスレベル合意書`` / ``Schedule 2 – Service Levels``: a new annex. A filing's exhibit
    number before the first article is a title (as an annex it swallowed the whole contract)."""
    if reader.section.label is None and FILING_EXHIBIT.match(text):
        return False
    if annex := _annex(text):
        reader.start_section(*annex, annex=True)
    return annex is not None


def _annex_item(reader: _Reader, text: str) -> bool:
    """``1. 対象`` / ``2. Encryption. Data is…`` inside an annex: a paragraph with its heading."""
    if not reader.in_annex or not (n := _item(text)):
        return False
    reader.paragraph = int(n.group(1))
    reader.sub_heading, body = _heading_and_text(n.group(3).strip(), cjk_only=True)
    reader.add(body)
    return True


def _ja_bracket_heading(reader: _Reader, text: str) -> bool:
    """``（監査）`` alone on a line: the heading of the article that follows."""
    if m := BRACKET_HEADING.match(text):
        reader.pending_heading = m.group(1)
    return m is not None


def _ja_label(m: re.Match) -> str:
    return f"第{kanji_number(m.group(1))}条" + (f"の{kanji_number(m.group(2))}" if m.group(2) else "")


def _reads_as_ja_heading(rest: str) -> bool:
    """A short phrase after the article number that does not end like a sentence (第1条 目的)."""
    return _looks_like_heading(rest) and len(rest) <= 20 and not re.search(r"(は|が|を|に|る|た|い|す|。)$", rest)


def _ja_article(reader: _Reader, text: str) -> bool:
    """``第十二条の二（監査）甲は…``: a new article, its heading in brackets, before it or run on."""
    if not (m := ARTICLE_JA.match(text)):
        return False
    return _open_ja_article(reader, _ja_label(m), m.group(3), m.group(4))


def _ja_bare_article(reader: _Reader, text: str) -> bool:
    """``第1 受注者は…`` / ``第2（秘密の保持）``: an article numbered without 条."""
    if not (m := ARTICLE_JA_BARE.match(text)):
        return False
    return _open_ja_article(reader, f"第{kanji_number(m.group(1))}", m.group(2), m.group(3))


def _open_ja_article(reader: _Reader, label: str, bracketed: str | None, rest: str) -> bool:
    """Start the article ``label``: its heading is the bracketed one, else the one on the line
    before, else a short phrase after the number (第1条 目的); the rest is its first text."""
    rest = rest.strip()
    heading = bracketed or reader.pending_heading
    if not heading and _reads_as_ja_heading(rest):
        heading, rest = rest, ""
    reader.start_section(label, heading or "")
    reader.pending_heading = ""
    reader.add(rest)
    return True


def _ja_paragraph(reader: _Reader, text: str) -> bool:
    """``第2項 …``: a paragraph of the current article."""
    if m := PARAGRAPH_JA.match(text):
        reader.paragraph = kanji_number(m.group(1))
        reader.add(m.group(2))
    return m is not None


def _ja_numbered_paragraph(reader: _Reader, text: str) -> bool:
    """``2 乙は…`` (a bare number) inside an article: a paragraph; a number alone on its
    line (PDF text) opens the paragraph that the next line writes."""
    if reader.section.label and re.fullmatch(r"[0-9]{1,2}", text):
        reader.paragraph, reader.open = int(text), None
        return True
    if not reader.section.label or not (n := _item(text)) or n.group(2):
        return False
    reader.paragraph = int(n.group(1))
    reader.add(n.group(3))
    return True


def _en_article(reader: _Reader, text: str) -> bool:
    """``Article 5 Audit Rights`` / ``ARTICLE IV SERVICES`` / ``Clause 7: …``: a new article."""
    if not (m := ARTICLE_EN.match(text)) or "." in m.group(2):
        return False
    heading, body = _heading_and_text(m.group(3).strip(), run_in=False)
    reader.start_section(f"{m.group(1).title()} {roman_number(m.group(2))}", heading)
    reader.add(body)
    return True


def _en_sub_section(reader: _Reader, text: str) -> bool:
    """``Section 3.2 Staff``: a sub-section of the current article."""
    if not (m := ARTICLE_EN.match(text)) or "." not in m.group(2):
        return False
    heading, body = _heading_and_text(m.group(3).strip(), run_in=False)
    reader.start_sub_section(f"{m.group(1).title()} {m.group(2)}", heading)
    reader.add(body)
    return True


def _dotted_sub_section(reader: _Reader, text: str) -> bool:
    """``3.3 Data Regions. Customer may…``: a sub-section, with its run-in heading."""
    if not (n := _dotted(text)):
        return False
    heading, body = _heading_and_text(n.group(3).strip())
    reader.start_sub_section(n.group(1), heading)
    reader.add(body)
    return True


def _opens_numbered_article(reader: _Reader, n: re.Match) -> bool:
    """Whether ``5. …`` opens article 5 rather than a paragraph: it is written ``5.`` or
    ``5)`` or reads as a heading, and it is the first article, the next one, or a heading."""
    if not (n.group(2) or _looks_like_heading(n.group(3))):
        return False
    label = reader.section.label
    return label is None or int(n.group(1)) == _top(label) + 1 or _looks_like_heading(n.group(3))


def _numbered_article(reader: _Reader, text: str) -> bool:
    """``5. Audit`` / ``2. Delivery and Inspection. Supplier shall…``: a new article."""
    if not (n := _item(text)) or not _opens_numbered_article(reader, n):
        return False
    heading, body = _heading_and_text(n.group(3).strip())
    reader.start_section(n.group(1), heading)
    reader.add(body)
    return True


def _numbered_paragraph(reader: _Reader, text: str) -> bool:
    """``2 Late fees apply.`` inside an article: a paragraph."""
    if not reader.section.label or not (n := _item(text)):
        return False
    reader.paragraph = int(n.group(1))
    reader.add(n.group(3))
    return True


def _bare_heading(reader: _Reader, text: str) -> bool:
    """A short unpunctuated line right after an article number that had no heading."""
    section = reader.section
    if text.endswith((".", ":", ";", ",")) or not _looks_like_heading(text) \
            or not section.label or section.passages or section.heading:
        return False
    section.heading = text
    return True


RECOGNISERS = {
    "ja_article": (_annex_start, _annex_item, _ja_bracket_heading, _ja_article, _ja_paragraph,
                   _ja_numbered_paragraph),
    "ja_bare": (_annex_start, _annex_item, _ja_bracket_heading, _ja_bare_article, _ja_paragraph,
                _ja_numbered_paragraph),
    "en_article": (_annex_start, _annex_item, _en_article, _en_sub_section, _dotted_sub_section,
                   _numbered_paragraph, _bare_heading),
    "numbered": (_annex_start, _annex_item, _dotted_sub_section, _numbered_article, _numbered_paragraph,
                 _bare_heading),
}


TITLE_JA = re.compile(r"(書|規約|約款|規程|事項|条項|[(（]案[)）])$")  # the document's title, not an article's caption


def _captions(blocks: list[Block], style: str) -> list[Block]:
    """A short caption alone on the line before a Japanese article that has no bracketed
    heading (``再委託`` then ``第9条 乙は…``) written as the bracketed heading it stands for;
    a title (…契約書, …規約, …特記事項) is left as it is."""
    article, bracket = {"ja_article": (ARTICLE_JA, 3), "ja_bare": (ARTICLE_JA_BARE, 2)}.get(style, (None, 0))
    if article is None:
        return blocks
    out = list(blocks)
    for i in range(len(out) - 1):
        text, opened = out[i].text, article.match(out[i + 1].text)
        if out[i].part == "body" and opened and not opened.group(bracket) and not article.match(text) \
                and not TITLE_JA.search(text) \
                and CJK.search(text) and _reads_as_ja_heading(text) and not re.search(r"[、。,.:：]", text) \
                and not BRACKET_HEADING.match(text) and not _item(text) and not _annex(text):
            out[i] = Block(f"（{text}）", out[i].part)
    return out


def parse(blocks: list[Block]) -> Structure:
    """Split the blocks into sections with located passages."""
    style = _style(blocks)
    if style == "none":
        return _unstructured(blocks)
    blocks = _captions(blocks, style)
    reader, trailing = _Reader(style), []
    recognisers = RECOGNISERS[style]
    for block in blocks:
        if block.part in ("header", "footer", "footnote"):
            trailing.append(block)
        elif block.part == "table":
            reader.add(block.text, "table")
        elif not any(recognise(reader, block.text) for recognise in recognisers):
            reader.continue_with(block.text)
    return reader.finish(trailing)


SENTENCE_END = re.compile(r"[。．.!?！？:：」』)）]$")


def _unwrapped(blocks: list[Block]) -> list[Block]:
    """Lines of Japanese text wrapped inside a sentence (PDF text pasted as .txt) joined:
    a body line that does not end a sentence runs on into the next when both sides of the
    break are Japanese and the next line opens no numbered item or bullet."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is not None and prev.part == block.part == "body" and not SENTENCE_END.search(prev.text) \
                and CJK.search(prev.text[-1:]) and CJK.search(block.text[:1]):
            out[-1] = Block(prev.text + block.text, prev.part)
        else:
            out.append(block)
    return out


def _unstructured(blocks: list[Block]) -> Structure:
    """No recognisable articles: every block is a passage of its own, located by its number
    (Japanese lines wrapped inside a sentence joined first)."""
    blocks = _unwrapped(blocks)
    sections = [Section(None, passages=[Passage(block.text, i, part=block.part)]) for i, block in enumerate(blocks)]
    return Structure(sections, detected=False, style="none")


def _top(label: str) -> int:
    digits = re.findall(r"\d+", label)
    return int(digits[0]) if digits else 0
