"""A contract read into *units*: its sentences, each with where it is, its heading, the
parties marked and the features the scorer reads.

The same reading serves checking and training (``vendorrisk contracts train``), so the
model always sees sentences as the checker does.

A cheap pre-filter comes first: a sentence is a *candidate* when it, or its heading, holds
one of the concepts (``concepts``: audit, notify, incident, uptime, personnel...). Only
candidates get the parties marked, the library's patterns (run once over the candidates'
text, not per sentence; ``scan.lines_hit`` runs most of them only on the lines holding one
of their literal words), word features and scores; the others (definitions of prices,
boilerplate on notices addresses...) keep their place but score as the model's base rate.
Training reads alike and leaves them out, so a model never counts on them.

A Word file's headers and footers (``Passage.part``; the title, "Confidential", page
numbers repeated on every page) are page furniture, not sentences of the contract: they
are not read into units, so a Word file and a text copy of the same contract give the
same units (round 13: the header's title, scored at the base rate, moved a Word file's
document score across a threshold its text did not cross).
"""
import re
from dataclasses import dataclass

from vendorrisk.contracts.checker.concepts import concept_features, concepts
from vendorrisk.contracts.checker.document import Passage, Structure
from vendorrisk.contracts.checker.features import sentence_features, sentences
from vendorrisk.contracts.checker.numbering import NUM, kanji_number
from vendorrisk.contracts.checker.parties import NOBODY, Parties, find_parties, mark_roles, obligor
from vendorrisk.contracts.checker.scan import anchors, lines_hit
from vendorrisk.core import time_budget

# Kanji numerals before a unit (九十九・九五パーセント, 三十分以内) are read as digits, so a
# pattern serves both ways of writing a figure; 十分な, 一部, 第三者 are left alone.
KANJI_FIGURE = re.compile(rf"(?<![第0-9])({NUM})(?:・({NUM}))?(?=パーセント|%|時間|分以内|分以上|分間|営業日|日以内|日前|日間|か月|ヶ月|箇月|年間|回以上|回)")
PERCENT = re.compile(r"(?<=\d)パーセント")
JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff]")
FURNITURE = ("header", "footer")  # parts of a Word file that are not the contract's text
SPACES = re.compile(r"\s+")
ITEM = re.compile(r"\s*(?:\(?[a-z0-9]{1,4}\)\s|[•·\-–]\s|o\s|[(（][一二三四五六七八九十0-9]{1,3}[)）])")


def _digits(match: re.Match) -> str:
    whole, fraction = match.group(1), match.group(2)
    if whole.isdigit() and (fraction is None or fraction.isdigit()):
        return match.group(0)
    number = str(kanji_number(whole))
    if fraction:  # after the point each kanji is one digit: 九五 -> 95
        number += "." + "".join(str(kanji_number(c)) for c in fraction)
    return number


def flat(text: str) -> str:
    """Text as the library's patterns read it: kanji figures as digits, lower case, one space."""
    if not text.isascii():  # in ASCII text the figures are digits already (speed22)
        text = PERCENT.sub("%", KANJI_FIGURE.sub(_digits, text))
    return SPACES.sub(" ", text.lower())


@dataclass
class Unit:
    """One sentence of a contract, located, with its features."""

    passage: Passage
    text: str  # as written (NFKC)
    marked: str  # parties written as Ⓟ / Ⓒ
    heading: str
    features: set[str]
    obligor: tuple[str, str]
    pattern_hits: tuple[str, ...] = ()
    negative_hits: tuple[str, ...] = ()
    heading_hits: tuple[str, ...] = ()
    candidate: bool = True  # passed the pre-filter: scored


@dataclass
class Reading:
    """A contract's units and its parties."""

    units: list[Unit]
    parties: Parties


def _heading(passage: Passage, section_heading: str) -> str:
    return " / ".join(dict.fromkeys(h for h in (section_heading, passage.heading) if h))


def _heading_hits(headings: list[str], clauses) -> dict[str, tuple[str, ...]]:
    """The clauses whose heading patterns match each heading: the headings joined one a line
    and each pattern run once (``scan.lines_hit``) where it cannot match across a line, as
    many searches as headings otherwise (round 14, speed; the same hits)."""
    lowered = [flat(h) for h in headings]
    whole, starts, offset = "\n".join(lowered), [], 0
    for text in lowered:
        starts.append(offset)
        offset += len(text) + 1
    found: dict[str, set[int]] = {}
    for clause in clauses:
        for recognition in clause.recognition.values():
            for pattern in recognition.headings:
                lines = (lines_hit(pattern, whole, starts) if anchors(pattern) is not None else
                         [n for n, text in enumerate(lowered) if pattern.search(text)])
                found.setdefault(clause.id, set()).update(lines)
    return {h: tuple(c.id for c in clauses if n in found.get(c.id, ())) for n, h in enumerate(headings)}


def read(structure: Structure, clauses) -> Reading:
    """Split every passage of ``structure`` into units and compute their features."""
    raw, section_of = [], []
    for s, section in enumerate(structure.sections):
        for passage in section.passages:
            if passage.part in FURNITURE:
                continue
            heading = _heading(passage, section.heading)
            for sentence in sentences(passage.text):
                raw.append((passage, sentence, heading))
                section_of.append(s)
    parties = find_parties("\n".join(s for _p, s, _h in raw[:4000]))
    flats = [flat(s) for _p, s, _h in raw]
    heading_concepts = {h: concepts(flat(h)) for h in {h for _p, _s, h in raw if h}}
    sentence_concepts = [concepts(f) for f in flats]
    candidates = [i for i, f in enumerate(flats) if heading_concepts.get(raw[i][2]) or sentence_concepts[i]]
    # the library's patterns, once over the candidates' text; a hit marks the sentence it is
    # in. Japanese patterns only over the sentences in Japanese script, English over all
    # (English passages sit in Japanese documents).
    texts = {}
    for lang, chosen in (("en", candidates), ("ja", [i for i in candidates if JAPANESE.search(flats[i])])):
        starts, offset = [], 0
        for i in chosen:
            starts.append(offset)
            offset += len(flats[i]) + 1
        texts[lang] = ("\n".join(flats[i] for i in chosen), starts, chosen)
    hits: dict[int, set[str]] = {}
    negatives: dict[int, set[str]] = {}
    for clause in clauses:
        for lang, recognition in clause.recognition.items():
            whole, offsets, back = texts.get(lang, texts["en"])
            if not whole:
                continue
            time_budget.check()
            for patterns, target in ((recognition.key_phrases, hits), (recognition.negative, negatives)):
                for pattern in patterns:
                    for i in lines_hit(pattern, whole, offsets):
                        target.setdefault(back[i], set()).add(clause.id)
    heading_hits = _heading_hits(list(dict.fromkeys(h for _p, _s, h in raw if h)), clauses)
    # the library's old rule of strong evidence, per article: a heading and a phrase, or two
    # phrases; it becomes a feature of the sentences that carry a phrase of that article
    per_section: dict[int, dict[str, int]] = {}
    for i, found in hits.items():
        counts = per_section.setdefault(section_of[i], {})
        for clause_id in found:
            counts[clause_id] = counts.get(clause_id, 0) + 1
    units = []
    chosen = set(candidates)
    lead, lead_passage = ("", ""), None  # who owes the items after "Ⓟ shall:" (round 11)
    marked_headings: dict[str, str] = {}
    for i, (passage, sentence, heading) in enumerate(raw):
        if i % 256 == 0:
            time_budget.check()
        if passage is not lead_passage:
            lead, lead_passage = ("", ""), passage
        item = ITEM.match(sentence)
        if not item:
            lead = obligor(mark_roles(sentence, parties)) if sentence.rstrip().endswith(":") else ("", "")
        if i not in chosen:
            units.append(Unit(passage, sentence, sentence, heading, set(), ("", ""), candidate=False))
            continue
        marked = mark_roles(sentence, parties)
        if heading not in marked_headings:  # once per heading (speed22)
            marked_headings[heading] = mark_roles(heading, parties) if heading else ""
        marked_heading = marked_headings[heading]
        key = tuple(sorted(hits.get(i, ())))
        head = heading_hits.get(heading, ())
        counts = per_section.get(section_of[i], {})
        strong = {f"rs:{c}" for c in key if c in head or counts.get(c, 0) >= 2}
        extra = {f"rn:{c}" for c in negatives.get(i, ())} | strong
        known = concept_features("", heading, sentence_concepts[i], heading_concepts.get(heading))
        owner = obligor(marked)
        if item and lead[0] and lead[1] == "shall" and owner[0] in ("", NOBODY):
            # "(f) Permanently erase all Customer data" under "Ⓟ shall:"; not the conditions
            # listed under "either party may disclose if:"
            owner = lead
        features = sentence_features(marked, marked_heading, key, head, known, owner) | extra
        units.append(Unit(passage, sentence, marked, heading, features, owner, key,
                          tuple(sorted(negatives.get(i, ()))), head))
    return Reading(units, parties)


def example_features(text: str, heading: str = "", clauses=None) -> set[str]:
    """The features of a sentence kept as a reviewer's example (parties already marked),
    the library's pattern hits on the sentence and its heading included."""
    from vendorrisk.contracts.checker.library import library
    clauses = library() if clauses is None else clauses
    lowered, head = flat(text), flat(heading)
    key = tuple(c.id for c in clauses if any(p.search(lowered) for r in c.recognition.values() for p in r.key_phrases))
    heads = tuple(c.id for c in clauses
                  if head and any(p.search(head) for r in c.recognition.values() for p in r.headings))
    return sentence_features(text, heading, key, heads) | {f"rs:{c}" for c in key if c in heads}
