"""Contracts rendered to Word files the way vendors' .docx come (shared by the tests and
``bench/contracts_docx_parity.py``).

``contract_docx(text, language, variant)`` writes one paragraph a line of the text, in one of
three forms:

- ``plain``: the lines as paragraphs, numbers typed in the text;
- ``numbered``: article headings and numbered paragraphs in Word's *automatic numbering* — the
  number (``第1条``, ``Article 1``, ``1.``, ``2.3``, ``(a)``, ``(ii)``, ``a)``, ``(1)``) lives in
  numbering.xml (``w:lvlText``), not in the run; a list restarted or set to another value
  ("Set Numbering Value") is a new ``w:num`` with a ``w:lvlOverride``/``w:startOverride``, as
  Word writes it;
- ``styled``: article headings in ``Heading 1``, the title as a running header and
  ``Confidential`` as the footer, runs of definitions (``"X" means ...``) in a two-column table,
  list items typed one after the other in one paragraph with soft line breaks (``w:br``,
  Shift+Enter), and long paragraphs broken with a soft line break.
"""
import io
import random
import re

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

VARIANTS = ("plain", "numbered", "styled")
ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
KANJI = "一二三四五六七八九"
# (pattern, lvlText of each level, numFmt) — the number at a line's start that Word would number
KINDS = (
    ("ja_article", re.compile(r"第([0-9]{1,3})条\s*"), ("第%1条",), "decimal"),
    ("ja_article_k", re.compile(r"第([一二三四五六七八九十]{1,4})条\s*"), ("第%1条",), "japaneseCounting"),
    ("article", re.compile(r"(Article) ([0-9]{1,3})\s+"), ("Article %1",), "decimal"),
    ("ARTICLE", re.compile(r"(ARTICLE) ([0-9]{1,3})\s+"), ("ARTICLE %1",), "decimal"),
    ("article_dot", re.compile(r"(Article) ([0-9]{1,3})\.\s+"), ("Article %1.",), "decimal"),
    ("ARTICLE_dot", re.compile(r"(ARTICLE) ([0-9]{1,3})\.\s+"), ("ARTICLE %1.",), "decimal"),
    ("section", re.compile(r"(Section) ([0-9]{1,3})\s+"), ("Section %1",), "decimal"),
    ("section_dot", re.compile(r"(Section) ([0-9]{1,3})\.\s+"), ("Section %1.",), "decimal"),
    ("dotted", re.compile(r"([0-9]{1,2})((?:\.[0-9]{1,2}){0,2})(\.?)\s+(?=\S)"), None, "decimal"),
    ("paren_letter", re.compile(r"\(([a-h])\)\s+"), ("(%1)",), "lowerLetter"),
    ("paren_roman", re.compile(r"\((i{1,3}|iv|vi{0,3}|ix|x)\)\s+"), ("(%1)",), "lowerRoman"),
    ("paren_digit", re.compile(r"\(([0-9]{1,2})\)\s*"), ("(%1)",), "decimal"),
    ("letter_paren", re.compile(r"([a-h])\)\s+"), ("%1)",), "lowerLetter"),
    ("kanji_item", re.compile(r"([一二三四五六七八九])\s+"), ("%1",), "japaneseCounting"),
)


def _value(kind: str, token: str) -> int:
    if kind in ("paren_letter", "letter_paren"):
        return ord(token) - ord("a") + 1
    if kind == "paren_roman":
        return ROMAN.index(token) + 1
    if kind in ("ja_article_k", "kanji_item"):
        from vendorrisk.contracts.checker.numbering import kanji_number
        return kanji_number(token)
    return int(token)


class _Lists:
    """Numbering definitions and the counters Word keeps, so that each number renders as typed."""

    def __init__(self, document):
        self.root = document.part.numbering_part.element
        self.abstract: dict[str, int] = {}
        self.current: dict[str, tuple[str, list[int]]] = {}  # kind -> (numId, counters per level)
        self.next_id = 100

    def _abstract_id(self, kind: str, texts: tuple[str, ...], fmt: str) -> int:
        key = f"{kind}:{'|'.join(texts)}"
        if key not in self.abstract:
            self.next_id += 1
            levels = "".join(
                f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{t}"/>'
                f'<w:lvlJc w:val="left"/></w:lvl>' for i, t in enumerate(texts))
            self.root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{self.next_id}">'
                                          f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'))
            self.abstract[key] = self.next_id
        return self.abstract[key]

    def number(self, paragraph, kind: str, texts: tuple[str, ...], fmt: str, values: list[int]) -> None:
        """Number ``paragraph`` at level ``len(values) - 1`` so that Word shows ``values``."""
        level = len(values) - 1
        abstract_id = self._abstract_id(kind, texts, fmt)
        key = f"{kind}:{'|'.join(texts)}"
        num_id, counters = self.current.get(key, (None, []))
        expected = counters[:level] + [counters[level] + 1 if len(counters) > level else 1]
        if num_id is None or expected != values:
            # a new list or one set to another value: Word writes a new w:num with overrides
            self.next_id += 1
            num_id = str(self.next_id)
            overrides = "".join(f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
                                for i, v in enumerate(values))
            self.root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId '
                                       f'w:val="{abstract_id}"/>{overrides}</w:num>'))
        self.current[key] = (num_id, list(values))
        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def split_number(line: str):
    """``(kind, lvlTexts, numFmt, values, rest)`` when the line opens with a number Word would
    number automatically, else ``None``."""
    for kind, pattern, texts, fmt in KINDS:
        m = pattern.match(line)
        if not m or not line[m.end():].strip():
            continue
        if kind == "dotted":
            parts = [int(m.group(1))] + [int(p) for p in m.group(2).split(".")[1:]]
            dot = m.group(3)
            texts = tuple(".".join(f"%{j + 1}" for j in range(i + 1)) + (dot if i == len(parts) - 1 else ".")
                          for i in range(len(parts)))
            if len(parts) == 1 and not dot and (parts[0] > 30 or re.match(r"[0-9a-z]", line[m.end():])):
                continue  # "12 months", "4 5": a number in the text, not a paragraph's
            return kind + dot, texts, fmt, parts, line[m.end():]
        token = m.group(m.lastindex)
        return kind, texts, fmt, [_value(kind, token)], line[m.end():]
    return None


ITEM = re.compile(r"^(?:\(?[a-h]\)|\((?:i{1,3}|iv|v)\)|\([0-9]{1,2}\)|[一二三四五六七八九]\s)")
DEFINITION = re.compile(r'^[“"「]([^”"」]{2,60})[”"」]\s*(?:means|shall mean|has the meaning|とは)')


def _break_long(paragraph, text: str, language: str) -> None:
    """Add ``text`` to ``paragraph`` with a soft line break in its middle (Shift+Enter)."""
    cut = len(text) // 2
    if language == "en":
        cut = text.rfind(" ", 0, cut)
        head, tail = text[:cut], text[cut + 1:]
    else:
        head, tail = text[:cut], text[cut:]
    paragraph.add_run(head).add_break()
    paragraph.add_run(tail)


def contract_docx(text: str, language: str, variant: str = "plain", title: str = "", seed: int = 0) -> bytes:
    """A Word file of a contract text (one paragraph a line) in the form ``variant``."""
    rng = random.Random(seed)
    document = docx.Document()
    lists = _Lists(document) if variant == "numbered" else None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    i = 0
    while i < len(lines):
        line = lines[i]
        if variant == "numbered" and (found := split_number(line)):
            kind, texts, fmt, values, rest = found
            lists.number(document.add_paragraph(rest), kind, texts, fmt, values)
        elif variant == "styled" and DEFINITION.match(line) and i + 1 < len(lines) and DEFINITION.match(lines[i + 1]):
            rows = []
            while i < len(lines) and (m := DEFINITION.match(lines[i])):
                rows.append((m.group(1), lines[i]))
                i += 1
            table = document.add_table(rows=len(rows), cols=2)
            for r, (term, definition) in enumerate(rows):
                table.cell(r, 0).text, table.cell(r, 1).text = term, definition
            continue
        elif variant == "styled" and ITEM.match(line) and i + 1 < len(lines) and ITEM.match(lines[i + 1]):
            paragraph = document.add_paragraph()
            while i < len(lines) and ITEM.match(lines[i]):
                if paragraph.runs:
                    paragraph.runs[-1].add_break()
                paragraph.add_run(lines[i])
                i += 1
            continue
        elif variant == "styled" and split_number(line) and split_number(line)[0] in (
                "ja_article", "ja_article_k", "article", "ARTICLE", "article_dot", "ARTICLE_dot") and len(line) < 60:
            document.add_paragraph(line, style="Heading 1")
        elif variant == "styled" and len(line) > 160 and rng.random() < 0.3:
            _break_long(document.add_paragraph(), line, language)
        else:
            document.add_paragraph(line)
        i += 1
    if variant == "styled":
        section = document.sections[0]
        section.header.paragraphs[0].text = title
        section.footer.paragraphs[0].text = "Confidential" if language == "en" else "機密"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
