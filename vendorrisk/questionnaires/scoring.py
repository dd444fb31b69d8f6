"""Reading an answer against its question (allowed values, numbers, dates) and scoring it.

Answers are compared after NFKC normalisation and case folding, so full-width letters and
digits, "YES", "はい" and "はい / Yes" (the drop-down label) are the same answer.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from vendorrisk.questionnaires.reader import NO_CACHED_VALUE, as_text
from vendorrisk.questionnaires.template_files import Question, canonical

SYNONYMS = {
    "yes": ("y", "yes", "はい", "有", "あり", "○", "〇", "◯", "true", "対応済", "実施"),
    "no": ("n", "no", "いいえ", "無", "なし", "×", "✕", "false", "未対応", "未実施"),
    "na": ("na", "n/a", "n.a.", "not applicable", "該当なし", "対象外", "-", "―", "ー"),
}
SEPARATORS = re.compile(r"[;；,，、\n]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%d/%m/%Y")
EXCEL_EPOCH = date(1899, 12, 30)


def no_value_message() -> str:
    """The problem of a formula cell saved without its calculated value, in the user's language."""
    return _("The cell holds a formula without a calculated value; expected a value "
             "(open the workbook in Excel, let it calculate, save and upload again)")


@dataclass(frozen=True)
class Reading:
    """An answer as understood: canonical value (empty if blank) or the problem with it."""

    value: str
    raw: str
    problem: str | None = None


_LOOKUPS: dict[int, tuple[Question, dict[str, str]]] = {}


def _lookup(question: Question) -> dict[str, str]:
    # Keyed by identity: hashing a frozen Question hashes all its text on every call.
    cached = _LOOKUPS.get(id(question))
    if cached is not None and cached[0] is question:
        return cached[1]
    table = {}
    for choice in question.choices:
        for text in (choice.value, choice.ja, choice.en, choice.label, f"{choice.en} / {choice.ja}"):
            table[canonical(text)] = choice.value
    if question.type == "yes_no_na":
        for value, words in SYNONYMS.items():
            for word in words:
                table.setdefault(canonical(word), value)
    _LOOKUPS[id(question)] = (question, table)
    return table


def allowed_text(question: Question) -> str:
    """The allowed answers, for messages."""
    return ", ".join(f"'{c.label}'" for c in question.choices)


def read_yes_no_na(value) -> Reading:
    """Read a Yes/No/NA answer of a foreign questionnaire (no question of ours)."""
    raw = as_text(value)
    if value is NO_CACHED_VALUE:
        return Reading("", raw, no_value_message())
    if not raw:
        return Reading("", raw)
    key = canonical(raw)
    for answer, words in SYNONYMS.items():
        if key in {canonical(w) for w in words}:
            return Reading(answer, raw)
    return Reading("", raw, _("'%(raw)s' is not an allowed answer; expected Yes, No or NA", raw=raw))


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers up to 9999-12-31
            return EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text.isdigit() and 1 <= int(text) < 2958466 and len(text) <= 5:
        return EXCEL_EPOCH + timedelta(days=int(text))
    return None


def read_answer(question: Question, value) -> Reading:
    """Read a cell's value as an answer to ``question``."""
    if value is NO_CACHED_VALUE:
        return Reading("", "", no_value_message())
    raw = as_text(value)
    if not raw:
        return Reading("", "")
    kind = question.type
    if kind in ("yes_no_na", "single_choice"):
        found = _lookup(question).get(canonical(raw))
        if found is None:
            return Reading("", raw, _("'%(raw)s' is not an allowed answer; expected one of %(allowed)s",
                                      raw=raw, allowed=allowed_text(question)))
        return Reading(found, raw)
    if kind == "multiple_choice":
        table = _lookup(question)
        parts = [p for p in (canonical(x) for x in SEPARATORS.split(raw)) if p]
        unknown = [p for p in parts if p not in table]
        if unknown:
            return Reading("", raw, _("%(unknown)s not allowed; expected one or more of %(allowed)s, separated by ';'",
                                      unknown=", ".join(repr(u) for u in unknown), allowed=allowed_text(question)))
        chosen = {table[p] for p in parts}
        return Reading(";".join(c.value for c in question.choices if c.value in chosen), raw)
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            text = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
            try:
                number = float(text)
            except ValueError:
                return Reading("", raw, _("'%(raw)s' is not a number; expected a number such as 12 or 3.5", raw=raw))
        return Reading(str(int(number)) if number.is_integer() else repr(number), raw)
    if kind == "date":
        parsed = _parse_date(value)
        if parsed is None:
            return Reading("", raw, _("'%(raw)s' is not a date; expected a date such as 2026-04-01", raw=raw))
        return Reading(parsed.isoformat(), raw)
    return Reading(unicodedata.normalize("NFKC", raw), raw)


@dataclass(frozen=True)
class Evaluation:
    """Points earned and possible (None when the question does not count) and the flag."""

    points: float | None
    max_points: float | None
    flagged: bool
    severity: str | None


def evaluate(question: Question, value: str) -> Evaluation:
    """Score and flag one canonical answer; n.a. and unscored questions do not count."""
    selected = set(value.split(";")) if value else set()
    flagged = bool(selected & set(question.flag_answers))
    severity = question.flag_severity if flagged else None
    if not question.scored or selected == {"na"}:
        return Evaluation(None, None, flagged, severity)
    met = bool(selected) and selected <= set(question.expected)
    return Evaluation(question.weight if met else 0.0, question.weight, flagged, severity)


def total_score(evaluations) -> float | None:
    """The percentage of possible points earned, or None if nothing counts."""
    points = possible = 0.0
    for item in evaluations:
        if item.max_points:
            points += item.points or 0.0
            possible += item.max_points
    return round(100.0 * points / possible, 1) if possible else None


def article_scores(items) -> dict[str, dict]:
    """Scores per article served, from (article, points, max_points, answered) items: the
    questions counted, answered, points earned of possible and the percentage (None when
    nothing counts), ordered by article."""
    found: dict[str, dict] = {}
    for article, points, possible, answered in items:
        entry = found.setdefault(article, {"questions": 0, "answered": 0, "points": 0.0, "possible": 0.0})
        entry["questions"] += 1
        entry["answered"] += bool(answered)
        if possible:
            entry["points"] += points or 0.0
            entry["possible"] += possible
    for entry in found.values():
        entry["score"] = round(100.0 * entry["points"] / entry["possible"], 1) if entry["possible"] else None
    return {article: found[article] for article in sorted(found, key=_article_order)}


def _article_order(article: str) -> tuple:
    match = re.match(r"^(\d+)\((\d+)\)$", article)
    return (int(match.group(1)), int(match.group(2))) if match else (999, 0)
