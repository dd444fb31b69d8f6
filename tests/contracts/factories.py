"""Builders for contract tests: Word files with automatic numbering, a PDF text layer, the
labelled corpus and its evaluation (shared by the tests and ``bench/contracts_accuracy.py``)."""
import io
import re
from pathlib import Path

import docx
import yaml
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.contracts.pdf_writer import tounicode_stream
from tests.helpers import pdf_document
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.checker import matcher as contracts_matcher
from vendorrisk.contracts.checker import structure as contracts_structure
from vendorrisk.contracts.checker import text as contracts_text
from vendorrisk.contracts.models import ClauseCheck, ContractVersion
from vendorrisk.core.models import StoredFile

CORPUS = Path(__file__).resolve().parent / "corpus"
ARTICLE = re.compile(r"^(?:#+\s*)?(?:第\s*[0-9０-９一二三四五六七八九十]+\s*条|Article\s+\d+)\s*(.*)$")


def _add_numbering(document, lvl_text: str, fmt: str = "decimal") -> str:
    """Add a one-level numbering definition (e.g. ``第%1条``) and return its numId."""
    numbering = document.part.numbering_part.element
    abstract_id, num_id = "90", "90"
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{lvl_text}"/>'
        f'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def _number(paragraph, num_id: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def docx_from_text(text: str, header: str = "", footer: str = "", kanji: bool = False) -> bytes:
    """A Word file of a contract text: articles become automatically numbered headings
    (``第%1条`` for Japanese, ``Article %1`` for English), ``|`` rows become a table."""
    document = docx.Document()
    japanese = "条" in text
    num_id = _add_numbering(document, "第%1条" if japanese else "Article %1",
                            "japaneseCounting" if kanji else "decimal")
    rows: list[list[str]] = []

    def flush_table():
        if rows:
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    table.cell(r, c).text = value
            rows.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            if not re.fullmatch(r"\|[\s:|-]+\|?", stripped):
                rows.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        flush_table()
        if not stripped:
            continue
        if m := ARTICLE.match(stripped):
            _number(document.add_paragraph(m.group(1).strip()), num_id)
        else:
            document.add_paragraph(stripped.lstrip("# "))
    flush_table()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (ASCII, Helvetica), written by hand."""
    def esc(s):
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    ops = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"] + [f"({esc(line)}) Tj T*" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_document(objects)


def image_pdf(pages: int = 3, stamp: str = "", text_pages: int = 0) -> bytes:
    """A PDF as a scanner writes it: each page one grey-scale image (an image XObject,
    Flate-compressed), no text layer; ``stamp`` adds a line of text to every scanned page (as
    scanner apps do: "Scanned with ..."), and the first ``text_pages`` pages are text pages
    instead (a contract whose signed last pages were scanned)."""
    import zlib
    width, height = 60, 84
    pixels = bytes((x * 7 + y * 13 + (x * y) % 17) % 256 for y in range(height) for x in range(width))
    image = zlib.compress(pixels)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",  # the page tree is written last
               b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
               b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(image))
               + image + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for number in range(1, pages + 1):
        if number <= text_pages:
            ops = ["BT /F1 10 Tf 14 TL 50 800 Td"] + [
                f"(Article {number}.{line} The Provider shall perform the services described in Schedule "
                f"{line} with due care and skill.) Tj T*" for line in range(1, 30)] + ["ET"]
        else:
            ops = ["q 595 0 0 842 0 0 cm /Im1 Do Q"]
            if stamp:
                ops += [f"BT /F1 7 Tf 20 12 Td ({stamp}) Tj ET"]
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /XObject << /Im1 3 0 R >> /Font << /F1 4 0 R >> >> >>" % len(objects))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_document(objects)


def scanned_pdf() -> bytes:
    """A two-page PDF without any text (what a scanner produces, minus the image)."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corpus_labels() -> list[dict]:
    """The labelled corpus entries of ``tests/contract_corpus/labels.yaml``."""
    return yaml.safe_load((CORPUS / "labels.yaml").read_text(encoding="utf-8"))["contracts"]


def corpus_sets() -> dict[str, dict]:
    """The corpus sets (``tuning``, ``heldout_r1``...) with ``tuned_on`` and a note, in order."""
    return yaml.safe_load((CORPUS / "labels.yaml").read_text(encoding="utf-8"))["sets"]


def corpus_documents(entries: list[dict] | None = None) -> list[tuple[str, dict, bytes, str]]:
    """Every corpus contract (or those of ``entries``) as ``(name, labels, bytes, kind)``,
    Word builds included."""
    documents = []
    for entry in corpus_labels() if entries is None else entries:
        path = CORPUS / entry["file"]
        data = path.read_bytes()
        kind = path.suffix.lstrip(".")
        documents.append((entry["file"], entry, data, kind))
        if entry.get("as_docx"):
            documents.append((path.stem + ".docx", entry,
                              docx_from_text(data.decode("utf-8"), header=f"{path.stem} / 契約書",
                                             footer="Confidential"), "docx"))
    return documents


def evaluate(entries: list[dict] | None = None) -> tuple[dict, list[tuple[str, str, str, str]]]:
    """Run the checker over the corpus (or the labelled ``entries``); return per-clause
    counts and every result row ``(document, clause, expected, got)``; expected is
    ``found`` or ``missing``."""
    clauses = contracts_library.library()
    counts = {c.id: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for c in clauses}
    rows = []
    for name, entry, data, kind in corpus_documents(entries):
        extracted = contracts_text.extract(data, kind)
        structure = contracts_structure.parse(extracted.blocks)
        results = {r.clause_id: r for r in contracts_matcher.check_contract(structure, clauses)}
        for clause in clauses:
            expected = "found" if clause.id in entry["found"] else "missing"
            got = results[clause.id].status
            positive = got == "found"
            key = ("tp" if positive else "fn") if expected == "found" else ("fp" if positive else "tn")
            counts[clause.id][key] += 1
            rows.append((name, clause.id, expected, got))
    return counts, rows


def precision_recall(counts: dict) -> tuple[float, float]:
    """Precision and recall of "found" over summed counts."""
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def japanese_pdf(lines: list[str], lines_per_page: int = 40, wrap: int = 38, page_numbers: bool = True,
                 character_map: bool = True, running_header: str = "") -> bytes:
    """A PDF whose text layer holds Japanese ``lines``, laid out as a word processor does:
    lines wrapped at ``wrap`` characters (a sentence runs on over several lines), pages of
    ``lines_per_page`` lines, a page number (``- 3 -``) at the foot of each page.

    The text is written with a CID-keyed font (Identity-H) and a ToUnicode map, the way
    Word and LibreOffice write Japanese, so text extraction goes the same way; the font
    is named, not embedded (no font file is needed to build or read the text layer).
    ``character_map=False`` leaves the ToUnicode map out, as some older tools and scanners'
    PDF writers do: a reader then gets the glyph numbers, not the characters. A
    ``running_header`` is written at the top of every page (the contract's title, 「機密」)."""
    laid = []
    for line in lines:
        line = line.rstrip()
        while len(line) > wrap:
            laid.append(line[:wrap])
            line = line[wrap:]
        laid.append(line)
    chars = sorted({c for line in laid for c in line} | set("-0123456789 ") | set(running_header))
    cid = {c: i + 1 for i, c in enumerate(chars)}
    pages = [laid[i:i + lines_per_page] for i in range(0, len(laid), lines_per_page)] or [[]]
    font_ref, tounicode_ref = 3, 4
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /IPAexMincho /Encoding /Identity-H "
                   b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /IPAexMincho "
                   b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                   b"/FontDescriptor << /Type /FontDescriptor /FontName /IPAexMincho /Flags 6 "
                   b"/FontBBox [0 -140 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
                   b"/StemV 80 >> /DW 1000 /CIDToGIDMap /Identity >>]"
                   + (b" /ToUnicode %d 0 R" % tounicode_ref if character_map else b"") + b" >>")
    objects.append(tounicode_stream(cid))
    kids = []
    for number, page in enumerate(pages, 1):
        ops = ["BT", "/F1 10.5 Tf", "15 TL", "56 800 Td"]
        for line in ([running_header] if running_header else []) + page:
            ops.append("<" + "".join(f"{cid[c]:04X}" for c in line) + "> Tj T*")
        ops.append("ET")
        if page_numbers:
            footer = f"- {number} -"
            ops += ["BT", "/F1 9 Tf", "280 30 Td", "<" + "".join(f"{cid[c]:04X}" for c in footer) + "> Tj", "ET"]
        content = "\n".join(ops).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_ref = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_ref, font_ref))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_document(objects)


def docx_with_revisions(accepted_before: str, deleted: str, inserted: str, accepted_after: str,
                        comment: str = "") -> bytes:
    """A Word file of one paragraph with tracked changes — ``deleted`` (w:del) replaced by
    ``inserted`` (w:ins) — and a reviewer's comment on it; plus a plain second paragraph.
    The accepted text is ``accepted_before + inserted + accepted_after``."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    paragraph = document.add_paragraph()
    w = nsdecls("w")
    author = 'w:author="Reviewer" w:date="2026-12-01T00:00:00Z"'
    paragraph._p.append(parse_xml(f'<w:r {w}><w:t xml:space="preserve">{accepted_before}</w:t></w:r>'))
    paragraph._p.append(parse_xml(f'<w:commentRangeStart {w} w:id="0"/>'))
    paragraph._p.append(parse_xml(f'<w:del {w} w:id="1" {author}><w:r><w:delText xml:space="preserve">{deleted}'
                                  f'</w:delText></w:r></w:del>'))
    paragraph._p.append(parse_xml(f'<w:ins {w} w:id="2" {author}><w:r><w:t xml:space="preserve">{inserted}</w:t>'
                                  f'</w:r></w:ins>'))
    paragraph._p.append(parse_xml(f'<w:commentRangeEnd {w} w:id="0"/>'))
    paragraph._p.append(parse_xml(f'<w:r {w}><w:commentReference w:id="0"/></w:r>'))
    paragraph._p.append(parse_xml(f'<w:r {w}><w:t xml:space="preserve">{accepted_after}</w:t></w:r>'))
    document.add_paragraph("第2条（管轄）東京地方裁判所を管轄とする。")
    comments = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {w}>'
                f'<w:comment w:id="0" {author} w:initials="R"><w:p><w:r><w:t>{comment}</w:t></w:r></w:p>'
                f'</w:comment></w:comments>').encode()
    part = Part(PackURI("/word/comments.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml", comments,
                document.part.package)
    document.part.relate_to(part, RT.COMMENTS)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def gen_version(db, contract, number: int, results: dict) -> ContractVersion:
    """A stored version ``number`` of ``contract`` with its clause results, ``{clause_id:
    (auto_status, reviewer_status)}``, without reading a file (task and list tests)."""
    stored = StoredFile(sha256=f"{contract.id:032x}{number:032x}", size=1, media_type="text/plain",
                        original_filename="c.txt")
    db.add(stored)
    db.flush()
    version = ContractVersion(contract_id=contract.id, number=number, file_id=stored.id, filename="c.txt",
                              file_kind="txt")
    db.add(version)
    db.flush()
    for clause_id, (auto, reviewed) in results.items():
        db.add(ClauseCheck(version_id=version.id, clause_id=clause_id, auto_status=auto, reviewer_status=reviewed))
    return version
