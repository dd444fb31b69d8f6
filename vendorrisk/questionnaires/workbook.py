"""The questionnaire workbook sent to a vendor: instructions, protected questions with
drop-down answer cells, a Subcontractors sheet, and very-hidden metadata.

The metadata names the template, its version and the vendor, and carries an HMAC over
that identity and the protected cells, so that an import recognises our workbook and
detects one edited beyond its answer cells. The layout constants here are shared with
``questionnaires/reader.py``.
"""
import hashlib
import hmac
import io
import json
from datetime import datetime, timezone

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from vendorrisk.core.xlsx import neutralise

FORMAT_MARKER = "vendorrisk-questionnaire/1"
INSTRUCTIONS_SHEET = "Instructions"
QUESTIONS_SHEET = "Questions"
SUBCONTRACTORS_SHEET = "Subcontractors"
LISTS_SHEET = "Lists"
META_SHEET = "_vendorrisk"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
QUESTION_HEADERS = ("ID", "セクション / Section", "質問", "Question", "条項 / Article",
                    "回答形式 / Answer type", "回答 / Answer", "補足 / Comment")
PROTECTED_COLUMNS = 6  # A-F: the question; G and H are the vendor's
ANSWER_COLUMN, COMMENT_COLUMN = 7, 8
SUBCONTRACTOR_HEADERS = ("名称 / Name", "法人番号 / Corporate number", "国 (ISO 2文字) / Country (ISO code)",
                         "委託業務 / Service", "利用者データ / User data (Yes/No)",
                         "データ所在地 / Data location", "委託元 / Contracted by")
CONTRACTED_BY_COLUMN = "G"  # blank: the respondent itself; else a subcontractor listed on the sheet
SUBCONTRACTOR_ROWS = 200
YES_NO = ("はい / Yes", "いいえ / No")
TYPE_LABELS = {
    "yes_no_na": "はい/いいえ/該当なし · Yes/No/N/A",
    "single_choice": "一つ選択 · Choose one",
    "multiple_choice": "複数選択（; 区切り） · Several, separated by ;",
    "text": "自由記述 · Text",
    "number": "数値 · Number",
    "date": "日付 (YYYY-MM-DD) · Date",
}
HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F3A5F")
ANSWER_FILL = PatternFill("solid", fgColor="FFF7D6")
THIN = Border(*(Side(style="thin", color="C8D0DA"),) * 4)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def protected_rows(template) -> list[list]:
    """The content of the protected cells (columns A-F), row by row, as written."""
    sections = {s.id: f"{s.title_ja} / {s.title_en}" for s in template.sections}
    return [[neutralise(v) for v in (q.id, sections[q.section_id], q.text_ja, q.text_en,
                                     f"{q.citation('ja')} / {q.citation('en')}", TYPE_LABELS[q.type])]
            for q in template.questions]


def workbook_digest(key: bytes, template_id: str, version: int, vendor_id: int, rows: list[list],
                    campaign_id: int | None = None) -> str:
    """HMAC-SHA256 over the workbook's identity (with the campaign it was sent in, if any)
    and protected content."""
    identity = [template_id, version, vendor_id, rows] + ([campaign_id] if campaign_id is not None else [])
    payload = json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def _ranges(column: str, rows: list[int]) -> str:
    """Compress row numbers into an ``sqref`` such as ``G5:G9 G12``."""
    parts, start, prev = [], None, None
    for row in sorted(rows):
        if start is None:
            start = prev = row
        elif row == prev + 1:
            prev = row
        else:
            parts.append(f"{column}{start}" if start == prev else f"{column}{start}:{column}{prev}")
            start = prev = row
    if start is not None:
        parts.append(f"{column}{start}" if start == prev else f"{column}{start}:{column}{prev}")
    return " ".join(parts)


def instruction_lines(template, vendor_name: str) -> list[tuple[str, bool]]:
    """The Instructions sheet, line by line (text, bold): the sheets by their names, and the
    allowed answers of every question answered by choosing several."""
    questions, subs, answer, comment = QUESTIONS_SHEET, SUBCONTRACTORS_SHEET, QUESTION_HEADERS[6], QUESTION_HEADERS[7]
    contracted_by = SUBCONTRACTOR_HEADERS[6]
    several = [q for q in template.questions if q.type == "multiple_choice"]
    lines = [
        (template.title_ja, True), (template.title_en, True), ("", False),
        (f"回答者 / Respondent: {vendor_name}", False), ("", False),
        ("【回答方法】", True),
        (f"1. 「{questions}」シートの黄色の「{answer}」欄（G列）に回答し、必要に応じて「{comment}」欄（H列）に記入して"
         "ください。", False),
        ("2. 選択式の質問はドロップダウンから選んでください。複数選択の質問は、下の一覧の回答から選び「;」で区切って"
         "ください。", False),
        (f"3. 再委託先がある場合は「{subs}」シートに最終受託者まで記入してください。貴社が直接委託する先は"
         f"「{contracted_by}」欄（G列）を空欄に、再委託先がさらに委託する先はその再委託先の名称（同じシートに"
         "記入したもの）を記入してください。", False),
        (f"4. 質問文・行・シートを変更しないでください（シート名：{INSTRUCTIONS_SHEET}、{questions}、{subs}）。"
         "変更されたファイルは取り込めません。", False),
        ("5. .xlsx 形式のまま保存して返送してください（.xls / .xlsm は受け付けません）。", False),
        ("", False), ("How to answer", True),
        (f"1. Answer in the yellow '{answer}' cells (column G) of the '{questions}' sheet; add a comment in "
         f"'{comment}' (column H) where useful.", False),
        ("2. Choose answers from the drop-down lists. Where several answers may be chosen, take them from the "
         "list below and separate them with ';'.", False),
        (f"3. If you sub-outsource, list every subcontractor down to the final one on the '{subs}' sheet. Leave "
         f"'{contracted_by}' (column G) blank for those you contract directly; for the others, give the name of "
         "the subcontractor (listed on the same sheet) that contracts them.", False),
        (f"4. Do not change questions, rows or sheets (sheets: {INSTRUCTIONS_SHEET}, {questions}, {subs}): a "
         "modified workbook cannot be imported.", False),
        ("5. Save as .xlsx and send it back (.xls and .xlsm are not accepted).", False),
    ]
    if several:
        lines += [("", False), ("複数選択の質問で使える回答 / Allowed answers of the questions with several choices",
                                True)]
        for question in several:
            lines.append((f"{question.id}: " + "; ".join(c.label for c in question.choices), False))
    return lines


def _instructions(sheet, template, vendor_name: str) -> None:
    sheet.column_dimensions["A"].width = 120
    for index, (text, bold) in enumerate(instruction_lines(template, vendor_name), start=1):
        cell = sheet.cell(row=index, column=1, value=neutralise(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=12)
    sheet.protection.sheet = True


def _choice_lists(lists_sheet, template) -> dict[tuple, str]:
    """Write each distinct choice list once as a column; return labels -> range reference."""
    refs: dict[tuple, str] = {(): ""}
    for question in template.questions:
        labels = tuple(c.label for c in question.choices)
        if labels in refs or question.type not in ("yes_no_na", "single_choice"):
            continue
        column = get_column_letter(len(refs))
        for row, label in enumerate(labels, start=1):
            lists_sheet.cell(row=row, column=len(refs), value=label)
        refs[labels] = f"{LISTS_SHEET}!${column}$1:${column}${len(labels)}"
    yes_no_column = get_column_letter(len(refs))
    for row, label in enumerate(YES_NO, start=1):
        lists_sheet.cell(row=row, column=len(refs), value=label)
    refs[("__yes_no__",)] = f"{LISTS_SHEET}!${yes_no_column}$1:${yes_no_column}$2"
    return refs


def _questions(sheet, template, vendor_name: str, refs: dict[tuple, str], answers: dict) -> None:
    sheet.cell(row=1, column=1, value=f"{template.title_ja} / {template.title_en}").font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=neutralise(f"回答者 / Respondent: {vendor_name}"))
    for column, (header, width) in enumerate(zip(QUESTION_HEADERS, (10, 24, 50, 50, 18, 20, 28, 40)), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font, cell.fill, cell.alignment = HEAD_FONT, HEAD_FILL, WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    validations: dict[str, list[int]] = {}
    numbers, dates = [], []
    for offset, values in enumerate(protected_rows(template)):
        row = FIRST_ROW + offset
        question = template.questions[offset]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.alignment, cell.border = WRAP, THIN
        for column in (ANSWER_COLUMN, COMMENT_COLUMN):
            cell = sheet.cell(row=row, column=column)
            cell.protection, cell.border, cell.alignment = UNLOCKED, THIN, WRAP
            if column == ANSWER_COLUMN:
                cell.fill = ANSWER_FILL
                cell.value = neutralise(answers.get(question.id))
        if question.type in ("yes_no_na", "single_choice"):
            validations.setdefault(refs[tuple(c.label for c in question.choices)], []).append(row)
        elif question.type == "number":
            numbers.append(row)
        elif question.type == "date":
            dates.append(row)
    answer = get_column_letter(ANSWER_COLUMN)
    for ref, rows in validations.items():
        sheet.add_data_validation(DataValidation(
            type="list", formula1=f"={ref}", allow_blank=True, sqref=_ranges(answer, rows),
            showErrorMessage=True, errorTitle="回答 / Answer",
            error="一覧から選択してください / Choose an answer from the list."))
    if numbers:
        sheet.add_data_validation(DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            sqref=_ranges(answer, numbers), showErrorMessage=True, error="数値 / A number"))
    if dates:
        sheet.add_data_validation(DataValidation(
            type="date", operator="greaterThan", formula1="1", allow_blank=True,
            sqref=_ranges(answer, dates), showErrorMessage=True, error="日付 / A date (YYYY-MM-DD)"))
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening columns is harmless


def _subcontractors(sheet, refs: dict[tuple, str], listed) -> None:
    for column, (header, width) in enumerate(zip(SUBCONTRACTOR_HEADERS, (36, 18, 14, 30, 18, 24, 36)), start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font, cell.fill, cell.alignment = HEAD_FONT, HEAD_FILL, WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    last = SUBCONTRACTOR_ROWS + 1
    for row in range(2, last + 1):
        for column in range(1, len(SUBCONTRACTOR_HEADERS) + 1):
            sheet.cell(row=row, column=column).protection = UNLOCKED
    for row, values in enumerate(listed, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=neutralise(value))
    sheet.add_data_validation(DataValidation(type="list", formula1=f"={refs[('__yes_no__',)]}",
                                             allow_blank=True, sqref=f"E2:E{last}"))
    sheet.add_data_validation(DataValidation(type="textLength", operator="equal", formula1="2",
                                             allow_blank=True, sqref=f"C2:C{last}",
                                             error="ISO 3166 2文字 / Two-letter ISO code"))
    # 委託元: pick a subcontractor listed above (or type; blank means the respondent itself).
    sheet.add_data_validation(DataValidation(
        type="list", formula1=f"=$A$2:$A${last}", allow_blank=True, showErrorMessage=False, showInputMessage=True,
        sqref=f"{CONTRACTED_BY_COLUMN}2:{CONTRACTED_BY_COLUMN}{last}", promptTitle="委託元 / Contracted by",
        prompt="空欄：貴社が直接委託 / Blank: you contract it directly"))
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True


def questionnaire_workbook(template, vendor_id: int, vendor_name: str, key: bytes,
                           generated_at: datetime | None = None, answers: dict | None = None,
                           subcontractors=(), campaign_id: int | None = None) -> bytes:
    """Build the workbook of ``template`` for a vendor and return its bytes; ``answers``
    (question id -> value) and ``subcontractors`` (rows) pre-fill it, e.g. with last year's.
    ``campaign_id`` names the campaign it is sent in (signed with the rest), so that the
    returned file is matched to its campaign and vendor."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    questions = workbook.create_sheet(QUESTIONS_SHEET)
    subcontractor_sheet = workbook.create_sheet(SUBCONTRACTORS_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    meta = workbook.create_sheet(META_SHEET)
    refs = _choice_lists(lists, template)
    _instructions(instructions, template, vendor_name)
    _questions(questions, template, vendor_name, refs, answers or {})
    _subcontractors(subcontractor_sheet, refs, subcontractors)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    digest = workbook_digest(key, template.id, template.version, vendor_id, protected_rows(template), campaign_id)
    stamp = (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    rows = [("format", FORMAT_MARKER), ("template_id", template.id), ("template_version", template.version),
            ("vendor_id", vendor_id), ("vendor_name", neutralise(vendor_name)), ("generated_at", stamp),
            ("questions", len(template.questions)), ("digest", digest)]
    if campaign_id is not None:  # after the digest's row B8, which imports of older files read
        rows.append(("campaign_id", campaign_id))
    for row, (name, value) in enumerate(rows, start=1):
        meta.cell(row=row, column=1, value=name)
        meta.cell(row=row, column=2, value=value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
