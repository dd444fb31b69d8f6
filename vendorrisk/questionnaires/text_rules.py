"""A profile's text rules (regular expressions on the question text) tried quickly on
thousands of questions: each rule is searched only in texts that contain one of the literal
pieces every match of it must contain, found once from the expression itself.

For ``\\b(key management|encryption keys?)`` every match contains "key management" or
"encryption key"; a question holding neither cannot match, and most questions hold none of
any rule's pieces, so one substring test (in C) spares them every regular expression. A
rule whose pieces cannot be told (a character class first, a scoped case flag) is always
tried: the result is the same as trying every rule on every text.
"""
import re

try:  # the parser behind re.compile (private; another Python simply tries every rule)
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    sre = sre_parse = None


def _pieces(tree) -> set[str] | None:
    """Literal strings one of which every match of ``tree`` contains (None: unknown)."""
    best: set[str] | None = None
    run = ""
    candidates: list[set[str]] = []
    for op, arg in tree:
        if op is sre.LITERAL:
            run += chr(arg)
            continue
        if run:
            candidates.append({run})
            run = ""
        found = None
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            if (add_flags | del_flags) & re.IGNORECASE:
                return None  # a scoped case flag: pieces would not compare like the text
            found = _pieces(sub)
        elif op is sre.BRANCH:
            parts = [_pieces(branch) for branch in arg[1]]
            found = None if any(p is None for p in parts) else set().union(*parts)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            found = _pieces(arg[2]) if arg[0] >= 1 else None
        if found:
            candidates.append(found)
    if run:
        candidates.append({run})
    for found in candidates:  # the most selective: the shortest piece as long as can be
        if best is None or min(map(len, found)) > min(map(len, best)):
            best = found
    return best


def required_pieces(pattern: re.Pattern) -> tuple[frozenset[str] | None, bool]:
    """The pieces every match of ``pattern`` contains, and whether they are compared with
    the text in lower case (the expression ignores case)."""
    folded = bool(pattern.flags & re.IGNORECASE)
    if sre_parse is None:
        return None, folded
    try:
        pieces = _pieces(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # noqa: BLE001 - an expression the parser reads differently: try it always
        return None, folded
    if not pieces:
        return None, folded
    return frozenset(p.lower() for p in pieces) if folded else frozenset(pieces), folded


class TextRules:
    """Rules as (pattern, template, question), matched against question texts."""

    def __init__(self, rules):
        self.rules = []
        self.folded_pieces: set[str] = set()
        self.plain_pieces: set[str] = set()
        self.always = False  # some rule has no pieces: every text is looked at
        for pattern, template, question in rules:
            pieces, folded = required_pieces(pattern)
            self.rules.append((pattern, template, question, pieces, folded))
            if pieces is None:
                self.always = True
            else:
                (self.folded_pieces if folded else self.plain_pieces).update(pieces)

    def matches(self, text: str) -> list[tuple[str, str]]:
        """Our (template, question) pairs whose rule matches the text, in rule order."""
        if not self.rules:
            return []
        lowered = text.lower()
        if not self.always and not any(p in lowered for p in self.folded_pieces) \
                and not any(p in text for p in self.plain_pieces):
            return []
        found = []
        for pattern, template, question, pieces, folded in self.rules:
            if pieces is not None and not any(p in (lowered if folded else text) for p in pieces):
                continue
            if (template, question) not in found and pattern.search(text):
                found.append((template, question))
        return found
