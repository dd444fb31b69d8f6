"""Selection criteria (選定基準, Art. 25(1)) as versioned content files.

Each file under ``questionnaires/selection/`` is one version of a criteria set
(``<set>-v<version>.yaml``). The loader validates every file and names the file and the
problem; ``check_criteria`` is the content checker run at start-up and by
``vendorrisk content check``. Assessments never read the files again once created: they
keep a snapshot of the criteria they were scored with.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from vendorrisk.core import registry
from vendorrisk.core.content import QUESTIONNAIRES_DIR, ContentFileError, read_mapping, relative
from vendorrisk.core.errors import NotFound

CRITERIA_DIR = QUESTIONNAIRES_DIR / "selection"
APPLICABILITY = ("all", "cloud", "important", "user_data", "system_subsidiary")
ARTICLE = re.compile(r"^\d{1,2}-\d{1,2}$")
FILE_NAME = re.compile(r"^(?P<set>[a-z0-9][a-z0-9-]*)-v(?P<version>\d+)\.ya?ml$")
CRITERION_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}$")


class CriteriaError(ValueError):
    """A criteria file is invalid; the message names the problem."""


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


def _bilingual(value, where: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k).strip()
                                              for k in ("ja", "en")):
        raise CriteriaError(f"{where} needs non-empty 'ja' and 'en' texts")
    return {"ja": value["ja"].strip(), "en": value["en"].strip()}


def _criterion(raw, index: int) -> dict:
    where = f"criteria[{index}]"
    if not isinstance(raw, dict):
        raise CriteriaError(f"{where} must be a mapping")
    cid = raw.get("id")
    if not isinstance(cid, str) or not CRITERION_ID.match(cid):
        raise CriteriaError(f"{where}: id {cid!r} must be upper-case letters, digits and '-'")
    where = f"criterion {cid}"
    article = str(raw.get("article", ""))
    if not ARTICLE.match(article):
        raise CriteriaError(f"{where}: article {article!r} must look like '25-1' or '27-3'")
    weight = raw.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise CriteriaError(f"{where}: weight must be a positive number")
    applies = raw.get("applies_to", ["all"])
    if (not isinstance(applies, list) or not applies
            or any(a not in APPLICABILITY for a in applies)):
        raise CriteriaError(f"{where}: applies_to must list some of {', '.join(APPLICABILITY)}")
    scale_raw = raw.get("scale")
    if not isinstance(scale_raw, list) or len(scale_raw) < 2:
        raise CriteriaError(f"{where}: scale must list at least two levels")
    scale = []
    for level in scale_raw:
        if not isinstance(level, dict) or isinstance(level.get("score"), bool) \
                or not isinstance(level.get("score"), int):
            raise CriteriaError(f"{where}: every scale level needs an integer 'score'")
        text = _bilingual(level, f"{where}: scale level {level['score']}")
        scale.append({"score": level["score"], **text})
    scores = [level["score"] for level in scale]
    if scores != list(range(scores[0], scores[0] + len(scores))):
        raise CriteriaError(f"{where}: scale scores must be consecutive integers in ascending order, "
                            f"got {scores}")
    knockout = raw.get("knockout_below")
    if knockout is not None and (isinstance(knockout, bool) or not isinstance(knockout, int)
                                 or not scores[0] < knockout <= scores[-1]):
        raise CriteriaError(f"{where}: knockout_below must be an integer above the lowest score "
                            f"and at most the highest ({scores[0]}-{scores[-1]})")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise CriteriaError(f"{where}: required must be true or false")
    return {"id": cid, "article": article, "weight": weight, "applies_to": list(applies),
            "knockout_below": knockout, "required": required,
            "title": _bilingual(raw.get("title"), f"{where}: title"),
            "guidance": _bilingual(raw.get("guidance"), f"{where}: guidance"), "scale": scale}


def parse_file(path: Path) -> CriteriaSet:
    """Load and validate one criteria file; raise ``CriteriaError`` naming the problem."""
    match = FILE_NAME.match(path.name)
    if not match:
        raise CriteriaError("file name must be '<set>-v<version>.yaml' (e.g. general-v1.yaml)")
    raw_bytes = path.read_bytes()
    try:
        data = read_mapping(raw_bytes)
    except ContentFileError as exc:
        if exc.detail:
            raise CriteriaError(f"not valid UTF-8 YAML: {exc.detail}")
        raise CriteriaError("the file must hold a mapping with set, version, title and criteria")
    if data.get("set") != match["set"] or data.get("version") != int(match["version"]):
        raise CriteriaError(f"set/version inside the file ({data.get('set')!r}, {data.get('version')!r}) "
                            f"do not match the file name")
    title = _bilingual(data.get("title"), "title")
    description = _bilingual(data.get("description", {"ja": "-", "en": "-"}), "description")
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise CriteriaError("criteria must be a non-empty list")
    criteria = [_criterion(raw, i) for i, raw in enumerate(raw_criteria)]
    seen = set()
    for criterion in criteria:
        if criterion["id"] in seen:
            raise CriteriaError(f"criterion id {criterion['id']} appears twice")
        seen.add(criterion["id"])
    order = data.get("order", 50)
    if isinstance(order, bool) or not isinstance(order, int):
        raise CriteriaError("order must be an integer")
    return CriteriaSet(key=data["set"], version=data["version"], title=title, description=description,
                       criteria=criteria, path=relative(path), order=order,
                       sha256=hashlib.sha256(raw_bytes).hexdigest(), data=data)


def load_all(directory: Path | None = None) -> tuple[list[CriteriaSet], list[registry.ContentProblem]]:
    """Every valid criteria set (sorted by key, version) and the problems of the others."""
    directory = Path(directory or CRITERIA_DIR)
    sets, problems = [], []
    if not directory.is_dir():
        return [], [registry.ContentProblem(relative(directory), "criteria folder is missing")]
    owner: dict[str, tuple[str, str]] = {}  # criterion id -> (set key, file)
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            loaded = parse_file(path)
        except CriteriaError as exc:
            problems.append(registry.ContentProblem(relative(path), str(exc)))
            continue
        clash = next((c["id"] for c in loaded.criteria
                      if c["id"] in owner and owner[c["id"]][0] != loaded.key), None)
        if clash:
            problems.append(registry.ContentProblem(
                loaded.path, f"criterion id {clash} is already used by set {owner[clash][0]!r} "
                             f"({owner[clash][1]}); ids must be unique across sets"))
            continue
        for c in loaded.criteria:
            owner.setdefault(c["id"], (loaded.key, loaded.path))
        sets.append(loaded)
    return sorted(sets, key=lambda s: (s.key, s.version)), problems


def check_criteria() -> list[registry.ContentProblem]:
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
        labels.append(_("%(title)s, version %(number)s", title=title, number=number))
    return ("、" if language == "ja" else "; ").join(labels)
