"""A contract as the checker reads it: passages, each located in an article (section) with
its heading, sub-section, paragraph and part of the file (body, table, header, footer, a Word
file's footnotes and endnotes), and the page of a PDF or a scan each starts on.

``structure.parse`` builds it from text blocks; the matcher looks for clauses in it."""
import re
from dataclasses import dataclass, field

# a Word file's notes, as a location names them in the note's language
NOTE_NAMES = {"footnote": ("脚注", "footnote"), "endnote": ("文末脚注", "endnote")}
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@dataclass
class Passage:
    """A paragraph of the contract with where it is: article, sub-section, paragraph, part."""

    text: str
    index: int
    label: str | None = None  # "第5条", "Article 5", "5" — the top-level article
    sub_label: str | None = None  # "5.2", "Section 3.2"
    heading: str = ""
    paragraph: int = 1  # a footnote's or an endnote's number in its part
    part: str = "body"
    page: int | None = None  # the page (from 1) of a PDF or a scan the passage starts on
    turns: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where it runs onto a later page

    @property
    def location(self) -> str:
        """Human location: ``第5条第2項``, ``Article 5 ¶2``, ``Section 3.2``, ``header``,
        ``footnote 3`` (``脚注3`` in a Japanese note)."""
        if self.part in ("header", "footer"):
            return self.part
        if self.part in NOTE_NAMES:
            ja, en = NOTE_NAMES[self.part]
            return f"{ja}{self.paragraph}" if CJK.search(self.text) else f"{en} {self.paragraph}"
        if self.label is None:
            return f"¶{self.index + 1}"
        base = self.sub_label or self.label
        if re.fullmatch(r"第\d+条(の\d+)?", base):
            where = base + (f"第{self.paragraph}項" if self.paragraph > 1 else "")
        else:
            where = base + (f" ¶{self.paragraph}" if self.paragraph > 1 else "")
        return where + (" (table)" if self.part == "table" else "")

    def page_of(self, sentence: str) -> int | None:
        """The page ``sentence`` (a piece of the text) starts on; the passage's first page when
        it is not found in the text."""
        return page_at(self.page, self.turns, max(0, self.text.find(sentence)))


def page_at(page: int | None, turns: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The page of the character at ``offset`` of a text that starts on ``page`` and runs onto
    later pages at ``turns``."""
    for at, later in turns:
        if at > offset:
            break
        page = later
    return page


def run_on(page: int | None, turns: tuple, joined: str, right: str, right_page: int | None,
           right_turns: tuple = ()) -> tuple[tuple[int, int], ...]:
    """The ``turns`` of ``joined``, a text that starts on ``page`` (its pages turning at
    ``turns``) with ``right`` (starting on ``right_page``) run on at its end."""
    at = len(joined) - len(right)
    last = turns[-1][1] if turns else page
    out = list(turns)
    if right_page is not None and right_page != last:
        out.append((at, right_page))
    return tuple(out) + tuple((at + offset, later) for offset, later in right_turns)


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
    style: str  # "ja_article", "ja_bare" (第1 without 条), "en_article", "numbered" or "none"
