"""Reading a PDF's text layer (``text.extract`` for a ``.pdf``): page by page, without page
numbers and running headers and footers, and how it was read — a scan, glyph numbers of fonts
without a character map, some pages scanned."""
import io
import re
from collections import Counter

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


def read_pdf(data: bytes) -> Extracted:
    """The text of a PDF, page by page, and how it was read: ``scanned`` when most pages are images
    without text, ``unreadable_text`` when its text is glyph numbers, ``partly_scanned`` when some
    pages are images; page numbers and running headers and footers out of the sentences."""
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
        for page in reader.pages:
            time_budget.check()
            pages.append(page.extract_text() or "")
            images.append(_shows_image(page))
    except UnreadableContract:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        # PyPdfError includes LimitReachedError: a stream that would inflate past pypdf's limits
        _refuse(f"The PDF is corrupt and cannot be read ({type(exc).__name__}).", "pdf_corrupt")
    by_page = [[b for b in (Block(normalise(line)) for line in page.splitlines())
                if b.text and not PAGE_NUMBER.fullmatch(b.text)] for page in pages]
    blocks = _without_running_lines(by_page)
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
    if not reads_as_japanese_or_english("\n".join(b.text for b in blocks)):
        return Extracted(blocks=blocks, status="unreadable_text",
                         note="The text read from the PDF is neither Japanese nor English — its fonts probably carry "
                              "no character map; every clause needs a manual review, or upload a .docx file or the PDF "
                              "exported again with text.")
    if image_pages:  # a signed page, an annex or a schedule scanned into a text PDF
        listed = ", ".join(str(n) for n in image_pages)
        return Extracted(blocks=blocks, status="partly_scanned", scanned_pages=image_pages,
                         note=f"Pages {listed} of {len(pages)} are scanned images without text: what is written "
                              "there was not read, and a clause not found may be on them.")
    return Extracted(blocks=blocks, status="ok")


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
