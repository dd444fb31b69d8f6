"""Builders for questionnaire tests: our workbook filled in by code as a vendor would, and
foreign (CAIQ-like and plain) workbooks written from scratch."""
import io
from datetime import datetime

from openpyxl import Workbook, load_workbook

from vendorrisk.questionnaires import workbook as layout
from vendorrisk.questionnaires.service import signing_key
from vendorrisk.questionnaires.template_files import get_template

KEY = signing_key("test-secret-key-0123456789")


def good_answer(question):
    """An answer that meets the question's expectation (a label as picked from the drop-down)."""
    labels = {c.value: c.label for c in question.choices}
    if question.type in ("yes_no_na", "single_choice"):
        return labels[question.expected[0]] if question.expected else question.choices[0].label
    if question.type == "multiple_choice":
        return labels[question.expected[0]] if question.expected else question.choices[0].label
    if question.type == "number":
        return 12
    if question.type == "date":
        return datetime(2026, 4, 1)
    return "情報セキュリティ部長 山田"


def native_workbook(template_id="general_outsourcing", vendor_id=1, vendor_name="テスト株式会社", key=KEY):
    """The workbook we send, as bytes."""
    return layout.questionnaire_workbook(get_template(template_id), vendor_id, vendor_name, key)


def fill(data: bytes, answers: dict | None = None, subcontractors=(), edit=None, template_id=None) -> bytes:
    """Answer every question well, override some, list subcontractors, optionally edit further."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.QUESTIONS_SHEET]
    meta = {r[0].value: r[1].value for r in book[layout.META_SHEET].iter_rows(max_col=2)}
    template = get_template(template_id or meta["template_id"], int(meta["template_version"]))
    answers = answers or {}
    for offset, question in enumerate(template.questions):
        row = layout.FIRST_ROW + offset
        value = answers.get(question.id, good_answer(question))
        sheet.cell(row=row, column=layout.ANSWER_COLUMN, value=value)
    subs = book[layout.SUBCONTRACTORS_SHEET]
    for index, values in enumerate(subcontractors, start=2):
        for column, value in enumerate(values, start=1):
            subs.cell(row=index, column=column, value=value)
    if edit:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def caiq_workbook(rows, extra_sheets=True) -> bytes:
    """A CAIQ v4-like workbook written from scratch: a cover sheet, then the questions sheet
    with a title block above its header row. ``rows`` are (id, question, answer, ownership, text)."""
    book = Workbook()
    cover = book.active
    cover.title = "Introduction"
    cover["A1"] = "Consensus Assessments Initiative Questionnaire (test copy written for vendorrisk)"
    sheet = book.create_sheet("CAIQv4")
    sheet["A1"] = "Example Cloud K.K. — self assessment"
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Question ID", "Question", "CSP CAIQ Answer", "SSRM Control Ownership",
                  "CSP Implementation Description (Optional/Recommended)", "CSC Responsibilities"])
    for row in rows:
        sheet.append(list(row))
    if extra_sheets:
        helper = book.create_sheet("Lists")
        helper["A1"] = "Question"
        helper["B1"] = "Answer"
        helper.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def generic_workbook(header, rows, title="回答") -> bytes:
    """A plain question/answer sheet with the given header and rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
