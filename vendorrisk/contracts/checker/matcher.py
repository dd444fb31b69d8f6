"""Looking for each required clause in a contract's articles.

Precision comes first: a clause is *found* only on strong evidence inside one article —
its heading and a key phrase, two different key phrases, or one key-phrase sentence that
itself carries the clause's essential element (a deadline, a named place...) — with no
wording that excludes or weakens it and, where the library names one, its essential
element. An article that refers to an annex of the same document ("as set out in
Schedule 3", 別紙2のとおり) is examined together with that annex. Weaker evidence is
*needs review*; no evidence at all is *not found*. A contract without recognisable articles, or a scanned PDF, never
gets *found*: the reviewer decides.
"""
import re
from dataclasses import dataclass

from vendorrisk.contracts.checker.document import Passage, Section, Structure
from vendorrisk.contracts.checker.library import Clause
from vendorrisk.contracts.checker.structure import NUM, kanji_number
from vendorrisk.core import time_budget

FOUND, NOT_FOUND, NEEDS_REVIEW = "found", "not_found", "needs_review"
STATUSES = (FOUND, NOT_FOUND, NEEDS_REVIEW)
EXCERPT_CHARS = 360


@dataclass(frozen=True)
class ClauseResult:
    """The automatic answer for one clause: status, confidence, reason and evidence."""

    clause_id: str
    status: str
    confidence: float
    reason: str
    evidence: str = ""
    location: str = ""
    article: str = ""


@dataclass
class _Evidence:
    section: Section
    heading_hit: str = ""
    phrases: dict | None = None  # pattern -> (passage, match text)
    negative: tuple[Passage, str] | None = None
    essential: bool = True
    sentence: str = ""  # a key-phrase sentence carrying the essential element on its own
    annexes: tuple[str, ...] = ()  # annexes referred to and examined with the article

    @property
    def strong(self) -> bool:
        n = len(self.phrases)
        return (bool(self.heading_hit) and n >= 1) or n >= 2 or bool(self.sentence)

    @property
    def score(self) -> tuple:
        return (self.strong and not self.negative and self.essential, self.strong,
                len(self.phrases) + (1 if self.heading_hit else 0))


# Kanji numerals before a unit (九十九・九五パーセント, 三十分以内, 年一回) are read as digits,
# so that one pattern serves both ways of writing a figure; 十分な, 一部, 第三者 are left alone.
KANJI_FIGURE = re.compile(rf"(?<![第0-9])({NUM})(?:・({NUM}))?(?=パーセント|%|時間|分以内|分以上|分間|営業日|日以内|日前|日間|か月|ヶ月|箇月|年間|回以上|回)")
PERCENT = re.compile(r"(?<=\d)パーセント")


def _digits(match: re.Match) -> str:
    whole, fraction = match.group(1), match.group(2)
    if whole.isdigit() and (fraction is None or fraction.isdigit()):
        return match.group(0)
    number = str(kanji_number(whole))
    if fraction:  # after the point each kanji is one digit: 九五 -> 95
        number += "." + "".join(str(kanji_number(c)) for c in fraction)
    return number


def _flat(text: str) -> str:
    text = PERCENT.sub("%", KANJI_FIGURE.sub(_digits, text))
    return re.sub(r"\s+", " ", text.lower())


SENTENCE_END = re.compile(r"(?<=。)|(?<=[.;])\s+(?=[a-z(\"“])")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` (flattened) around the match ``start:end``."""
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    left = max(c for c in cuts if c <= start)
    right = min(c for c in cuts if c >= end)
    return text[left:right]


def _examine(section: Section, clause: Clause) -> _Evidence:
    evidence = _Evidence(section, phrases={})
    sentences = []
    heading = _flat(section.headings)
    texts = [(p, _flat(p.text)) for p in section.passages]
    whole = " ".join(t for _p, t in texts)
    essential_patterns = []
    for recognition in clause.recognition.values():
        if not evidence.heading_hit and heading:
            for pattern in recognition.headings:
                if m := pattern.search(heading):
                    evidence.heading_hit = m.group(0)
                    break
        for pattern in recognition.key_phrases:
            if pattern.pattern in evidence.phrases:
                continue
            for passage, text in texts:
                if (m := pattern.search(text)) and (passage, m.group(0)) not in evidence.phrases.values():
                    # the same words matched by a pattern of each language are one phrase, not two
                    evidence.phrases[pattern.pattern] = (passage, m.group(0))
                    sentences.append(_sentence(text, m.start(), m.end()))
                    break
        for pattern in recognition.negative:
            for passage, text in texts:
                if evidence.negative is None and (m := pattern.search(text)):
                    evidence.negative = (passage, m.group(0))
        essential_patterns.extend(recognition.essential)
    if essential_patterns:
        evidence.essential = any(p.search(whole) for p in essential_patterns)
        evidence.sentence = next((t for t in sentences if any(p.search(t) for p in essential_patterns)), "")
    return evidence


ANNEX_REF = re.compile(rf"(別紙|別表|付属書|添付資料)\s*(第?\s*{NUM})?|\b(schedule|annex|appendix|exhibit|attachment)\s+([0-9]+|[ivx]+\b|[a-z]\b)", re.I)


def _annex_key(kind: str, number: str | None) -> str:
    number = (number or "").replace(" ", "").removeprefix("第").lower()
    if number and re.fullmatch(NUM, number):
        number = str(kanji_number(number))
    return f"{kind.lower()}{number}"


def _annexes(structure: Structure) -> dict[str, Section]:
    """The annex sections of the contract by key (``別紙1``, ``schedule3``, ``annexii``)."""
    found = {}
    for section in structure.sections:
        if section.label and (m := ANNEX_REF.match(section.label)) and m.end() == len(section.label):
            found[_annex_key(m.group(1) or m.group(3), m.group(2) or m.group(4))] = section
    return found


def _with_referenced_annexes(section: Section, annexes: dict[str, Section]) -> tuple[Section, tuple[str, ...]]:
    """The article joined with the annexes of the same document that it refers to."""
    if section.label is None or section in annexes.values():
        return section, ()
    refs = []
    for m in ANNEX_REF.finditer(section.text):
        kind, number = (m.group(1) or m.group(3)).lower(), m.group(2) or m.group(4)
        target = annexes.get(_annex_key(kind, number))
        if target is None and not number:  # "別紙のとおり": the one annex of that kind, if only one
            same = [a for key, a in annexes.items() if key.startswith(kind)]
            target = same[0] if len(same) == 1 else None
        if target is not None and target not in refs:
            refs.append(target)
    if not refs:
        return section, ()
    passages = section.passages + [p for annex in refs for p in annex.passages]
    return Section(section.label, section.heading, passages), tuple(a.label for a in refs)


def excerpt(text: str, focus: str = "", limit: int = EXCERPT_CHARS) -> str:
    """A passage cut to ``limit`` characters around ``focus`` (the matched phrase)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    at = text.lower().find(focus.lower()) if focus else 0
    start = max(0, min(at - limit // 3, len(text) - limit)) if at > 0 else 0
    cut = text[start:start + limit]
    return ("…" if start else "") + cut + ("…" if start + limit < len(text) else "")


def check_clause(structure: Structure, clause: Clause, lang: str = "en") -> ClauseResult:
    """Decide found / not found / needs review for one clause in one contract."""
    annexes = _annexes(structure)
    candidates = []
    for section in structure.sections:
        time_budget.check()
        candidates.append(_examine(section, clause))
        joined, refs = _with_referenced_annexes(section, annexes)
        if refs:
            evidence = _examine(joined, clause)
            evidence.annexes = refs
            candidates.append(evidence)
    candidates = [c for c in candidates if c.heading_hit or c.phrases or c.negative]
    if not candidates:
        return ClauseResult(clause.id, NOT_FOUND, 0.85,
                            "No heading or key phrase of this clause appears in the contract.")
    best = max(candidates, key=lambda c: c.score)
    if best.phrases:
        passage, focus = next(iter(best.phrases.values()))
    elif best.negative:
        passage, focus = best.negative
    else:
        passage, focus = best.section.passages[0] if best.section.passages else None, best.heading_hit
    quoted = [f"“{m}”" for _p, m in best.phrases.values()]
    facts = []
    if best.heading_hit:
        facts.append(f"heading “{best.section.headings}”")
    if quoted:
        facts.append("key phrases " + ", ".join(quoted[:4]))
    if best.sentence and not (len(best.phrases) >= 2 or best.heading_hit):
        facts.append("one sentence carrying the " + clause.essential_label.get("en", "essential element"))
    if best.annexes:
        facts.append("read with " + ", ".join(best.annexes) + " referred to in the article")
    basis = " and ".join(facts)
    status, confidence = NEEDS_REVIEW, 0.4
    if best.negative:
        passage, focus = best.negative
        reason = f"Wording that excludes or weakens the obligation: “{focus}” (with {basis or 'no other evidence'})."
    elif best.strong and not best.essential:
        label = clause.essential_label.get("en", "essential element")
        reason = f"The clause is present ({basis}) but no {label} was found in it."
        confidence = 0.5
    elif best.strong:
        status = FOUND
        confidence = 0.95 if best.heading_hit and len(best.phrases) >= 2 else 0.9 if (
            best.heading_hit or len(best.phrases) >= 3) else 0.8
        reason = f"Found in one article: {basis}."
    else:
        reason = f"Only weak evidence ({basis}); check the wording."
    if status == FOUND and not structure.detected:
        status, confidence = NEEDS_REVIEW, 0.5
        reason = "No numbered articles were recognised, so the evidence cannot be tied to one article: " + reason
    if passage is None:
        return ClauseResult(clause.id, status, confidence, reason)
    return ClauseResult(clause.id, status, confidence, reason, excerpt(passage.text, focus),
                        passage.location, passage.label or "")


def check_contract(structure: Structure, clauses, scanned: bool = False) -> list[ClauseResult]:
    """Check every clause of ``clauses`` in a parsed contract."""
    if scanned:
        return [ClauseResult(c.id, NEEDS_REVIEW, 0.0,
                             "The PDF is a scan without a text layer; read it and record the result.")
                for c in clauses]
    return [check_clause(structure, clause) for clause in clauses]
