"""Do contracts read the same from HTML as from their text? Parity of the clause checker.

Every *training* document of the real corpus (tests/contracts/corpus_real; ``split.yaml``'s
held-out documents are never read) and, reported apart, every document of the own corpus
(tests/contracts/corpus, its ``heldout`` files left out too) is checked through ``checker.check`` (the entry point the upload API
uses) on its text and on its HTML in each style of ``tests/contracts/html_writer.py``: ``edgar``
(an SEC exhibit: SGML envelope, ``<FONT>``, numbered paragraphs in layout tables, the source
wrapped inside words, page numbers and page breaks) and ``webpage`` (a saved page of terms:
cookie banner, navigation, header and footer, ``<h2>`` articles, numbered runs as ``<ol>`` whose
numbers the browser draws; Japanese in Shift_JIS).

Printed per group, language and style: the share of clause pairs whose status (found /
not_found / needs_review) is the same on the HTML as on the text, the statuses against the
labels on both, how many documents read with another structure style, on how many the page's
body reads line for line as the text (page-number lines left in a text, and a source line broken
at a space between Japanese words, make the others differ), and the CPU time. Then
the reading speed: a page of about 200 pages (an own-corpus document's HTML repeated) read by
``text.extract``. ``--verbose`` lists every pair that differs; ``--small``: three documents a group.

    .venv/bin/python bench/contracts_html_parity.py [--small] [--verbose] [--limit N] [--style S]
"""
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_pdf_parity import (  # noqa: E402
    best_read_seconds,
    parity_arguments,
    parity_documents,
    rates,
    source_text,
    tally_pairs,
)
from tests.contracts.html_writer import STYLES, contract_html  # noqa: E402
from vendorrisk.contracts import checker  # noqa: E402
from vendorrisk.contracts.checker import library, scorer  # noqa: E402
from vendorrisk.contracts.checker import text as checker_text  # noqa: E402

CHARS_PER_PAGE = 1800  # a printed A4 page of an English agreement, about


def run(documents, styles, verbose: bool) -> dict:
    """Check every document on its text and on its HTML styles; the counts per language and style."""
    clauses = library.library()
    out: dict = {}
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        data = document.path.read_bytes()
        text = source_text(document)
        start = time.process_time()
        on_text = checker.check(data, document.path.name, clauses)
        t_text = time.process_time() - start
        for style in styles:
            stats = out.setdefault((lang, style), {"text": Counter(), "html": Counter(), "same": 0, "pairs": 0,
                                                   "docs": 0, "style": 0, "t_text": 0.0, "t_html": 0.0,
                                                   "identical": 0})
            stats["t_text"] += t_text
            page = contract_html(text, lang, style, seed=i)
            start = time.process_time()
            on_html = checker.check(page, document.path.stem + ".htm", clauses)
            stats["t_html"] += time.process_time() - start
            stats["docs"] += 1
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            stats["identical"] += [p.text for p in on_html.extracted.blocks if p.part == "body"] == lines
            stats["style"] += on_text.structure.style != on_html.structure.style
            if verbose and on_text.structure.style != on_html.structure.style:
                print(f"    [{style}] style {document.key}: text {on_text.structure.style}, "
                      f"html {on_html.structure.style}")
            tally_pairs(stats, "html", "html", document, on_text, on_html, verbose, tag=f"[{style}] ")
    return out


def report(label: str, out: dict) -> None:
    """Print one group's figures per language and style."""
    print(f"\n== {label}")
    for (lang, style), s in sorted(out.items()):
        print(f"  {lang} {style}: {s['docs']} documents, {s['pairs']} clause pairs; status agreement text vs html "
              f"{s['same'] / max(1, s['pairs']):.3f} ({s['pairs'] - s['same']} differ); structure style differs on "
              f"{s['style']} document(s); body read line for line as the text on {s['identical']}")
        print(f"     text: {rates(s['text'])}")
        print(f"     html: {rates(s['html'])}")
        print(f"     CPU: text checked {s['t_text']:.1f} s, html checked (reading included) {s['t_html']:.1f} s")


def speed(documents, pages: int = 200) -> None:
    """Read an HTML of about ``pages`` pages (the longest English document's body repeated) in each style."""
    document = max((d for d in documents if d.language != "ja"), key=lambda d: len(source_text(d)))
    text = source_text(document)
    copies = max(1, pages * CHARS_PER_PAGE // max(1, len(text)))
    print(f"\n== Speed: {document.key} repeated {copies} times (~{pages} pages)")
    for style in STYLES:
        one = contract_html(text, "en", style).decode()
        if style == "edgar":  # one envelope around the repeated body
            inner = re.search(r"<BODY[^>]*>(.*)</BODY>", one, re.S).group(1)
            page = one.replace(inner, inner * copies)
        else:
            inner = re.search(r"<main>(.*)</main>", one, re.S).group(1)
            page = one.replace(inner, inner * copies)
        data = page.encode()
        best = best_read_seconds(data, "html")
        blocks = len(checker_text.extract(data, "html").blocks)
        print(f"  {style}: {len(data) / 1e6:.1f} MB, {blocks} blocks read in {best:.2f} s (best of 3, wall)")



def main() -> None:
    """Print the parity figures of the real training documents and of the own corpus, then the speed."""
    parser = parity_arguments(__doc__.splitlines()[0], small=True)
    parser.add_argument("--style", choices=STYLES, action="append", help="only these styles (default: both)")
    args = parser.parse_args()
    model = scorer.load_model()
    training, own = parity_documents(3 if args.small else args.limit, own_heldout=False)
    styles = args.style or STYLES
    print(f"model {model.version}; {len(training)} real training documents, {len(own)} own documents")
    report("Real corpus, training documents", run(training, styles, args.verbose))
    report("Own corpus", run(own, styles, args.verbose))
    speed(parity_documents(own_heldout=False)[1])


if __name__ == "__main__":
    main()
