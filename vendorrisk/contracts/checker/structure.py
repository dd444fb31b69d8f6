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
from dataclasses import dataclass, field

from vendorrisk.contracts.checker.text import Block

KANJI_VALUES = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9〇零一二三四五六七八九十百千]+"
ARTICLE_JA = re.compile(rf"^第\s*({NUM})\s*条(?:\s*の\s*({NUM}))?\s*(?:[(（]([^)）]{{1,40}})[)）])?\s*(.*)$")
PARAGRAPH_JA = re.compile(rf"^第\s*({NUM})\s*項\s*(.*)$")
ARTICLE_EN = re.compile(r"^(article|section|clause)\s+([0-9]+(?:\.[0-9]+)*)\s*[.:)\-–—]?\s*(.*)$", re.I)
NUMBERED = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,3})*)(\.|\))?\s+(\S.*)$")
BRACKET_HEADING = re.compile(r"^[(（]([^)）]{1,30})[)）]$")
ANNEX_JA = re.compile(rf"^(別紙|別表|付属書|添付資料)\s*(第?\s*{NUM})?(?![にのをはでがとへ])\s*[:：.]?\s*(?:[(（]([^)）]{{1,40}})[)）])?\s*(.*)$")
ANNEX_EN = re.compile(r"^(schedule|annex|appendix|exhibit|attachment)(?:\s+([0-9]+|[ivx]+|[a-z]))?\b\s*[-–—:.]?\s*(.*)$", re.I)
# A run-in heading: a few capitalised words and a full stop before the text of the clause.
RUN_IN = re.compile(r"^((?:[A-Z][\w'’/-]*)(?: (?:[A-Z][\w'’/-]*|and|of|the|for|to|in|on|or|&)){0,5})\.\s+(\S.*)$")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def kanji_number(text: str) -> int:
    """Read a number written in digits or kanji numerals (``十二`` -> 12, ``二十一`` -> 21)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in KANJI_VALUES:
            current = current * 10 + KANJI_VALUES[char] if current else KANJI_VALUES[char]
        elif char in KANJI_UNITS:
            total += (current or 1) * KANJI_UNITS[char]
            current = 0
    return total + current


@dataclass
class Passage:
    """A paragraph of the contract with where it is: article, sub-section, paragraph, part."""

    text: str
    index: int
    label: str | None = None  # "第5条", "Article 5", "5" — the top-level article
    sub_label: str | None = None  # "5.2", "Section 3.2"
    heading: str = ""
    paragraph: int = 1
    part: str = "body"

    @property
    def location(self) -> str:
        """Human location: ``第5条第2項``, ``Article 5 ¶2``, ``Section 3.2``, ``header``."""
        if self.part in ("header", "footer"):
            return self.part
        if self.label is None:
            return f"¶{self.index + 1}"
        base = self.sub_label or self.label
        if re.fullmatch(r"第\d+条(の\d+)?", base):
            where = base + (f"第{self.paragraph}項" if self.paragraph > 1 else "")
        else:
            where = base + (f" ¶{self.paragraph}" if self.paragraph > 1 else "")
        return where + (" (table)" if self.part == "table" else "")


@dataclass
class Section:
    """An article with its heading(s) and passages; the unit in which clauses are looked for."""

    label: str | None
    heading: str = ""
    passages: list[Passage] = field(default_factory=list)

    @property
    def headings(self) -> str:
        """The article heading and those of its sub-sections."""
        return " / ".join(dict.fromkeys(h for h in [self.heading] + [p.heading for p in self.passages] if h))

    @property
    def text(self) -> str:
        """The article's text, passages joined."""
        return "\n".join(p.text for p in self.passages)


@dataclass
class Structure:
    """The sections of a contract and whether numbered articles were recognised."""

    sections: list[Section]
    detected: bool
    style: str  # "ja_article", "en_article", "numbered" or "none"


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
    if sum(1 for t in body if ARTICLE_EN.match(t)) >= 2:
        return "en_article"
    if sum(1 for t in body if (m := NUMBERED.match(t)) and "." not in m.group(1)) >= 2:
        return "numbered"
    return "none"


def parse(blocks: list[Block]) -> Structure:
    """Split the blocks into sections with located passages."""
    style = _style(blocks)
    sections: list[Section] = []
    passages: list[Passage] = []
    if style == "none":
        for i, block in enumerate(blocks):
            passage = Passage(block.text, i, part=block.part)
            sections.append(Section(None, passages=[passage]))
        return Structure(sections, detected=False, style=style)

    preamble = Section(None)
    sections.append(preamble)
    current = preamble
    sub_label, sub_heading, paragraph = None, "", 1
    pending_heading = ""
    open_passage: Passage | None = None
    in_annex = False

    def start_section(label: str, heading: str, annex: bool = False):
        nonlocal current, sub_label, sub_heading, paragraph, open_passage, in_annex
        in_annex = annex
        current = Section(label, heading)
        sections.append(current)
        sub_label, sub_heading, paragraph, open_passage = None, "", 1, None

    def add(text: str, part: str, new: bool):
        nonlocal open_passage
        if not text:
            return
        if open_passage is not None and not new and part == "body" and open_passage.part == "body":
            open_passage.text = _join(open_passage.text, text)
            return
        open_passage = Passage(text, len(passages), current.label, sub_label, sub_heading,
                               paragraph, part)
        passages.append(open_passage)
        current.passages.append(open_passage)

    trailing = []
    for block in blocks:
        text = block.text
        if block.part in ("header", "footer"):
            trailing.append(block)
            continue
        if block.part == "table":
            add(text, "table", True)
            continue
        if annex := _annex(text):
            start_section(*annex, annex=True)
            continue
        if in_annex and (n := NUMBERED.match(text)) and "." not in n.group(1):
            paragraph, rest = int(n.group(1)), n.group(3).strip()
            sub_heading = rest if _looks_like_heading(rest) and CJK.search(rest) else ""
            if not sub_heading:
                sub_heading, rest = _run_in(rest)
            add("" if rest == sub_heading else rest, "body", True)
            continue
        if style == "ja_article":
            if (m := BRACKET_HEADING.match(text)) and not ARTICLE_JA.match(text):
                pending_heading = m.group(1)
                continue
            if m := ARTICLE_JA.match(text):
                label = f"第{kanji_number(m.group(1))}条" + (f"の{kanji_number(m.group(2))}" if m.group(2) else "")
                rest = m.group(4).strip()
                heading = m.group(3) or pending_heading
                if not heading and _looks_like_heading(rest) and len(rest) <= 20 \
                        and not re.search(r"(は|が|を|に|る|た|い|す|。)$", rest):
                    heading, rest = rest, ""
                start_section(label, heading or "")
                pending_heading = ""
                add(rest, "body", True)
                continue
            if m := PARAGRAPH_JA.match(text):
                paragraph = kanji_number(m.group(1))
                add(m.group(2), "body", True)
                continue
            if (m := NUMBERED.match(text)) and current.label and "." not in m.group(1) and not m.group(2):
                paragraph = int(m.group(1))
                add(m.group(3), "body", True)
                continue
        else:
            m = ARTICLE_EN.match(text) if style == "en_article" else None
            n = NUMBERED.match(text)
            if m and "." not in m.group(2):
                rest = m.group(3).strip()
                heading = rest if _looks_like_heading(rest) else ""
                start_section(f"{m.group(1).title()} {m.group(2)}", heading)
                add("" if heading else rest, "body", True)
                continue
            if m:  # "Section 3.2 ..." inside an article
                sub_label, paragraph = f"{m.group(1).title()} {m.group(2)}", 1
                rest = m.group(3).strip()
                sub_heading = rest if _looks_like_heading(rest) else ""
                add("" if sub_heading else rest, "body", True)
                continue
            if n and "." in n.group(1):
                sub_label, paragraph = n.group(1), 1
                rest = n.group(3).strip()
                sub_heading = rest if _looks_like_heading(rest) else ""
                if not sub_heading:
                    sub_heading, rest = _run_in(rest)
                add("" if rest == sub_heading else rest, "body", True)
                continue
            if n and style == "numbered" and (n.group(2) or _looks_like_heading(n.group(3))) \
                    and (current.label is None or int(n.group(1)) == _top(current.label) + 1 or _looks_like_heading(n.group(3))):
                rest = n.group(3).strip()
                heading = rest if _looks_like_heading(rest) else ""
                if not heading:
                    heading, rest = _run_in(rest)
                start_section(n.group(1), heading)
                add("" if rest == heading else rest, "body", True)
                continue
            if n and current.label:
                paragraph = int(n.group(1))
                add(n.group(3), "body", True)
                continue
            if not text.endswith((".", ":", ";", ",")) and _looks_like_heading(text) and current.label \
                    and not current.passages and not current.heading:
                current.heading = text
                continue
        add(text, "body", False)
        if text.endswith((".", "。")):
            open_passage = None if style != "ja_article" else open_passage
    for block in trailing:
        passage = Passage(block.text, len(passages), part=block.part)
        passages.append(passage)
        sections.append(Section(None, passages=[passage]))
    for section in sections:
        for passage in section.passages:
            passage.heading = passage.heading or section.heading
    return Structure([s for s in sections if s.passages or s.heading], detected=True, style=style)


def _top(label: str) -> int:
    digits = re.findall(r"\d+", label)
    return int(digits[0]) if digits else 0
