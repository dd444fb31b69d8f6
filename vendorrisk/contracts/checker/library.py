"""The clause library: one YAML file per required contract clause in ``contract_clauses/``.

Each file says which article the clause serves, when it is required, how to recognise it
in Japanese and English contracts, and how to negotiate it. The files are validated at
start-up (``registry.content_checker("contract_clauses")``) and loaded once per process.
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vendorrisk.core import content
from vendorrisk.core.content import ContentFileError, read_mapping
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


def _bilingual(data: dict, key: str, problems: list[str]) -> dict:
    value = data.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(l), str) and value.get(l).strip() for l in LANGS):
        problems.append(f"'{key}' needs non-empty 'ja' and 'en' texts")
        return {}
    return {l: value[l].strip() for l in LANGS}


def _patterns(raw, where: str, problems: list[str], required: bool) -> tuple[re.Pattern, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        problems.append(f"'{where}' must be a{' non-empty' if required else ''} list of patterns")
        return ()
    compiled = []
    for index, pattern in enumerate(raw):
        if not isinstance(pattern, str) or not pattern.strip():
            problems.append(f"'{where}[{index}]' must be a non-empty string")
            continue
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            problems.append(f"'{where}[{index}]' is not a valid pattern ({exc}): {pattern!r}")
    return tuple(compiled)


def parse_clause(path: Path) -> tuple[Clause | None, list[str]]:
    """Read and validate one clause file; return the clause (or None) and its problems."""
    problems: list[str] = []
    try:
        data = read_mapping(path)
    except ContentFileError as exc:
        return None, [str(exc)]
    clause_id = data.get("id")
    if not isinstance(clause_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]{2,40}", clause_id):
        problems.append("'id' must be a lower-case identifier")
    elif clause_id != path.stem:
        problems.append(f"'id' {clause_id!r} must match the file name {path.stem!r}")
    for key in ("order", "library_version"):
        if not isinstance(data.get(key), int):
            problems.append(f"'{key}' must be an integer")
    texts = {key: _bilingual(data, key, problems)
             for key in ("article", "title", "explanation", "guidance")}
    when = data.get("required_when")
    if not isinstance(when, list) or not when or any(c not in CONDITIONS for c in when):
        problems.append(f"'required_when' must list conditions among {', '.join(CONDITIONS)}")
        when = []
    recognition: dict[str, Recognition] = {}
    raw_recognition = data.get("recognition") or {}
    has_essential = False
    for lang in LANGS:
        rules = raw_recognition.get(lang) if isinstance(raw_recognition, dict) else None
        if not isinstance(rules, dict):
            problems.append(f"'recognition.{lang}' is missing")
            continue
        essential = _patterns(rules.get("essential"), f"recognition.{lang}.essential", problems, False)
        has_essential = has_essential or bool(essential)
        recognition[lang] = Recognition(
            headings=_patterns(rules.get("headings"), f"recognition.{lang}.headings", problems, True),
            key_phrases=_patterns(rules.get("key_phrases"), f"recognition.{lang}.key_phrases", problems, True),
            negative=_patterns(rules.get("negative") or [], f"recognition.{lang}.negative", problems, False),
            essential=essential)
        if len(recognition[lang].key_phrases) < 2:
            problems.append(f"'recognition.{lang}.key_phrases' needs at least two phrases "
                            "(found needs two of them, or a heading and one)")
    essential_label = data.get("essential_label") or {}
    if has_essential:
        essential_label = _bilingual(data, "essential_label", problems)
    if problems:
        return None, problems
    return Clause(id=clause_id, order=data["order"], library_version=data["library_version"],
                  required_when=tuple(when), recognition=recognition,
                  essential_label=essential_label, **texts), []


def load_library(directory: Path | None = None) -> tuple[list[Clause], list[ContentProblem]]:
    """Load every clause file of ``directory``; return the clauses in order and all problems."""
    directory = Path(directory or content.CONTRACT_CLAUSES_DIR)
    clauses, problems = [], []
    if not directory.is_dir():
        return [], [ContentProblem(content.relative(directory), "the clause library folder is missing")]
    for path in sorted(directory.glob("*.yaml")):
        clause, issues = parse_clause(path)
        problems.extend(ContentProblem(content.relative(path), message) for message in issues)
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
    """Validate every clause file of ``contract_clauses/``."""
    return load_library()[1]
