"""Do contracts read the same from a PDF as from their text? Parity of the clause checker.

Every *training* document of the real corpus (tests/contracts/corpus_real; ``split.yaml``'s
held-out documents are never read) and, reported apart, every document of the own corpus
(tests/contracts/corpus) is checked twice through ``checker.check`` (the entry point the upload
API uses): on its text, and on a PDF of that text rendered as real PDFs come out of Word,
LibreOffice and typesetters (``tests/contracts/pdf_writer.py``: English wrapped at about 90
characters with a share of line-end hyphenations and compounds broken at their hyphen,
Japanese wrapped at 38 characters inside words, the title as a running header, footers
``Page N of M`` / ``- N -`` / ``Confidential`` over the page number in turn, a blank line
between paragraphs).

Printed per group and language: the share of clause pairs whose status (found / not_found /
needs_review) is the same on the PDF as on the text, the statuses against the labels on the
text and on the PDF (present→found, present→not_found, absent→found, needs review), how many
documents read with another structure style or were not read as ``ok``, and the time: the text
checked, the PDF's text extracted, the PDF checked. ``--verbose`` lists every pair that differs.

Partial garbling: for the documents of four pages or more, page 2 is written in a font without
a character map (its text comes out as glyph numbers); printed: how the PDF was read (status)
and whether the glyph numbers were left out of the text.

    .venv/bin/python bench/contracts_pdf_parity.py [--verbose] [--limit N] [--no-garbling]
"""
import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.contracts.pdf_writer import FOOTERS, contract_pdf  # noqa: E402
from vendorrisk.contracts import checker, corpus  # noqa: E402
from vendorrisk.contracts.checker import library, scorer  # noqa: E402
from vendorrisk.contracts.checker import text as checker_text  # noqa: E402

TITLES = {"en": "Master Services Agreement", "ja": "業務委託契約書"}


def title_of(text: str, lang: str) -> str:
    """The running header: the document's first line when it is short, else a generic title."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if 0 < len(first) <= 60 else TITLES[lang]


def source_text(document) -> str:
    """The document's text as the checker reads it from its file (a Markdown file's marks gone),
    one paragraph a line: what the PDF is rendered from."""
    return checker_text.extract(document.path.read_bytes(), document.path.suffix.lstrip(".")).text


def run(documents, verbose: bool) -> dict:
    """Check every document on its text and on its PDF; the counts per language."""
    clauses = library.library()
    out: dict = {}
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        stats = out.setdefault(lang, {"text": Counter(), "pdf": Counter(), "same": 0, "pairs": 0, "docs": 0,
                                      "style": 0, "status": Counter(), "t_text": 0.0, "t_extract": 0.0,
                                      "t_pdf": 0.0, "pages": 0})
        data = document.path.read_bytes()
        text = source_text(document)
        start = time.process_time()
        on_text = checker.check(data, document.path.name, clauses)
        stats["t_text"] += time.process_time() - start
        pdf = contract_pdf(text, lang, title=title_of(text, lang), footer=FOOTERS[i % len(FOOTERS)], seed=i)
        start = time.process_time()
        checker_text.extract(pdf, "pdf")
        stats["t_extract"] += time.process_time() - start
        start = time.process_time()
        on_pdf = checker.check(pdf, document.path.stem + ".pdf", clauses)
        stats["t_pdf"] += time.process_time() - start
        stats["pages"] += pdf.count(b"/Type /Page ")
        stats["docs"] += 1
        stats["status"][on_pdf.status] += 1
        stats["style"] += on_text.structure.style != on_pdf.structure.style
        if verbose and on_text.structure.style != on_pdf.structure.style:
            print(f"    style {document.key}: text {on_text.structure.style}, PDF {on_pdf.structure.style}")
        tally_pairs(stats, "pdf", "PDF", document, on_text, on_pdf, verbose)
    return out


def tally_pairs(stats: dict, key: str, label: str, document, on_text, on_other, verbose: bool,
                tag: str = "") -> None:
    """Count one document's clause pairs into ``stats``: each status on the text (``stats["text"]``)
    and on the other form (``stats[key]``) against the labels, and whether the two agree; with
    ``verbose``, print each pair that differs (``label`` names the form, ``tag`` the variant)."""
    by_text = {r.clause_id: r for r in on_text.results}
    by_other = {r.clause_id: r for r in on_other.results}
    for clause_id, present in document.present.items():
        a, b = by_text[clause_id], by_other[clause_id]
        stats["text"][(present, a.status)] += 1
        stats[key][(present, b.status)] += 1
        stats["pairs"] += 1
        stats["same"] += a.status == b.status
        if verbose and a.status != b.status:
            print(f"    {tag}{document.key} {clause_id} ({'present' if present else 'absent'}): text {a.status} "
                  f"{a.location or ''} → {label} {b.status} {b.location or ''}")


def rates(counts: Counter) -> str:
    present = sum(v for (p, _s), v in counts.items() if p)
    absent = sum(v for (p, _s), v in counts.items() if not p)
    review = counts[(True, "needs_review")] + counts[(False, "needs_review")]
    return (f"p→found {counts[(True, 'found')] / max(1, present):.3f}  p→not_found "
            f"{counts[(True, 'not_found')] / max(1, present):.3f}  a→found {counts[(False, 'found')] / max(1, absent):.3f}"
            f"  review {review / max(1, present + absent):.3f}")


def report(label: str, out: dict) -> None:
    """Print one group's figures per language."""
    print(f"\n== {label}")
    for lang, s in sorted(out.items()):
        print(f"  {lang}: {s['docs']} documents, {s['pages']} PDF pages, {s['pairs']} clause pairs; "
              f"status agreement text vs PDF {s['same'] / max(1, s['pairs']):.3f} "
              f"({s['pairs'] - s['same']} pairs differ); structure style differs on {s['style']} document(s); "
              f"PDF read as {dict(s['status'])}")
        print(f"     text: {rates(s['text'])}")
        print(f"     PDF:  {rates(s['pdf'])}")
        print(f"     CPU: text checked {s['t_text']:.1f} s, PDF text extracted {s['t_extract']:.1f} s, "
              f"PDF checked (extraction included) {s['t_pdf']:.1f} s")


def garbling(documents) -> None:
    """Page 2 of each document of four pages or more in a font without a character map."""
    seen, statuses, clean = 0, Counter(), 0
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        text = source_text(document)
        pdf = contract_pdf(text, lang, title=title_of(text, lang), footer=FOOTERS[i % len(FOOTERS)], seed=i,
                           garbled_pages=(2,))
        if pdf.count(b"/Type /Page ") < 4:
            continue
        seen += 1
        extracted = checker_text.extract(pdf, "pdf")
        statuses[extracted.status] += 1
        # glyph numbers of this writer's glyph ids below 32 come out as control characters
        clean += not any(ord(c) < 32 and c not in "\n\t" for c in extracted.text)
    print(f"\n== Partial garbling: page 2 in a font without a character map ({seen} documents of 4+ pages)")
    print(f"  read as {dict(statuses)}; glyph numbers left out of the text in {clean} of {seen}")


def parity_arguments(description: str, small: bool = False) -> argparse.ArgumentParser:
    """The options every parity bench takes: ``--verbose``, ``--limit`` (and ``--small``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--verbose", action="store_true", help="list every pair whose status differs")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents of each group")
    if small:
        parser.add_argument("--small", action="store_true", help="three documents a group (a quick run)")
    return parser


def parity_documents(limit: int = 0, own_heldout: bool = True) -> tuple[list, list]:
    """The real training documents (never a held-out one) and the own documents (without the own
    ``heldout`` files unless ``own_heldout``), the first ``limit`` of each when it is given."""
    training = [d for d in corpus.real_documents() if not d.heldout]
    own = [d for d in corpus.own_documents() if own_heldout or "heldout" not in d.path.name]
    return (training[:limit], own[:limit]) if limit else (training, own)


def best_read_seconds(data: bytes, kind: str, tries: int = 3) -> float:
    """The shortest wall-clock time of ``tries`` reads of ``data`` as a ``kind`` file."""
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        checker_text.extract(data, kind)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print the parity figures of the real training documents and of the own corpus."""
    parser = parity_arguments(__doc__.splitlines()[0])
    parser.add_argument("--no-garbling", action="store_true", help="skip the partial-garbling measure")
    args = parser.parse_args()
    model = scorer.load_model()
    training, own = parity_documents(args.limit)
    print(f"model {model.version}; {len(training)} real training documents, {len(own)} own documents")
    report("Real corpus, training documents", run(training, args.verbose))
    report("Own corpus", run(own, args.verbose))
    if not args.no_garbling:
        garbling(training + own)


if __name__ == "__main__":
    main()
