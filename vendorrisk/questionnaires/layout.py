"""Where a vendor put its answers in a questionnaire workbook, whatever its layout: which
sheet(s), which header row, which id, question, answer and comment columns, which rows are
questions, and which known format it is.

Pure: ``detect(data)`` takes the bytes of an .xlsx or CSV file (passed through
``uploads.inspect_upload`` first) and returns a ``DetectedResponse``; no Flask, no database.

Every sheet, visible or hidden, is scored on a sample of its rows (``layout_sheet``) and its
question rows read (``layout_rows``). A sheet holds the vendor's answers when its answers
are typed (a column of formulas copying answers from elsewhere is an analyst's or scoring
sheet) and it is neither hidden nor named as a reference, analyst, crosswalk, scoring,
lookup, instruction or example sheet, unless nothing else qualifies. Sheets of the same
questionnaire (the same id shapes or the same columns) are read as one response; a
question repeated on another sheet by formula counts once. Formula cells read as their
cached values.
"""
from dataclasses import dataclass, field

from vendorrisk.questionnaires import vocabulary as vocab
from vendorrisk.questionnaires.layout_rows import ROLES, DetectedQuestion, SheetLayout
from vendorrisk.questionnaires.layout_sheet import analyse_sheet
from vendorrisk.questionnaires.profiles import FORMATS as KNOWN_FORMATS
from vendorrisk.questionnaires.profiles import load_profiles, recognise
from vendorrisk.questionnaires.sheets import Book, Sheet, read_book

__all__ = ["FORMATS", "ROLES", "DetectedQuestion", "DetectedResponse", "SheetLayout", "analyse_sheet", "detect",
           "detect_book"]
FORMATS = (*KNOWN_FORMATS, "unknown")


@dataclass
class DetectedResponse:
    """A questionnaire as detected: format (one of ``FORMATS``), the profile recognised,
    confidence (0-1), the sheets read (``sheets``) and every sheet considered
    (``candidates``, best first), the question rows (each once) and the copies dropped."""

    format: str
    confidence: float
    sheets: list[SheetLayout]
    candidates: list[SheetLayout]
    questions: list[DetectedQuestion]
    duplicates: list[DetectedQuestion] = field(default_factory=list)
    profile_id: str | None = None

    @property
    def answered(self) -> list[DetectedQuestion]:
        """The questions with an answer."""
        return [q for q in self.questions if q.raw]

    @property
    def unanswered(self) -> list[DetectedQuestion]:
        """The questions left blank."""
        return [q for q in self.questions if not q.raw and q.problem is None]

    @property
    def problems(self) -> list[DetectedQuestion]:
        """Answer cells that could not be read (formulas saved without a result)."""
        return [q for q in self.questions if q.problem]

    def as_dict(self) -> dict:
        """A JSON-ready summary (without the question rows)."""
        return {"format": self.format, "profile_id": self.profile_id, "confidence": self.confidence,
                "questions": len(self.questions), "answered": len(self.answered),
                "sheets": [s.as_dict() for s in self.sheets],
                "candidates": [{"sheet": s.sheet, "state": s.state, "role": s.role, "score": s.score,
                                "questions": s.questions, "answered": s.answered} for s in self.candidates]}


def detect(data: bytes, profiles=None, *, sheets: list[str] | None = None, header_row: int | None = None,
           columns: dict[str, int] | None = None, choices: dict[int, str] | None = None) -> DetectedResponse:
    """Read an .xlsx or CSV file and detect its questionnaire (see ``detect_book``);
    ``UnreadableWorkbook`` if the file cannot be read safely."""
    return detect_book(read_book(data), profiles, sheets=sheets, header_row=header_row, columns=columns,
                       choices=choices)


def detect_book(book: Book, profiles=None, *, sheets: list[str] | None = None, header_row: int | None = None,
                columns: dict[str, int] | None = None, choices: dict[int, str] | None = None) -> DetectedResponse:
    """Score every sheet, choose the vendor's answer sheet(s), read their question rows
    once each, and recognise the format among ``profiles`` (``load_profiles()`` by default).

    A user correcting the detection passes ``sheets`` (read exactly those) and, optionally,
    ``header_row`` and ``columns`` (role -> column number, ``question`` and ``answer`` at
    least; ``choices`` when the answer is a mark in one of several columns), which then
    apply to each of those sheets."""
    if profiles is None:
        profiles = load_profiles()
    analysed = [(sheet, analyse_sheet(sheet)) for sheet in book.sheets]
    candidates = sorted((layout for _s, layout in analysed), key=lambda layout: -layout.score)
    if sheets is not None:
        picked = [(s, analyse_sheet(s, header_row=header_row, columns=columns, choices=choices)
                   if columns else layout) for s, layout in analysed if s.title in sheets]
        chosen = [(s, layout) for s, layout in picked
                  if layout.columns.get("answer") and layout.columns.get("question")]
    else:
        chosen = _choose(analysed)
    rows: list[DetectedQuestion] = []
    for _sheet, layout in chosen:
        layout.chosen = True
        rows.extend(layout.rows)
    questions, duplicates = _once(rows)
    layouts = [layout for _s, layout in chosen]
    confidence = _confidence(layouts)
    fmt, profile_id = "unknown", None
    if layouts:
        found = recognise(layouts, questions, profiles)
        if found is not None:
            profile, strength = found
            fmt, profile_id = profile.format, profile.id
            confidence = round(max(confidence, strength), 2)
    return DetectedResponse(fmt, confidence, layouts, candidates, questions, duplicates, profile_id)



def _choose(analysed: list[tuple[Sheet, SheetLayout]]) -> list[tuple[Sheet, SheetLayout]]:
    """The vendor's answer sheets: the best tier present (visible before hidden, sheets not
    named as analyst/reference/... first), the best sheet of it and its siblings."""
    answering = [(s, layout) for s, layout in analysed if layout.role == "answers"]
    if not answering:
        return []

    def tier(item) -> tuple:
        sheet, layout = item
        return (not sheet.visible, layout.named_otherwise)
    best_tier = min(tier(item) for item in answering)
    pool = [item for item in answering if tier(item) == best_tier]
    best = max(pool, key=lambda item: item[1].score)[1]

    def sibling(layout: SheetLayout) -> bool:
        if layout is best:
            return True
        if best.uses_ids and layout.uses_ids:
            return bool(set(best.shapes) & set(layout.shapes))
        same_columns = {k: best.columns.get(k) for k in ("question", "answer")} == \
                       {k: layout.columns.get(k) for k in ("question", "answer")}
        same_headers = [best.headers.get(best.columns[k]) for k in ("question", "answer")] == \
                       [layout.headers.get(layout.columns[k]) for k in ("question", "answer")]
        return same_columns and same_headers and best.uses_ids == layout.uses_ids
    return [item for item in pool if sibling(item[1])]


def _once(rows: list[DetectedQuestion]) -> tuple[list[DetectedQuestion], list[DetectedQuestion]]:
    """Each question once. Rows with the same id are one question: the first typed row is
    kept (a copy only when no sheet has it typed). Without ids, a copy is dropped when a
    typed row has its text; typed rows that merely share a text stay separate questions."""
    groups: dict[tuple, list[int]] = {}
    for index, q in enumerate(rows):
        key = ("id", vocab.canonical(q.question_id)) if q.question_id else ("text", vocab.canonical(q.question))
        groups.setdefault(key, []).append(index)
    keep: set[int] = set()
    for (kind, _value), group in groups.items():
        if len(group) == 1:
            keep.add(group[0])
            continue
        typed = [i for i in group if not rows[i].copy]
        if kind == "id":
            keep.add(typed[0] if typed else group[0])
        else:
            keep.update(typed or group[:1])
    kept = [q for i, q in enumerate(rows) if i in keep]
    return kept, [q for i, q in enumerate(rows) if i not in keep]


def _confidence(layouts: list[SheetLayout]) -> float:
    total = sum(layout.questions for layout in layouts)
    if not total:
        return 0.0
    return round(sum(layout.confidence * layout.questions for layout in layouts) / total, 2)
