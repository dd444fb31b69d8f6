"""Workbooks in a vendor's own format: find the header row and the question, answer and
comment columns by their names in Japanese or English (CAIQ-like or a plain sheet).

Detection looks at the first rows of each visible sheet (hidden sheets only if no
visible one qualifies); the user confirms or corrects the result, which is then read
as ``ForeignRow`` values with their source ids.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

from vendorrisk.core.errors import ValidationFailed
from vendorrisk.questionnaires.reader import NO_CACHED_VALUE, WorkbookReader, as_text
from vendorrisk.questionnaires.template_files import canonical

ROLES = ("id", "question", "answer", "comment", "ownership")
SCAN_ROWS, SCAN_COLUMNS = 30, 40
EXACT = {
    "id": {"id", "question id", "question no", "question no.", "no", "no.", "#", "control id", "番号",
           "質問番号", "質問id", "項番", "項目番号", "設問番号", "ref", "ref."},
    "question": {"question", "questions", "質問", "質問事項", "設問", "質問内容", "確認事項",
                 "control question", "assessment question", "consensus assessment question"},
    "answer": {"answer", "回答", "response", "csp caiq answer", "caiq answer", "yes/no/na", "回答欄", "ご回答"},
    "comment": {"comment", "comments", "備考", "コメント", "補足", "notes", "note", "説明",
                "csp implementation description", "implementation description"},
    "ownership": {"ssrm control ownership", "control ownership", "責任分界", "管理責任"},
}
# Checked in this order: "回答者コメント" is a comment column, "質問への回答" an answer column.
KEYWORDS = (("ownership", ("ssrm", "ownership", "責任分界")),
            ("comment", ("description", "comment", "備考", "コメント", "補足", "note", "説明")),
            ("answer", ("answer", "回答", "response", "yes/no")),
            ("question", ("question", "質問", "設問")),
            ("id", (" id", "番号", "項番")))


@dataclass
class Layout:
    """Where a foreign questionnaire's answers are: sheet, header row, column per role."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    format: str = "generic"
    headers: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready description, columns as letters."""
        return {"sheet": self.sheet, "header_row": self.header_row, "format": self.format,
                "columns": {role: get_column_letter(c) for role, c in self.columns.items()}}


@dataclass
class ForeignRow:
    """One question row of a foreign workbook."""

    row: int
    source_id: str
    question: str
    answer: object
    comment: str
    ownership: str
    answer_cell: str


def role_of(header) -> str | None:
    """The role a header names, by exact name first and then by keyword."""
    text = canonical(header)
    if not text:
        return None
    for role, names in EXACT.items():
        if text in names:
            return role
    padded = " " + text
    for role, words in KEYWORDS:
        if any(word in padded for word in words):
            return role
    return None


def _layout_of_row(title: str, row_number: int, values: list) -> Layout | None:
    columns: dict[str, int] = {}
    headers = []
    for index, value in enumerate(values, start=1):
        if value is None or value is NO_CACHED_VALUE:
            continue
        headers.append((index, as_text(value)))
        role = role_of(value)
        if role and role not in columns:
            columns[role] = index
    if "question" not in columns or "answer" not in columns:
        return None
    text = " ".join(canonical(h) for _c, h in headers) + " " + canonical(title)
    kind = "caiq" if ("caiq" in text or "ssrm" in text) else "generic"
    return Layout(title, row_number, columns, kind, headers)


def detect_layout(reader: WorkbookReader) -> Layout | None:
    """Find the header row with the most recognised columns, preferring visible sheets."""
    candidates = []
    for title, state in reader.sheets():
        if title.startswith("_"):
            continue
        for offset, values in enumerate(reader.grid(title, SCAN_COLUMNS, max_row=SCAN_ROWS)):
            layout = _layout_of_row(title, offset + 1, values)
            if layout is not None:
                candidates.append((state != "visible", -len(layout.columns), offset, layout))
                break
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[:3])[3]


def headers_of(reader: WorkbookReader, sheet: str, header_row: int) -> list[tuple[int, str]]:
    """The non-empty header cells of a row, as (column, text)."""
    rows = reader.grid(sheet, SCAN_COLUMNS, min_row=header_row, max_row=header_row)
    return [(i, as_text(v)) for i, v in enumerate(rows[0] if rows else [], start=1) if as_text(v)]


def layout_from_params(reader: WorkbookReader, params: dict, detected: Layout | None) -> Layout:
    """A layout corrected by the user: ``sheet``, ``header_row`` and column letters per role."""
    problems = []
    sheet = (params.get("sheet") or (detected.sheet if detected else "")).strip()
    if not reader.has_sheet(sheet):
        problems.append({"sheet": sheet, "cell": "", "message": _("There is no sheet %(sheet)s in the workbook.", sheet=repr(sheet))})
    try:
        header_row = int(params.get("header_row") or (detected.header_row if detected else 0))
    except ValueError:
        header_row = 0
    if header_row < 1:
        problems.append({"sheet": sheet, "cell": "", "message": _("The header row must be a row number of 1 or more.")})
    columns = dict(detected.columns) if detected and detected.sheet == sheet else {}
    for role in ROLES:
        letter = params.get(f"{role}_column")
        if letter is None:
            continue
        letter = canonical(letter).upper()
        if not letter:
            columns.pop(role, None)
            continue
        try:
            columns[role] = column_index_from_string(letter)
        except ValueError:
            problems.append({"sheet": sheet, "cell": "", "message": _(
                "%(letter)s is not a column letter (for %(role)s).", letter=repr(letter), role=role)})
    if "question" not in columns:
        problems.append({"sheet": sheet, "cell": "", "message": _("Choose the question column.")})
    if "answer" not in columns:
        problems.append({"sheet": sheet, "cell": "", "message": _("Choose the answer column.")})
    if problems:
        raise ValidationFailed(_("The column mapping is incomplete."), problems)
    kind = params.get("format") or (detected.format if detected else "generic")
    if kind not in ("caiq", "generic"):
        kind = "generic"
    return Layout(sheet, header_row, columns, kind, headers_of(reader, sheet, header_row))


def read_rows(reader: WorkbookReader, layout: Layout) -> list[ForeignRow]:
    """The question rows below the header: rows with an id or a question, skipping section
    titles (a title merged across the answer column repeats itself there)."""
    width = max(layout.columns.values())
    rows = []
    for offset, values in enumerate(reader.grid(layout.sheet, width, min_row=layout.header_row + 1)):
        number = layout.header_row + 1 + offset

        def get(role):
            column = layout.columns.get(role)
            return values[column - 1] if column else None
        question, answer = as_text(get("question")), get("answer")
        source_id = as_text(get("id"))
        if not question and not source_id:
            continue
        if answer is not None and answer is not NO_CACHED_VALUE and as_text(answer) == question and not source_id:
            continue
        rows.append(ForeignRow(number, source_id or f"R{number}", question, answer, as_text(get("comment")),
                               as_text(get("ownership")),
                               f"{get_column_letter(layout.columns['answer'])}{number}"))
    return rows
