"""Known questionnaire formats as content: how each is recognised by its structure, and how
its answers map onto our own questions so that they score per article.

A profile is one YAML file under ``questionnaires/mappings/formats/``::

    id: caiq_v4                      # lower-case letters, digits, '_'
    format: caiq                     # caiq, hecvat3, hecvat4, sig, ja_checklist
    title: {ja: ..., en: ...}
    recognise:                       # every test given must hold
      ids: '^(A&A|AIS|...)-\\d{2}\\.\\d+$'  # question ids (NFKC, upper case) matched in full...
      min_id_share: 0.9              # ...by this share of the questions read (default 0.8)
      prefixes: [GNRL, DOCU, AAAI]   # id prefixes (before the first '-' or '.') of the scheme...
      min_prefixes: 2                # ...of which at least this many occur
      sheets: '^hecvat'              # titles (case-folded) of the answer sheets matched...
      min_sheets: 1                  # ...by at least this many of them
      max_sheets: 1                  # at most this many answer sheets
      headers: [[csp caiq answer]]   # each group: one of its names is part of a header cell
      min_questions: 20
    map:                             # our template -> foreign question -> our question(s)
      cloud_services:
        ids: {DSP-19.1: CLD-02, STA-09.1: [CLD-04, CLD-05]}
        texts:                       # a regular expression on the question text
          - {pattern: '(?i)penetration test', question: CLD-14}

Only yes/no/n.a. questions of ours are mapping targets: the foreign answer's normalised
value (yes, no, partial, na) is their answer. Pure: no Flask, no database; templates are
passed in (``services.questionnaire_templates`` objects or anything shaped like them).
"""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vendorrisk.core import content
from vendorrisk.questionnaires.text_rules import TextRules
from vendorrisk.questionnaires.vocabulary import canonical

FORMATS = ("caiq", "hecvat3", "hecvat4", "sig", "ja_checklist")
WORST_FIRST = ("no", "partial", "yes")
ID = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
ID_PREFIX = re.compile(r"[-.]")


class ProfileError(ValueError):
    """A profile file that cannot be used; ``problems`` lists (path, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class Profile:
    """A known format: the structure that recognises it and its mapping onto our questions."""

    id: str
    format: str
    title_ja: str
    title_en: str
    ids: re.Pattern | None = None
    min_id_share: float = 0.8
    prefixes: frozenset[str] = frozenset()
    min_prefixes: int = 1
    sheets: re.Pattern | None = None
    min_sheets: int = 1
    max_sheets: int | None = None
    headers: tuple[tuple[str, ...], ...] = ()
    min_questions: int = 1
    by_id: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # foreign id -> (template, question)
    by_text: tuple[tuple[re.Pattern, str, str], ...] = ()  # (pattern, template, question)
    path: str = ""
    text_rules: TextRules = field(default=None, compare=False, repr=False)  # by_text, made quick

    def __post_init__(self):
        if self.text_rules is None:
            object.__setattr__(self, "text_rules", TextRules(self.by_text))

    @property
    def tests(self) -> int:
        """How many structural tests the profile makes (more tests: a more specific profile)."""
        return sum((self.ids is not None, bool(self.prefixes), self.sheets is not None, self.max_sheets is not None,
                    bool(self.headers)))

    def targets(self, question_id: str, text: str) -> list[tuple[str, str]]:
        """Our (template, question) pairs a foreign question maps onto, by id and by text."""
        found = list(self.by_id.get(canonical(question_id), ())) if question_id else []
        for pair in self.text_rules.matches(text):
            if pair not in found:
                found.append(pair)
        return found


def _compile(value, where: str, problems: list) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        problems.append((where, f"regular expression {value!r} does not compile: {exc}"))
        return None


def parse_profile(path: Path) -> tuple[Profile | None, list[tuple[str, str]]]:
    """Read one profile file; return it (None if unusable) and its problems as (path, message)."""
    where = content.relative(path)
    problems: list[tuple[str, str]] = []
    try:
        data = content.read_mapping(path)
    except content.ContentFileError as exc:
        return None, [(where, str(exc))]
    pid, fmt = str(data.get("id", "")), data.get("format")
    if not ID.match(pid):
        problems.append((where, "id must be lower-case letters, digits and '_'"))
    if fmt not in FORMATS:
        problems.append((where, f"format {fmt!r} is not one of {', '.join(FORMATS)}"))
    title = data.get("title") if isinstance(data.get("title"), dict) else {}
    if not str(title.get("ja") or "").strip() or not str(title.get("en") or "").strip():
        problems.append((where, "'title' needs both 'ja' and 'en' text"))
    test = data.get("recognise")
    if not isinstance(test, dict) or not test:
        problems.append((where, "'recognise' must describe the structure (ids, sheets, headers...)"))
        test = {}
    headers = test.get("headers") or []
    if not isinstance(headers, list) or not all(isinstance(g, list) and g for g in headers):
        problems.append((where, "recognise.headers must be a list of lists of names"))
        headers = []
    by_id: dict[str, list] = {}
    by_text: list = []
    mapping = data.get("map")
    if not isinstance(mapping, dict) or not mapping:
        problems.append((where, "'map' must relate foreign questions to our questions, by template"))
        mapping = {}
    for template, relation in mapping.items():
        if not isinstance(relation, dict):
            problems.append((where, f"map.{template} must hold 'ids' and/or 'texts'"))
            continue
        for foreign, ours in (relation.get("ids") or {}).items():
            for our in ours if isinstance(ours, list) else [ours]:
                by_id.setdefault(canonical(foreign), []).append((str(template), str(our)))
        for item in relation.get("texts") or []:
            if not isinstance(item, dict) or "pattern" not in item or "question" not in item:
                problems.append((where, f"map.{template}.texts: each item needs 'pattern' and 'question'"))
                continue
            pattern = _compile(item["pattern"], where, problems)
            if pattern is not None:
                by_text.append((pattern, str(template), str(item["question"])))
    max_sheets = test.get("max_sheets")
    prefixes = test.get("prefixes") or []
    if not isinstance(prefixes, list):
        problems.append((where, "recognise.prefixes must be a list of id prefixes"))
        prefixes = []
    profile = Profile(pid, str(fmt), str(title.get("ja", "")).strip(), str(title.get("en", "")).strip(),
                      _compile(test.get("ids"), where, problems), float(test.get("min_id_share", 0.8)),
                      frozenset(canonical(p).upper() for p in prefixes), int(test.get("min_prefixes", 1)),
                      _compile(test.get("sheets"), where, problems), int(test.get("min_sheets", 1)),
                      int(max_sheets) if max_sheets is not None else None,
                      tuple(tuple(canonical(n) for n in group) for group in headers),
                      int(test.get("min_questions", 1)), {k: tuple(v) for k, v in by_id.items()},
                      tuple(by_text), where)
    return (None if problems else profile), problems


def profiles_folder() -> Path:
    """Where the shipped profiles are."""
    return Path(content.QUESTIONNAIRES_DIR) / "mappings" / "formats"


@lru_cache(maxsize=4)
def _load(folder: str, _stamp: tuple) -> tuple[Profile, ...]:
    profiles, problems = [], []
    for path in sorted(Path(folder).glob("*.y*ml")):
        profile, found = parse_profile(path)
        problems.extend(found)
        if profile is not None:
            profiles.append(profile)
    if problems:
        raise ProfileError(problems)
    return tuple(profiles)


def load_profiles(folder: Path | None = None) -> tuple[Profile, ...]:
    """Every profile of the folder (re-read when a file changes); ``ProfileError`` if one is broken."""
    folder = Path(folder or profiles_folder())
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.y*ml")))
    return _load(str(folder), stamp)


def check_profiles(templates: dict, folder: Path | None = None) -> list[tuple[str, str]]:
    """Every problem of the profile files, the mapping targets checked against ``templates``
    (template id -> template): each must exist and be a yes/no/n.a. question."""
    folder = Path(folder or profiles_folder())
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.y*ml")):
        profile, found = parse_profile(path)
        problems.extend(found)
        if profile is None:
            continue
        if profile.id in seen:
            problems.append((profile.path, f"profile id {profile.id} is also used by {seen[profile.id]}"))
        seen[profile.id] = profile.path
        targets = {t for pairs in profile.by_id.values() for t in pairs} | {(t, q) for _p, t, q in profile.by_text}
        for template_id, question_id in sorted(targets):
            template = templates.get(template_id)
            if template is None:
                problems.append((profile.path, f"template {template_id!r} does not exist"))
                continue
            question = template.question(question_id)
            if question is None:
                problems.append((profile.path, f"question {question_id} is not in template {template_id}"))
            elif question.type != "yes_no_na":
                problems.append((profile.path, f"{question_id} is {question.type}; only yes/no/n.a. questions "
                                 "take a foreign answer"))
    return problems


def recognise(layouts, questions, profiles) -> tuple[Profile, float] | None:
    """The profile whose every structural test holds for the sheets read (``layouts``) and
    their questions, the most specific first; with the share of the evidence that fits."""
    titles = [canonical(layout.sheet) for layout in layouts]
    header_text = [canonical(h) for layout in layouts for h in layout.headers.values()]
    ids = [canonical(q.question_id).upper() for q in questions if q.question_id]
    found = []
    for profile in profiles:
        if len(questions) < profile.min_questions:
            continue
        strength = []
        if profile.ids is not None:
            share = sum(1 for i in ids if profile.ids.fullmatch(i)) / max(len(questions), 1)
            if share < profile.min_id_share:
                continue
            strength.append(share)
        if profile.prefixes:
            present = {ID_PREFIX.split(i, 1)[0] for i in ids} & profile.prefixes
            if len(present) < profile.min_prefixes:
                continue
            strength.append(1.0)
        if profile.sheets is not None:
            matching = sum(1 for t in titles if profile.sheets.search(t))
            if matching < profile.min_sheets:
                continue
            strength.append(matching / len(titles))
        if profile.max_sheets is not None and len(layouts) > profile.max_sheets:
            continue
        if profile.headers:
            if not all(any(name in h for h in header_text for name in group) for group in profile.headers):
                continue
            strength.append(1.0)
        found.append((profile.tests, sum(strength) / max(len(strength), 1), profile))
    if not found:
        return None
    _tests, strength, profile = max(found, key=lambda f: (f[0], f[1]))
    return profile, round(strength, 2)


@dataclass(frozen=True)
class MappedAnswer:
    """One of our questions answered through a foreign questionnaire: the combined answer of
    the foreign questions mapped onto it (the least favourable one counts), and its score."""

    template_id: str
    question_id: str
    article: str
    value: str  # yes, no, partial, na, or blank when no mapped question was answered
    sources: tuple[tuple[str, int, str], ...]  # (sheet, row, foreign question id)
    points: float | None
    max_points: float | None
    flagged: bool
    severity: str | None


@dataclass(frozen=True)
class ArticleScore:
    """The mapped answers serving one article: points earned of possible, as a percentage."""

    article: str
    questions: int
    answered: int
    points: float
    possible: float

    @property
    def score(self) -> float | None:
        """Percentage of possible points, None when nothing counts."""
        return round(100.0 * self.points / self.possible, 1) if self.possible else None


@dataclass
class MappedResponse:
    """A detected response seen through a profile: our questions answered, the scores per
    article (``27(1)`` ... ``27(9)``, ``26(3)``...) and overall, and the foreign questions
    that map onto nothing of ours."""

    profile_id: str
    answers: list[MappedAnswer]
    by_article: dict[str, ArticleScore]
    unmapped: list

    @property
    def score(self) -> float | None:
        """Percentage of possible points over every mapped answer."""
        possible = sum(a.max_points or 0.0 for a in self.answers)
        return round(100.0 * sum(a.points or 0.0 for a in self.answers) / possible, 1) if possible else None


def _combine(values: list[str]) -> str:
    given = [v for v in values if v in ("yes", "no", "partial", "na")]
    for value in WORST_FIRST:
        if value in given:
            return value
    return "na" if given else ""


def evaluate(question, value: str) -> tuple[float | None, float | None, bool, str | None]:
    """Points earned and possible, flag and severity of a yes/no/partial/n.a. answer to one of
    our questions: n.a., blank and unscored questions do not count; ``partial`` earns half
    the weight when ``yes`` is expected and is flagged where ``no`` would be."""
    flagged = value in question.flag_answers or (value == "partial" and "no" in question.flag_answers)
    severity = question.flag_severity if flagged else None
    scored = bool(question.expected) and question.weight > 0
    if not scored or value in ("", "na"):
        return None, None, flagged, severity
    if value in question.expected:
        return question.weight, question.weight, flagged, severity
    half = value == "partial" and "yes" in question.expected
    return (question.weight / 2 if half else 0.0), question.weight, flagged, severity


def map_response(response, profile: Profile, templates: dict) -> MappedResponse:
    """Map a detected response's questions onto our questions through ``profile``; score
    each of ours and each article. ``templates``: template id -> template."""
    gathered: dict[tuple[str, str], list] = {}
    unmapped = []
    for q in response.questions:
        targets = [(t, o) for t, o in profile.targets(q.question_id, q.question) if t in templates]
        if not targets:
            unmapped.append(q)
        for target in targets:
            gathered.setdefault(target, []).append(q)
    answers = []
    for (template_id, question_id), sources in gathered.items():
        question = templates[template_id].question(question_id)
        if question is None or question.type != "yes_no_na":
            continue
        value = _combine([q.answer for q in sources])
        points, possible, flagged, severity = evaluate(question, value)
        answers.append(MappedAnswer(template_id, question_id, question.article, value,
                                    tuple((q.sheet, q.row, q.question_id) for q in sources),
                                    points, possible, flagged, severity))
    answers.sort(key=lambda a: (a.article, a.template_id, a.question_id))
    by_article: dict[str, ArticleScore] = {}
    for answer in answers:
        current = by_article.get(answer.article) or ArticleScore(answer.article, 0, 0, 0.0, 0.0)
        by_article[answer.article] = ArticleScore(answer.article, current.questions + 1,
                                                  current.answered + bool(answer.value),
                                                  current.points + (answer.points or 0.0),
                                                  current.possible + (answer.max_points or 0.0))
    return MappedResponse(profile.id, answers, by_article, unmapped)
