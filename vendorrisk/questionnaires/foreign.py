"""A vendor's own questionnaire (CAIQ, HECVAT, SIG, a Japanese check list, any sheet of
questions and answers, or a CSV copy) read for import: the layout detected by ``layout``
(or corrected by the user), the format recognised by the profiles, the answers mapped onto
our questions and scored per article.

Partial answers are a result: unanswered questions are kept (blank) and listed, never
refused; required-answer rules belong to our own templates. What refuses the file: a file
that cannot be read safely, answer cells holding formulas saved without their results, a
user's correction that names no sheet or columns that exist. A layout that is not
recognised (format ``unknown`` or low confidence) is not imported until the user confirms
it: ``LayoutUnconfirmed`` carries the best guess and every sheet considered.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

from vendorrisk.core import parse_budget
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.questionnaires import layout as detection
from vendorrisk.questionnaires.native import ParsedAnswer, ParsedWorkbook
from vendorrisk.questionnaires.profiles import Profile, load_profiles, map_response
from vendorrisk.questionnaires.scoring import no_value_message
from vendorrisk.questionnaires.sheets import MAX_COLUMNS, Book, UnreadableWorkbook, read_book
from vendorrisk.questionnaires.template_files import canonical, catalogue

ROLES = detection.ROLES
CONFIRM_BELOW = 0.6  # below this confidence a detected layout is shown to the user first
NONE = "none"  # the profile chosen when the answers are to stay unscored


class LayoutUnconfirmed(ValidationFailed):
    """The layout was not recognised well enough to import without the user's confirmation;
    ``detected`` is the best guess, with every sheet considered."""

    def __init__(self, detected: detection.DetectedResponse):
        message = _("The questionnaire's layout was not recognised; confirm the sheet(s) and the columns to "
                    "import it.")
        details = [{"sheet": s.sheet, "cell": "", "message": _(
            "Best guess: header row %(row)s, columns %(columns)s; %(answered)s of %(questions)s questions answered.",
            row=s.header_row or "-", columns=", ".join(f"{r}={c}" for r, c in s.as_dict()["columns"].items()),
            answered=s.answered, questions=s.questions)} for s in detected.sheets]
        super().__init__(message, details or [{"sheet": "", "cell": "", "message": message}])
        self.detected = detected


@dataclass
class LayoutChoice:
    """The user's correction of a detected layout (nothing given: take the detection)."""

    sheets: list[str] | None = None
    header_row: int | None = None
    columns: dict[str, str] | None = None  # role -> letter as typed ('' removes the role)
    profile: str | None = None  # a profile id, NONE, or None for the one recognised
    confirmed: bool = False

    @property
    def given(self) -> bool:
        """Whether the user named sheets, a header row or columns."""
        return self.sheets is not None or self.header_row is not None or self.columns is not None


def layout_choice(params: dict | None) -> LayoutChoice:
    """Read a correction from form or API fields: ``sheets`` (list) or ``sheet``,
    ``header_row``, ``<role>_column`` letters, ``profile`` and ``confirmed``."""
    params = params or {}
    choice = LayoutChoice(profile=(params.get("profile") or None), confirmed=str(params.get("confirmed", "")).lower()
                          in ("1", "true", "yes", "on"))
    sheets = params.get("sheets")
    if isinstance(sheets, str):
        sheets = [sheets]
    sheets = [s for s in (sheets or []) if s and str(s).strip()] or \
        ([params["sheet"]] if str(params.get("sheet") or "").strip() else [])
    choice.sheets = [str(s).strip() for s in sheets] or None
    raw_row = str(params.get("header_row") or "").strip()
    if raw_row:
        choice.header_row = int(raw_row) if raw_row.isdigit() else -1
    given = {role: str(params[f"{role}_column"]) for role in ROLES if params.get(f"{role}_column") is not None}
    choice.columns = given or None
    return choice


def unreadable(exc: UnreadableWorkbook, csv: bool = False) -> ValidationFailed:
    """The refusal of a file that cannot be read safely, in the user's language."""
    if exc.reason == "declarations":
        message = _("The workbook contains XML declarations (DTD, entities or external references) that "
                    "no Excel workbook needs; it is refused.")
    elif exc.reason == "too_large":
        message = _("The workbook would expand far beyond its size (a decompression bomb); it is refused.")
    elif csv:
        message = _("The file is not readable CSV text (UTF-8, UTF-16 or Shift_JIS); it may be corrupt.")
    else:
        message = _("The file is not a readable Excel workbook (.xlsx); it may be corrupt.")
    detail = f"{message} ({exc.detail})" if exc.detail else message
    return ValidationFailed(message, [{"sheet": exc.sheet, "cell": "", "message": detail}])


def _detect(book: Book, choice: LayoutChoice, profiles) -> detection.DetectedResponse:
    """The detection, or the user's correction of it (checked: sheets and columns exist)."""
    detected = detection.detect_book(book, profiles)
    if not choice.given:
        return detected
    titles = [s.title for s in book.sheets]
    sheets = choice.sheets or [s.sheet for s in detected.sheets] or titles[:1]
    problems = [{"sheet": s, "cell": "", "message": _("There is no sheet %(sheet)s in the workbook.", sheet=repr(s))}
                for s in sheets if s not in titles]
    if choice.header_row is not None and choice.header_row < 1:
        problems.append({"sheet": sheets[0], "cell": "", "message": _(
            "The header row must be a row number of 1 or more.")})
    if choice.columns is None and choice.header_row is None:
        if problems:
            raise ValidationFailed(_("The column mapping is incomplete."), problems)
        return detection.detect_book(book, profiles, sheets=sheets)
    base = next((c for c in detected.candidates if c.sheet == sheets[0]), None)
    columns = dict(base.columns) if base else {}
    choices = dict(base.choices) if base else {}
    for role, letter in (choice.columns or {}).items():
        letter = canonical(letter).upper()
        if not letter:
            columns.pop(role, None)
            continue
        try:
            columns[role] = column_index_from_string(letter)
        except ValueError:
            problems.append({"sheet": sheets[0], "cell": "", "message": _(
                "%(letter)s is not a column letter (for %(role)s).", letter=repr(letter), role=role)})
            continue
        if columns[role] > MAX_COLUMNS:
            problems.append({"sheet": sheets[0], "cell": "", "message": _(
                "Column %(letter)s is beyond the %(count)s columns read (for %(role)s).", letter=letter,
                count=MAX_COLUMNS, role=role)})
    if "question" not in columns:
        problems.append({"sheet": sheets[0], "cell": "", "message": _("Choose the question column.")})
    if "answer" not in columns:
        problems.append({"sheet": sheets[0], "cell": "", "message": _("Choose the answer column.")})
    if problems:
        raise ValidationFailed(_("The column mapping is incomplete."), problems)
    if choices and columns["answer"] != min(choices):
        choices = {}  # another answer column than the marked ones: read its values
    header_row = choice.header_row or (base.header_row if base else None)
    return detection.detect_book(book, profiles, sheets=sheets, header_row=header_row, columns=columns,
                                 choices=choices)


def _profile(detected: detection.DetectedResponse, choice: LayoutChoice, profiles) -> Profile | None:
    by_id = {p.id: p for p in profiles}
    if choice.profile == NONE:
        return None
    if choice.profile:
        if choice.profile not in by_id:
            message = _("Unknown format %(profile)s; expected one of %(choices)s", profile=repr(choice.profile),
                        choices=", ".join(sorted(by_id)))
            raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])
        return by_id[choice.profile]
    return by_id.get(detected.profile_id)


def sheet_summary(sheet) -> dict:
    """Where a sheet's answers were read: JSON-ready, columns as letters."""
    return {"sheet": sheet.sheet, "header_row": sheet.header_row, "first_row": sheet.first_row,
            "columns": {role: get_column_letter(c) for role, c in sheet.columns.items()},
            "choices": {get_column_letter(c): t for c, t in sheet.choices.items()},
            "questions": sheet.questions, "answered": sheet.answered}


def read_foreign(data: bytes, params: dict | None, csv: bool = False) -> ParsedWorkbook:
    """Read a vendor's own questionnaire for import (``ValidationFailed`` if it cannot be)."""
    choice = layout_choice(params)
    try:
        book = read_book(data)
    except UnreadableWorkbook as exc:
        raise unreadable(exc, csv) from None
    profiles = load_profiles()
    detected = _detect(book, choice, profiles)
    if not detected.questions:
        if choice.given:
            sheet = (choice.sheets or [""])[0]
            message = _("No question rows were found on %(sheet)s below header row %(row)s; expected one "
                        "question per row", sheet=repr(sheet), row=choice.header_row or "-")
            raise ValidationFailed(message, [{"sheet": sheet, "cell": "", "message": message}])
        message = _("No questionnaire found: neither our hidden identification nor a header row with "
                    "question and answer columns (e.g. 'Question'/'質問' and 'Answer'/'回答')")
        raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])
    unsure = detected.format == "unknown" or detected.confidence < CONFIRM_BELOW
    if unsure and not (choice.given or choice.confirmed or choice.profile):
        raise LayoutUnconfirmed(detected)
    profile = _profile(detected, choice, profiles)
    parsed = ParsedWorkbook(format=profile.format if profile else detected.format)
    parsed.profile_id, parsed.confidence, parsed.detected = (profile.id if profile else None), detected.confidence, \
        detected
    parsed.layout = {"sheets": [sheet_summary(s) for s in detected.sheets], "corrected": choice.given,
                     "duplicates": len(detected.duplicates)}
    for problem in detected.problems:
        parsed.error(problem.sheet, problem.answer_cell, no_value_message())
    single = len(detected.sheets) == 1
    for position, q in enumerate(detected.questions):
        source = q.question_id or (f"R{q.row}" if single else f"{q.sheet[:80]}!R{q.row}")
        comment = q.comment + (f"\n[SSRM: {q.ownership}]" if q.ownership else "")
        parsed.answers.append(ParsedAnswer(position, None, source[:100], q.sheet[:100], q.answer_cell, q.question,
                                           q.answer, q.raw, comment.strip()))
    if profile is not None:
        templates = {t.id: t for t in catalogue().latest()}
        parsed.mapped = map_response(detected, profile, templates)
    return parsed


def best_guess(data: bytes) -> detection.DetectedResponse | None:
    """The detection alone (for the confirmation page), or None if the file is unreadable
    or takes longer than the time budget to read."""
    try:
        with parse_budget.budget():
            return detection.detect_book(read_book(data), load_profiles())
    except (UnreadableWorkbook, ValidationFailed):
        return None
