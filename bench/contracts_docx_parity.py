"""Do contracts read the same from a Word file as from their text? Parity of the clause checker.

Every *training* document of the real corpus (tests/contracts/corpus_real; ``split.yaml``'s
held-out documents are never read) and, reported apart, every document of the own corpus
(tests/contracts/corpus) is checked through ``checker.check`` (the entry point the upload API
uses) on its text and on a .docx of that text in each form of ``tests/contracts/docx_writer.py``:
``plain`` (one paragraph a line, numbers typed), ``numbered`` (article headings and numbered
paragraphs in Word's automatic numbering: the number in numbering.xml, restarts as
``w:startOverride``) and ``styled`` (Heading styles, a running header and footer, definitions
in a table, list items and long paragraphs broken with soft line breaks ``w:br``).

Printed per group, language and form: the share of clause pairs whose status (found /
not_found / needs_review) is the same on the .docx as on the text, the statuses against the
labels on the text and on the .docx (present→found, present→not_found, absent→found, needs
review), how many documents read with another structure style, and the CPU time of the checks.
``--verbose`` lists every pair that differs.

    .venv/bin/python bench/contracts_docx_parity.py [--verbose] [--limit N] [--variant V]
"""
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_pdf_parity import (  # noqa: E402
    parity_arguments,
    parity_documents,
    rates,
    source_text,
    tally_pairs,
    title_of,
)
from tests.contracts.docx_writer import VARIANTS, contract_docx  # noqa: E402
from vendorrisk.contracts import checker  # noqa: E402
from vendorrisk.contracts.checker import library, scorer  # noqa: E402


def run(documents, variants, verbose: bool) -> dict:
    """Check every document on its text and on its .docx forms; the counts per language and form."""
    clauses = library.library()
    out: dict = {}
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        data = document.path.read_bytes()
        text = source_text(document)
        start = time.process_time()
        on_text = checker.check(data, document.path.name, clauses)
        t_text = time.process_time() - start
        for variant in variants:
            stats = out.setdefault((lang, variant), {"text": Counter(), "docx": Counter(), "same": 0, "pairs": 0,
                                                     "docs": 0, "style": 0, "t_text": 0.0, "t_docx": 0.0})
            stats["t_text"] += t_text
            word = contract_docx(text, lang, variant, title=title_of(text, lang), seed=i)
            start = time.process_time()
            on_docx = checker.check(word, document.path.stem + ".docx", clauses)
            stats["t_docx"] += time.process_time() - start
            stats["docs"] += 1
            stats["style"] += on_text.structure.style != on_docx.structure.style
            if verbose and on_text.structure.style != on_docx.structure.style:
                print(f"    [{variant}] style {document.key}: text {on_text.structure.style}, "
                      f"docx {on_docx.structure.style}")
            tally_pairs(stats, "docx", "docx", document, on_text, on_docx, verbose, tag=f"[{variant}] ")
    return out


def report(label: str, out: dict) -> None:
    """Print one group's figures per language and form."""
    print(f"\n== {label}")
    for (lang, variant), s in sorted(out.items()):
        print(f"  {lang} {variant}: {s['docs']} documents, {s['pairs']} clause pairs; status agreement text vs docx "
              f"{s['same'] / max(1, s['pairs']):.3f} ({s['pairs'] - s['same']} differ); structure style differs on "
              f"{s['style']} document(s)")
        print(f"     text: {rates(s['text'])}")
        print(f"     docx: {rates(s['docx'])}")
        print(f"     CPU: text checked {s['t_text']:.1f} s, docx checked (reading included) {s['t_docx']:.1f} s")


def main() -> None:
    """Print the parity figures of the real training documents and of the own corpus."""
    parser = parity_arguments(__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, action="append", help="only these forms (default: all)")
    args = parser.parse_args()
    model = scorer.load_model()
    training, own = parity_documents(args.limit)
    variants = args.variant or VARIANTS
    print(f"model {model.version}; {len(training)} real training documents, {len(own)} own documents")
    report("Real corpus, training documents", run(training, variants, args.verbose))
    report("Own corpus", run(own, variants, args.verbose))


if __name__ == "__main__":
    main()
