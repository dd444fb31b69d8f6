"""Questionnaire templates: content files under ``questionnaires/``.

A template is one YAML file (id, version, bilingual title, sections of questions), validated
against the schemas of ``template_schema``. The industry's formats, and how their answers
map onto our questions, are profiles under ``questionnaires/mappings/formats/``
(``profiles``). Files are validated when the app starts (the area registers both checkers);
a broken file is named with its problems. ``questionnaires/selection/`` belongs to the
selection area and is not read here.
"""
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from flask_babel import gettext as _

from vendorrisk.core import content
from vendorrisk.core.errors import NotFound
from vendorrisk.core.registry import ContentProblem
from vendorrisk.questionnaires.profiles import check_profiles
from vendorrisk.questionnaires.template_schema import (
    ARTICLE_RE,
    NAMES,
    YES_NO_NA_LABELS,
    QuestionFile,
    TemplateFile,
)


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


YES_NO_NA = tuple(Choice(*labels) for labels in YES_NO_NA_LABELS)


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


def parse_template(path: Path) -> tuple[Template | None, list[ContentProblem]]:
    """Read and validate one template file; return it (None if invalid) and its problems."""
    schema, _data, problems = content.validate_file(path, TemplateFile, names=NAMES)
    if schema is None:
        return None, problems
    sections = tuple(Section(s.id, s.title.ja, s.title.en, tuple(_question(q, s.id) for q in s.questions))
                     for s in schema.sections)
    description = schema.description
    return Template(schema.id, schema.version, schema.title.ja, schema.title.en,
                    description.ja if description else "", description.en if description else "",
                    sections, content.relative(path), tuple(q for s in sections for q in s.questions)), []


def _question(question: QuestionFile, section_id: str) -> Question:
    """The question as the app uses it, from its validated entry (which lists choices only
    for a choice question)."""
    listed = tuple(Choice(c.value, c.ja, c.en) for c in question.choices)
    choices = YES_NO_NA if question.type == "yes_no_na" else listed
    flag = question.flag
    return Question(question.id, section_id, question.text.ja, question.text.en, question.article, question.type,
                    choices, question.required, tuple(question.expected), float(question.weight),
                    tuple(flag.answers) if flag else (), flag.severity if flag else None)


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
