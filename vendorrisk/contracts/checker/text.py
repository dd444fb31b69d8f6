"""Reading a contract file into text blocks, in the order a lawyer reads them.

``.docx``: body paragraphs and tables in document order (with automatic numbering
rendered, e.g. ``第3条`` or ``5.2``), then the footnotes and endnotes, then the headers and footers of every section.
Tracked changes are read as accepted (insertions kept, deletions dropped) and comments
are left out (``word``). ``.doc`` (Word 97–2003): the same blocks from the binary format, list numbers drawn
from its list tables (``doc``). ``.pdf``: the text layer (``pdf``), page by page, each block with the page it
starts on, without the page-number lines and running headers and footers (a PDF without a text layer, or whose pages are mostly images
with a stamp of text at most, is reported as scanned; one whose text is glyph numbers as
unreadable text).
``.html`` / ``.htm`` (an EDGAR exhibit, a saved web page of terms): its blocks as a browser lays
them out, list numbers drawn, navigation left out (``html``).
``.rtf``: as a Word file, by our own tokenizer, in the code page of each font (``rtf``).
``.txt`` / ``.md``: the lines. Everything is NFKC-normalised, so full-width forms
(``第３条``, ``ＳＬＡ``) read like their ASCII counterparts.
"""
import re
import unicodedata
from dataclasses import dataclass

from vendorrisk.core.encodings import decode_text

PARTS = ("body", "table", "header", "footer", "footnote", "endnote")
# A text layer this small across the whole file means the pages are images.
MIN_TEXT_CHARS = 40


class UnreadableContract(ValueError):
    """The file cannot be read as a contract (corrupt, encrypted, text in no known encoding, no
    text, wrong kind); the message says why and what to do, in words for the uploader; ``key`` and
    ``params`` name it, so that the app can say it in the reader's language."""

    def __init__(self, message: str, key: str = "", **params):
        super().__init__(message)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Block:
    """A piece of text as laid out in the file: a paragraph, a table row, a header line."""

    text: str
    part: str = "body"  # one of PARTS
    page: int | None = None  # the page (from 1) of a PDF or a scan it starts on
    turns: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where it runs onto a later page
    note: int = 0  # a footnote's or an endnote's number


@dataclass(frozen=True)
class Extracted:
    """The text of a contract file and how it was read."""

    blocks: list[Block]
    status: str  # "ok", "scanned" (a PDF without a text layer), "unreadable_text" (a PDF whose text is glyph
    # numbers, not Japanese or English), "partly_scanned" or "partly_unreadable"
    note: str = ""
    scanned_pages: tuple[int, ...] = ()  # the PDF's pages (from 1) that are images without text
    unreadable_pages: tuple[int, ...] = ()  # the PDF's pages (from 1) whose text is glyph numbers, left out

    @property
    def text(self) -> str:
        """All blocks, one per line."""
        return "\n".join(b.text for b in self.blocks)


def normalise(text: str) -> str:
    """NFKC (full-width forms to ASCII, half-width kana to full-width), tidy spaces."""
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("\u3000", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def _refuse(message: str, key: str = "", **params):
    raise UnreadableContract(message, key, **params)


def extract(data: bytes, kind: str) -> Extracted:
    """Extract the text blocks of a ``docx``, ``doc``, ``pdf``, ``txt``, ``md``, ``html`` or ``rtf`` file (an image is a
    scan without text until OCR reads it).

    Corrupt or encrypted files raise ``UnreadableContract`` with a clear message."""
    if kind == "docx":
        from vendorrisk.contracts.checker.word import docx_blocks
        blocks = docx_blocks(data)
    elif kind == "doc":
        from vendorrisk.contracts.checker.doc import doc_blocks  # loaded when a .doc comes, as olefile is
        blocks = doc_blocks(data)
    elif kind == "pdf":
        from vendorrisk.contracts.checker.pdf import read_pdf  # loaded when a PDF comes, as pypdf is
        return read_pdf(data)
    elif kind in ("txt", "md"):
        blocks = _text_blocks(data, markdown=kind == "md")
    elif kind in ("png", "jpg", "jpeg", "tif", "tiff"):  # a scan or a photo: read by the OCR job
        from vendorrisk.contracts.checker.image import read_unread
        return read_unread(data)
    elif kind in ("html", "htm"):
        from vendorrisk.contracts.checker.html import read_html  # loaded when an HTML file comes, as lxml is
        blocks = read_html(data)
    elif kind == "rtf":
        from vendorrisk.contracts.checker.rtf import read_rtf
        blocks = read_rtf(data)
    else:
        _refuse(f"Contracts cannot be read from .{kind} files.", "kind", kind=kind)
    blocks = [b for b in blocks if b.text]
    if not blocks:
        _refuse("The file contains no text.", "no_text")
    return Extracted(blocks=blocks, status="ok")


def _text_blocks(data: bytes, markdown: bool) -> list[Block]:
    text = decode_text(data)  # UTF-8, UTF-16, Shift_JIS or Windows-1252, as saved
    if text is None:
        _refuse("The text file's encoding was not recognised; save it as UTF-8 and upload again.", "not_utf8")
    blocks = []
    for line in text.splitlines():
        line = normalise(line)
        if markdown:
            line = re.sub(r"^#{1,6}\s*", "", line)
            line = re.sub(r"^[-*+]\s+(?=\S)", "", line)
            line = line.replace("**", "").replace("__", "")
            if re.fullmatch(r"\|?[\s:|-]+\|?", line) and "-" in line:
                continue  # a markdown table's separator row
            if line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                blocks.append(Block(" | ".join(c for c in cells if c), "table"))
                continue
        blocks.append(Block(line))
    return blocks


# "- 3 -", "3 / 12", "Page 3 of 12", "(3)" alone on a line: a page number, not contract text
PAGE_NUMBER = re.compile(r"[-–—‐ ]*\d{1,4}[-–—‐ ]*|\d{1,4}\s*/\s*\d{1,4}|(page|p\.)\s*\d{1,4}(\s*of\s*\d{1,4})?|[(（]\d{1,4}[)）]",
                         re.I)
