"""The contract checklist as a Word file (python-docx), for the compliance file.

Cover block, one table row per required clause (clause, article, status, evidence
excerpt, reviewer note), a summary of gaps and page numbers in the footer. Japanese is
set in an East Asian font through ``w:rFonts/@w:eastAsia`` on the styles and on every
run, so Word and LibreOffice do not fall back to a Latin font for kanji.
"""
from datetime import date

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from vendorrisk.contracts.checker import reasons
from vendorrisk.contracts.models import DOCUMENT_KIND_NAMES
from vendorrisk.core import clock
from vendorrisk.core.docx import MINCHO, add_page_field, japanese_styles, set_fonts, shade, to_bytes
from vendorrisk.core.i18n import to_local

EAST_ASIAN_FONT = MINCHO  # a Mincho face, as contracts are set
EXCERPT_CHARS = 300

LABELS = {
    "title": {"ja": "外部委託契約 条項チェックリスト", "en": "Outsourcing contract clause checklist"},
    "vendor": {"ja": "外部委託先", "en": "Vendor"},
    "arrangement": {"ja": "委託業務", "en": "Arrangement"},
    "contract": {"ja": "契約・版", "en": "Contract and version"},
    "date": {"ja": "作成日", "en": "Date"},
    "reviewer": {"ja": "確認者", "en": "Reviewer"},
    "basis": {"ja": "根拠", "en": "Basis"},
    "basis_text": {"ja": "電子決済手段関連業務に係るシステムリスク管理に関する規則 第25条第2項・第3項 ほか",
                   "en": "JVCEA system-risk rules, Art. 25(2), 25(3) and related articles"},
    "clause": {"ja": "条項", "en": "Clause"},
    "article": {"ja": "根拠条文", "en": "Article"},
    "status": {"ja": "結果", "en": "Status"},
    "evidence": {"ja": "該当箇所（抜粋）", "en": "Evidence excerpt"},
    "note": {"ja": "確認者コメント", "en": "Reviewer note"},
    "gaps": {"ja": "不足している条項", "en": "Summary of gaps"},
    "no_gaps": {"ja": "不足している条項はありません。", "en": "No gaps: every required clause was found."},
    "review_open": {"ja": "要確認", "en": "Needs review"},
    "page": {"ja": "ページ", "en": "Page"},
    "evidence_page": {"ja": "{n}ページ", "en": "p. {n}"},
    "auto": {"ja": "（自動判定・未確認）", "en": "(automatic, not reviewed)"},
    "version": {"ja": "第{n}版", "en": "version {n}"},
    "guidance": {"ja": "交渉の指針", "en": "Negotiation guidance"},
    "scanned": {"ja": "注意：", "en": "Note: "},
    "set": {"ja": "契約書一式での充足状況", "en": "The arrangement's contract set"},
    "set_intro": {"ja": "条項は一式のいずれかの文書で定められていれば充足とします（{n}文書）。",
                  "en": "A clause is covered when any document of the set has it ({n} documents)."},
    "document": {"ja": "該当文書", "en": "Covering document"},
    "where": {"ja": "箇所", "en": "Where"},
    "set_title": {"ja": "外部委託契約 条項チェックリスト（契約書一式）", "en": "Outsourcing contract set clause checklist"},
    "documents": {"ja": "文書数", "en": "Documents"},
    "set_documents": {"ja": "契約書一式を構成する文書", "en": "Documents of the set"},
    "kind": {"ja": "種類", "en": "Kind"},
    "version_label": {"ja": "版", "en": "Version"},
    "file": {"ja": "ファイル・アップロード日時", "en": "File and upload time"},
    "note_read": {"ja": "読み取りの注意", "en": "Reading note"},
    "ocr": {"ja": "【OCRで読み取り：原本と照合してください】", "en": "[Read by OCR: check it against the original]"},
}
KINDS = DOCUMENT_KIND_NAMES
STATUS = {"found": {"ja": "あり", "en": "Found"}, "not_found": {"ja": "なし", "en": "Not found"},
          "needs_review": {"ja": "要確認", "en": "Needs review"},
          "not_checked": {"ja": "未チェック", "en": "Not checked"}}  # a clause no document was checked for
STATUS_COLOUR = {"found": "2E7D4F", "not_found": "B3261E", "needs_review": "B26A00", "not_checked": "B3261E"}


def _run(paragraph, text: str, bold: bool = False, size: float | None = None, colour: str | None = None):
    run = paragraph.add_run(text)
    set_fonts(run._r, EAST_ASIAN_FONT)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _cell(cell, text: str, bold: bool = False, colour: str | None = None, size: float = 9):
    paragraph = cell.paragraphs[0]
    _run(paragraph, text, bold=bold, size=size, colour=colour)


def _set_table(document, set_checks, clauses, documents: int, L: dict, lang: str) -> None:
    """Per clause, the set's combined result: which document covers it and where."""
    _run(document.add_paragraph(style="Heading 1"), L["set"])
    _run(document.add_paragraph(), L["set_intro"].format(n=documents), size=9)
    grid = document.add_table(rows=1, cols=4)
    grid.style = document.styles["Table Grid"]
    for cell, label in zip(grid.rows[0].cells, (L["clause"], L["status"], L["document"], L["where"])):
        _cell(cell, label, bold=True)
        shade(cell, "DCE4EE")
    for item in set_checks:
        clause = clauses.get(item.clause_id)
        cells = grid.add_row().cells
        _cell(cells[0], clause.text("title", lang) if clause else item.clause_id, bold=True)
        _cell(cells[1], STATUS[item.status][lang], bold=True, colour=STATUS_COLOUR[item.status])
        if item.contract is not None:
            version = L["version"].format(n=item.version.number) if item.version else ""
            _cell(cells[2], f"{item.contract.title} ({version})")
        _cell(cells[3], _where(item.check, L) if item.check is not None and item.status != "not_found" else "—")


def _where(check, L: dict) -> str:
    """A check's location, with the page of a PDF or a scan its evidence starts on."""
    page = (check.reason_params or {}).get("page")
    where = " · ".join(w for w in (check.location, L["evidence_page"].format(n=page) if page else "") if w)
    return where or "—"


def _evidence(check, L: dict) -> str:
    """A check's evidence excerpt, marked when it was read by OCR (as the version's page marks it)."""
    excerpt = _excerpt(check.evidence)
    return f"{L['ocr']}\n{excerpt}" if excerpt and (check.reason_params or {}).get("ocr") else excerpt


def build_checklist(*, vendor, arrangement, contract, version, checks, clauses, lang: str = "ja",
                    reviewer: str = "", today: date | None = None, set_checks=(), set_documents: int = 1,
                    note: str = "") -> bytes:
    """The checklist of one contract version as ``.docx`` bytes, in ``lang`` (ja or en; ``note``:
    the warning about how its text was read, in that language);
    with ``set_checks`` (``sets.SetCheck``) of a set of several documents, a second table
    says which document of the set covers each clause and where."""
    lang = lang if lang in ("ja", "en") else "ja"
    L = {k: v[lang] for k, v in LABELS.items()}
    document = _new_document(f"{contract.title} · {L['version'].format(n=version.number)} · {L['page']} ")
    _cover(document, L, L["title"], [
        (L["vendor"], _vendor_name(vendor)), (L["arrangement"], arrangement.title),
        (L["contract"], f"{contract.title} — {L['version'].format(n=version.number)} ({version.filename})"),
        (L["date"], (today or clock.today()).isoformat()), (L["reviewer"], reviewer or "—"),
        (L["basis"], L["basis_text"])])
    if note:
        _run(document.add_paragraph(), L["scanned"] + note, colour=STATUS_COLOUR["needs_review"])

    document.add_paragraph()
    grid = document.add_table(rows=1, cols=5)
    grid.style = document.styles["Table Grid"]
    _header(grid, (L["clause"], L["article"], L["status"], L["evidence"], L["note"]))
    gaps = []
    for check in checks:
        clause = clauses.get(check.clause_id)
        title = clause.text("title", lang) if clause else check.clause_id
        cells = grid.add_row().cells
        _cell(cells[0], title, bold=True)
        _cell(cells[1], (clause.text("article", lang) if clause else "") +
              (f"\n{_where(check, L)}" if check.location else ""))
        status_text = STATUS[check.status][lang] + ("" if check.reviewer_status else f"\n{L['auto']}")
        _cell(cells[2], status_text, bold=True, colour=STATUS_COLOUR[check.status])
        _cell(cells[3], _evidence(check, L) or check.reason)
        _cell(cells[4], check.reviewer_comment)
        if check.status != "found":
            gaps.append((check, clause, title))
    widths = (Cm(4.5), Cm(3.5), Cm(2.6), Cm(9.5), Cm(5.5))
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width

    if set_checks and set_documents > 1:
        _set_table(document, set_checks, clauses, set_documents, L, lang)

    _gaps(document, [(check.status, clause, title) for check, clause, title in gaps], L, lang)
    return to_bytes(document)


def _new_document(footer_text: str):
    """A landscape A4 Word document with Japanese styles and ``footer_text`` and the page
    number in its footer."""
    document = docx.Document()
    japanese_styles(document, EAST_ASIAN_FONT)
    document.styles["Normal"].font.size = Pt(10)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, footer_text, size=8)
    add_page_field(footer)
    return document


def _vendor_name(vendor) -> str:
    return vendor.name + (f" ({vendor.name_en})" if vendor.name_en and vendor.name_en != vendor.name else "")


def _cover(document, L: dict, title: str, cover: list[tuple[str, str]]) -> None:
    """The title and the cover block (label, value) of a checklist."""
    _run(document.add_paragraph(style="Title"), title)
    table = document.add_table(rows=len(cover), cols=2)
    table.style = document.styles["Table Grid"]
    for row, (label, value) in zip(table.rows, cover):
        _cell(row.cells[0], label, bold=True, size=10)
        shade(row.cells[0], "EEF2F7")
        _cell(row.cells[1], value, size=10)


def _gaps(document, gaps: list[tuple[str, object, str]], L: dict, lang: str) -> None:
    """The summary of gaps: each clause not found (status, clause, title) with its guidance."""
    _run(document.add_paragraph(style="Heading 1"), L["gaps"])
    if not gaps:
        _run(document.add_paragraph(), L["no_gaps"])
    for status, clause, title in gaps:
        item = document.add_paragraph(style="List Bullet")
        _run(item, f"{title} — {STATUS[status][lang]}", bold=True)
        if clause:
            _run(item, f" ({clause.text('article', lang)})")
            guidance = document.add_paragraph()
            guidance.paragraph_format.left_indent = Cm(1)
            _run(guidance, f"{L['guidance']}: {clause.text('guidance', lang)}", size=9)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _header(grid, labels) -> None:
    for cell, label in zip(grid.rows[0].cells, labels):
        _cell(cell, label, bold=True)
        shade(cell, "DCE4EE")


def build_set_checklist(*, vendor, arrangement, overview, lang: str = "ja", reviewer: str = "",
                        today: date | None = None, notes: dict[int, str] | None = None) -> bytes:
    """The checklist of an arrangement's contract set (``set_service.SetOverview``) as
    ``.docx`` bytes, in ``lang``: the documents of the set, then per required clause the set's
    result, the document that covers it and where, with the evidence excerpt (or the reason);
    ``notes``: per version id, how its text was read (a scan), in ``lang``."""
    lang = lang if lang in ("ja", "en") else "ja"
    L = {k: v[lang] for k, v in LABELS.items()}
    document = _new_document(f"{arrangement.title} · {L['set']} · {L['page']} ")
    _cover(document, L, L["set_title"], [
        (L["vendor"], _vendor_name(vendor)), (L["arrangement"], arrangement.title),
        (L["documents"], str(len(overview.documents))), (L["date"], (today or clock.today()).isoformat()),
        (L["reviewer"], reviewer or "—"), (L["basis"], L["basis_text"])])

    _run(document.add_paragraph(style="Heading 1"), L["set_documents"])
    listing = document.add_table(rows=1, cols=5)
    listing.style = document.styles["Table Grid"]
    _header(listing, (L["document"], L["kind"], L["version_label"], L["file"], L["note_read"]))
    for contract, version in overview.documents:
        cells = listing.add_row().cells
        _cell(cells[0], contract.title, bold=True)
        _cell(cells[1], KINDS.get(contract.document_kind, KINDS["other"])[lang])
        _cell(cells[2], L["version"].format(n=version.number))
        _cell(cells[3], f"{version.filename}\n{to_local(version.uploaded_at):%Y-%m-%d %H:%M}")
        note = (notes or {}).get(version.id, "")  # the stored note is English: never written as it is
        _cell(cells[4], note or "—", colour=STATUS_COLOUR["needs_review"] if note else None)

    _run(document.add_paragraph(style="Heading 1"), L["set"])
    _run(document.add_paragraph(), L["set_intro"].format(n=len(overview.documents)), size=9)
    grid = document.add_table(rows=1, cols=6)
    grid.style = document.styles["Table Grid"]
    _header(grid, (L["clause"], L["article"], L["status"], L["document"], L["where"], L["evidence"]))
    gaps = []
    for row in overview.rows:
        title = row.clause.text("title", lang)
        result, cells = row.result, grid.add_row().cells
        _cell(cells[0], title, bold=True)
        _cell(cells[1], row.clause.text("article", lang))
        reviewed = bool(result and result.check is not None and result.check.reviewer_status)
        status = row.status if result is not None else "not_checked"  # as the page says it
        _cell(cells[2], STATUS[status][lang] + ("" if reviewed or result is None else f"\n{L['auto']}"), bold=True,
              colour=STATUS_COLOUR[status])
        covered = result is not None and result.contract is not None and row.status != "not_found"
        _cell(cells[3], f"{result.contract.title} ({L['version'].format(n=result.version.number)})"
              if covered else "—")
        _cell(cells[4], _where(result.check, L) if covered else "—")
        check = result.check if result else None
        reason = "" if check is None else (  # a check stored before reasons had keys keeps its sentence
            reasons.render(check.reason_key, check.reason_params, lang) if check.reason_key else check.reason)
        _cell(cells[5], _evidence(check, L) if covered and check.evidence else reason)
        if status != "found":
            gaps.append((status, row.clause, title))
    for table_row in grid.rows:
        for cell, width in zip(table_row.cells, (Cm(4.2), Cm(3.2), Cm(2.4), Cm(4.2), Cm(3.0), Cm(9.0))):
            cell.width = width
    _gaps(document, gaps, L, lang)
    return to_bytes(document)
