"""A contract as the checker reads it: passages, each located in an article (section) with
its heading, sub-section, paragraph and part of the file (body, table, header, footer).

``structure.parse`` builds it from text blocks; the matcher looks for clauses in it."""
import re
from dataclasses import dataclass, field


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
        """Human location: ``第5条第2項``, ``Article 5 ¶2``, ``Section 3.2``, ``header``, ``footnote``."""
        if self.part in ("header", "footer", "footnote"):
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
    style: str  # "ja_article", "ja_bare" (第1 without 条), "en_article", "numbered" or "none"
