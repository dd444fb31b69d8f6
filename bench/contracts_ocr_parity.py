"""Do scanned contracts read by OCR check as their text does? Parity of the clause checker on OCR.

A sample of the *training* documents of the real corpus (tests/contracts/corpus_real;
``split.yaml``'s held-out documents are never read), per language, is rendered as a PDF
(``tests/contracts/pdf_writer.contract_pdf``), scanned (``scanned_copy``: each page drawn by
PDFium to a gray bitmap at 200 dpi and written back as an image-only PDF; ``--noise`` flips a
share of its pixels, dust and toner), read by OCR as the scheduler reads it (``checker.ocr``:
PDFium at 300 dpi, Tesseract ``jpn+eng``) and checked (``checker.check`` with the OCR pages);
the same document's text is checked too.

``--glyphs all`` (or ``even``): no scan — the document is written as a PDF whose font has no
character map on every page (or every other page), as old tools write them: its text layer is
glyph numbers, yet its pages draw the contract (``pdf_writer``'s Type 3 fonts); it reads
``unreadable_text`` (or ``partly_unreadable``) and the pages the OCR runner reads
(``ocr_jobs``: all of them, or the unreadable ones) are read by OCR and checked as the scheduler
does.

Printed per language: the share of clause pairs whose status is the same on OCR as on the text,
the statuses against the labels on each (present→found, present→not_found, absent→found,
needs review), how the scans read (``ocr``, or still ``scanned``), the pages' mean OCR
confidence and the seconds of OCR a page (wall clock, one Tesseract thread).

``--image``: the same documents as a scanner saves them as images — one multi-page bilevel TIFF at
300 dpi (``tests/contracts/image_writer``), read page by page as an uploaded image is
(``checker.image``: each page handed to Tesseract alone, its resolution from the header).

    .venv/bin/python bench/contracts_ocr_parity.py [--small] [--per-language N] [--noise 0.002] [--glyphs all|even]
                                                   [--image] [--verbose]
"""
import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_pdf_parity import rates, source_text, tally_pairs, title_of  # noqa: E402
from tests.contracts.image_writer import page_bitmaps, tiff  # noqa: E402
from tests.contracts.pdf_writer import FOOTERS, contract_pdf, scanned_copy  # noqa: E402
from vendorrisk.contracts import checker, corpus  # noqa: E402
from vendorrisk.contracts.checker import image, library, ocr  # noqa: E402
from vendorrisk.contracts.checker.pdf import read_pdf  # noqa: E402
from vendorrisk.contracts.ocr_jobs import OCR_READS, PARTLY  # noqa: E402


def sample(per_language: int, max_chars: int) -> list:
    """The first ``per_language`` training documents of each language no longer than
    ``max_chars`` (OCR takes seconds a page), in the corpus's order."""
    chosen: dict[str, list] = {"ja": [], "en": []}
    for document in corpus.real_documents():
        if document.heldout:  # never a held-out document
            continue
        lang = "ja" if document.language == "ja" else "en"
        if len(chosen[lang]) < per_language and len(source_text(document)) <= max_chars:
            chosen[lang].append(document)
    return chosen["ja"] + chosen["en"]


def run(documents, noise: float, verbose: bool, glyphs: str = "", as_image: bool = False) -> dict:
    """Check every document on its text and on its OCR'd scan; the counts per language."""
    clauses = library.library()
    out: dict = {}
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        stats = out.setdefault(lang, {"text": Counter(), "ocr": Counter(), "same": 0, "pairs": 0, "docs": 0,
                                      "status": Counter(), "before": Counter(), "pages": 0, "seconds": 0.0,
                                      "confidence": []})
        text = source_text(document)
        on_text = checker.check(document.path.read_bytes(), document.path.name, clauses)
        garbled = tuple(range(1 if glyphs == "all" else 2, 10000, 1 if glyphs == "all" else 2)) if glyphs else ()
        pdf = contract_pdf(text, lang, title=title_of(text, lang), footer=FOOTERS[i % len(FOOTERS)], seed=i,
                           drawn=True, garbled_pages=garbled)
        reader, suffix = ocr, ".pdf"
        if as_image:  # a scanner's multi-page bilevel TIFF at 300 dpi
            scan, reader, suffix = tiff(page_bitmaps(pdf, 300), dpi=300), image, ".tif"
        else:
            scan = pdf if glyphs else scanned_copy(pdf, noise=noise, seed=i)
        before = read_pdf(scan) if not as_image else None
        stats["before"][before.status if before else "image"] += 1
        if as_image:
            numbers = list(range(1, image.page_count(scan) + 1))
        elif before.status not in OCR_READS:  # not queued for OCR (no page of glyph numbers): checked as it reads
            numbers = []
        elif before.status in PARTLY:  # the pages the OCR runner reads
            numbers = sorted({*before.scanned_pages, *before.unreadable_pages})
        else:
            numbers = list(range(1, ocr.page_count(scan) + 1))
        start = time.perf_counter()
        pages = reader.read_pages(scan, numbers, timeout=300)
        stats["seconds"] += time.perf_counter() - start
        stats["pages"] += len(pages)
        stats["confidence"] += [p.confidence for p in pages]
        on_ocr = checker.check(scan, document.path.stem + suffix, clauses, ocr_pages=pages if numbers else None)
        stats["docs"] += 1
        stats["status"][on_ocr.status] += 1
        tally_pairs(stats, "ocr", "OCR", document, on_text, on_ocr, verbose)
        print(f"  {document.key} ({lang}): {len(pages)} page(s) read by OCR, read as "
              f"{before.status if before else 'an image'} before, {on_ocr.status} after", flush=True)
    return out


def report(out: dict) -> None:
    """Print the figures per language."""
    for lang, s in sorted(out.items()):
        confidence = sum(s["confidence"]) / max(1, len(s["confidence"]))
        print(f"  {lang}: {s['docs']} documents, {s['pages']} pages read by OCR, {s['pairs']} clause pairs; "
              f"status agreement text vs OCR {s['same'] / max(1, s['pairs']):.3f} "
              f"({s['pairs'] - s['same']} pairs differ); read before OCR as {dict(s['before'])}, after as "
              f"{dict(s['status'])}; mean OCR confidence "
              f"{confidence:.1f}; OCR {s['seconds'] / max(1, s['pages']):.1f} s a page")
        print(f"     text: {rates(s['text'])}")
        print(f"     OCR:  {rates(s['ocr'])}")


def main() -> None:
    """Print the OCR parity figures of a sample of the real training documents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="two short documents a language (a quick run)")
    parser.add_argument("--per-language", type=int, default=8, help="documents a language (default 8)")
    parser.add_argument("--max-chars", type=int, default=12000, help="longest document text taken (default 12000)")
    parser.add_argument("--noise", type=float, default=0.0, help="share of the scan's pixels flipped (e.g. 0.002)")
    parser.add_argument("--glyphs", choices=("all", "even"), default="",
                        help="no scan: a PDF whose font has no character map on all (or even) pages, read by OCR")
    parser.add_argument("--image", action="store_true", help="scans as multi-page bilevel TIFF images at 300 dpi "
                        "instead of image-only PDFs")
    parser.add_argument("--verbose", action="store_true", help="list every pair whose status differs")
    args = parser.parse_args()
    if not ocr.available():
        print("OCR is not available: install tesseract-ocr, tesseract-ocr-jpn and tesseract-ocr-eng.")
        return
    per_language, max_chars = (2, 5000) if args.small else (args.per_language, args.max_chars)
    documents = sample(per_language, max_chars)
    kind = ("bilevel TIFF images at 300 dpi" if args.image else f"glyph numbers on {args.glyphs} pages"
            if args.glyphs else f"PDF scans at 200 dpi, noise {args.noise}")
    print(f"{len(documents)} real training documents, {kind}")
    report(run(documents, args.noise, args.verbose, args.glyphs, args.image))


if __name__ == "__main__":
    main()
