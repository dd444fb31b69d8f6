"""What cells of a questionnaire look like: answers (normalised to yes / no / partial / na /
other), question ids and their shapes, question-like text, and header names by role.

Pure functions of text, memoised by value: a workbook repeats the same few answers
thousands of times.
"""
import re
import unicodedata
from functools import lru_cache

ANSWERS = ("yes", "no", "partial", "na")
LEXICON = {
    "yes": ("y", "yes", "true", "ok", "はい", "有", "有り", "あり", "○", "〇", "◯", "◎", "✓", "✔", "☑", "レ",
            "済", "済み", "対応済", "対応済み", "実施", "実施済", "実施済み", "実施している", "対応している",
            "達成", "準拠", "適合", "整備済", "compliant", "in place", "implemented", "available", "supported",
            "satisfied", "meets", "full", "fully", "fully compliant", "fully implemented"),
    "no": ("n", "no", "false", "ng", "いいえ", "無", "無し", "なし", "×", "✕", "✖", "☓", "未対応", "未実施",
           "未達成", "未整備", "非準拠", "不適合", "実施していない", "対応していない", "計画中", "検討中",
           "planned", "not implemented", "non-compliant", "not compliant", "not available", "not supported",
           "does not meet"),
    "partial": ("partial", "partially", "partly", "in progress", "△", "▲", "一部", "一部対応", "一部実施",
                "一部達成", "一部準拠", "一部適合", "一部整備", "部分的", "部分的に対応", "対応中", "partially compliant",
                "partially implemented"),
    # A lone dash or slash (斜線) is how Japanese forms mark "not applicable".
    "na": ("na", "n/a", "n.a.", "n.a", "not applicable", "該当なし", "該当無し", "対象外", "非該当", "不要",
           "-", "--", "ー", "―", "—", "–", "／", "/"),
}
LEADING = re.compile(r"^(yes|no|n/a|na|partial(?:ly)?|はい|いいえ|該当なし|一部対応|対象外|○|〇|×|△)(?=[\s,.;:：、。（(\-–—/・]|$)")


def canonical(text) -> str:
    """Text for comparison: NFKC (full-width to half-width), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


_WORDS = {canonical(word): answer for answer, words in LEXICON.items() for word in words}


@lru_cache(maxsize=4096)
def normalise(raw: str) -> str:
    """An answer as ``yes``, ``no``, ``partial``, ``na`` or ``other`` (blank for no answer).

    Known words in Japanese and English, symbols (○ × △ －), and answers that begin with one
    ("Yes, annually", "はい（年1回）") are understood; anything else is ``other``.
    """
    return _normalise_key(canonical(raw))


def _normalise_key(key: str) -> str:
    if not key:
        return ""
    found = _WORDS.get(key)
    if found is None:
        match = LEADING.match(key)
        found = _WORDS.get(match.group(1)) if match else None
    return found or "other"


def is_known_answer(raw: str) -> bool:
    """Whether the text reads as yes / no / partial / n.a."""
    return normalise(raw) in ANSWERS


@lru_cache(maxsize=4096)
def answer_strength(raw: str) -> float:
    """How surely the text is an answer: 1 for a known word or symbol, 0.5 for a sentence
    that begins with one ("Yes, annually": an answer, or prose about answers), else 0."""
    return _strength_key(canonical(raw))


def _strength_key(key: str) -> float:
    if _WORDS.get(key) is not None:
        return 1.0
    return 0.5 if _normalise_key(key) in ANSWERS else 0.0


ID_RE = re.compile(r"^(?:[a-z&]{1,8}[-_ .]?\d{1,4}(?:[-_.]\d{1,4}){0,4}[a-z]?"
                   r"|[a-z]{1,3}\.\d{1,3}(?:\.\d{1,3}){0,4}"
                   r"|\d{1,4}|\d{1,3}(?:[-.]\d{1,3}){1,4}"
                   r"|\(\d{1,3}\)|[\u2460-\u2473]"
                   r"|q\.?\s?\d{1,4}(?:[-.]\d{1,3}){0,3})$")
LETTER_RUNS, DIGIT_RUNS = re.compile(r"[A-Za-z&]+"), re.compile(r"\d+")


@lru_cache(maxsize=8192)
def is_id(text: str) -> bool:
    """Whether the text looks like a question id: ``A&A-01.1``, ``DOCU-01``, ``A.1.2``,
    ``1-1``, ``12``, ``Q12``, ``(3)``."""
    return _id_key(canonical(text))


def _id_key(key: str) -> bool:
    return 0 < len(key) <= 24 and bool(ID_RE.match(key))


@lru_cache(maxsize=8192)
def shape(text: str) -> str:
    """The shape of an id, letters as ``A`` and digits as ``9``: ``A&A-01.1`` -> ``A-9.9``,
    ``1-1`` -> ``9-9``. Question ids of one questionnaire share a few shapes; a section number
    (``1``) or a note has another."""
    key = unicodedata.normalize("NFKC", str(text)).strip().upper()
    return DIGIT_RUNS.sub("9", LETTER_RUNS.sub("A", key))


QUESTION_START = re.compile(r"^(do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|shall|may|"
                            r"describe|explain|provide|please|list|indicate|specify|state|confirm|identify|what|"
                            r"which|who|whom|when|where|why|how|if)\b")
QUESTION_END = re.compile(r"(\?|？|か。?|か[)）]?|ください。?|下さい。?|こと。?|すること。?|記入。?|記載。?|"
                          r"[いる]るか。?|でしょうか。?)$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@lru_cache(maxsize=16384)
def is_question(text: str) -> bool:
    """Whether the text reads like a question or a request for information."""
    return _question_key(canonical(text))


def _question_key(key: str) -> bool:
    if len(key) < 6 or _id_key(key):
        return False
    if QUESTION_END.search(key) or QUESTION_START.match(key):
        return True
    words = len(key.split())
    return words >= 6 or (bool(JAPANESE.search(key)) and len(key) >= 12)


NOTE = re.compile(r"^(※|＊|\*|注[:：\s]|注意|備考[:：]|note[s]?\b|notes?:|remarks?:|(c)|©|copyright|"
                  r"all rights reserved|end of|以上$|以下余白)")
HEADING = re.compile(r"^(第?\s*[0-9一二三四五六七八九十]+\s*[章節部]|[■□◆◇●○▼▽【\[]|section\b|part\b|"
                     r"[0-9]+[.．]?\s*[^\s?？]{1,30}$|[a-z][.．)]\s*[^\s?？]{1,30}$)")


@lru_cache(maxsize=8192)
def is_note(text: str) -> bool:
    """Whether the text is a note, footer or copyright line rather than a question."""
    return bool(NOTE.match(canonical(text)))


@lru_cache(maxsize=8192)
def is_heading(text: str) -> bool:
    """Whether the text looks like a section heading ("第1章 管理体制", "■ 組織", "3. Data")."""
    key = canonical(text)
    return bool(HEADING.match(key)) and not QUESTION_END.search(key) and not QUESTION_START.match(key)


# Header names by role, matched exactly first and then by keyword (in this order: "回答者コメント"
# is a comment, "質問への回答" an answer, "Preferred Answer" a reference column, not an answer).
HEADER_EXACT = {
    "id": {"id", "question id", "question no", "question no.", "question number", "ques num", "ques. num",
           "ques #", "no", "no.", "#", "ref", "ref.", "ref #", "control id", "item", "番号", "質問番号", "質問id",
           "項番", "項目番号", "設問番号", "管理番号", "no"},
    "question": {"question", "questions", "question/request", "request", "question text", "control question",
                 "assessment question", "consensus assessment question", "requirement", "control", "質問", "質問事項",
                 "質問内容", "設問", "確認事項", "確認項目", "チェック項目", "点検項目", "項目", "要件", "評価項目",
                 "管理策"},
    "answer": {"answer", "answers", "response", "responses", "vendor answer", "vendor answers", "vendor response",
               "csp caiq answer", "caiq answer", "yes/no", "yes/no/na", "yes/no/n/a", "status", "compliance status",
               "implementation status", "implemented", "implemented?", "in place?", "回答", "ご回答", "回答欄",
               "対応状況", "実施状況", "遵守状況", "判定", "結果", "チェック", "チェック欄", "評価"},
    "comment": {"comment", "comments", "notes", "note", "additional information", "additional info",
                "explanation", "description", "details", "evidence", "備考", "補足", "補足説明", "コメント", "説明",
                "根拠", "根拠資料", "回答補足"},
    "ownership": {"ssrm control ownership", "control ownership", "責任分界", "管理責任"},
}
HEADER_KEYWORDS = (
    ("reference", ("preferred", "expected", "compliant", "guidance", "analyst", "weight", "score",
                   "scoring", "crosswalk", "模範", "回答例", "記入例", "配点", "評価基準")),
    ("ownership", ("ssrm", "ownership", "責任分界")),
    ("comment", ("description", "comment", "備考", "コメント", "補足", "note", "説明", "additional", "explanation",
                 "evidence", "根拠")),
    ("answer", ("answer", "回答", "response", "yes/no", "対応状況", "実施状況")),
    ("question", ("question", "質問", "設問", "確認事項", "確認項目", "request")),
    ("id", (" id", "番号", "項番", "ques num", " no.", " #")),
)


def header_names(text: str, role: str) -> bool:
    """Whether the header is one of the exact names of the role (not merely a keyword match)."""
    return canonical(text) in HEADER_EXACT.get(role, ())


@lru_cache(maxsize=4096)
def header_role(text: str) -> str | None:
    """The role a header cell names: id, question, answer, comment, ownership, reference."""
    key = canonical(text)
    if not key or len(key) > 60:
        return None
    for role, names in HEADER_EXACT.items():
        if key in names:
            return role
    padded = " " + key
    for role, words in HEADER_KEYWORDS:
        if any(word in padded for word in words):
            return role
    return None


@lru_cache(maxsize=32768)
def features(text: str) -> tuple[bool, bool, float]:
    """(is an id, reads as a question, answer strength) of a cell's text, in one lookup."""
    key = canonical(text)
    return _id_key(key), _question_key(key), _strength_key(key)


# What an unticked cell of a check list holds, when it holds anything: a dash, a zero, FALSE
# (a linked check box), an empty box.
UNMARKED = frozenset(canonical(t) for t in ("0", "false", "-", "－", "ー", "―", "–", "—", "□", "☐", "未選択"))


def is_mark(text: str) -> bool:
    """Whether a cell of a check list's answer columns is ticked (○, ✓, レ, x, 1, TRUE...)."""
    key = canonical(text)
    return bool(key) and key not in UNMARKED


def choice_title(text: str) -> str | None:
    """The answer a column title stands for on a check list that answers by marking one of
    several columns (はい | いいえ | 該当なし, Yes | No | N/A, ○ | × | △): a known answer
    word or symbol exactly, else None."""
    key = canonical(text)
    return _WORDS.get(key) if key and len(key) <= 20 else None


def clear_caches() -> None:
    """Forget every memoised reading (benchmarks time each file as if it were the first)."""
    for function in (normalise, answer_strength, is_id, shape, is_question, is_note, is_heading, header_role,
                     features):
        function.cache_clear()
