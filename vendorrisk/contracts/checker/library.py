"""The clause library: one YAML file per required contract clause in ``contract_clauses/``.

Each file says which article the clause serves, when it is required, how to recognise it
in Japanese and English contracts, and how to negotiate it. ``ClauseFile`` is the schema
of a file; the files are validated at start-up (the ``contract_clauses`` content checker)
and loaded once per process into ``Clause`` objects, with their patterns compiled.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from vendorrisk.core import content
from vendorrisk.core.content import Bilingual, ContentModel
from vendorrisk.core.registry import ContentProblem

CONDITIONS = ("always", "cloud", "important", "user_data", "subcontracting")
LANGS = ("ja", "en")
REQUIRED_CLAUSE_IDS = (
    "roles_responsibilities", "audit_rights", "subcontracting", "service_levels",
    "security_requirements", "confidentiality", "user_data_handling", "incident_notification",
    "business_continuity", "termination_exit", "monitoring_reporting", "data_location",
    "key_management", "regulatory_compliance")


@dataclass(frozen=True)
class Recognition:
    """How a clause is recognised in one language: compiled regular expressions."""

    headings: tuple[re.Pattern, ...]
    key_phrases: tuple[re.Pattern, ...]
    negative: tuple[re.Pattern, ...]
    essential: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Clause:
    """A required clause of the library."""

    id: str
    order: int
    library_version: int
    article: dict
    title: dict
    explanation: dict
    guidance: dict
    required_when: tuple[str, ...]
    recognition: dict[str, Recognition] = field(hash=False)
    essential_label: dict = field(default_factory=dict, hash=False)

    def text(self, name: str, lang: str) -> str:
        """A bilingual field (``title``, ``article``, ...) in ``lang``, falling back to English."""
        value = getattr(self, name)
        return value.get(lang) or value.get("en", "")

    def applies_to(self, arrangement) -> bool:
        """Tell whether this clause is required for ``arrangement`` (an ``Arrangement``)."""
        flags = {"always": True, "cloud": arrangement.is_cloud, "important": arrangement.is_important,
                 "user_data": arrangement.handles_user_data,
                 "subcontracting": arrangement.subcontracting_allowed}
        return any(flags[c] for c in self.required_when)


def _compiled(pattern: str) -> re.Pattern:
    if not pattern.strip():
        raise ValueError("must not be empty")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"is not a valid pattern ({exc}): {pattern!r}") from exc


Pattern = Annotated[str, AfterValidator(_compiled)]  # as written: spaces may matter


class RecognitionFile(ContentModel):
    """``recognition.<lang>`` of a clause file: regular expressions over lower-cased text."""

    headings: list[Pattern] = Field(min_length=1)
    key_phrases: list[Pattern]
    negative: list[Pattern] = []
    essential: list[Pattern] = []

    @field_validator("key_phrases")
    @classmethod
    def _two_phrases(cls, phrases: list[re.Pattern]) -> list[re.Pattern]:
        if len(phrases) < 2:
            raise ValueError("needs at least two phrases (found needs two of them, or a heading and one)")
        return phrases


class RecognitionByLanguage(ContentModel):
    """``recognition`` of a clause file: how the clause reads in each language."""

    ja: RecognitionFile
    en: RecognitionFile


class ClauseFile(ContentModel):
    """The schema of a file of ``contract_clauses/`` (its name is ``<id>.yaml``)."""

    id: str
    order: int
    library_version: int
    article: Bilingual
    title: Bilingual
    explanation: Bilingual
    guidance: Bilingual
    required_when: list[Literal[CONDITIONS]] = Field(min_length=1)
    recognition: RecognitionByLanguage
    essential_label: Bilingual | None = None

    @field_validator("id")
    @classmethod
    def _id_names_the_file(cls, value: str, info: ValidationInfo) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]{2,40}", value):
            raise ValueError(f"{value!r} must be a lower-case identifier")
        stem = (info.context or {}).get("file_stem")
        if stem is not None and value != stem:
            raise ValueError(f"{value!r} must match the file name {stem!r}")
        return value

    @model_validator(mode="after")
    def _essential_is_labelled(self) -> "ClauseFile":
        if self.essential_label is None and (self.recognition.ja.essential or self.recognition.en.essential):
            raise ValueError("essential_label is missing: it names the essential element "
                             "(e.g. a deadline) in the reasons given")
        return self


def parse_clause(path: Path) -> tuple[Clause | None, list[ContentProblem]]:
    """Read and validate one clause file; return the clause (or None) and its problems."""
    schema, _data, problems = content.validate_file(path, ClauseFile, context={"file_stem": path.stem})
    if schema is None:
        return None, problems
    texts = {key: getattr(schema, key).model_dump() for key in ("article", "title", "explanation", "guidance")}
    recognition = {lang: Recognition(tuple(r.headings), tuple(r.key_phrases), tuple(r.negative), tuple(r.essential))
                   for lang, r in (("ja", schema.recognition.ja), ("en", schema.recognition.en))}
    return Clause(id=schema.id, order=schema.order, library_version=schema.library_version,
                  required_when=tuple(schema.required_when), recognition=recognition,
                  essential_label=schema.essential_label.model_dump() if schema.essential_label else {},
                  **texts), []


def load_library(directory: Path | None = None) -> tuple[list[Clause], list[ContentProblem]]:
    """Load every clause file of ``directory``; return the clauses in order and all problems."""
    directory = Path(directory or content.CONTRACT_CLAUSES_DIR)
    clauses, problems = [], []
    if not directory.is_dir():
        return [], [ContentProblem(content.relative(directory), "the clause library folder is missing")]
    for path in sorted(directory.glob("*.yaml")):
        clause, issues = parse_clause(path)
        problems.extend(issues)
        if clause is not None:
            clauses.append(clause)
    ids = [c.id for c in clauses]
    if not problems:
        for missing in sorted(set(REQUIRED_CLAUSE_IDS) - set(ids)):
            problems.append(ContentProblem(content.relative(directory),
                                           f"the required clause {missing!r} has no file"))
    return sorted(clauses, key=lambda c: (c.order, c.id)), problems


@lru_cache(maxsize=1)
def library() -> tuple[Clause, ...]:
    """The validated clause library of the product (cached; start-up refuses a broken one)."""
    clauses, problems = load_library()
    if problems:
        raise RuntimeError("; ".join(str(p) for p in problems))
    return tuple(clauses)


def clauses_by_id() -> dict[str, Clause]:
    """The library keyed by clause id."""
    return {c.id: c for c in library()}


def library_version() -> str:
    """A short fingerprint of the clause ids and versions, kept with each check."""
    import hashlib
    joined = ",".join(f"{c.id}@{c.library_version}" for c in library())
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def check_contract_clauses() -> list[ContentProblem]:
    """Validate every clause file of ``contract_clauses/`` and the scorer's model file."""
    from vendorrisk.contracts.checker import scorer
    problems = load_library()[1]
    try:
        model = scorer.read_model()  # checked, not kept (the checker loads it when it reads a contract)
    except scorer.ModelMissing as exc:
        return problems + [ContentProblem(content.relative(scorer.model_path()), str(exc))]
    ids = {c.id for c in load_library()[0]}
    if missing := sorted(ids - set(model.clause_ids)):
        problems.append(ContentProblem(content.relative(scorer.model_path()),
                                       f"the model has no weights for {', '.join(missing)}: run 'vendorrisk contracts train'"))
    return problems
