"""The schemas of the questionnaire templates (``questionnaires/*.yaml``). The profiles of
the industry's formats (``questionnaires/mappings/formats/*.yaml``) are read by ``profiles``.

Types and single values are declared on the models; the rules that relate fields of a
question (its choices, expected and flagged answers, weight) are checked together by
``QuestionFile`` so that every problem of a question is reported at once.
"""
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, model_validator

from vendorrisk.core.content import Bilingual, ContentModel, Text, raise_problems
from vendorrisk.vendors.findings import SEVERITIES

ANSWER_TYPES = ("yes_no_na", "single_choice", "multiple_choice", "text", "number", "date")
CHOICE_TYPES = ("yes_no_na", "single_choice", "multiple_choice")
# Art. 25 and 26 have paragraphs (項); Art. 27 has items (号).
ARTICLE_PARTS = {25: 4, 26: 4, 27: 9}
ARTICLE_RE = re.compile(r"^(25|26|27)\((\d)\)$")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.&-]{0,59}$")
FILE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
YES_NO_NA_LABELS = (("yes", "はい", "Yes"), ("no", "いいえ", "No"), ("na", "該当なし", "N/A"))
# How the items of a template are named in messages: "question GEN-03: flag.severity ..."
NAMES = {"sections": "section", "questions": "question"}


def _article(value: str) -> str:
    match = ARTICLE_RE.match(value)
    if not match or not 1 <= int(match.group(2)) <= ARTICLE_PARTS[int(match.group(1))]:
        raise ValueError(f"{value!r} is not one of Arts. 25(1-4), 26(1-4), 27(1-9)")
    return value


def _question_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(f"{value!r} must start with a letter and use letters, digits, '-', '_', '.'")
    return value


def _file_id(value: str) -> str:
    if not FILE_ID_RE.match(value):
        raise ValueError(f"{value!r} must be lower-case letters, digits and '_'")
    return value


def _weight(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("must be a number of zero or more")
    return value


def _as_list(value):
    """``expected: "yes"`` is read as ``["yes"]``."""
    return [] if value is None else value if isinstance(value, list) else [value]


class ChoiceFile(ContentModel):
    """An allowed answer of a choice question: its stored value and its labels."""

    value: Text
    ja: Text
    en: Text


class FlagFile(ContentModel):
    """Answers that raise a finding, and its severity. Both are checked by the question,
    against its choices and the severities, so that each wrong value is reported."""

    answers: list[Text] = Field(min_length=1)
    severity: str | None = None


class QuestionFile(ContentModel):
    """A question of a template file."""

    id: Annotated[str, AfterValidator(_question_id)]
    text: Bilingual
    article: Annotated[str, AfterValidator(_article)]
    type: Literal[ANSWER_TYPES]
    choices: list[ChoiceFile] = []
    required: bool = False
    expected: Annotated[list[Text], BeforeValidator(_as_list)] = []
    weight: Annotated[int | float, PlainValidator(_weight)] = 1
    flag: FlagFile | None = None

    @model_validator(mode="after")
    def _answers_fit_the_type(self) -> "QuestionFile":
        raise_problems(_choice_problems(self) + _answer_problems(self))
        return self

    def answer_values(self) -> set[str]:
        """The values an answer is taken from (yes / no / na for a yes_no_na question)."""
        if self.type == "yes_no_na":
            return {value for value, _ja, _en in YES_NO_NA_LABELS}
        return {c.value for c in self.choices} if self.type in CHOICE_TYPES else set()


def _choice_problems(question: QuestionFile) -> list[str]:
    """Choice questions list at least two distinct choices; the others (yes / no / n.a.
    included, whose choices are fixed) list none."""
    if question.type == "yes_no_na" or question.type not in CHOICE_TYPES:
        return [f"a {question.type} question takes no 'choices'"] if question.choices else []
    problems = [] if len(question.choices) >= 2 else [f"a {question.type} question needs at least two choices"]
    values = [c.value for c in question.choices]
    return problems + (["choice values repeat"] if len(set(values)) != len(values) else [])


def _answer_problems(question: QuestionFile) -> list[str]:
    """Expected and flagged answers must be among the choices; a weighted question is scored
    against its expected answer."""
    values = question.answer_values()
    problems = ["'expected' is only for yes/no/n.a. and choice questions"] \
        if question.expected and question.type not in CHOICE_TYPES else []
    problems += [f"expected answer {v!r} is not one of its choices" for v in question.expected if v not in values]
    if question.weight and not question.expected:
        problems.append("a weighted question needs an 'expected' answer")
    return problems + _flag_problems(question.flag, values)


def _flag_problems(flag: FlagFile | None, values: set[str]) -> list[str]:
    if flag is None:
        return []
    problems = [f"flag answer {v!r} is not one of its choices" for v in flag.answers if v not in values]
    if flag.severity not in SEVERITIES:
        problems.append(f"flag severity {flag.severity!r} is not one of {', '.join(SEVERITIES)}")
    return problems


class SectionFile(ContentModel):
    """A titled group of questions in a template file."""

    id: Text
    title: Bilingual
    questions: list[QuestionFile] = Field(min_length=1)


class TemplateFile(ContentModel):
    """The schema of a questionnaire template, ``questionnaires/<id>.yaml``."""

    id: Annotated[str, AfterValidator(_file_id)]
    version: int = Field(ge=1)
    title: Bilingual
    description: Bilingual | None = None
    sections: list[SectionFile] = Field(min_length=1)

    @model_validator(mode="after")
    def _question_ids_are_unique(self) -> "TemplateFile":
        ids = [q.id for section in self.sections for q in section.questions]
        raise_problems([f"question id {qid} is used twice" for qid in dict.fromkeys(ids) if ids.count(qid) > 1])
        return self
