"""Contracts uploaded as images — a scanner's PNG, JPEG or multi-page TIFF, a photographed signed
page: read as a scan (``text.extract``: status ``scanned``, every clause *needs review*) until the
OCR job reads them.

Tesseract reads the images itself (Leptonica decodes PNG, JPEG and TIFF, CCITT G4 bilevel
included): no pixel is decoded here. A multi-page TIFF is handed over a page at a time (the same
bytes, its header pointing at that page: ``core.images.tiff_page``), so that each page has its
time limit and each passage read its page. The resolution comes from the image's header, 300 dpi
when it gives none (a phone photo: Tesseract guesses badly without one). The text read is laid
out as a PDF's pages are (running headers and footers, wrapped lines joined) and checked as a
scanned PDF read by OCR is (``ocr.mark_ocr``), each passage naming the page it starts on, as a
PDF's do (``Passage.page``).
"""

from vendorrisk.contracts.checker import ocr
from vendorrisk.contracts.checker.text import MIN_TEXT_CHARS, Extracted, _refuse
from vendorrisk.core import images

# a file's extension (``checker.check`` reads the kind from the name) and the upload's kind
SUFFIXES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "tif": "tiff", "tiff": "tiff"}
KINDS = frozenset(SUFFIXES.values())


def header(data: bytes) -> images.ImageHeader:
    """The image's pages as its header declares them; ``UnreadableContract`` when it is damaged."""
    try:
        return images.read_header(data)
    except images.BadImage as exc:
        _refuse(f"The image is damaged ({exc}).", "image_corrupt")


def read_unread(data: bytes) -> Extracted:
    """An image before OCR: no text, status ``scanned``, the note naming its pages."""
    pages = len(header(data).pages)
    return Extracted(blocks=[], status="scanned",
                     note=f"The file is an image of {pages} page(s) (a scan or a photo): every clause needs a "
                          "manual review until it is read by OCR.")


def page_count(data: bytes) -> int:
    """How many pages the image has (a TIFF may have several)."""
    return len(header(data).pages)


def page_images(data: bytes, numbers):
    """``(number, image bytes, dpi)`` of the pages ``numbers`` (from 1), one after the other."""
    found = header(data)
    for number in numbers:
        page = found.pages[number - 1]
        image = images.tiff_page(data, page) if found.kind == "tiff" and len(found.pages) > 1 else data
        yield number, image, page.dpi or ocr.DPI


def read_pages(data: bytes, numbers, timeout: float) -> list[ocr.OcrPage]:
    """Read the pages ``numbers`` (from 1) of an image with OCR, as ``ocr.read_pages`` reads a
    PDF's; ``OcrFailed`` when a page cannot be read within ``timeout`` seconds."""
    psm = "1" if "osd" in ocr.installed_languages() else "3"
    pages = []
    for number, image, dpi in page_images(data, numbers):
        text, confidence = ocr.read_image(image, timeout, dpi=dpi, psm=psm)
        pages.append(ocr.OcrPage(number, text, round(confidence, 1)))
    return pages


def read_with_ocr(data: bytes, pages: list[ocr.OcrPage]) -> Extracted:
    """The image's text as OCR read it: status ``ocr``, the pages read with too little confidence
    kept as scanned pages (a clause not found may be on them); as before OCR (``scanned``) when
    too little could be read."""
    from vendorrisk.contracts.checker.pdf import (
        _unwrapped,
        _without_running_lines,
        page_blocks,
        reads_as_japanese_or_english,
    )

    total = page_count(data)
    readable = {p.number: p.text for p in pages if p.readable}
    blocks = _unwrapped(_without_running_lines(page_blocks([readable.get(n, "") for n in range(1, total + 1)])))
    text = "\n".join(b.text for b in blocks)
    if len(text) < MIN_TEXT_CHARS or not reads_as_japanese_or_english(text):
        return read_unread(data)
    unread = tuple(n for n in range(1, total + 1) if n not in readable)
    note = (f"Read by OCR from the scan (pages {', '.join(str(n) for n in sorted(readable))}): check the "
            "evidence against the scanned pages.")
    if unread:
        note += (f" Pages {', '.join(str(n) for n in unread)} of {total} could not be read (OCR confidence too "
                 "low): a clause not found may be on them.")
    return Extracted(blocks=blocks, status="ocr", note=note, scanned_pages=unread)
