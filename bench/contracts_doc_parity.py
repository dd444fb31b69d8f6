"""Do contracts read the same from a Word 97–2003 file (.doc) as from the .docx it was saved from?

Every *training* document of the real corpus (tests/contracts/corpus_real; ``split.yaml``'s
held-out documents are never read) and, reported apart, every document of the own corpus (its
``heldout`` files left out too) is
written as a .docx in each form of ``tests/contracts/docx_writer.py`` (``plain``, ``numbered``,
``styled``), converted to .doc by LibreOffice (``soffice --headless --convert-to doc``, all files of
a run in one call), and both are checked through ``checker.check``. Printed per group, language
and form: the share of clause pairs whose status is the same on the .doc as on the .docx, the
statuses against the labels, and the CPU time of the checks; then the time to read and to check a
.doc of about 200 pages. Needs LibreOffice; without ``soffice`` it says so and stops.

    .venv/bin/python bench/contracts_doc_parity.py [--verbose] [--limit N] [--variant V]
"""
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contracts_pdf_parity import parity_arguments, parity_documents, rates, source_text, tally_pairs, title_of  # noqa: E402
from tests.contracts.docx_writer import VARIANTS, contract_docx  # noqa: E402
from vendorrisk.contracts import checker, corpus  # noqa: E402
from vendorrisk.contracts.checker import library, scorer  # noqa: E402
from vendorrisk.contracts.checker import text as contracts_text  # noqa: E402


def convert(soffice: str, work: Path, sources: list[Path]) -> None:
    """Convert the .docx files to .doc beside them, in one LibreOffice run."""
    subprocess.run([soffice, f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "doc",
                    "--outdir", str(work), *map(str, sources)], check=True, capture_output=True)


def run(soffice: str, documents, variants, verbose: bool) -> dict:
    """Check every document's .docx and .doc forms; the counts per language and form."""
    clauses = library.library()
    out: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        work, written = Path(folder), []
        for i, document in enumerate(documents):
            lang = "ja" if document.language == "ja" else "en"
            text = source_text(document)
            for variant in variants:
                path = work / f"{i:03d}_{variant}.docx"
                path.write_bytes(contract_docx(text, lang, variant, title=title_of(text, lang), seed=i))
                written.append((document, lang, variant, path))
        convert(soffice, work, [path for *_rest, path in written])
        for document, lang, variant, path in written:
            # tally_pairs counts the first form (here the .docx) under "text"
            stats = out.setdefault((lang, variant), {"text": Counter(), "doc": Counter(), "same": 0, "pairs": 0,
                                                     "docs": 0, "t_docx": 0.0, "t_doc": 0.0})
            start = time.process_time()
            on_docx = checker.check(path.read_bytes(), path.name, clauses)
            stats["t_docx"] += time.process_time() - start
            start = time.process_time()
            on_doc = checker.check(path.with_suffix(".doc").read_bytes(), path.with_suffix(".doc").name, clauses)
            stats["t_doc"] += time.process_time() - start
            stats["docs"] += 1
            tally_pairs(stats, "doc", "doc", document, on_docx, on_doc, verbose, tag=f"[{variant}] ")
    return out


def report(label: str, out: dict) -> None:
    """Print one group's figures per language and form."""
    print(f"\n== {label}")
    for (lang, variant), s in sorted(out.items()):
        print(f"  {lang} {variant}: {s['docs']} documents, {s['pairs']} clause pairs; status agreement docx vs doc "
              f"{s['same'] / max(1, s['pairs']):.3f} ({s['pairs'] - s['same']} differ)")
        print(f"     docx: {rates(s['text'])}")
        print(f"     doc:  {rates(s['doc'])}")
        print(f"     CPU: docx checked {s['t_docx']:.1f} s, doc checked {s['t_doc']:.1f} s (reading included)")


def long_document(soffice: str, pages: int = 200) -> None:
    """Time reading and checking a .doc of about ``pages`` pages (an own-corpus contract repeated)."""
    document = next(d for d in corpus.own_documents() if d.language == "en" and d.path.suffix == ".txt"
                    and "heldout" not in d.path.name)
    text = source_text(document)
    copies = max(1, pages * 3000 // len(text))  # about 3,000 characters a page
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "long.docx"
        path.write_bytes(contract_docx("\n".join([text] * copies), "en", "styled", title="Agreement"))
        convert(soffice, work, [path])
        data = path.with_suffix(".doc").read_bytes()
        start, cpu = time.perf_counter(), time.process_time()
        blocks = contracts_text.extract(data, "doc").blocks
        read, read_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        checker.check(data, "long.doc", library.library())
        checked, checked_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"\n== A long .doc: {len(data) // 1024} KB, {sum(len(b.text) for b in blocks):,} characters "
          f"(~{pages} pages), {len(blocks):,} blocks: read in {read:.2f} s ({read_cpu:.2f} s CPU), read and checked "
          f"in {checked:.1f} s ({checked_cpu:.1f} s CPU)")


def main() -> None:
    """Print the parity figures of the real training documents and of the own corpus."""
    parser = parity_arguments(__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, action="append", help="only these forms (default: all)")
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice (LibreOffice) is not installed: no .doc can be written here; skipped")
        return
    model = scorer.load_model()
    training, own = parity_documents(args.limit, own_heldout=False)
    variants = args.variant or VARIANTS
    print(f"model {model.version}; {len(training)} real training documents, {len(own)} own documents")
    report("Real corpus, training documents", run(soffice, training, variants, args.verbose))
    report("Own corpus", run(soffice, own, variants, args.verbose))
    long_document(soffice)


if __name__ == "__main__":
    main()
