"""Reading a PDF's text layer (``text.extract`` for a ``.pdf``): page by page, each line naming
its page (a line run on over a page break: the page it starts on), without page
numbers and running headers and footers, and how it was read — a scan, glyph numbers of fonts
without a character map, some pages scanned."""
import io
import re
from bisect import bisect_left
from collections import Counter
from itertools import accumulate

from vendorrisk.contracts.checker.document import run_on
from vendorrisk.contracts.checker.text import (
    MIN_TEXT_CHARS,
    PAGE_NUMBER,
    Block,
    Extracted,
    UnreadableContract,
    _refuse,
    normalise,
)
from vendorrisk.core import time_budget

# A page that shows an image and holds less text than this is a scanned page: scanner apps
# stamp a line ("Scanned with ...", a date) on the image, which is no text layer.
SCAN_PAGE_CHARS = 200
# A PDF whose fonts carry no character map gives glyph numbers, not characters ("ĩŵöűĝě…"):
# its text is neither Japanese (hardly a hiragana) nor English (hardly one of the commonest words,
# counted as substrings so that a text read without spaces still counts). Real contracts of the
# corpora read at nearly four times these floors or more; a cipher-like text (a font's own encoding)
# at a quarter of the English one.
HIRAGANA = re.compile(r"[\u3041-\u309f]")
ASCII_LETTER = re.compile(r"[A-Za-z]")
COMMON_ENGLISH = re.compile(r"the|and|shall|of|to|in", re.I)
MIN_HIRAGANA_SHARE = 0.05  # of the characters that are not spaces
MIN_LATIN_SHARE = 0.3
MIN_COMMON_ENGLISH = 1.0  # per 100 ASCII letters
MIN_JUDGED_CHARS = 200  # less text than this is not judged
RUNNING_EDGE = 2  # lines at the top and at the foot of a PDF page where running headers and footers sit
RUNNING_DIGITS = re.compile(r"\d+")
# A wrapped PDF line that fills at least this share of the width of the document's full lines
# (those of its longest tenth) runs on into the next unless it ends a sentence; a text whose lines
# run longer than MAX_WRAP characters is not read as wrapped (a paragraph a line).
FULL_LINE = 0.8
MAX_WRAP = 200
SENTENCE_END = re.compile(r"[.。．!?！？:：;；」』)）]$")
HYPHENATED = re.compile(r"(?<![A-Za-z-])([A-Za-z]+)-$")
WORD_START = re.compile(r"[a-z]+")
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# characters outside what Japanese and English contracts are written in (ASCII, Latin-1, general
# punctuation and symbols, CJK punctuation, kana, kanji, full-width forms)
FOREIGN = re.compile(r"[^\s\x20-\x7e\u00a0-\u00ff\u2000-\u27ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
MIN_FOREIGN_SHARE = 0.05  # of a page's characters that are not spaces
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def read_pdf(data: bytes, ocr: dict[int, str] | None = None, unread: tuple[int, ...] = ()) -> Extracted:
    """The text of a PDF, page by page, and how it was read: ``scanned`` when most pages are images
    without text, ``unreadable_text`` when its text is glyph numbers, ``partly_scanned`` when some
    pages are images; page numbers and running headers and footers out of the sentences. ``ocr``:
    the text read by OCR of scanned pages or pages of glyph numbers (by number, from 1), read as
    those pages' text; ``unread``: pages OCR could not read, whose text layer (if any) is then
    taken for glyph numbers even where it would pass for text alone (a document judged glyph
    numbers as a whole)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                _refuse("The PDF is password-protected; upload an unprotected copy.", "pdf_password")
        pages, images = [], []
        for number, page in enumerate(reader.pages, 1):
            time_budget.check()
            if ocr and number in ocr:
                pages.append(ocr[number])
                images.append(False)
                continue
            pages.append(page.extract_text() or "")
            images.append(_shows_image(page))
    except UnreadableContract:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        # PyPdfError includes LimitReachedError: a stream that would inflate past pypdf's limits
        _refuse(f"The PDF is corrupt and cannot be read ({type(exc).__name__}).", "pdf_corrupt")
    unreadable = tuple(sorted(set(_unreadable_pages(pages))
                              | {n for n in unread if 0 < n <= len(pages) and not images[n - 1] and pages[n - 1].strip()}))
    mostly_unreadable = len(unreadable) * 2 > len(pages)
    if unreadable and not mostly_unreadable:
        # a font without a character map on some pages only: its glyph numbers are left out, and
        # the pages named, as scanned pages are (more than half such pages: unreadable text, below)
        pages = ["" if n in unreadable else page for n, page in enumerate(pages, 1)]
    else:
        unreadable = ()
    by_page = page_blocks(pages)
    blocks = _unwrapped(_without_running_lines(by_page))
    image_pages = tuple(n for n, (page, image) in enumerate(zip(by_page, images), 1)
                        if image and sum(len(b.text) for b in page) < SCAN_PAGE_CHARS)
    scanned = len(image_pages)
    if sum(len(b.text) for b in blocks) < MIN_TEXT_CHARS or scanned * 2 > len(pages):
        # most pages are images: the few words read (a scanner's stamp, a cover page) are
        # not the contract, and checking them would report every clause missing
        read_as = "but no text layer" if sum(len(b.text) for b in blocks) < MIN_TEXT_CHARS else \
            f"({scanned} of them images) with no text layer beyond a line or two a page"
        return Extracted(blocks=blocks, status="scanned",
                         note=f"The PDF has {len(pages)} page(s) {read_as} (a scan); every clause needs a manual "
                              "review, or upload a text PDF or .docx.")
    if mostly_unreadable or not reads_as_japanese_or_english("\n".join(b.text for b in blocks)):
        return Extracted(blocks=blocks, status="unreadable_text",
                         note="The text read from the PDF is neither Japanese nor English — its fonts probably carry "
                              "no character map; every clause needs a manual review, or upload a .docx file or the PDF "
                              "exported again with text.")
    if image_pages:  # a signed page, an annex or a schedule scanned into a text PDF
        listed = ", ".join(str(n) for n in image_pages)
        return Extracted(blocks=blocks, status="partly_scanned", scanned_pages=image_pages,
                         unreadable_pages=unreadable,
                         note=f"Pages {listed} of {len(pages)} are scanned images without text: what is written "
                              "there was not read, and a clause not found may be on them.")
    if unreadable:
        listed = ", ".join(str(n) for n in unreadable)
        return Extracted(blocks=blocks, status="partly_unreadable", unreadable_pages=unreadable,
                         note=f"Pages {listed} of {len(pages)} have text that is neither Japanese nor English (a font "
                              "without a character map): it was left out, and a clause not found may be on them.")
    return Extracted(blocks=blocks, status="ok")


def page_blocks(pages: list[str]) -> list[list[Block]]:
    """Each page's lines (``pages``: their text, from page 1) as blocks naming their page,
    without the page-number lines."""
    return [[b for b in (Block(normalise(line), page=n) for line in page.splitlines())
             if b.text and not PAGE_NUMBER.fullmatch(b.text)] for n, page in enumerate(pages, 1)]


def _without_running_lines(by_page: list[list[Block]]) -> list[Block]:
    """A PDF's lines in reading order without its running headers and footers — a line at the
    top or the foot of at least half of its pages (three or more; digits aside: the contract's
    title, 「機密」, "Confidential – Execution Version", a document number), which would break a
    sentence running on over a page — kept once at the end as a header or a footer, as a Word
    file's are. The document's first line stays where it is (it is the title)."""
    if len(by_page) < 3:
        return [b for page in by_page for b in page]
    tops, feet = Counter(), Counter()
    for page in by_page:
        tops.update({_running_key(b.text) for b in page[:RUNNING_EDGE]})
        feet.update({_running_key(b.text) for b in page[-RUNNING_EDGE:]})
    enough = max(3, (len(by_page) + 1) // 2)
    headers = {key for key, n in tops.items() if n >= enough}
    footers = {key for key, n in feet.items() if n >= enough} - headers
    if not headers and not footers:
        return [b for page in by_page for b in page]
    body, furniture = [], {}
    for number, page in enumerate(by_page):
        foot = len(page) - RUNNING_EDGE
        for i, block in enumerate(page):
            key = _running_key(block.text)
            part = "header" if i < RUNNING_EDGE and key in headers else \
                "footer" if i >= foot and key in footers else ""
            if part and (number, i) != (0, 0):
                furniture.setdefault(key, Block(block.text, part))
            else:
                body.append(block)
    return body + list(furniture.values())


def _unwrapped(blocks: list[Block]) -> list[Block]:
    """The body's lines wrapped inside a sentence joined again, as the text file has them: a
    line that fills the page's width (the document's longest lines, when it reads as wrapped) and
    does not end a sentence runs on into the next — a Japanese line without a space, an English
    word hyphenated at the line end (``sub-`` / ``contractor``) without its hyphen unless the
    document writes it with one elsewhere. Else a wrapped line that opens with ``5.2 of``,
    ``Section 4`` or ``第3条に`` reads as a new clause, and a document without articles is read
    line by line."""
    body = [b for b in blocks if b.part == "body"]
    width = _line_width([len(b.text) for b in body])
    if not width:
        return blocks
    vocabulary = Vocabulary(Counter(w.lower() for b in body for w in WORD.findall(b.text)))
    out: list[Block] = []
    running_on = False
    for block in blocks:
        if running_on and block.part == "body":
            prev, text = out[-1], _join_wrapped(out[-1].text, block.text, vocabulary)
            out[-1] = Block(text, "body", prev.page, run_on(prev.page, prev.turns, text, block.text, block.page))
        else:
            out.append(block)
        last = out[-1].text
        # the joined block's last line is the one just read: judged by its own length
        running_on = block.part == "body" and len(block.text) >= FULL_LINE * width \
            and not SENTENCE_END.search(last)
    return out


def _line_width(lengths: list[int]) -> int:
    """The width of a full line when the text reads as wrapped at one (most lines near the
    longest ones and no longer than a page's width can be), else 0."""
    lengths = sorted(n for n in lengths if n >= 10)
    if len(lengths) < 10:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    full = sum(1 for n in lengths if n >= FULL_LINE * width)
    return width if width <= MAX_WRAP and full * 4 >= len(lengths) else 0


def _join_wrapped(left: str, right: str, vocabulary: "Vocabulary") -> str:
    if (m := HYPHENATED.search(left)) and (n := WORD_START.match(right)):
        head, tail = m.group(1), n.group(0)
        hyphenated = vocabulary.uses(f"{head}-{tail}") > vocabulary.uses(head + tail)
        return left[:-1] + ("-" if hyphenated else "") + right
    if CJK.search(left[-1:]) and CJK.search(right[:1]):
        return left + right
    return f"{left} {right}"


class Vocabulary:
    """The document's words (lower case) with how often each is written, sorted, so that the
    uses of a word and of the words it begins are one range (a long PDF wraps thousands of
    hyphenated lines: a scan of the whole vocabulary for each was quadratic)."""

    def __init__(self, counts: Counter):
        self.words = sorted(counts)
        self.running = [0, *accumulate(counts[w] for w in self.words)]

    def uses(self, word: str) -> int:
        """How often the document writes ``word`` or a word it begins (``sub-processor`` in
        ``sub-processors``)."""
        word = word.lower()
        first, last = bisect_left(self.words, word), bisect_left(self.words, word + "\U0010ffff")
        return self.running[last] - self.running[first]


def _running_key(line: str) -> str:
    return RUNNING_DIGITS.sub("#", line)


def reads_as_japanese_or_english(text: str) -> bool:
    """Whether text read from a PDF is Japanese or English at all, not glyph numbers of a font
    without a character map (a text too short to judge counts as read)."""
    characters = sum(1 for c in text if not c.isspace())
    if characters < MIN_JUDGED_CHARS or len(HIRAGANA.findall(text)) >= MIN_HIRAGANA_SHARE * characters:
        return True
    letters = len(ASCII_LETTER.findall(text))
    return letters >= MIN_LATIN_SHARE * characters and \
        len(COMMON_ENGLISH.findall(text)) * 100 >= MIN_COMMON_ENGLISH * letters


def _unreadable_pages(pages: list[str]) -> tuple[int, ...]:
    """The pages (from 1) whose text is glyph numbers (a font without a character map on those
    pages only): neither Japanese nor English, and written partly in characters no contract is
    written in (control characters, the glyph numbers of a subset font's first glyphs; letters of
    other scripts). A page of a table, a form or a table of contents can fail the first test alone
    (few of the commonest English words, rules of dashes); it passes the second."""
    out = []
    for n, page in enumerate(pages, 1):
        characters = sum(1 for c in page if not c.isspace())
        if not reads_as_japanese_or_english(page) and \
                len(FOREIGN.findall(page)) >= MIN_FOREIGN_SHARE * characters:
            out.append(n)
    return tuple(out)


def _shows_image(page) -> bool:
    """Whether a PDF page draws an image XObject (directly or inside a form XObject)."""
    def holds_image(resources, depth=0) -> bool:
        try:
            xobjects = resources.get("/XObject") if resources is not None else None
            xobjects = xobjects.get_object() if xobjects is not None else {}
            for ref in xobjects.values():
                item = ref.get_object()
                if item.get("/Subtype") == "/Image":
                    return True
                if item.get("/Subtype") == "/Form" and depth < 3 and holds_image(item.get("/Resources"), depth + 1):
                    return True
        except (AttributeError, KeyError, TypeError, ValueError):
            return False
        return False
    resources = page.get("/Resources")
    return holds_image(resources.get_object() if resources is not None else None)
