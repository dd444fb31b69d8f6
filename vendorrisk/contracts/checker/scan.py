"""Which lines of a text a pattern matches in, without running it over every line.

``reading`` runs each pattern of the clause library once over the candidate sentences
joined by newlines and marks the sentence each match starts in. Most patterns cannot match
anywhere without one of a few literal words (``(business continuity|disaster recovery)
plan`` needs ``business continuity`` or ``disaster recovery``), and most of them cannot
cross a newline. For such a pattern ``lines_hit`` first finds the lines holding one of
those words (``str.find``, fast) and runs the pattern only there, each line as the
stretch ``pos``–``endpos`` of the same string; the others are run over the whole text as
before. Round 14 (speed): the same lines come out either way (checked on every corpus
document), in a fraction of the time.

``needed_words`` (speed22) serves ``concepts``: the sets of literal words, however short,
one of each of which every match holds, so that a text lacking one set is not searched.

The analysis reads the pattern's parse tree (``re._parser``, CPython's own); when it meets
anything it does not know it gives up and the pattern runs over the whole text.
"""
import bisect
import re
from functools import lru_cache

try:  # CPython's regular-expression parser (the module ``re`` itself uses)
    from re import _constants as C
    from re import _parser as parser
except ImportError:  # pragma: no cover - another Python: every pattern runs over the whole text
    parser = C = None

MIN_ANCHOR = 3  # literal words lighter than this (``_weight``) are too frequent to be worth finding first
MAX_SPELLINGS = 8  # a run of literals with classes of a few characters: at most so many strings
MAX_OCCURRENCES = 400  # more lines to try than this: the pattern over the whole text is as quick
NEWLINE = ord("\n")
# in a character class: what can match a newline
_CATEGORY_NEWLINE = {"CATEGORY_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT", "CATEGORY_LINEBREAK",
                     "CATEGORY_UNI_SPACE", "CATEGORY_UNI_NOT_WORD", "CATEGORY_UNI_NOT_DIGIT",
                     "CATEGORY_UNI_LINEBREAK", "CATEGORY_LOC_NOT_WORD"}


class _Unknown(Exception):
    """A construct the analysis does not handle: run the pattern over the whole text."""


def _class_takes_newline(items) -> bool:
    negate = False
    hit = False
    for op, value in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or value == NEWLINE
        elif name == "RANGE":
            hit = hit or value[0] <= NEWLINE <= value[1]
        elif name == "CATEGORY":
            hit = hit or str(value) in _CATEGORY_NEWLINE
        else:
            raise _Unknown(name)
    return hit != negate


def _local(items, flags: int) -> bool:
    """Whether nothing in ``items`` can match or see across a newline (then every match lies
    within one line and depends on that line only)."""
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            if value == NEWLINE:
                return False
        elif name == "NOT_LITERAL":
            if value != NEWLINE:
                return False
        elif name == "ANY":
            if flags & re.DOTALL:
                return False
        elif name == "IN":
            if _class_takes_newline(value):
                return False
        elif name == "AT":
            # \b is the same at a line's ends as next to a newline; ^ and $ only in MULTILINE
            # (then they match at a newline too), never \A and \Z
            where = str(value)
            if where in ("AT_BEGINNING", "AT_END"):
                if not flags & re.MULTILINE:
                    return False
            elif where not in ("AT_BOUNDARY", "AT_NON_BOUNDARY"):
                return False
        elif name == "SUBPATTERN":
            if value[1] & re.IGNORECASE or not _local(value[3], (flags | value[1]) & ~value[2]):
                return False
        elif name == "BRANCH":
            if not all(_local(branch, flags) for branch in value[1]):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if not _local(value[2], flags):
                return False
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _local(value[1], flags):
                return False
        else:  # group references, conditionals, atomic groups...: not analysed
            return False
    return True


def _weight(word: str) -> int:
    """How rare a literal word is, roughly: its length, a character outside ASCII (kanji,
    kana) counting twice (two kanji are as rare as three letters)."""
    return sum(1 if c.isascii() else 2 for c in word)


def _required(items, least: int = MIN_ANCHOR) -> frozenset | None:
    """Literal strings one of which every match of ``items`` holds, none lighter than
    ``least`` (None: none known)."""
    best, runs = None, [""]  # the literal strings the current run of literals can be

    def better(candidate):
        nonlocal best
        if candidate and min(map(_weight, candidate)) >= least and (
                best is None or (min(map(_weight, candidate)), -len(candidate)) > (min(map(_weight, best)), -len(best))):
            best = candidate

    for op, value in list(items) + [(None, None)]:
        name = str(op)
        if name == "LITERAL":
            runs = [r + chr(value) for r in runs]
            continue
        if name == "IN" and all(str(o) == "LITERAL" for o, _v in value) and len(runs) * len(value) <= MAX_SPELLINGS:
            runs = [r + chr(v) for r in runs for _o, v in value]  # a class of a few characters: [- ]
            continue
        if name == "BRANCH" and all(str(o) == "LITERAL" for branch in value[1] for o, _v in branch) and \
                len(runs) * len(value[1]) <= MAX_SPELLINGS:
            # alternatives of literals, as re writes a common prefix: rto|rpo -> r(?:to|po)
            runs = [r + "".join(chr(v) for _o, v in branch) for r in runs for branch in value[1]]
            continue
        if runs != [""]:
            better(frozenset(runs))
            runs = [""]
        if name == "SUBPATTERN":
            if not value[1] & re.IGNORECASE:  # (?i:…): its words in any case, not required as written
                better(_required(value[3], least))
        elif name == "BRANCH":
            alternatives = [_required(branch, least) for branch in value[1]]
            if all(a is not None for a in alternatives):
                better(frozenset().union(*alternatives))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
            better(_required(value[2], least))
    return best


@lru_cache(maxsize=4096)
def anchors(pattern: re.Pattern) -> frozenset | None:
    """The literal strings one of which every match of ``pattern`` holds, when the pattern
    cannot match across a newline; None when the pattern must run over the whole text."""
    if parser is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = parser.parse(pattern.pattern, pattern.flags)
        if not _local(list(tree), tree.state.flags):
            return None
        return _required(list(tree))
    except (_Unknown, AttributeError, TypeError, ValueError, re.error):
        return None


def needed_words(source: str) -> list[frozenset] | None:
    """For a pattern (its source, no flags), sets of literal strings such that every match
    holds one string of each set, however short (``concepts`` skips the patterns that
    cannot match a sentence); None when the pattern is not analysed."""
    if parser is None:
        return None
    try:
        tree = parser.parse(source)
    except (AttributeError, TypeError, ValueError, re.error):
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    items = list(tree)
    needs, run = [], []
    for op, value in items + [(None, None)]:
        if str(op) == "LITERAL":  # a run of literals is one word
            run.append((op, value))
            continue
        for piece in (run, [(op, value)] if op is not None else []):
            if piece and (words := _required(piece, 1)) is not None:
                needs.append(words)
        run = []
    return needs


def lines_hit(pattern: re.Pattern, text: str, starts: list[int]) -> list[int]:
    """The lines of ``text`` (``starts``: where each line begins, lines joined by one
    newline) in which a match of ``pattern`` starts, as ``pattern.finditer`` over the whole
    text finds them, in order."""
    words = anchors(pattern)
    if words is not None:
        lines: set[int] = set()
        for word in words:
            at = text.find(word)
            while at >= 0:
                line = bisect.bisect_right(starts, at) - 1
                lines.add(line)
                if len(lines) > MAX_OCCURRENCES:
                    break
                # the next line: one hit per line is enough
                at = text.find(word, starts[line + 1]) if line + 1 < len(starts) else -1
            if len(lines) > MAX_OCCURRENCES:
                break
        else:
            out = []
            for line in sorted(lines):
                end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
                if pattern.search(text, starts[line], end) is not None:
                    out.append(line)
            return out
    out = []
    for m in pattern.finditer(text):
        line = bisect.bisect_right(starts, m.start()) - 1
        if not out or out[-1] != line:
            out.append(line)
    return out
