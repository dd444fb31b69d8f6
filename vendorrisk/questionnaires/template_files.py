"""Questionnaire templates: content files under ``questionnaires/``.

A template is one YAML file (id, version, bilingual title, sections of questions). The
industry's formats and how their answers map onto our questions are profiles under
``questionnaires/mappings/formats/`` (``profiles``). Files are validated when the app
starts (the area registers both checkers); a broken file is named.
``questionnaires/selection/`` belongs to the selection area and is not read here.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from flask_babel import gettext as _

from vendorrisk.core import content
from vendorrisk.core.errors import NotFound
from vendorrisk.core.registry import ContentProblem
from vendorrisk.questionnaires.profiles import check_profiles

ANSWER_TYPES = ("yes_no_na", "single_choice", "multiple_choice", "text", "number", "date")
CHOICE_TYPES = ("yes_no_na", "single_choice", "multiple_choice")
SEVERITIES = ("critical", "high", "medium", "low")
# Art. 25 and 26 have paragraphs (項); Art. 27 has items (号).
ARTICLE_PARTS = {25: 4, 26: 4, 27: 9}
ARTICLE_RE = re.compile(r"^(25|26|27)\((\d)\)$")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.&-]{0,59}$")


@dataclass(frozen=True)
class Choice:
    """One allowed answer: a stable value and its Japanese and English labels."""

    value: str
    ja: str
    en: str

    @property
    def label(self) -> str:
        """The bilingual label shown in drop-downs."""
        return self.ja if self.ja == self.en else f"{self.ja} / {self.en}"


YES_NO_NA = (Choice("yes", "はい", "Yes"), Choice("no", "いいえ", "No"), Choice("na", "該当なし", "N/A"))


@dataclass(frozen=True)
class Question:
    """A question of a template, with how it is answered, scored and flagged."""

    id: str
    section_id: str
    text_ja: str
    text_en: str
    article: str
    type: str
    choices: tuple[Choice, ...]
    required: bool
    expected: tuple[str, ...]
    weight: float
    flag_answers: tuple[str, ...] = ()
    flag_severity: str | None = None

    def citation(self, language: str = "en") -> str:
        """The article served, as staff cite it: 第27条第3号 / Art. 27(3)."""
        match = ARTICLE_RE.match(self.article)
        if not match:
            return self.article
        article, part = match.groups()
        if language == "ja":
            return f"第{article}条第{part}{'号' if article == '27' else '項'}"
        return f"Art. {article}({part})"

    def text(self, language: str = "en") -> str:
        """The question in the given language."""
        return self.text_ja if language == "ja" else self.text_en

    @property
    def scored(self) -> bool:
        """Whether the question counts in the score (it has an expected answer and a weight)."""
        return bool(self.expected) and self.weight > 0


@dataclass(frozen=True)
class Section:
    """A titled group of questions."""

    id: str
    title_ja: str
    title_en: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Template:
    """A versioned questionnaire."""

    id: str
    version: int
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    sections: tuple[Section, ...]
    path: str = ""
    questions: tuple[Question, ...] = field(default=(), repr=False)

    def title(self, language: str = "en") -> str:
        """The title in the given language."""
        return self.title_ja if language == "ja" else self.title_en

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self.by_id.get(question_id)

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions by id."""
        return {q.id: q for q in self.questions}


def canonical(text) -> str:
    """Normalise text for comparison: NFKC (full-width to half-width), case-folded, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


class _Problems(list):
    def add(self, path, message):
        self.append(ContentProblem(path, message))


def _bilingual(data, key: str, problems: _Problems, where: str, path: str) -> tuple[str, str]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict) or not str(value.get("ja") or "").strip() or not str(value.get("en") or "").strip():
        problems.add(path, f"{where}: '{key}' needs both 'ja' and 'en' text")
        return "", ""
    return str(value["ja"]).strip(), str(value["en"]).strip()


def _question(raw, section_id: str, problems: _Problems, path: str) -> Question | None:
    if not isinstance(raw, dict):
        problems.add(path, f"section {section_id}: each question must be a mapping")
        return None
    qid = str(raw.get("id", ""))
    where = f"question {qid or '(no id)'}"
    if not ID_RE.match(qid):
        problems.add(path, f"{where}: id must start with a letter and use letters, digits, '-', '_', '.'")
    text_ja, text_en = _bilingual(raw, "text", problems, where, path)
    article = str(raw.get("article", ""))
    match = ARTICLE_RE.match(article)
    if not match or not 1 <= int(match.group(2)) <= ARTICLE_PARTS[int(match.group(1))]:
        problems.add(path, f"{where}: article {article!r} is not one of Arts. 25(1-4), 26(1-4), 27(1-9)")
    kind = raw.get("type")
    if kind not in ANSWER_TYPES:
        problems.add(path, f"{where}: type {kind!r} is not one of {', '.join(ANSWER_TYPES)}")
        return None
    choices: tuple[Choice, ...] = ()
    if kind == "yes_no_na":
        choices = YES_NO_NA
        if raw.get("choices"):
            problems.add(path, f"{where}: a yes_no_na question takes no 'choices'")
    elif kind in CHOICE_TYPES:
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or len(raw_choices) < 2:
            problems.add(path, f"{where}: a {kind} question needs at least two choices")
            raw_choices = []
        built = []
        for item in raw_choices:
            if not isinstance(item, dict) or not str(item.get("value", "")).strip():
                problems.add(path, f"{where}: every choice needs a 'value'")
                continue
            if not str(item.get("ja", "")).strip() or not str(item.get("en", "")).strip():
                problems.add(path, f"{where}: choice {item.get('value')!r} needs 'ja' and 'en' labels")
                continue
            built.append(Choice(str(item["value"]), str(item["ja"]).strip(), str(item["en"]).strip()))
        if len({c.value for c in built}) != len(built):
            problems.add(path, f"{where}: choice values repeat")
        choices = tuple(built)
    elif raw.get("choices"):
        problems.add(path, f"{where}: a {kind} question takes no 'choices'")
    values = {c.value for c in choices}
    expected_raw = raw.get("expected")
    expected = tuple(str(v) for v in (expected_raw if isinstance(expected_raw, list) else
                                      [] if expected_raw is None else [expected_raw]))
    if expected and kind not in CHOICE_TYPES:
        problems.add(path, f"{where}: 'expected' is only for yes/no/n.a. and choice questions")
    for value in expected:
        if value not in values:
            problems.add(path, f"{where}: expected answer {value!r} is not one of its choices")
    weight = raw.get("weight", 1)
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
        problems.add(path, f"{where}: weight must be a number of zero or more")
        weight = 0
    if weight and not expected:
        problems.add(path, f"{where}: a weighted question needs an 'expected' answer")
    flag = raw.get("flag") or {}
    flag_answers: tuple[str, ...] = ()
    severity = None
    if flag:
        if not isinstance(flag, dict):
            problems.add(path, f"{where}: 'flag' must be a mapping with 'answers' and 'severity'")
        else:
            flag_answers = tuple(str(v) for v in flag.get("answers") or [])
            severity = flag.get("severity")
            if not flag_answers:
                problems.add(path, f"{where}: flag needs 'answers'")
            for value in flag_answers:
                if value not in values:
                    problems.add(path, f"{where}: flag answer {value!r} is not one of its choices")
            if severity not in SEVERITIES:
                problems.add(path, f"{where}: flag severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.add(path, f"{where}: 'required' must be true or false")
    return Question(qid, section_id, text_ja, text_en, article, kind, choices, bool(required),
                    expected, float(weight), flag_answers, severity)


def parse_template(path: Path) -> tuple[Template | None, list[ContentProblem]]:
    """Read and validate one template file; return it (None if unusable) and its problems."""
    problems = _Problems()
    where = content.relative(path)
    try:
        data = content.read_mapping(path)
    except content.ContentFileError as exc:
        problems.add(where, f"{exc} (with id, version, title and sections)")
        return None, problems
    tid = str(data.get("id", ""))
    if not re.match(r"^[a-z][a-z0-9_]{1,59}$", tid):
        problems.add(where, "id must be lower-case letters, digits and '_'")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.add(where, "version must be a whole number of 1 or more")
        version = 0
    title_ja, title_en = _bilingual(data, "title", problems, "template", where)
    desc = data.get("description") or {}
    sections, questions = [], []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.add(where, "sections must be a non-empty list")
        raw_sections = []
    for raw_section in raw_sections:
        sid = str((raw_section or {}).get("id", "")) if isinstance(raw_section, dict) else ""
        if not sid:
            problems.add(where, "every section needs an id")
            continue
        s_ja, s_en = _bilingual(raw_section, "title", problems, f"section {sid}", where)
        built = [q for q in (_question(r, sid, problems, where) for r in raw_section.get("questions") or [])
                 if q is not None]
        if not built:
            problems.add(where, f"section {sid}: it has no questions")
        sections.append(Section(sid, s_ja, s_en, tuple(built)))
        questions.extend(built)
    seen = set()
    for question in questions:
        if question.id in seen:
            problems.add(where, f"question id {question.id} is used twice")
        seen.add(question.id)
    template = Template(tid, version, title_ja, title_en, str(desc.get("ja", "")), str(desc.get("en", "")),
                        tuple(sections), where, tuple(questions))
    return template, problems


@dataclass(frozen=True)
class Catalogue:
    """Every template version found in a folder."""

    versions: dict[tuple[str, int], Template]
    problems: tuple[ContentProblem, ...]

    def latest(self) -> list[Template]:
        """The latest version of each template, ordered by id."""
        newest: dict[str, Template] = {}
        for (tid, _version), template in sorted(self.versions.items()):
            newest[tid] = template
        return [newest[k] for k in sorted(newest)]


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Read every template (``*.yaml`` at the top of the folder)."""
    folder = Path(folder or content.QUESTIONNAIRES_DIR)
    problems: list[ContentProblem] = []
    versions: dict[tuple[str, int], Template] = {}
    for path in sorted(folder.glob("*.y*ml")):
        template, found = parse_template(path)
        problems.extend(found)
        if template is None or found:
            continue
        key = (template.id, template.version)
        if key in versions:
            problems.append(ContentProblem(template.path, f"template {template.id} version "
                                           f"{template.version} is also defined in {versions[key].path}"))
            continue
        versions[key] = template
    return Catalogue(versions, tuple(problems))


@lru_cache(maxsize=4)
def _cached(folder: str, stamp: tuple) -> Catalogue:
    return load_catalogue(Path(folder))


def catalogue(folder: Path | None = None) -> Catalogue:
    """The catalogue of the questionnaires folder, re-read when a file changes."""
    folder = Path(folder or content.QUESTIONNAIRES_DIR)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.y*ml")))
    return _cached(str(folder), stamp)


def get_template(template_id: str, version: int | None = None) -> Template:
    """A template by id (latest version unless given); ``NotFound`` otherwise."""
    cat = catalogue()
    if version is None:
        for template in cat.latest():
            if template.id == template_id:
                return template
        raise NotFound(_("There is no questionnaire template %(template)s.", template=repr(template_id)))
    template = cat.versions.get((template_id, version))
    if template is None:
        raise NotFound(_("There is no version %(version)s of questionnaire template %(template)s.",
                         version=version, template=repr(template_id)))
    return template


def check_questionnaires() -> list[ContentProblem]:
    """Validate every questionnaire template file."""
    return list(load_catalogue().problems)


def check_formats() -> list[ContentProblem]:
    """Validate every format profile, its mapping targets against the latest templates."""
    templates = {t.id: t for t in load_catalogue().latest()}
    return [ContentProblem(path, message) for path, message in check_profiles(templates)]
