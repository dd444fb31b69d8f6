"""What the areas contribute to the app, held on the app itself.

Each area's ``init_app(app)`` adds its contributions to ``registry.of(app)``; nothing is
registered by importing a module, and nothing lives in a module global, so two apps in one
process (tests) never share a contribution.

- ``content_checkers``: validate a kind of content file (criteria, clauses, questionnaires);
  run at start-up and by ``vendorrisk content check``.
- ``reminder_sources``: yield ``ReminderSpec`` for reminders due on a day; the monitoring
  sweep stores and sends them exactly once. ``send_now`` (set by the area that sends them)
  stores given specs and sends them at once, the same way (a campaign's request e-mails).
- ``obligations``: compute one row of the compliance matrix for a set of vendors.
- ``link_targets``: where a verdict's proof link named by ``link_to(name)`` points for each
  vendor, looked up when the verdict is read (the vendor's open review).
- ``cell_notes``: a short line under an obligation's matrix cell, read when the page is
  shown (26-1: the last completed review and the next due date).
- ``evidence_sources``: contribute files to a vendor's evidence pack.
- ``vendor_panels``: render a section of the vendor page (assessments, certificates, ...).
- ``home_panels``: render a section of the start page: the signed-in person's work in the area.
- ``task_sources``: ``source(session, user, today) -> Iterable[Task]``, the signed-in
  person's open tasks in the area (what, due date, where to act), in a few set queries;
  gathered on 「自分のタスク」 and counted in the navigation (``core.tasks``); with
  ``task_counts``, ``task_pages`` and ``task_labels`` of the same name.
- ``calendar_sources``: ``source(session, user, first, last) -> Iterable[CalendarEntry]``,
  the dated obligations of an area between two dates (None: unbounded) — the person's own
  (``user``), or everyone's when ``user`` is None — shown on the month calendar and in the
  person's ``.ics`` feed beside the reviews and findings.
- ``demo_loaders``: load an area's part of the demo portfolio, in order.
- ``listeners``: domain events (``core.events``) and who reacts to them.
- ``nav``, ``catalogues``: navigation entries and translations.
- ``api_tags``: the OpenAPI tag of each API blueprint (its operations describe themselves,
  ``core.api.operation``).
"""
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from flask import Flask, current_app

EXTENSION = "vendorrisk"


@dataclass(frozen=True)
class ContentProblem:
    """A problem in a content file: which file, where in it, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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
    # A stored file sent with the message (``StoredFile.id``) and its name in the e-mail, and
    # the address replies go to (a vendor returning a questionnaire replies to a person).
    attachment_file_id: int | None = None
    attachment_name: str = ""
    reply_to: str = ""


@dataclass(frozen=True)
class Verdict:
    """One cell of the compliance matrix: status, a one-sentence reason, and proof links."""

    status: str  # "met", "gap" or "not_applicable"
    reason: object  # a str, or a core.messages.Msg rendered in the reader's language
    links: list[tuple[object, str]] = field(default_factory=list)  # (label, url path)


LINK_TARGET = "@"


def link_to(target: str) -> str:
    """The href of a proof link that points where ``Registry.link_targets[target]`` says when
    the verdict is read, not when it is evaluated: a link to a record that comes and goes
    without moving the verdict (the vendor's open review, planned and dropped by the review
    plan) is then kept in no stored verdict."""
    return LINK_TARGET + target


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
    doc_ja: str = ""  # the rule's documentation in Japanese (the rules page shows one language)
    daily: bool = False  # the verdict depends on today's date (re-evaluated once a day)
    moved_by: tuple = ()  # the event types that can move its verdicts (empty: every event)


def obligation(id: str, *, citation_ja: str, citation_en: str, title_ja: str, title_en: str,
               order: int = 0, doc_ja: str = "", daily: bool = False, moved_by: tuple = ()):
    """Turn a rule function into an ``Obligation``; its docstring is the rule's documentation
    in English, ``doc_ja`` in Japanese. The area's ``init_app`` adds it to the registry.
    ``daily``: the verdict can change with the date alone (a review falls overdue, a
    certificate expires), so the maintained verdicts of this obligation are re-evaluated every
    day. ``moved_by``: the domain events whose changes the rule reads (the maintained matrix
    evaluates it only after those; empty: after every event)."""
    def make(fn) -> Obligation:
        return Obligation(id, citation_ja, citation_en, title_ja, title_en, fn,
                          (fn.__doc__ or "").strip(), order, doc_ja.strip(), daily, tuple(moved_by))
    return make


@dataclass(frozen=True)
class EvidenceFile:
    """A file in an evidence pack: its path inside the ZIP, its bytes and its description for
    the manifest, in the reader's language (the pack is built in its starter's: use gettext)."""

    path: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: endpoint, label (lazily translated) and position; ``count``, when
    given, returns the number shown beside the label (「自分のタスク 3」)."""

    endpoint: str
    label: object
    order: int = 50
    count: Callable[[], int] | None = None


@dataclass(frozen=True)
class Task:
    """Something a person should do: ``kind`` names it (e.g. ``approve_assessment``), ``label``
    is shown in the reader's language, ``due`` orders the list (None: no date), ``url`` is
    where to act, ``subject`` names the record (a vendor, an assessment) for the reader."""

    kind: str
    label: str
    url: str
    due: date | None = None
    subject: str = ""
    note: str = ""  # why the due date is what it is, e.g. 「12/31(休業日: 年末年始) → 12/28」
    chased: bool = True  # False: past its due date is not overdue (a vendor that left every chain)


@dataclass(frozen=True)
class CalendarEntry:
    """A dated obligation on the calendar: ``uid`` is unique and stable (``campaign-3``),
    ``kind`` names it, ``day`` is the business day it falls on and ``nominal`` the date asked
    for when it moved; ``summary`` and ``description`` are in the reader's language; ``url``
    is the path where to act."""

    uid: str
    kind: str
    day: date
    nominal: date | None
    summary: str
    description: str
    url: str


@dataclass
class Registry:
    """Every contribution of the areas to one app."""

    nav: list[NavItem] = field(default_factory=list)
    api_tags: dict[str, str] = field(default_factory=dict)
    content_checkers: dict[str, Callable[[], list[ContentProblem]]] = field(default_factory=dict)
    reminder_sources: dict[str, Callable[..., Iterable[ReminderSpec]]] = field(default_factory=dict)
    obligations: dict[str, Obligation] = field(default_factory=dict)
    # ``resolve(session, vendor_ids) -> {vendor_id: href}``: where the proof links made by
    # ``link_to(name)`` point for each vendor, read with the verdicts; a vendor missing from the
    # answer shows the cell without that link
    link_targets: dict[str, Callable[..., dict[int, str]]] = field(default_factory=dict)
    # ``note(session, vendor_ids) -> {vendor_id: text}`` by obligation id: a line shown under the
    # matrix cell, in the reader's language, read for the vendors on the page (not stored)
    cell_notes: dict[str, Callable[..., dict[int, str]]] = field(default_factory=dict)
    evidence_sources: dict[str, Callable[..., Iterable[EvidenceFile]]] = field(default_factory=dict)
    vendor_panels: dict[str, tuple[int, Callable]] = field(default_factory=dict)
    home_panels: dict[str, tuple[int, Callable]] = field(default_factory=dict)
    task_sources: dict[str, Callable[..., Iterable["Task"]]] = field(default_factory=dict)
    calendar_sources: dict[str, Callable[..., Iterable[CalendarEntry]]] = field(default_factory=dict)
    # ``count(session, user, today) -> int``: how many tasks the source of the same name would
    # yield, in a count query (the navigation's number on every page)
    task_counts: dict[str, Callable[..., int]] = field(default_factory=dict)
    # ``first(session, user, today, limit) -> Iterable[Task]``: every task among the first
    # ``limit`` of the source of the same name in the list's order (more may come), read
    # with ORDER BY … LIMIT so that the start page costs the same whatever the portfolio
    task_pages: dict[str, Callable[..., Iterable["Task"]]] = field(default_factory=dict)
    # the name of each task source in the reader's language (the start page's counts)
    task_labels: dict[str, Any] = field(default_factory=dict)
    # counts kept in the writing transaction (``core.counters.Counted``), by name
    counted: dict[str, Any] = field(default_factory=dict)
    demo_loaders: list[tuple[int, Callable]] = field(default_factory=list)
    # ``(order, label, rebuild(session) -> rows changed)``: state kept from the records that
    # ``db upgrade`` brings in line after the migrations (the rules may change with the code)
    rebuilders: list[tuple[int, str, Callable]] = field(default_factory=list)
    listeners: dict[type, list[Callable]] = field(default_factory=dict)
    catalogues: list[Path] = field(default_factory=list)
    # ``send_now(app, specs) -> (sent, failed)``: store these reminders (once, by their key)
    # and send those still pending at once, outside the caller's transaction; None: the next
    # sweep sends them (the sources yield them too).
    send_now: Callable | None = None

    def add_obligations(self, *obligations: Obligation) -> None:
        """Add compliance-matrix rows; an id may be added once."""
        for ob in obligations:
            if ob.id in self.obligations:
                raise ValueError(f"obligation {ob.id} added twice")
            self.obligations[ob.id] = ob

    def add_vendor_panel(self, name: str, order: int, render: Callable) -> None:
        """Add ``render(session, vendor) -> str``, an HTML section of the vendor page."""
        self.vendor_panels[name] = (order, render)

    def add_home_panel(self, name: str, order: int, render: Callable) -> None:
        """Add ``render(session, user) -> str``, the user's work in an area on the start page
        (an empty string when there is none)."""
        self.home_panels[name] = (order, render)

    def add_demo_loader(self, order: int, load: Callable) -> None:
        """Add ``load(session, ctx)``, run in ``order`` when the demo portfolio is loaded."""
        self.demo_loaders.append((order, load))

    def add_rebuilder(self, order: int, label: str, rebuild: Callable) -> None:
        """Add ``rebuild(session) -> int`` (rows written or removed), run in ``order`` in a
        transaction of its own by ``db upgrade``; ``label`` names it in the command's output."""
        self.rebuilders.append((order, label, rebuild))

    def subscribe(self, event_type: type, listener: Callable) -> None:
        """Call ``listener(session, event)`` whenever an event of ``event_type`` is published."""
        self.listeners.setdefault(event_type, []).append(listener)

    def panels(self, session, vendor) -> list[str]:
        """Every vendor-page section for ``vendor``, rendered in order."""
        return [render(session, vendor) for _order, render
                in sorted(self.vendor_panels.values(), key=lambda p: p[0])]


def of(app: Flask) -> Registry:
    """The registry of ``app`` (created on first use)."""
    return app.extensions.setdefault(EXTENSION, Registry())


def current() -> Registry:
    """The registry of the app handling this request, command or job."""
    return of(current_app)


def batch_memo(session, key: str, vendor_ids: list[int], compute):
    """Share a computation between the rules of one matrix batch (e.g. the facts of the
    batch's vendors that nine cloud rules all need): ``compute()`` runs once per batch and
    key while the compliance matrix evaluates a batch. Outside an evaluation it simply runs."""
    memo = session.info.get(BATCH_MEMO_KEY)
    if memo is None:
        return compute()
    slot = (key, tuple(vendor_ids))
    if slot not in memo:
        memo[slot] = compute()
    return memo[slot]


BATCH_MEMO_KEY = "compliance_batch_memo"
