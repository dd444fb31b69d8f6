"""Do contracts read the same from RTF as from their text? Parity of the clause checker.

Every *training* document of the real corpus (tests/contracts/corpus_real; ``split.yaml``'s
held-out documents are never read) and, reported apart, every document of the own corpus
(tests/contracts/corpus, its ``heldout`` files left out too) is checked through ``checker.check`` (the
entry point the upload API uses) on its text and on an RTF of it as Word saves one
(``tests/contracts/rtf_writer.py``: cp932 ``\\'hh`` pairs in a font of charset 128, ``\\uN`` for the
rest, list numbers in ``\\listtext``, tables as rows, header and footer, fields, bookmarks, hidden
and deleted text, an embedded object).

Printed per group and language: the share of clause pairs whose status (found / not_found /
needs_review) is the same on the RTF as on the text, the statuses against the labels on both, how
many documents read with another structure style, on how many the RTF reads block for block as the
text (a list number Word draws is followed by a tab, read as a space: ``第1条 (目的)``; compared with
blanks ignored), and the CPU time. Then the reading speed: an RTF of about 200 pages (an own-corpus
document repeated) read by ``text.extract``, in English and in Japanese. ``--verbose`` lists every
pair that differs; ``--small``: three documents a group.

    .venv/bin/python bench/contracts_rtf_parity.py [--small] [--verbose] [--limit N]
"""
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_pdf_parity import best_read_seconds, parity_arguments, parity_documents, rates, tally_pairs  # noqa: E402
from tests.contracts.rtf_writer import contract_rtf  # noqa: E402
from vendorrisk.contracts import checker  # noqa: E402
from vendorrisk.contracts.checker import library, scorer  # noqa: E402
from vendorrisk.contracts.checker import text as checker_text  # noqa: E402

CHARS_PER_PAGE = {"en": 1800, "ja": 1000}  # a printed A4 page, about


def _blocks(document) -> list[tuple[str, str]]:
    read = checker_text.extract(document.path.read_bytes(), document.path.suffix.lstrip("."))
    return [(b.text, b.part) for b in read.blocks]


def _unblanked(blocks) -> list[tuple[str, str]]:
    return [(text.replace(" ", ""), part) for text, part in blocks]


def run(documents, verbose: bool) -> dict:
    """Check every document on its text and on its RTF; the counts per language."""
    clauses = library.library()
    out: dict = {}
    for i, document in enumerate(documents):
        lang = "ja" if document.language == "ja" else "en"
        stats = out.setdefault(lang, {"text": Counter(), "rtf": Counter(), "same": 0, "pairs": 0, "docs": 0,
                                      "style": 0, "t_text": 0.0, "t_rtf": 0.0, "identical": 0})
        data = document.path.read_bytes()
        start = time.process_time()
        on_text = checker.check(data, document.path.name, clauses)
        stats["t_text"] += time.process_time() - start
        blocks = _blocks(document)
        rtf = contract_rtf(blocks, lang, seed=i)
        start = time.process_time()
        on_rtf = checker.check(rtf, document.path.stem + ".rtf", clauses)
        stats["t_rtf"] += time.process_time() - start
        stats["docs"] += 1
        stats["identical"] += _unblanked((b.text, b.part) for b in on_rtf.extracted.blocks) == _unblanked(blocks)
        stats["style"] += on_text.structure.style != on_rtf.structure.style
        if verbose and on_text.structure.style != on_rtf.structure.style:
            print(f"    style {document.key}: text {on_text.structure.style}, rtf {on_rtf.structure.style}")
        tally_pairs(stats, "rtf", "rtf", document, on_text, on_rtf, verbose)
    return out


def report(label: str, out: dict) -> None:
    """Print one group's figures per language."""
    print(f"\n== {label}")
    for lang, s in sorted(out.items()):
        print(f"  {lang}: {s['docs']} documents, {s['pairs']} clause pairs; status agreement text vs rtf "
              f"{s['same'] / max(1, s['pairs']):.3f} ({s['pairs'] - s['same']} differ); structure style differs on "
              f"{s['style']} document(s); read block for block as the text on {s['identical']}")
        print(f"     text: {rates(s['text'])}")
        print(f"     rtf:  {rates(s['rtf'])}")
        print(f"     CPU: text checked {s['t_text']:.1f} s, rtf checked (reading included) {s['t_rtf']:.1f} s")


def speed(documents, pages: int = 200) -> None:
    """Read an RTF of about ``pages`` pages (the longest document of each language repeated)."""
    for lang in ("en", "ja"):
        document = max((d for d in documents if (d.language == "ja") == (lang == "ja")),
                       key=lambda d: len(d.path.read_bytes()))
        blocks = _blocks(document)
        chars = sum(len(t) for t, _p in blocks)
        copies = max(1, pages * CHARS_PER_PAGE[lang] // max(1, chars))
        data = contract_rtf(blocks * copies, lang)
        best = best_read_seconds(data, "rtf")
        read = len(checker_text.extract(data, "rtf").blocks)
        print(f"\n== Speed ({lang}): {document.key} repeated {copies} times (~{pages} pages): "
              f"{len(data) / 1e6:.1f} MB, {read} blocks read in {best:.2f} s (best of 3, wall)")



def main() -> None:
    """Print the parity figures of the real training documents and of the own corpus, then the speed."""
    parser = parity_arguments(__doc__.splitlines()[0], small=True)
    args = parser.parse_args()
    model = scorer.load_model()
    training, own = parity_documents(3 if args.small else args.limit, own_heldout=False)
    print(f"model {model.version}; {len(training)} real training documents, {len(own)} own documents")
    report("Real corpus, training documents", run(training, args.verbose))
    report("Own corpus", run(own, args.verbose))
    speed(parity_documents(own_heldout=False)[1])


if __name__ == "__main__":
    main()
