"""Selection criteria (選定基準, Art. 25(1)) as versioned content files.

Each file under ``questionnaires/selection/`` is one version of a criteria set
(``<set>-v<version>.yaml``), of the schema ``CriteriaFile``. The loader validates every
file and names the file and the problem; ``check_criteria`` is the content checker run at
start-up and by ``vendorrisk content check``. Assessments never read the files again once
created: they keep a snapshot of the criteria they were scored with.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import Field, PlainValidator, field_validator, model_validator

from vendorrisk.core.content import (
    QUESTIONNAIRES_DIR,
    Bilingual,
    ContentModel,
    Text,
    raise_problems,
    relative,
    validate_file,
)
from vendorrisk.core.errors import NotFound
from vendorrisk.core.registry import ContentProblem

CRITERIA_DIR = QUESTIONNAIRES_DIR / "selection"
APPLICABILITY = ("all", "cloud", "important", "user_data", "system_subsidiary")
ARTICLE = re.compile(r"^\d{1,2}-\d{1,2}$")
FILE_NAME = re.compile(r"^(?P<set>[a-z0-9][a-z0-9-]*)-v(?P<version>\d+)\.ya?ml$")
CRITERION_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}$")


@dataclass(frozen=True)
class CriteriaSet:
    """One version of a criteria set, as loaded from its file."""

    key: str
    version: int
    title: dict
    description: dict
    criteria: list[dict]
    path: str
    sha256: str
    order: int = 50
    data: dict = field(repr=False, default_factory=dict)

    @property
    def label(self) -> str:
        """``key v<version>``, how the set is cited on pages and records."""
        return f"{self.key} v{self.version}"


def _positive(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError("must be a positive number")
    return value


class ScaleLevel(ContentModel):
    """One level of a criterion's scale: its score and what it means."""

    score: int
    ja: Text
    en: Text


class CriterionFile(ContentModel):
    """A criterion of a criteria file."""

    id: str
    article: str
    weight: Annotated[int | float, PlainValidator(_positive)]
    applies_to: list[Literal[APPLICABILITY]] = Field(default=["all"], min_length=1)
    knockout_below: int | None = None
    required: bool = True
    title: Bilingual
    guidance: Bilingual
    scale: list[ScaleLevel] = Field(min_length=2)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not CRITERION_ID.match(value):
            raise ValueError(f"{value!r} must be upper-case letters, digits and '-'")
        return value

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        if not ARTICLE.match(value):
            raise ValueError(f"{value!r} must look like '25-1' or '27-3'")
        return value

    @model_validator(mode="after")
    def _scale_and_knockout(self) -> "CriterionFile":
        scores = [level.score for level in self.scale]
        problems = []
        if scores != list(range(scores[0], scores[0] + len(scores))):
            problems.append(f"scale scores must be consecutive integers in ascending order, got {scores}")
        low, high = min(scores), max(scores)
        if self.knockout_below is not None and not low < self.knockout_below <= high:
            problems.append(f"knockout_below must be an integer above the lowest score and at most the highest "
                            f"({low}-{high})")
        raise_problems(problems)
        return self

    def as_dict(self) -> dict:
        """The criterion as assessments keep it in their snapshot."""
        return {"id": self.id, "article": self.article, "weight": self.weight, "applies_to": list(self.applies_to),
                "knockout_below": self.knockout_below, "required": self.required,
                "title": self.title.model_dump(), "guidance": self.guidance.model_dump(),
                "scale": [level.model_dump() for level in self.scale]}


class CriteriaFile(ContentModel):
    """The schema of a criteria file, ``questionnaires/selection/<set>-v<version>.yaml``."""

    key: str = Field(alias="set")
    version: int
    order: int = 50
    title: Bilingual
    description: Bilingual = Bilingual(ja="-", en="-")
    criteria: list[CriterionFile] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "CriteriaFile":
        ids = [c.id for c in self.criteria]
        raise_problems([f"criterion id {cid} appears twice" for cid in dict.fromkeys(ids) if ids.count(cid) > 1])
        return self


def parse_file(path: Path) -> tuple[CriteriaSet | None, list[ContentProblem]]:
    """Load and validate one criteria file; return the set (None when invalid) and the problems."""
    where = relative(path)
    match = FILE_NAME.match(path.name)
    if not match:
        return None, [ContentProblem(where, "file name must be '<set>-v<version>.yaml' (e.g. general-v1.yaml)")]
    schema, data, problems = validate_file(path, CriteriaFile, names={"criteria": "criterion"})
    if data and (data.get("set") != match["set"] or data.get("version") != int(match["version"])):
        problems.append(ContentProblem(where, f"set/version inside the file ({data.get('set')!r}, "
                                              f"{data.get('version')!r}) do not match the file name"))
    if schema is None or problems:
        return None, problems
    return CriteriaSet(key=schema.key, version=schema.version, title=schema.title.model_dump(),
                       description=schema.description.model_dump(),
                       criteria=[c.as_dict() for c in schema.criteria], path=where, order=schema.order,
                       sha256=hashlib.sha256(path.read_bytes()).hexdigest(), data=data), []


def load_all(directory: Path | None = None) -> tuple[list[CriteriaSet], list[ContentProblem]]:
    """Every valid criteria set (sorted by key, version) and the problems of the others."""
    directory = Path(directory or CRITERIA_DIR)
    sets, problems = [], []
    if not directory.is_dir():
        return [], [ContentProblem(relative(directory), "criteria folder is missing")]
    owner: dict[str, tuple[str, str]] = {}  # criterion id -> (set key, file)
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        loaded, found = parse_file(path)
        problems.extend(found)
        if loaded is None:
            continue
        clash = next((c["id"] for c in loaded.criteria
                      if c["id"] in owner and owner[c["id"]][0] != loaded.key), None)
        if clash:
            problems.append(ContentProblem(
                loaded.path, f"criterion id {clash} is already used by set {owner[clash][0]!r} "
                             f"({owner[clash][1]}); ids must be unique across sets"))
            continue
        for c in loaded.criteria:
            owner.setdefault(c["id"], (loaded.key, loaded.path))
        sets.append(loaded)
    return sorted(sets, key=lambda s: (s.key, s.version)), problems


def check_criteria() -> list[ContentProblem]:
    """Problems in the selection criteria files (an empty list when all are valid)."""
    return load_all()[1]


def criteria_sets() -> list[CriteriaSet]:
    """Every version of every criteria set."""
    return load_all()[0]


def latest_sets() -> list[CriteriaSet]:
    """The latest version of each criteria set, in the sets' ``order``."""
    latest: dict[str, CriteriaSet] = {}
    for item in criteria_sets():
        latest[item.key] = item
    return sorted(latest.values(), key=lambda s: (s.order, s.key))


def get_set(key: str, version: int) -> CriteriaSet:
    """One version of a set, or ``NotFound``."""
    for item in criteria_sets():
        if item.key == key and item.version == version:
            return item
    raise NotFound(_("Criteria set %(key)s v%(version)s does not exist.", key=key, version=version))


def applies(criterion: dict, facts: dict) -> bool:
    """Whether a criterion applies to a vendor with these facts (cloud, important, ...)."""
    return any(a == "all" or facts.get(a) for a in criterion["applies_to"])


def snapshot(facts: dict, sets: list[CriteriaSet] | None = None) -> dict:
    """The criteria an assessment is scored with: the applicable criteria of the latest sets,
    with the versions and file hashes they came from."""
    sets = latest_sets() if sets is None else sets
    used, criteria = [], []
    for item in sets:
        chosen = [dict(c, set=item.key) for c in item.criteria if applies(c, facts)]
        if chosen:
            used.append({"key": item.key, "version": item.version, "sha256": item.sha256,
                         "title": item.title})
            criteria.extend(chosen)
    return {"sets": used, "criteria": criteria}


def snapshot_hash(data: dict) -> str:
    """SHA-256 of a snapshot in canonical JSON: proof the criteria did not change later."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def compare(old: CriteriaSet, new: CriteriaSet) -> dict:
    """Criteria added, removed and changed (with the fields that changed) between versions."""
    before = {c["id"]: c for c in old.criteria}
    after = {c["id"]: c for c in new.criteria}
    changed = []
    for cid in sorted(before.keys() & after.keys()):
        fields = [k for k in ("title", "guidance", "article", "weight", "applies_to", "knockout_below",
                              "required", "scale") if before[cid].get(k) != after[cid].get(k)]
        if fields:
            changed.append({"id": cid, "fields": fields, "old": before[cid], "new": after[cid]})
    return {"added": [after[c] for c in sorted(after.keys() - before.keys())],
            "removed": [before[c] for c in sorted(before.keys() - after.keys())],
            "changed": changed}


def criteria_label(versions: str, language: str) -> str:
    """``general v1, cloud-art27 v1`` (as stored on an assessment) as the sets' titles:
    一般的な外部委託の選定基準 第1版、… (a set no longer known keeps its stored name)."""
    labels = []
    for item in filter(None, (versions or "").split(", ")):
        key, _sep, number = item.rpartition(" v")
        try:
            title = get_set(key, int(number)).title[language]
        except (NotFound, ValueError, KeyError):
            labels.append(item)
            continue
        # the language is the caller's, not the request's: verdicts store both forms
        labels.append(f"{title} 第{number}版" if language == "ja" else f"{title}, version {number}")
    return ("、" if language == "ja" else "; ").join(labels)
