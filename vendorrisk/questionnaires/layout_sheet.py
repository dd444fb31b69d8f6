"""One sheet of a questionnaire workbook scored as a possible answer sheet: its header row,
its id, question, answer and comment columns, the id shapes of its questions, and how
surely its answers are the vendor's. Pure: no Flask, no database.

The header row is the first of the top rows naming most roles (in Japanese or English); the
columns are then chosen on a sample of the rows below it: question ids, question-like text,
and a column of answer-like values — known words in Japanese and English, or values of the
drop-down list the workbook itself puts on the cell, so an unfamiliar vocabulary still reads
as answers. A group of adjacent columns titled with answers (はい | いいえ | 該当なし, Yes |
No | N/A, ○ | × | △), in the header row or the row under it, is a check list answered by
marking one of them.
"""
import re
from collections import Counter
from dataclasses import dataclass

from openpyxl.utils import column_index_from_string

from vendorrisk.questionnaires import vocabulary as vocab
from vendorrisk.questionnaires.layout_rows import ROLES, SheetLayout, banner, cell_text, read_questions
from vendorrisk.questionnaires.reader_xml import NO_CACHED_VALUE
from vendorrisk.questionnaires.sheets import Sheet, text_of

HEADER_SCAN = 40
SAMPLE = 200
NOT_ANSWER_SHEET = re.compile(
    r"analyst|reference|crosswalk|mapping|scor|summary|report|instruction|glossary|lookup|^values?$|^lists?$|"
    r"dashboard|example|sample|read ?me|guidance|記入例|回答例|凡例|集計|採点|説明|使い方|手引|マスタ|master|^_|"
    r"change ?log|改訂|履歴|cover|表紙")
LETTERS = re.compile(r"^[A-Z]+")


def _sample_rows(sheet: Sheet, first: int) -> list[int]:
    numbers = sorted(r for r in sheet.rows if r >= first)
    if len(numbers) <= SAMPLE:
        return numbers
    step = len(numbers) / SAMPLE
    return [numbers[int(i * step)] for i in range(SAMPLE)]


def _header_texts(sheet: Sheet, row: int) -> dict[int, str]:
    return {column: value.strip() for column, value in enumerate(sheet.rows.get(row) or (), start=1)
            if isinstance(value, str) and (row, column) not in sheet.covered}


def choice_group(texts: dict[int, str]) -> dict[int, str]:
    """The longest run of adjacent columns titled with distinct answers, yes and no among
    them (はい | いいえ | 該当なし): the columns a check list is answered in by a mark."""
    best: dict[int, str] = {}
    run: dict[int, str] = {}
    meanings: set[str] = set()
    for column in sorted(texts) + [0]:
        meaning = vocab.choice_title(texts[column]) if column else None
        if meaning and (not run or (column == max(run) + 1 and meaning not in meanings)):
            run[column] = texts[column]
            meanings.add(meaning)
            continue
        if {"yes", "no"} <= meanings and len(run) > len(best):
            best = dict(run)
        run, meanings = ({column: texts[column]}, {meaning}) if meaning else ({}, set())
    return best


def choice_row(sheet: Sheet, row: int) -> dict[int, str]:
    """The answer-titled columns on the row under a header (はい | いいえ | 該当なし under a
    merged 回答): the row holds nothing else, and above the group the header row is blank or
    one merged title spanning it."""
    texts = _header_texts(sheet, row)
    group = choice_group(texts) if texts else {}
    if not group or set(texts) != set(group):
        return {}
    anchors = {sheet.covered.get((row - 1, c), (row - 1, c)) for c in group}
    above = [sheet.value(row - 1, c) for c in group]
    return group if len(anchors) == 1 or all(v is None for v in above) else {}


def _header(sheet: Sheet) -> tuple[int | None, dict[int, str]]:
    """The header row: of the top rows, the first naming most roles, at least two of them
    and the question or the answer among them (a group of answer-titled columns, there or
    on the row under it, names the answer); and its texts by column."""
    best: tuple = (0, None, {})
    for row in range(1, min(sheet.last_row, HEADER_SCAN) + 1):
        texts = _header_texts(sheet, row)
        if not texts:
            continue
        roles = {vocab.header_role(text) for text in texts.values()}
        if choice_group(texts) or (roles & {"question", "id"} and choice_row(sheet, row + 1)):
            roles.add("answer")
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
    merged_rows, covered, formulas = sheet.merged_rows, sheet.covered, sheet.formulas
    for row in rows:
        allowed = {}
        for column in listed_columns:
            found = allowed[column] = sheet.allowed_at(row, column)
            if found:
                stats.setdefault(column, _Column()).listed += 1
        filled = [(c, v) for c, v in enumerate(sheet.rows[row], start=1) if v is not None and v is not NO_CACHED_VALUE]
        merged = row in merged_rows
        for column, value in filled:
            if merged and (row, column) in covered:
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
            item.answers += 1.0 if allowed and text in allowed.get(column, ()) else strength
            if (row, column) in formulas:
                item.formulas += 1
    return stats


def analyse_sheet(sheet: Sheet, *, header_row: int | None = None, columns: dict[str, int] | None = None,
                  choices: dict[int, str] | None = None) -> SheetLayout:
    """Find the header row and the columns by role (or take those given, and the columns
    answered by a mark), then read the rows and score the sheet."""
    layout = SheetLayout(sheet.title, sheet.state)
    layout.named_otherwise = bool(NOT_ANSWER_SHEET.search(vocab.canonical(sheet.title)))
    if columns:
        sheet.widen(max([*columns.values(), *(choices or {})]))
        layout.header_row, layout.columns = header_row, dict(columns)
        layout.headers = _header_texts(sheet, header_row) if header_row else {}
        layout.choices = dict(choices or {})
        # Titles of the marked columns under the header row: the questions start one lower.
        layout.first_row = (header_row or 0) + 1 + bool(layout.choices and not set(layout.choices) <= set(
            choice_group(layout.headers)))
        _shapes(sheet, layout)
        _score(sheet, layout)
        return layout
    header_row, headers = _header(sheet)
    layout.header_row, layout.headers = header_row, headers
    layout.first_row = (header_row or 0) + 1
    if header_row is not None:
        layout.choices = choice_group(headers)
        if not layout.choices:
            layout.choices = choice_row(sheet, header_row + 1)
            layout.first_row += bool(layout.choices)
    rows = _sample_rows(sheet, layout.first_row)
    titled = {vocab.header_role(text) for text in headers.values()} >= {"question", "answer"}
    if len(rows) < (1 if titled else 2):  # one question only under a header naming both
        return layout
    stats = _columns(sheet, rows)
    for column in layout.choices:
        stats.pop(column, None)

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
    if layout.choices:
        answer = min(layout.choices)
    else:
        answers = [c for c in stats if c not in columns.values()
                   and not header_is(c, "reference", "comment", "ownership")
                   and (stats[c].answers >= 1 or stats[c].listed >= 1 or header_is(c, "answer"))]
        if not answers:
            return layout
        answer = max(answers, key=answer_evidence)
    columns["answer"] = answer
    taken = set(columns.values()) | set(layout.choices)
    for role in ("ownership", "comment"):
        named = [c for c in headers if header_is(c, role) and c not in taken]
        if named:
            columns[role] = min(named, key=lambda c: (c < answer, abs(c - answer)))
            taken.add(columns[role])
    nxt = max(layout.choices or [answer]) + 1
    if "comment" not in columns and nxt in stats and nxt not in taken and not stats[nxt].listed \
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
    answer_cols = [c - 1 for c in layout.choices] or [answer_col - 1]
    merged, lists = sheet.merged_rows, sheet.lists
    for row in sorted(r for r in sheet.rows if r >= layout.first_row):
        values = sheet.rows[row]
        if cell_text(values[question_col - 1]):
            texts += 1
        ident = cell_text(values[id_col - 1])
        if not ident or not vocab.is_id(ident) or (row in merged and banner(sheet, row, id_col, answer_col)):
            continue
        kind = vocab.shape(ident)
        counts[kind] += 1
        if any(cell_text(values[c]) for c in answer_cols) or (lists and sheet.allowed_at(row, answer_col)):
            answered[kind] += 1
    if not counts:
        return
    top, most = counts.most_common(1)[0]
    kept = tuple(k for k, n in counts.most_common() if k == top or (n * 5 >= most and answered[k]))
    if sum(counts[k] for k in kept) * 2 >= max(texts, 1):
        layout.uses_ids, layout.shapes = True, kept


def _answer_column(cell: str) -> int:
    return column_index_from_string(LETTERS.match(cell).group(0))


def _score(sheet: Sheet, layout: SheetLayout) -> None:
    rows = layout.rows = read_questions(sheet, layout)
    answer_col = layout.columns["answer"]
    given = [q for q in rows if q.raw]
    layout.questions, layout.answered = len(rows), len(given)
    if not rows:
        return
    layout.answer_like = round(sum(1.0 if q.in_list else vocab.answer_strength(q.raw) for q in given)
                               / len(given), 3) if given else 0.0
    if layout.choices:  # the marked cell holds the answer
        literal = sum(1 for q in given if not sheet.is_formula(q.row, _answer_column(q.answer_cell)))
    else:
        literal = sum(1 for q in given if not sheet.is_formula(q.row, answer_col))
    layout.literal = round(literal / len(given), 3) if given else 1.0
    listed, allowed = 0, {}
    if sheet.lists:
        for q in rows:
            values = sheet.allowed_at(q.row, answer_col)
            listed += bool(values)
            for value in values if not layout.choices else ():
                allowed.setdefault(value, None)
    layout.listed = round(listed / len(rows), 3)
    layout.allowed = tuple(allowed) or tuple(layout.choices.values())
    header = layout.headers.get(answer_col, "")
    # A column titled exactly as an answer column may hold free-text answers; a title that
    # merely mentions answers ("what a good answer looks like") is not enough on its own.
    header_answer = vocab.header_names(header, "answer") or bool(layout.choices)
    evidence = max(layout.answer_like, layout.listed, 0.5 if header_answer else 0.0)
    has_header = layout.header_row is not None and ({"question", "answer"} <= {
        vocab.header_role(layout.headers.get(c, "")) for c in layout.columns.values()} or bool(layout.choices))
    enough = layout.questions >= 2 or (layout.questions == 1 and has_header)
    if enough and evidence >= 0.5 and (given or layout.listed >= 0.5 or header_answer):
        layout.role = "answers" if layout.literal >= 0.5 else "derived"
    layout.score = round(layout.questions * (0.3 + 0.7 * evidence) * (0.5 + 0.5 * layout.literal)
                         * (1.0 + 0.5 * layout.listed), 2)
    fill = layout.answered / layout.questions
    layout.confidence = round(0.25 * has_header + 0.3 * evidence + 0.2 * max(layout.listed, fill)
                              + 0.25 * (1.0 if layout.uses_ids else min(1.0, fill + 0.5)), 2)


__all__ = ["SheetLayout", "analyse_sheet", "choice_group"]
