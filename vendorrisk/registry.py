"""Extension points that each area of the product fills from its own modules.

An area registers what it contributes with a decorator, in its own module; ``discover``
imports every module of a package so the registrations happen at start-up without a
central list to edit.

- ``content_checker``: validates a kind of content file (criteria, clauses, questionnaires)
  and returns problems naming the file; run at start-up and by ``vendorrisk content check``.
- ``reminder_source``: yields ``ReminderSpec`` for reminders due on a day; the monitoring
  sweep stores and sends them exactly once.
- ``obligation``: computes one row of the compliance matrix for a set of vendors.
- ``evidence_source``: contributes files to a vendor's evidence pack.
- ``vendor_panel``: contributes a section to the vendor page (assessments, certificates, ...).
"""
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

CONTENT_CHECKERS: dict[str, Callable[[], list["ContentProblem"]]] = {}
REMINDER_SOURCES: dict[str, Callable] = {}
OBLIGATIONS: dict[str, "Obligation"] = {}
EVIDENCE_SOURCES: dict[str, Callable] = {}
VENDOR_PANELS: dict[str, tuple[int, Callable]] = {}


def discover(package: str) -> None:
    """Import every module of ``package`` (once), so their registrations run."""
    module = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package}.{info.name}")


@dataclass(frozen=True)
class ContentProblem:
    """A problem in a content file: which file, where in it, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def content_checker(name: str):
    """Register a function returning the ``ContentProblem`` list of one kind of content."""
    def register(fn):
        CONTENT_CHECKERS[name] = fn
        return fn
    return register


@dataclass(frozen=True)
class ReminderSpec:
    """A reminder that should exist; its key is (subject_type, subject_id, kind, due_date, recipient)."""

    subject_type: str
    subject_id: int
    kind: str
    due_date: date
    recipient: str
    recipient_user_id: int | None
    language: str
    subject_line: str
    body: str
    link: str = ""


def reminder_source(name: str):
    """Register ``fn(session, today) -> Iterable[ReminderSpec]``."""
    def register(fn: Callable[..., Iterable[ReminderSpec]]):
        REMINDER_SOURCES[name] = fn
        return fn
    return register


@dataclass(frozen=True)
class Verdict:
    """One cell of the compliance matrix: status, a one-sentence reason, and proof links."""

    status: str  # "met", "gap" or "not_applicable"
    reason: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url path)


@dataclass(frozen=True)
class Obligation:
    """An obligation row: id like ``25-2-audit_rights``, its citation and the rule computing it.

    ``rule(session, vendor_ids) -> dict[vendor_id, Verdict]`` answers for many vendors in a
    few set queries, never one query per vendor.
    """

    id: str
    citation_ja: str
    citation_en: str
    title_ja: str
    title_en: str
    rule: Callable
    doc: str
    order: int = 0


def obligation(id: str, *, citation_ja: str, citation_en: str, title_ja: str, title_en: str,
               order: int = 0):
    """Register a compliance rule; its docstring is the rule's documentation."""
    def register(fn):
        OBLIGATIONS[id] = Obligation(id, citation_ja, citation_en, title_ja, title_en, fn,
                                     (fn.__doc__ or "").strip(), order)
        return fn
    return register


@dataclass(frozen=True)
class EvidenceFile:
    """A file in an evidence pack: its path inside the ZIP and its bytes."""

    path: str
    data: bytes
    description: str = ""


def evidence_source(name: str):
    """Register ``fn(session, vendor_id) -> Iterable[EvidenceFile]``."""
    def register(fn):
        EVIDENCE_SOURCES[name] = fn
        return fn
    return register


def vendor_panel(name: str, order: int = 50):
    """Register ``fn(session, vendor) -> str``: an HTML section (rendered with
    ``render_template``) shown on the vendor page, in ``order``."""
    def register(fn):
        VENDOR_PANELS[name] = (order, fn)
        return fn
    return register


def vendor_panels(session, vendor) -> list[str]:
    """Render every registered vendor-page section for ``vendor``, in order."""
    return [fn(session, vendor) for _order, fn in sorted(VENDOR_PANELS.values(), key=lambda p: p[0])]
