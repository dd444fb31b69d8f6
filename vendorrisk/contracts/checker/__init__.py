"""The contract checker: pure functions from a contract's bytes to clause results.

``check(data, filename, clauses)`` is the entry point; it runs the four steps, each a
module of its own that knows nothing of the app, the database or the request:

- ``text``: the file's bytes to text blocks (``.docx``, ``.pdf`` through ``pdf``, ``.txt``, ``.md``);
- ``structure``: the blocks to a ``document.Structure`` of articles, paragraphs, annexes;
- ``library``: the clause files of ``contract_clauses/``, validated by a declared schema;
- ``parties``, ``reading``, ``features``: who is the provider and the customer, the
  sentences with the parties marked, and what the scorer reads from each;
- ``scorer``: the learned weights (``contract_clauses/scorer_model.json``), adapted by
  the installation's reviewer examples;
- ``matcher``: for each clause, found / needs review / not found, with its evidence and a
  reason key (``reasons`` renders it in Japanese or English).
"""
from dataclasses import dataclass
from pathlib import PurePath
from typing import Iterable

from vendorrisk.contracts.checker import library as clause_library
from vendorrisk.contracts.checker.document import Structure
from vendorrisk.contracts.checker.library import Clause
from vendorrisk.contracts.checker.matcher import ClauseResult, check_contract
from vendorrisk.contracts.checker.reading import example_features, read
from vendorrisk.contracts.checker.scorer import Example
from vendorrisk.contracts.checker.structure import parse
from vendorrisk.contracts.checker.text import Extracted, UnreadableContract, extract

__all__ = ["CheckResult", "Example", "UnreadableContract", "check", "example"]


def example(clause_id: str, sentence: str, heading: str, label: bool) -> Example:
    """A reviewer's example from a kept check: its marked sentence and heading."""
    return Example(clause_id, frozenset(example_features(sentence, heading)), int(bool(label)))

NO_STRUCTURE_NOTE = "No numbered articles were recognised; every result needs a review."
UNREAD = ("scanned", "unreadable_text")  # how a file whose text was not read was read


@dataclass(frozen=True)
class CheckResult:
    """A contract read and checked: its text, its structure and one result per clause."""

    extracted: Extracted
    structure: Structure
    results: list[ClauseResult]

    @property
    def status(self) -> str:
        """How the file was read: ``ok``, ``scanned`` (a PDF without text), ``unreadable_text``
        (a PDF whose text is neither Japanese nor English: glyph numbers), ``partly_scanned``
        (some pages of a PDF are images without text), ``ocr`` (a scan's text read by OCR),
        ``partly_unreadable`` (some pages' text is glyph numbers, left out) or ``no_structure``."""
        if self.extracted.status in (*UNREAD, "partly_scanned", "partly_unreadable", "ocr"):
            return self.extracted.status
        return "ok" if self.structure.detected else "no_structure"

    @property
    def note(self) -> str:
        """What the reviewer should know about the reading ("" when nothing)."""
        return self.extracted.note or ("" if self.structure.detected else NO_STRUCTURE_NOTE)


def check(data: bytes, filename: str, clauses: Iterable[Clause], examples: Iterable[Example] = (),
          ocr_pages: list | None = None) -> CheckResult:
    """Read a contract file (its kind from the extension of ``filename``) and check it for
    each of ``clauses``, the scorer adapted by this installation's reviewer ``examples``;
    raise ``UnreadableContract`` when the file cannot be read. ``ocr_pages``: a PDF's scanned
    pages read by OCR (``ocr.read_pages``; an image's, ``image.read_pages``), read as those
    pages' text and marked in the results."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    if ocr_pages is not None:
        from vendorrisk.contracts.checker import image, ocr
        if suffix in image.SUFFIXES:  # a scanned image (PNG, JPEG, TIFF), read page by page
            extracted = image.read_with_ocr(data, ocr_pages)
        else:
            extracted = ocr.read_with_ocr(data, ocr_pages)
    else:
        extracted = extract(data, suffix)
    structure = parse(extracted.blocks)
    unread = extracted.status if extracted.status in UNREAD else ""
    reading = None if unread else read(structure, clause_library.library())
    results = check_contract(structure, list(clauses), unread=unread, examples=list(examples), reading=reading,
                             scanned_pages=extracted.scanned_pages, unreadable_pages=extracted.unreadable_pages)
    if extracted.status == "ocr":
        results = ocr.mark_ocr(results, ocr_pages)
    return CheckResult(extracted, structure, results)
