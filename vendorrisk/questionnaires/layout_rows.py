"""The question rows of one sheet, once its columns are known (``layout_sheet`` finds them):
which rows are questions, their id, text, answer and comment, and what each sheet was found
to hold. Pure: no Flask, no database.

Rows are questions when they carry an id of the questionnaire's own shape (or, without ids,
question-like text or an answer); section headings, merged banner rows, notes and footers
are skipped. An answer is the value of the answer column, or, on check lists that answer by
marking one of several columns (はい | いいえ | 該当なし with a ○ in one), the title of the
column marked.
"""
from dataclasses import dataclass, field, fields
from functools import lru_cache

from openpyxl.utils import get_column_letter

from vendorrisk.questionnaires import vocabulary as vocab
from vendorrisk.questionnaires.reader_xml import NO_CACHED_VALUE
from vendorrisk.questionnaires.sheets import Sheet, text_of

ROLES = ("id", "question", "answer", "comment", "ownership")


@dataclass(frozen=True)
class DetectedQuestion:
    """One question row: where it is, its id (blank if the layout has none), its text, the
    answer as written (``raw``) and normalised (yes / no / partial / na / other, blank when
    unanswered), the comment, and whether the answer is one of the cell's drop-down values
    (None when the cell has no list). ``problem`` is ``no_cached_value`` for an answer cell
    holding a formula saved without its result."""

    sheet: str
    row: int
    question_id: str
    question: str
    answer: str
    raw: str
    comment: str
    answer_cell: str
    ownership: str = ""
    in_list: bool | None = None
    problem: str | None = None
    copy: bool = False  # the row repeats another sheet's question by formula


@dataclass
class SheetLayout:
    """How one sheet was read: header row, columns by role, what its rows held, and the
    verdict: ``answers`` (the vendor's), ``derived`` (answers copied by formulas),
    ``none`` (no question rows with an answer column). ``choices``: on a check list
    answered by marking one of several columns, each such column and the answer its title
    gives (``columns["answer"]`` is then the first of them); ``first_row``: the first row
    below the header (two header rows when the choices' titles sit under a merged one)."""

    sheet: str
    state: str
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)
    questions: int = 0
    answered: int = 0
    answer_like: float = 0.0
    literal: float = 0.0
    listed: float = 0.0
    uses_ids: bool = False
    shapes: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    headers: dict[int, str] = field(default_factory=dict)
    choices: dict[int, str] = field(default_factory=dict)
    first_row: int = 1
    role: str = "none"
    score: float = 0.0
    confidence: float = 0.0
    named_otherwise: bool = False
    chosen: bool = False
    rows: list[DetectedQuestion] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        """JSON-ready, columns as letters."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "rows"}
        data["columns"] = {role: get_column_letter(c) for role, c in self.columns.items()}
        data["headers"] = {get_column_letter(c): h for c, h in self.headers.items()}
        data["choices"] = {get_column_letter(c): h for c, h in self.choices.items()}
        data["shapes"], data["allowed"] = list(self.shapes), list(self.allowed)
        return data


def banner(sheet: Sheet, row: int, column: int, answer_col: int) -> bool:
    """A banner or heading: a merged range carries this cell's value into the answer column,
    or spans several columns over a row whose answer cell is blank and offers no list (a
    question merged across columns, as on grid-style Japanese sheets, keeps its answer cell)."""
    if row not in sheet.merged_rows:
        return False
    anchor = sheet.covered.get((row, column), (row, column))
    if sheet.covered.get((row, answer_col), (row, answer_col)) == anchor:
        return True
    return sheet.merged_span(row, column) > 2 and sheet.value(row, answer_col) is None \
        and not (sheet.lists and sheet.allowed_at(row, answer_col))


def cell_text(value) -> str:
    """A cell's value as trimmed text."""
    return value.strip() if type(value) is str else text_of(value)


def marked(values: list, choices: dict[int, str]) -> tuple[str, str, int, bool]:
    """The answer of a row answered by marking one of the ``choices`` columns: (raw, normalised,
    column of the mark, a mark is a formula without its value). Several marks read as all
    their titles, normalised ``other`` unless they mean the same."""
    hits, missing = [], False
    for column, title in choices.items():
        value = values[column - 1]
        if value is NO_CACHED_VALUE:
            missing = True
        elif value is not None and vocab.is_mark(cell_text(value)):
            hits.append((column, title))
    if not hits:
        return "", "", min(choices), missing
    meanings = {vocab.normalise(title) for _c, title in hits}
    raw = " / ".join(title for _c, title in hits)
    return raw, meanings.pop() if len(meanings) == 1 else "other", hits[0][0], missing


def read_questions(sheet: Sheet, layout: SheetLayout) -> list[DetectedQuestion]:
    """The question rows below the header, by the layout's columns."""
    cols = layout.columns
    id_col, question_col, answer_col = cols.get("id"), cols["question"], cols["answer"]
    comment_col, ownership_col = cols.get("comment"), cols.get("ownership")
    shapes, choices = set(layout.shapes), layout.choices
    found = []
    for row in range(max(layout.first_row, (layout.header_row or 0) + 1), sheet.last_row + 1):
        values = sheet.rows.get(row)
        if not values:
            continue
        question = cell_text(values[question_col - 1])
        ident = cell_text(values[id_col - 1]) if id_col else ""
        if not question and not ident:
            continue
        if banner(sheet, row, question_col, answer_col) or (id_col and banner(sheet, row, id_col, answer_col)):
            continue
        if choices:
            raw, answer, column, missing = marked(values, choices)
            value, allowed = (NO_CACHED_VALUE if missing and not raw else raw), ()
        else:
            value, column = values[answer_col - 1], answer_col
            raw = cell_text(value)
            answer = vocab.normalise(raw) if raw else ""
            allowed = sheet.allowed_at(row, answer_col) if sheet.lists else ()
        if layout.uses_ids:
            if not ident or vocab.shape(ident) not in shapes:
                continue
        else:
            if not question or vocab.is_note(question):
                continue
            if not raw and (vocab.is_heading(question) or (not allowed and not vocab.is_question(question))):
                continue
            if vocab.header_role(question) == "question" and (vocab.header_role(raw) == "answer" or choices):
                continue  # a header repeated further down
        copy = bool(sheet.formulas) and any("!" in sheet.formulas.get((row, c), "") for c in (id_col, column) if c)
        found.append(DetectedQuestion(
            sheet.title, row, ident, question, answer, raw,
            cell_text(values[comment_col - 1]) if comment_col else "", f"{get_column_letter(column)}{row}",
            cell_text(values[ownership_col - 1]) if ownership_col else "",
            in_list(raw, allowed) if allowed and raw else None,
            "no_cached_value" if value is NO_CACHED_VALUE else None, copy))
    return found


@lru_cache(maxsize=256)
def _canonical_list(allowed: tuple[str, ...]) -> frozenset:
    return frozenset(vocab.canonical(a) for a in allowed)


def in_list(raw: str, allowed: tuple[str, ...]) -> bool:
    """Whether an answer is one of the list's values (full-width, case and spacing aside)."""
    return raw in allowed or vocab.canonical(raw) in _canonical_list(allowed)
