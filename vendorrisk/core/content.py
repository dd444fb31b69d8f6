"""Content files (criteria, clauses, questionnaires) are checked when the app starts."""
import logging
from pathlib import Path

import yaml
from flask import Flask

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
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        detail = str(exc).replace("\n", " ")
        raise ContentFileError(f"not valid YAML: {detail}", detail)
    if not isinstance(data, dict):
        raise ContentFileError("the file must hold a mapping")
    return data


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
