"""Content files (criteria, clauses, questionnaires): read, validated by declared schemas,
and checked when the app starts.

Each kind of file has a pydantic model (``ContentModel``: strict types, no unknown keys);
``validate_file`` reads a file against it and turns pydantic's errors into messages for the
person editing the file — which item (``criterion GEN-FIN``), which key (``scale[1].score``)
and what is wrong (``must be a whole number (found '1')``). Models share the types below,
among them ``Bilingual`` for every ``{ja, en}`` text.
"""
import logging
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from flask import Flask
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from vendorrisk.core import registry
from vendorrisk.core.config import PROJECT_ROOT, ConfigurationError
from vendorrisk.core.registry import ContentProblem

log = logging.getLogger("vendorrisk.content")
CONTRACT_CLAUSES_DIR = PROJECT_ROOT / "contract_clauses"
QUESTIONNAIRES_DIR = PROJECT_ROOT / "questionnaires"


def check_all(app: Flask) -> list[ContentProblem]:
    """Run every content checker the areas registered and return all problems found."""
    problems: list[ContentProblem] = []
    for name, checker in sorted(registry.of(app).content_checkers.items()):
        try:
            problems.extend(checker())
        except Exception as exc:  # a checker that crashes is itself a problem to report
            problems.append(ContentProblem(name, f"checker failed: {exc}"))
    return problems


class ContentFileError(ValueError):
    """A content file that is not readable UTF-8 YAML holding a mapping; ``detail`` is the
    parser's own explanation (empty when the YAML is fine but not a mapping)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


# libyaml's loader when available: the same safety as SafeLoader, faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(source: Path | bytes) -> dict:
    """Parse a content file (a path or its bytes) as safe YAML that must hold a mapping."""
    raw = source.read_bytes() if isinstance(source, Path) else source
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_SAFE_LOADER)
    except UnicodeDecodeError as exc:
        raise ContentFileError(f"not UTF-8 text: {exc}", str(exc))
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ContentFileError(f"not valid YAML: {detail}", detail)
    if not isinstance(data, dict):
        raise ContentFileError("the file must hold a mapping")
    return data


class ContentModel(BaseModel):
    """Base of the content-file schemas: types as written (no ``"2"`` for ``2``, no ``yes``
    for ``"yes"``) and no unknown keys, so that a typo is reported rather than ignored."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty text, trimmed."""


class Bilingual(ContentModel):
    """A text in Japanese and English, both required."""

    ja: Text
    en: Text


class Problems(ValueError):
    """Several problems found at once by a validator that checks fields against each other
    (``validate_file`` reports each on its own line)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def raise_problems(problems: list[str]) -> None:
    """Raise ``Problems`` when the list is not empty."""
    if problems:
        raise Problems(problems)


M = TypeVar("M", bound=BaseModel)


def validate_file(path: Path, schema: type[M], *, names: dict[str, str] | None = None,
                  context: dict | None = None) -> tuple[M | None, dict, list[ContentProblem]]:
    """Read ``path`` and validate it against ``schema``; return the model (None when invalid),
    the raw mapping (``{}`` when unreadable) and the problems, each naming the file.

    ``names`` says how the items of a list are called in messages (``{"criteria":
    "criterion"}`` gives ``criterion GEN-FIN: weight must be a positive number``);
    ``context`` reaches validators (e.g. the file's name)."""
    where = relative(path)
    try:
        data = read_mapping(path)
    except ContentFileError as exc:
        return None, {}, [ContentProblem(where, _with_keys(str(exc), schema) if not exc.detail else str(exc))]
    try:
        return schema.model_validate(data, context=context), data, []
    except ValidationError as exc:
        return None, data, [ContentProblem(where, m) for m in error_messages(exc, data, names or {})]


def error_messages(error: ValidationError, data: Any, names: dict[str, str]) -> list[str]:
    """pydantic's errors as sentences: ``<item>: <key> <what is wrong>``."""
    messages = []
    for item in error.errors():
        where, key = _locate(item["loc"], data, names)
        cause = item.get("ctx", {}).get("error")
        for what in getattr(cause, "problems", None) or [_what(item)]:
            sentence = f"{key} {what}" if key else what
            messages.append(f"{where}: {sentence}" if where else sentence)
    return messages


def _with_keys(message: str, schema: type[BaseModel]) -> str:
    required = [field.alias or name for name, field in schema.model_fields.items() if field.is_required()]
    return f"{message} (with {', '.join(required)})" if required else message


def _locate(loc: tuple, data: Any, names: dict[str, str]) -> tuple[str, str]:
    """Split an error's location into the innermost named item (``question GEN-03``) and the
    key within it (``flag.severity``, ``scale[1].score``)."""
    where, path, value, parent = "", "", data, None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            value = value[part] if isinstance(value, list) and part < len(value) else None
            item_id = value.get("id") if isinstance(value, dict) else None
            if parent in names and isinstance(item_id, str) and item_id:
                where, path = f"{names[parent]} {item_id}", ""
        else:
            path += f".{part}" if path else str(part)
            value = value.get(part) if isinstance(value, dict) else None
            parent = part
    return where, path


_WHAT = {
    "missing": "is missing",
    "extra_forbidden": "is not a known key",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "string_too_short": "must not be empty",
}


def _what(item: dict) -> str:
    """What is wrong, in words, with the value found when it helps."""
    kind, ctx, found = item["type"], item.get("ctx", {}), item.get("input")
    if kind in ("value_error", "assertion_error"):
        return str(ctx["error"])
    if kind == "literal_error":
        return f"must be one of {ctx['expected']} (found {found!r})"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']} or more (found {found!r})"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item{'s' if ctx['min_length'] != 1 else ''}"
    what = _WHAT.get(kind) or item["msg"][:1].lower() + item["msg"][1:]
    if kind == "string_type" and isinstance(found, bool):
        return f"{what} (found {found}: YAML reads a bare yes/no/true/false as true or false; put it in quotes)"
    if kind in _WHAT and kind not in ("missing", "extra_forbidden") and isinstance(found, (str, int, float, bool)):
        return f"{what} (found {found!r})"
    return what


def relative(path: Path) -> str:
    """A content path relative to the project, for messages."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def init_app(app: Flask) -> None:
    """Refuse to start on broken content files (run after the areas registered their checkers)."""
    problems = check_all(app)
    if problems:
        for problem in problems:
            log.error("content problem: %s", problem)
        raise ConfigurationError("Content files have errors (run `vendorrisk content check`):\n"
                                 + "\n".join(f"  {p}" for p in problems))
