"""Reading the scanned pages of a PDF with OCR: each page rendered by PDFium (``pypdfium2``) to a
grayscale bitmap at 300 dpi, handed to Debian's Tesseract (``tesseract``, languages ``jpn+eng``)
as a PGM image, its text read from Tesseract's TSV output with each word's confidence.

Pure: bytes in, text out, no app and no database. Slow (seconds a page), so it never runs in a
web request: the scheduler's contract OCR job calls it (``contracts.ocr_jobs``).

Tesseract writes a space between Japanese characters (it reads each as a word): the spaces
between CJK characters (and between a CJK character and a digit, ``第1 条``) are removed, those
between English words kept. A page whose words Tesseract reads with a mean confidence under
``MIN_CONFIDENCE`` stays *unreadable* (as a scanned page whose text was not read): a clause
not found on such text must not be reported missing.
"""
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

LANGUAGES = "jpn+eng"
DPI = 300
# Mean word confidence (0-100, weighted by the words' lengths) under which a page's OCR text is
# not trusted. Clean scans of the corpus read at 92-95 on average, scans with 1 % of their pixels
# flipped at 66 (Japanese; one of four read under this on most pages) and 77 (English).
MIN_CONFIDENCE = 60.0
# A clause is reported *not found* on OCR text only when every page was read at least this
# confidently, else *needs review*: English scans with 1 % of their pixels flipped read at 77 and a
# misread phrase hid present clauses (present->not_found 0.125 -> 0.250); Japanese ones with 0.2 %
# read at 83 with no clause lost (bench/contracts_ocr_parity.py --noise; small samples).
NOT_FOUND_CONFIDENCE = 80.0
# Whether a clause may be *found* on OCR text (else *needs review*): yes — on scans of real training
# contracts no absent clause became found on OCR; misreads cost recall, not precision
# (docs/contracts_accuracy.md, "OCR (ocr27)").
OCR_MAY_FIND = True
CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# beside a Japanese character: another, a digit, a bracket (``第1 条``, ``( 再委託 )``)
CJK_SPACE = re.compile(rf"(?<=[{CJK}])[ \t]+(?=[{CJK}0-9()])|(?<=[{CJK}0-9()])[ \t]+(?=[{CJK}])")


class OcrFailed(Exception):
    """OCR could not read the file (Tesseract missing, timed out or failing; PDFium refusing
    the file); the message says why, for the reviewer."""


@dataclass(frozen=True)
class OcrPage:
    """The text read from one scanned page and how sure Tesseract was of it."""

    number: int  # from 1
    text: str
    confidence: float  # mean word confidence, 0-100

    @property
    def readable(self) -> bool:
        """Whether the text may be checked: confident enough, and not empty."""
        return self.confidence >= MIN_CONFIDENCE and bool(self.text.strip())


def installed_languages() -> set[str]:
    """The data Tesseract has (``jpn``, ``eng``, ``osd`` …); empty when it is not installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return set()
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=20, env=_env()).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return set(listed.decode("utf-8", "replace").split())


def available() -> bool:
    """Whether Tesseract and its Japanese and English data are installed."""
    return {"jpn", "eng"} <= installed_languages()


def _env() -> dict:
    # one thread per tesseract: the machine's cores serve the web workers too
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def join_cjk(text: str) -> str:
    """``text`` without the spaces Tesseract puts between Japanese characters (English keeps its
    spaces): ``委 託 者 は`` -> ``委託者は``, ``第1 条`` -> ``第1条``."""
    return CJK_SPACE.sub("", text)


def pgm(width: int, height: int, pixels: bytes) -> bytes:
    """A binary PGM image (P5) of ``width`` x ``height`` 8-bit gray ``pixels``, row by row."""
    return b"P5\n%d %d\n255\n" % (width, height) + pixels


def page_count(data: bytes) -> int:
    """How many pages the PDF has, as PDFium reads it."""
    import pypdfium2 as pdfium
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise OcrFailed(f"The PDF could not be opened for OCR ({exc}).") from exc
    try:
        return len(document)
    finally:
        document.close()


def render_pages(data: bytes, numbers, dpi: int = DPI):
    """The pages ``numbers`` (from 1) of a PDF as PGM images, one after the other (a page is
    rendered when it is read: a 300-dpi A4 page is 8.7 MB)."""
    import pypdfium2 as pdfium
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise OcrFailed(f"The PDF could not be opened for OCR ({exc}).") from exc
    try:
        for number in numbers:
            page = document[number - 1]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            width, height, stride = bitmap.width, bitmap.height, bitmap.stride
            raw = bytes(bitmap.buffer)
            if stride != width:  # rows padded to a multiple of four bytes
                raw = b"".join(raw[row * stride:row * stride + width] for row in range(height))
            bitmap.close()
            page.close()
            yield number, pgm(width, height, raw)
    finally:
        document.close()


def read_image(image: bytes, timeout: float, dpi: int = DPI, psm: str = "1") -> tuple[str, float]:
    """The text of one page image (PGM) and its mean word confidence, read by Tesseract.

    Page segmentation 1 lets Tesseract find the page's orientation first (its ``osd`` data, in
    Debian's ``tesseract-ocr``): a page fed into the scanner upside down or sideways reads as
    the others do (upside down it read at confidence 23-37, as garbage, under the default 3)."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrFailed("Tesseract is not installed.")
    try:
        done = subprocess.run([binary, "stdin", "stdout", "-l", LANGUAGES, "--dpi", str(dpi), "--psm", psm, "tsv"],
                              input=image, capture_output=True, timeout=timeout, env=_env())
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(f"Reading a page took longer than {timeout:.0f} seconds.") from exc
    except OSError as exc:
        raise OcrFailed(f"Tesseract could not be run ({exc}).") from exc
    if done.returncode != 0:
        raise OcrFailed("Tesseract failed: " + done.stderr.decode("utf-8", "replace").strip()[-300:])
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[str, float]:
    """Tesseract's TSV output as text (a line a line, a blank line between paragraphs, the
    spaces between Japanese characters removed) and the words' mean confidence weighted by
    their length (0 when no word was read)."""
    lines: dict[tuple, list[str]] = {}
    weight = total = 0.0
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        word, confidence = cells[11].strip(), float(cells[10])
        lines.setdefault((int(cells[2]), int(cells[3]), int(cells[4])), []).append(word)
        if confidence >= 0:
            weight += len(word)
            total += confidence * len(word)
    out, last = [], None
    for key, words in lines.items():
        if last is not None and key[:2] != last[:2]:
            out.append("")
        out.append(join_cjk(" ".join(words)))
        last = key
    return "\n".join(out), (total / weight if weight else 0.0)


def read_pages(data: bytes, numbers, timeout: float) -> list[OcrPage]:
    """Read the pages ``numbers`` (from 1) of a PDF with OCR; ``OcrFailed`` when a page cannot
    be rendered or read within ``timeout`` seconds."""
    psm = "1" if "osd" in installed_languages() else "3"  # orientation found only with its data
    pages = []
    for number, image in render_pages(data, numbers):
        text, confidence = read_image(image, timeout, psm=psm)
        pages.append(OcrPage(number, text, round(confidence, 1)))
    return pages


def read_with_ocr(data: bytes, pages: list[OcrPage]):
    """The PDF's text with the readable OCR ``pages`` read as those pages' text (``pdf.read_pdf``):
    status ``ocr`` when OCR gave the text checked, the pages still unread (confidence too low)
    kept as scanned or unreadable pages (a clause not found may be on them); as without OCR when
    too little could be read. The pages may be scanned images or pages whose text layer is glyph
    numbers (a font without a character map, drawn fine): the note says which."""
    from vendorrisk.contracts.checker.pdf import read_pdf
    from vendorrisk.contracts.checker.text import Extracted

    readable = {p.number: p.text for p in pages if p.readable}
    extracted = read_pdf(data, readable, unread=tuple(p.number for p in pages if not p.readable))
    if not readable or extracted.status in ("scanned", "unreadable_text"):
        return extracted
    read = ", ".join(str(n) for n in sorted(readable))
    before = read_pdf(data)
    if before.status in ("unreadable_text", "partly_unreadable") and not before.scanned_pages:
        note = (f"Read by OCR from the drawn pages (pages {read}), whose text layer is glyph numbers of a font without "
                "a character map: check the evidence against the PDF's pages.")
    else:
        note = f"Read by OCR from the scan (pages {read}): check the evidence against the scanned pages."
    unread = sorted({*extracted.scanned_pages, *extracted.unreadable_pages})
    if unread:
        listed = ", ".join(str(n) for n in unread)
        note += (f" Pages {listed} of {page_count(data)} could not be read (OCR confidence too low): a clause not "
                 "found may be on them.")
    return Extracted(blocks=extracted.blocks, status="ocr", note=note, scanned_pages=extracted.scanned_pages,
                     unreadable_pages=extracted.unreadable_pages)


SPACE = re.compile(r"\s+")


def mark_ocr(results: list, pages: list[OcrPage]) -> list:
    """``results`` with those whose evidence was read by OCR marked (``reason_params['ocr']``: the
    reason then asks to check the evidence against the scan; when ``OCR_MAY_FIND`` is false, such
    a *found* becomes *needs review*), and *not found* made *needs review* (``ocr_poor``) when a
    page was read with less than ``NOT_FOUND_CONFIDENCE``."""
    from dataclasses import replace

    from vendorrisk.contracts.checker import reasons
    from vendorrisk.contracts.checker.matcher import FOUND, NEEDS_REVIEW, NOT_FOUND

    read = SPACE.sub("", unicodedata.normalize("NFKC", "".join(p.text for p in pages if p.readable)))
    poor = [p for p in pages if p.readable and p.confidence < NOT_FOUND_CONFIDENCE]
    out = []
    for result in results:
        if result.status == NOT_FOUND and poor:
            params = {"pages": ", ".join(str(p.number) for p in poor),
                      "confidence": f"{min(p.confidence for p in poor):.0f}"}
            out.append(replace(result, status=NEEDS_REVIEW, reason_key="ocr_poor", reason_params=params,
                               reason=reasons.render("ocr_poor", params, "en")))
            continue
        focus = SPACE.sub("", result.evidence.replace("…", ""))[:40]  # the passage's start
        if not focus or focus not in read:
            out.append(result)
            continue
        params = {**result.reason_params, "ocr": True}
        status = result.status
        if status == FOUND and not OCR_MAY_FIND:
            status = NEEDS_REVIEW
            params["ocr_capped"] = True
        out.append(replace(result, status=status, reason_params=params,
                           reason=reasons.render(result.reason_key, params, "en")))
    return out

