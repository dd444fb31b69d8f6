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

from vendorrisk.core.docx import MINCHO, add_page_field, japanese_styles, set_fonts, shade, to_bytes

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
    "auto": {"ja": "（自動判定・未確認）", "en": "(automatic, not reviewed)"},
    "version": {"ja": "第{n}版", "en": "version {n}"},
    "guidance": {"ja": "交渉の指針", "en": "Negotiation guidance"},
    "scanned": {"ja": "注意：", "en": "Note: "},
    "set": {"ja": "契約書一式での充足状況", "en": "The arrangement's contract set"},
    "set_intro": {"ja": "条項は一式のいずれかの文書で定められていれば充足とします（{n}文書）。",
                  "en": "A clause is covered when any document of the set has it ({n} documents)."},
    "document": {"ja": "該当文書", "en": "Covering document"},
    "where": {"ja": "箇所", "en": "Where"},
}
STATUS = {"found": {"ja": "あり", "en": "Found"}, "not_found": {"ja": "なし", "en": "Not found"},
          "needs_review": {"ja": "要確認", "en": "Needs review"}}
STATUS_COLOUR = {"found": "2E7D4F", "not_found": "B3261E", "needs_review": "B26A00"}


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
        _cell(cells[3], item.check.location if item.check is not None and item.status != "not_found" else "—")


def build_checklist(*, vendor, arrangement, contract, version, checks, clauses, lang: str = "ja",
                    reviewer: str = "", today: date | None = None, set_checks=(), set_documents: int = 1) -> bytes:
    """The checklist of one contract version as ``.docx`` bytes, in ``lang`` (ja or en);
    with ``set_checks`` (``sets.SetCheck``) of a set of several documents, a second table
    says which document of the set covers each clause and where."""
    lang = lang if lang in ("ja", "en") else "ja"
    L = {k: v[lang] for k, v in LABELS.items()}
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
    _run(footer, f"{contract.title} · {L['version'].format(n=version.number)} · {L['page']} ", size=8)
    add_page_field(footer)

    heading = document.add_paragraph(style="Title")
    _run(heading, L["title"])
    vendor_name = vendor.name + (f" ({vendor.name_en})" if vendor.name_en and vendor.name_en != vendor.name else "")
    cover = [(L["vendor"], vendor_name), (L["arrangement"], arrangement.title),
             (L["contract"], f"{contract.title} — {L['version'].format(n=version.number)} ({version.filename})"),
             (L["date"], (today or date.today()).isoformat()), (L["reviewer"], reviewer or "—"),
             (L["basis"], L["basis_text"])]
    table = document.add_table(rows=len(cover), cols=2)
    table.style = document.styles["Table Grid"]
    for row, (label, value) in zip(table.rows, cover):
        _cell(row.cells[0], label, bold=True, size=10)
        shade(row.cells[0], "EEF2F7")
        _cell(row.cells[1], value, size=10)
    if version.extraction_note:
        note = document.add_paragraph()
        _run(note, L["scanned"] + version.extraction_note, colour=STATUS_COLOUR["needs_review"])

    document.add_paragraph()
    grid = document.add_table(rows=1, cols=5)
    grid.style = document.styles["Table Grid"]
    for cell, label in zip(grid.rows[0].cells, (L["clause"], L["article"], L["status"], L["evidence"], L["note"])):
        _cell(cell, label, bold=True)
        shade(cell, "DCE4EE")
    gaps = []
    for check in checks:
        clause = clauses.get(check.clause_id)
        title = clause.text("title", lang) if clause else check.clause_id
        cells = grid.add_row().cells
        _cell(cells[0], title, bold=True)
        _cell(cells[1], (clause.text("article", lang) if clause else "") +
              (f"\n{check.location}" if check.location else ""))
        status_text = STATUS[check.status][lang] + ("" if check.reviewer_status else f"\n{L['auto']}")
        _cell(cells[2], status_text, bold=True, colour=STATUS_COLOUR[check.status])
        evidence = check.evidence if len(check.evidence) <= EXCERPT_CHARS else check.evidence[:EXCERPT_CHARS] + "…"
        _cell(cells[3], evidence or check.reason)
        _cell(cells[4], check.reviewer_comment)
        if check.status != "found":
            gaps.append((check, clause, title))
    widths = (Cm(4.5), Cm(3.5), Cm(2.6), Cm(9.5), Cm(5.5))
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width

    if set_checks and set_documents > 1:
        _set_table(document, set_checks, clauses, set_documents, L, lang)

    summary = document.add_paragraph(style="Heading 1")
    _run(summary, L["gaps"])
    if not gaps:
        _run(document.add_paragraph(), L["no_gaps"])
    for check, clause, title in gaps:
        item = document.add_paragraph(style="List Bullet")
        _run(item, f"{title} — {STATUS[check.status][lang]}", bold=True)
        if clause:
            _run(item, f" ({clause.text('article', lang)})")
            guidance = document.add_paragraph()
            guidance.paragraph_format.left_indent = Cm(1)
            _run(guidance, f"{L['guidance']}: {clause.text('guidance', lang)}", size=9)
    return to_bytes(document)
