"""``scan.lines_hit`` finds the same lines as the pattern run over the whole text (round 14,
speed): the library's patterns over the corpus, and patterns that must not take the short cut."""
import bisect
import re
from pathlib import Path

import pytest

from vendorrisk.contracts.checker import library as clause_library
from vendorrisk.contracts.checker import scan
from vendorrisk.contracts.checker.features import sentences
from vendorrisk.contracts.checker.reading import flat

CORPUS = Path(__file__).parent / "corpus"


def reference(pattern: re.Pattern, text: str, starts: list[int]) -> list[int]:
    """The lines as ``reading`` found them before round 14: every match over the whole text."""
    out = []
    for m in pattern.finditer(text):
        line = bisect.bisect_right(starts, m.start()) - 1
        if not out or out[-1] != line:
            out.append(line)
    return out


def joined(lines: list[str]) -> tuple[str, list[int]]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return "\n".join(lines), starts


def test_library_patterns_hit_the_same_lines_on_the_corpus():
    lines = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix in (".md", ".txt"):
            lines += [flat(s) for s in sentences(path.read_text(encoding="utf-8"))]
    text, starts = joined(lines)
    patterns = [p for c in clause_library.library() for r in c.recognition.values()
                for p in (*r.key_phrases, *r.negative)]
    assert sum(scan.anchors(p) is not None for p in patterns) > len(patterns) // 2  # the short cut is taken
    hit = 0
    for pattern in patterns:
        expected = reference(pattern, text, starts)
        assert scan.lines_hit(pattern, text, starts) == expected, pattern.pattern
        hit += bool(expected)
    assert hit > 50


@pytest.mark.parametrize("expression, lines", [
    (r"^supplier shall", ["x", "supplier shall notify", "supplier shall audit"]),  # ^ of the whole text only
    (r"notify$", ["we notify", "they notify", "notify"]),  # $ of the whole text only
    (r"shall\snotify", ["x shall", "notify y", "shall notify"]),  # \s takes the newline
    (r"shall[^.]{0,5}notify", ["shall", "notify", "shall  notify"]),
    (r"(?<=\n)audit", ["x", "audit rights", "no audit"]),
    (r"audit(?=\n)", ["audit", "no audit here", "audit"]),
    (r"(?m)^(?!.*audit)", ["audit", "none", "", "audit x", "y"]),  # empty matches
    (r"(?m)^audit|rights$", ["audit rights", "x audit", "rights", "rights x"]),
    (r"\baudit\b", ["audit", "audits", "reaudit", "x audit y"]),
    (r"(?i:audit) rights", ["AUDIT rights", "audit rights", "x"]),
    (r"(秘密保持|守秘)義務", ["秘密保持義務を負う", "守秘義務", "義務", "秘密保持"]),
    (r"", ["a", "", "b"]),
    (r"\b(rto|rpo)\b", ["the rpo is", "rto", "rtos", "no"]),  # re writes r(?:to|po) (speed22)
    (r"third[- ]party audit", ["third-party audit", "third party audit", "thirdparty audit"]),
    (r"(?:data|)center[s]? room", ["center room", "datacenter room", "data center room"]),
])
def test_patterns_at_line_ends_hit_the_same_lines(expression, lines):
    text, starts = joined(lines)
    pattern = re.compile(expression)
    assert scan.lines_hit(pattern, text, starts) == reference(pattern, text, starts)


def test_what_may_not_take_the_short_cut():
    for expression in (r"^supplier shall", r"notify\Z", r"shall\snotify", r"shall[^.]notify", r"(?s)shall.notify",
                       r"(?i)supplier shall"):
        assert scan.anchors(re.compile(expression)) is None, expression
    assert scan.anchors(re.compile(r"(business continuity|disaster recovery) plan")) == frozenset(
        {"business continuity", "disaster recovery"})
    assert scan.anchors(re.compile(r"(?m)^(?!.*audit)")) is None  # nothing a match must hold
    # classes and alternatives of a few literals are spelt out (speed22)
    assert scan.anchors(re.compile(r"\b(rto|rpo)\b|recovery (time|point) objective")) == frozenset(
        {"rto", "rpo", " objective"})
    assert scan.anchors(re.compile(r"third[- ]party")) == frozenset({"third-party", "third party"})
    assert scan.anchors(re.compile(r"[a-h]bc")) is None  # a range is not spelt out


def test_heading_hits_are_those_of_one_search_per_heading():
    from vendorrisk.contracts.checker.reading import _heading, _heading_hits
    from vendorrisk.contracts.checker.structure import parse
    from vendorrisk.contracts.checker.text import extract
    clauses = clause_library.library()
    headings = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix in (".md", ".txt"):
            structure = parse(extract(path.read_bytes(), path.suffix.lstrip(".")).blocks)
            headings += [_heading(p, s.heading) for s in structure.sections for p in s.passages]
    headings = list(dict.fromkeys(h for h in headings if h))
    expected = {h: tuple(c.id for c in clauses if any(p.search(flat(h)) for r in c.recognition.values()
                                                      for p in r.headings)) for h in headings}
    assert sum(bool(v) for v in expected.values()) > 30
    assert _heading_hits(headings, clauses) == expected


def test_needed_words_every_match_holds():
    assert scan.needed_words(r"24 ?(hours )?(a|per) day") == [frozenset({"24"}), frozenset({"a", "per"}),
                                                            frozenset({" day"})]
    assert scan.needed_words(r"\d+(\.\d+)? ?%") == [frozenset({"%"})]
    assert scan.needed_words(r"\bdr\b") == [frozenset({"dr"})]
    assert scan.needed_words(r"\d+") == []  # nothing known: the caller cannot skip it
    assert scan.needed_words(r"(?i)sla") is None and scan.needed_words(r"(?i:SLA)s") == [frozenset({"s"})]
    for expression, text in ((r"(7|seven) days (a|per) week", "open 7 days a week"),
                             (r"as (set forth|defined) in", "as defined in annex"), (r"24 ?x ?7", "24x7 support")):
        assert re.search(expression, text)
        assert all(any(word in text for word in words) for words in scan.needed_words(expression)), expression


def test_concepts_skip_only_what_cannot_match(monkeypatch):
    """``concepts`` leaves out the patterns without a literal start on texts holding none of
    the words they need (speed22): the same concepts as with the expression run on every text."""
    from vendorrisk.contracts.checker import concepts
    texts = ["late charge of 1.5% per month", "available 24 hours a day, 7 days a week", "support 24/7", "24 x 7",
             "seven days per week", "on-site visits", "as soon as practicable", "the sla applies", "bcp and dr plan",
             "hosted in the eu", "keys in an hsm", "the fsa may", "supplier shall provide", "as set forth in annex a",
             "[***] redacted", "稼働率は99.9%以上とする", "24時間365日", "乙は、甲に対し、速やかに報告する。", "no concept here"]
    for path in sorted(CORPUS.iterdir()):
        if path.suffix in (".md", ".txt"):
            texts += [flat(s) for s in sentences(path.read_text(encoding="utf-8"))]
    gated = [concepts.concepts(t) for t in texts]
    assert concepts._compiled()[3] is not None  # the gate is in use
    assert sum(concepts._compiled()[3].search(t) is None for t in texts) > len(texts) // 10  # and skips texts
    everything = concepts._compiled()[:3] + (None,) + concepts._compiled()[4:]
    monkeypatch.setattr(concepts, "_compiled", lambda: everything)
    assert [concepts.concepts(t) for t in texts] == gated
