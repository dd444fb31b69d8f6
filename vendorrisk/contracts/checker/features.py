"""The features the learned scorer reads from one sentence of a contract.

A sentence is read with the parties marked (``Ⓟ`` provider, ``Ⓒ`` customer, see
``parties``), lower-cased, digits folded to ``0``. English gives word stems and pairs of
stems; Japanese (no tokenizer needed) gives character pairs and triples of each run of
Japanese script; the heading of the article adds its own words (``h:``); who owes the
sentence adds ``obl:Ⓟ:shall``-style features; and where a pattern of the clause library
matches, ``re:<clause>`` (key phrase) and ``rh:<clause>`` (heading) are features too, so
the scorer learns how far each pattern can be trusted. The same function serves training
and checking, so a model and the checker always read a sentence alike.
"""
import re
from functools import lru_cache

from vendorrisk.contracts.checker.concepts import concept_features
from vendorrisk.contracts.checker.parties import obligor

TOKEN = re.compile(r"[a-z][a-z0-9]*|[ⓅⒸ]|[\u3041-\u30ff\u3400-\u9fff\u3005\u30fcⓅⒸ]+")
CJK_RUN = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\u3005\u30fcⓅⒸ]")
STOP = frozenset("the a an of to and or in on for by with as be is are this that such any all its it at from "
                 "which other under shall".split())
STEM = 6  # English words are cut to their first six letters: subcontractor(s) -> subcon


def _words(text: str, prefix: str, out: set[str], pairs: bool = True) -> None:
    previous = ""
    for token in TOKEN.findall(text):
        if CJK_RUN.match(token):
            if len(token) == 1:
                out.add(prefix + token)
            for i in range(len(token) - 1):
                out.add(prefix + token[i:i + 2])
                if pairs and i + 3 <= len(token):
                    out.add(prefix + token[i:i + 3])
            previous = ""
            continue
        if token in STOP:
            continue
        stem = token[:STEM]
        out.add(prefix + stem)
        if pairs and previous:
            out.add(f"{prefix}{previous}_{stem}")
        previous = stem


DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Lower case, digits as ``0``."""
    return DIGITS.sub("0", text.lower())


class _InOrder(list):
    """The features ``_words`` gives, in the order it gives them."""

    add = list.append


@lru_cache(maxsize=4096)
def _heading_words(heading: str) -> tuple[str, ...]:
    """The ``h:`` features of a marked heading, in the order ``_words`` adds them (a set
    updated with them is the set ``_words`` would have built; speed22: once per heading)."""
    words = _InOrder()
    _words(normalise(heading), "h:", words, pairs=False)
    return tuple(words)


def sentence_features(sentence: str, heading: str = "", pattern_hits: tuple[str, ...] = (),
                      heading_hits: tuple[str, ...] = (), found: set[str] | None = None,
                      owner: tuple[str, str] | None = None) -> set[str]:
    """The features of one marked sentence under ``heading`` (``found``: its concept features
    when the caller has them already; ``owner``: who owes it, when the caller read it from the
    sentence's context — an item under "Ⓟ shall:")."""
    out: set[str] = set()
    lowered = normalise(sentence)
    _words(lowered, "", out)
    if heading:
        out.update(_heading_words(heading))
    role, modality = owner or obligor(sentence)
    out.add(f"obl:{role or '-'}:{modality or '-'}")
    if found is None:
        found = concept_features(lowered, heading.lower() if heading else "")
    out.update(found)
    out.update(f"ko:{role or '-'}:{f[2:]}" for f in found if f.startswith("k:") and "+" not in f)
    out.update(f"re:{c}" for c in pattern_hits)
    out.update(f"rh:{c}" for c in heading_hits)
    return out


# 。 closes a sentence, not when a bracket closes after it: （以下「甲」という。） is inside one (round 14)
SENTENCE_END = re.compile(r"(?<=[。．])(?![)）」』】])|(?<=[.;:])\s+(?=[(\"“A-ZⓅⒸ0-9])|\s+(?=\([a-z0-9]{1,4}\)\s)")
MAX_SENTENCE = 700


def sentences(text: str) -> list[str]:
    """Split a passage into sentences (and list items ``(a)``); long ones into pieces."""
    out = []
    for piece in SENTENCE_END.split(text):
        piece = piece.strip()
        while len(piece) > MAX_SENTENCE:
            cut = piece.rfind(" ", 0, MAX_SENTENCE)
            cut = cut if cut > MAX_SENTENCE // 2 else MAX_SENTENCE
            out.append(piece[:cut])
            piece = piece[cut:].strip()
        if len(piece) >= 8:
            out.append(piece)
    return out
