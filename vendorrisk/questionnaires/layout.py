"""Where a vendor put its answers in a questionnaire workbook, whatever its layout: which
sheet(s), which header row, which id, question, answer and comment columns, which rows are
questions, and which known format it is.

Pure: ``detect(data)`` takes the bytes of an .xlsx or CSV file (passed through
``uploads.inspect_upload`` first) and returns a ``DetectedResponse``; no Flask, no database.

Every sheet, visible or hidden, is scored on a sample of its rows: question ids (and their
shapes), question-like text, and a column of answer-like values — known words in Japanese
and English, or values of the drop-down list the workbook itself puts on the cell, so an
unfamiliar vocabulary still reads as answers. A sheet holds the vendor's answers when its
answers are typed (a column of formulas copying answers from elsewhere is an analyst's or
scoring sheet) and it is neither hidden nor named as a reference, analyst, crosswalk,
scoring, lookup, instruction or example sheet, unless nothing else qualifies. Sheets of the
same questionnaire (the same id shapes or the same columns) are read as one response; a
question repeated on another sheet by formula counts once. Rows are questions when they
carry an id of the questionnaire's own shape (or, without ids, question-like text or an
answer); section headings, merged banner rows, notes and footers are skipped. Formula
cells read as their cached values.
"""
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from functools import lru_cache

from openpyxl.utils import get_column_letter

from vendorrisk.questionnaires import vocabulary as vocab
from vendorrisk.questionnaires.profiles import FORMATS as KNOWN_FORMATS
from vendorrisk.questionnaires.profiles import load_profiles, recognise
from vendorrisk.questionnaires.reader_xml import NO_CACHED_VALUE
from vendorrisk.questionnaires.sheets import Book, Sheet, read_book, text_of

FORMATS = (*KNOWN_FORMATS, "unknown")
ROLES = ("id", "question", "answer", "comment", "ownership")
HEADER_SCAN = 40
SAMPLE = 200
NOT_ANSWER_SHEET = re.compile(
    r"analyst|reference|crosswalk|mapping|scor|summary|report|instruction|glossary|lookup|^values?$|^lists?$|"
    r"dashboard|example|sample|read ?me|guidance|記入例|回答例|凡例|集計|採点|説明|使い方|手引|マスタ|master|^_|"
    r"change ?log|改訂|履歴|cover|表紙")


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
    ``none`` (no question rows with an answer column)."""

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
        data["shapes"], data["allowed"] = list(self.shapes), list(self.allowed)
        return data


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
           columns: dict[str, int] | None = None) -> DetectedResponse:
    """Read an .xlsx or CSV file and detect its questionnaire (see ``detect_book``);
    ``UnreadableWorkbook`` if the file cannot be read safely."""
    return detect_book(read_book(data), profiles, sheets=sheets, header_row=header_row, columns=columns)


def detect_book(book: Book, profiles=None, *, sheets: list[str] | None = None, header_row: int | None = None,
                columns: dict[str, int] | None = None) -> DetectedResponse:
    """Score every sheet, choose the vendor's answer sheet(s), read their question rows
    once each, and recognise the format among ``profiles`` (``load_profiles()`` by default).

    A user correcting the detection passes ``sheets`` (read exactly those) and, optionally,
    ``header_row`` and ``columns`` (role -> column number, ``question`` and ``answer`` at
    least), which then apply to each of those sheets."""
    if profiles is None:
        profiles = load_profiles()
    analysed = [(sheet, analyse_sheet(sheet)) for sheet in book.sheets]
    candidates = sorted((layout for _s, layout in analysed), key=lambda l: -l.score)
    if sheets is not None:
        picked = [(s, analyse_sheet(s, header_row=header_row, columns=columns) if columns else l)
                  for s, l in analysed if s.title in sheets]
        chosen = [(s, l) for s, l in picked if l.columns.get("answer") and l.columns.get("question")]
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


def _sample_rows(sheet: Sheet, first: int) -> list[int]:
    numbers = sorted(r for r in sheet.rows if r >= first)
    if len(numbers) <= SAMPLE:
        return numbers
    step = len(numbers) / SAMPLE
    return [numbers[int(i * step)] for i in range(SAMPLE)]


def _header_texts(sheet: Sheet, row: int) -> dict[int, str]:
    return {column: value.strip() for column, value in enumerate(sheet.rows.get(row) or (), start=1)
            if isinstance(value, str) and (row, column) not in sheet.covered}


def _header(sheet: Sheet) -> tuple[int | None, dict[int, str]]:
    """The header row: of the top rows, the first naming most roles, at least two of them
    and the question or the answer among them; and its texts by column."""
    best: tuple = (0, None, {})
    for row in range(1, min(sheet.last_row, HEADER_SCAN) + 1):
        values = sheet.rows.get(row)
        if not values:
            continue
        texts = _header_texts(sheet, row)
        roles = {vocab.header_role(text) for text in texts.values()}
        useful = len(roles & set(ROLES))
        if roles & {"question", "answer"} and useful >= 2 and useful > best[0]:
            best = (useful, row, texts)
    return best[1], best[2]


@dataclass
class _Column:
    filled: int = 0
    ids: int = 0
    questions: int = 0
    answers: float = 0.0
    listed: int = 0
    formulas: int = 0


def _columns(sheet: Sheet, rows: list[int]) -> dict[int, _Column]:
    stats: dict[int, _Column] = {}
    listed_columns = sorted(sheet.list_columns()) if sheet.lists else []
    merged_rows = sheet.merged_rows
    for row in rows:
        values = sheet.rows[row]
        allowed = {}
        for column in listed_columns:
            found = allowed[column] = sheet.allowed_at(row, column)
            if found:
                stats.setdefault(column, _Column()).listed += 1
        for column, value in enumerate(values, start=1):
            if value is None or value is NO_CACHED_VALUE:
                continue
            if row in merged_rows and (row, column) in sheet.covered:
                continue  # a copy of a merged range's value: it counts once, where it is written
            text = value.strip() if type(value) is str else text_of(value)
            if not text:
                continue
            item = stats.get(column)
            if item is None:
                item = stats[column] = _Column()
            item.filled += 1
            is_id, is_question, strength = vocab.features(text)
            item.ids += is_id
            item.questions += is_question
            item.answers += 1.0 if text in allowed.get(column, ()) else strength
            if (row, column) in sheet.formulas:
                item.formulas += 1
    return stats


def analyse_sheet(sheet: Sheet, *, header_row: int | None = None, columns: dict[str, int] | None = None) -> SheetLayout:
    """Find the header row and the columns by role (or take those given), then read the
    rows and score the sheet."""
    layout = SheetLayout(sheet.title, sheet.state)
    layout.named_otherwise = bool(NOT_ANSWER_SHEET.search(vocab.canonical(sheet.title)))
    if columns:
        layout.header_row, layout.columns = header_row, dict(columns)
        layout.headers = _header_texts(sheet, header_row) if header_row else {}
        _shapes(sheet, layout)
        _score(sheet, layout)
        return layout
    header_row, headers = _header(sheet)
    layout.header_row, layout.headers = header_row, headers
    rows = _sample_rows(sheet, (header_row or 0) + 1)
    if len(rows) < 2:
        return layout
    stats = _columns(sheet, rows)

    def header_is(column: int, *wanted: str) -> bool:
        return column in headers and vocab.header_role(headers[column]) in wanted
    texts = [c for c in stats if not header_is(c, "id", "answer", "comment", "ownership", "reference")]
    question = max(texts, default=None, key=lambda c: (stats[c].questions + (len(rows) if header_is(c, "question")
                                                       and stats[c].filled else 0), -c))
    if question is None or (stats[question].questions < 2 and not header_is(question, "question")):
        return layout
    columns = {"question": question}
    ids = [c for c in stats if c != question and stats[c].ids >= 2 and stats[c].ids >= 0.6 * stats[c].filled]
    if ids:
        columns["id"] = max(ids, key=lambda c: (header_is(c, "id"), c < question, stats[c].ids, -c))

    def answer_evidence(c: int) -> tuple:
        item = stats[c]
        return (item.answers + item.listed / 2 + (len(rows) / 2 if header_is(c, "answer") else 0),
                c > question, -abs(c - question))
    answers = [c for c in stats if c not in columns.values() and not header_is(c, "reference", "comment", "ownership")
               and (stats[c].answers >= 1 or stats[c].listed >= 1 or header_is(c, "answer"))]
    if not answers:
        return layout
    answer = max(answers, key=answer_evidence)
    columns["answer"] = answer
    for role in ("ownership", "comment"):
        named = [c for c in headers if header_is(c, role) and c not in columns.values()]
        if named:
            columns[role] = min(named, key=lambda c: (c < answer, abs(c - answer)))
    nxt = answer + 1
    if "comment" not in columns and nxt in stats and nxt not in columns.values() and not stats[nxt].listed \
            and stats[nxt].formulas * 2 < stats[nxt].filled and vocab.header_role(headers.get(nxt, "")) is None:
        columns["comment"] = nxt
    layout.columns = columns
    _shapes(sheet, layout)
    _score(sheet, layout)
    return layout


def _shapes(sheet: Sheet, layout: SheetLayout) -> None:
    """The id shapes of the questionnaire: the commonest, and others whose rows get answers."""
    id_col, answer_col, question_col = (layout.columns.get(k) for k in ("id", "answer", "question"))
    if id_col is None:
        return
    counts: Counter = Counter()
    answered: Counter = Counter()
    texts = 0
    for row in range((layout.header_row or 0) + 1, sheet.last_row + 1):
        values = sheet.rows.get(row)
        if not values:
            continue
        if text_of(values[question_col - 1]):
            texts += 1
        ident = text_of(values[id_col - 1])
        if not ident or not vocab.is_id(ident) or _banner(sheet, row, id_col, answer_col):
            continue
        kind = vocab.shape(ident)
        counts[kind] += 1
        if text_of(values[answer_col - 1]) or sheet.allowed_at(row, answer_col):
            answered[kind] += 1
    if not counts:
        return
    top, most = counts.most_common(1)[0]
    kept = tuple(k for k, n in counts.most_common() if k == top or (n * 5 >= most and answered[k]))
    if sum(counts[k] for k in kept) * 2 >= max(texts, 1):
        layout.uses_ids, layout.shapes = True, kept


def _banner(sheet: Sheet, row: int, column: int, answer_col: int) -> bool:
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


def _text(value) -> str:
    return value.strip() if type(value) is str else text_of(value)


def read_questions(sheet: Sheet, layout: SheetLayout) -> list[DetectedQuestion]:
    """The question rows below the header, by the layout's columns."""
    cols = layout.columns
    id_col, question_col, answer_col = cols.get("id"), cols["question"], cols["answer"]
    comment_col, ownership_col = cols.get("comment"), cols.get("ownership")
    shapes = set(layout.shapes)
    letter = get_column_letter(answer_col)
    found = []
    for row in range((layout.header_row or 0) + 1, sheet.last_row + 1):
        values = sheet.rows.get(row)
        if not values:
            continue
        question = _text(values[question_col - 1])
        ident = _text(values[id_col - 1]) if id_col else ""
        if not question and not ident:
            continue
        value = values[answer_col - 1]
        raw = _text(value)
        if _banner(sheet, row, question_col, answer_col) or (id_col and _banner(sheet, row, id_col, answer_col)):
            continue
        allowed = sheet.allowed_at(row, answer_col) if sheet.lists else ()
        if layout.uses_ids:
            if not ident or vocab.shape(ident) not in shapes:
                continue
        else:
            if not question or vocab.is_note(question):
                continue
            if not raw and (vocab.is_heading(question) or (not allowed and not vocab.is_question(question))):
                continue
            if vocab.header_role(question) == "question" and vocab.header_role(raw) == "answer":
                continue  # a header repeated further down
        copy = bool(sheet.formulas) and any("!" in sheet.formulas.get((row, c), "") for c in (id_col, answer_col) if c)
        found.append(DetectedQuestion(
            sheet.title, row, ident, question, vocab.normalise(raw) if raw else "", raw,
            _text(values[comment_col - 1]) if comment_col else "", f"{letter}{row}",
            _text(values[ownership_col - 1]) if ownership_col else "",
            _in_list(raw, allowed) if allowed and raw else None,
            "no_cached_value" if value is NO_CACHED_VALUE else None, copy))
    return found


@lru_cache(maxsize=256)
def _canonical_list(allowed: tuple[str, ...]) -> frozenset:
    return frozenset(vocab.canonical(a) for a in allowed)


def _in_list(raw: str, allowed: tuple[str, ...]) -> bool:
    """Whether an answer is one of the list's values (full-width, case and spacing aside)."""
    return raw in allowed or vocab.canonical(raw) in _canonical_list(allowed)


def _score(sheet: Sheet, layout: SheetLayout) -> None:
    rows = layout.rows = read_questions(sheet, layout)
    answer_col = layout.columns["answer"]
    given = [q for q in rows if q.raw]
    layout.questions, layout.answered = len(rows), len(given)
    if not rows:
        return
    layout.answer_like = round(sum(1.0 if q.in_list else vocab.answer_strength(q.raw) for q in given)
                               / len(given), 3) if given else 0.0
    layout.literal = round(sum(1 for q in given if not sheet.is_formula(q.row, answer_col)) / len(given), 3) \
        if given else 1.0
    layout.listed = round(sum(1 for q in rows if sheet.lists and sheet.allowed_at(q.row, answer_col)) / len(rows), 3)
    allowed = []
    for q in rows:
        for value in (sheet.allowed_at(q.row, answer_col) if sheet.lists else ()):
            if value not in allowed:
                allowed.append(value)
    layout.allowed = tuple(allowed)
    header = layout.headers.get(answer_col, "")
    # A column titled exactly as an answer column may hold free-text answers; a title that
    # merely mentions answers ("what a good answer looks like") is not enough on its own.
    header_answer = vocab.header_names(header, "answer")
    evidence = max(layout.answer_like, layout.listed, 0.5 if header_answer else 0.0)
    if layout.questions >= 2 and evidence >= 0.5 and (given or layout.listed >= 0.5 or header_answer):
        layout.role = "answers" if layout.literal >= 0.5 else "derived"
    layout.score = round(layout.questions * (0.3 + 0.7 * evidence) * (0.5 + 0.5 * layout.literal)
                         * (1.0 + 0.5 * layout.listed), 2)
    has_header = layout.header_row is not None and {"question", "answer"} <= {
        vocab.header_role(layout.headers.get(c, "")) for c in layout.columns.values()}
    fill = layout.answered / layout.questions
    layout.confidence = round(0.25 * has_header + 0.3 * evidence + 0.2 * max(layout.listed, fill)
                              + 0.25 * (1.0 if layout.uses_ids else min(1.0, fill + 0.5)), 2)


def _choose(analysed: list[tuple[Sheet, SheetLayout]]) -> list[tuple[Sheet, SheetLayout]]:
    """The vendor's answer sheets: the best tier present (visible before hidden, sheets not
    named as analyst/reference/... first), the best sheet of it and its siblings."""
    answering = [(s, l) for s, l in analysed if l.role == "answers"]
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
    groups: dict[tuple, list[DetectedQuestion]] = {}
    for q in rows:
        key = ("id", vocab.canonical(q.question_id)) if q.question_id else ("text", vocab.canonical(q.question))
        groups.setdefault(key, []).append(q)
    keep: set[int] = set()
    for (kind, _value), group in groups.items():
        typed = [q for q in group if not q.copy]
        if kind == "id":
            keep.add(id(typed[0] if typed else group[0]))
        else:
            keep.update(id(q) for q in (typed or group[:1]))
    kept = [q for q in rows if id(q) in keep]
    return kept, [q for q in rows if id(q) not in keep]


def _confidence(layouts: list[SheetLayout]) -> float:
    total = sum(l.questions for l in layouts)
    if not total:
        return 0.0
    return round(sum(l.confidence * l.questions for l in layouts) / total, 2)
