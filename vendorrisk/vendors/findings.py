"""Findings about a vendor: issues raised by reviews, questionnaires, contract checks,
certificates or assessments, followed up until verified and closed (Art. 24 guideline).

Every area raises findings here (``raise_finding`` / ``raise_findings``); the monitoring
area follows them up (moves, assignment, escalation, the board).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import Index, Text, UniqueConstraint, func, literal_column, text
from sqlmodel import Column, Field, Session, SQLModel, select

from vendorrisk.core import audit, business_days, clock, events
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.messages import render
from vendorrisk.core.models import User, created_at_field, json_dict_field, utcnow
from vendorrisk.vendors import finding_texts, finding_titles
from vendorrisk.vendors.models import VendorOwner

SEVERITIES = ("critical", "high", "medium", "low")
# risk_accepted: not remediated, its risk accepted by an approver until an expiry date.
FINDING_STATUSES = ("open", "in_progress", "resolved", "risk_accepted", "closed")
FINDING_SOURCES = ("manual", "review", "questionnaire", "contract", "certificate", "assessment")
FINDING_EVENT_ACTIONS = ("raised", "status", "assigned", "comment", "plan", "response", "evidence",
                         "acceptance_requested", "acceptance_approved", "acceptance_rejected",
                         "acceptance_withdrawn", "acceptance_expired", "acceptance_ended")


def display_title(finding, language: str | None = None) -> str:
    """The finding's title in the reader's language (``language``, else the locale of the
    request or mail): its stored key and parameters rendered as a ``core.messages`` message;
    a title typed by a person, or one whose key or parameters this version cannot render,
    as stored."""
    key = getattr(finding, "title_key", None)
    message = finding_titles.title_message(key, finding.title_params) if key else None
    return _shown(message, finding.title, language)


def display_description(finding, language: str | None = None) -> str:
    """The finding's description in the reader's language, as ``display_title`` does for the
    title (``finding_texts.DESCRIPTIONS``); a description typed by a person as stored."""
    key = getattr(finding, "description_key", None)
    message = finding_texts.message(finding_texts.DESCRIPTIONS, key, finding.description_params) if key else None
    return _shown(message, finding.description, language)


def display_closure_evidence(finding, language: str | None = None) -> str:
    """What closed the finding in the reader's language when the product closed it
    (``settle_finding``, ``finding_texts.CLOSURES``); a person's closure evidence as stored."""
    key = getattr(finding, "closure_evidence_key", None)
    message = finding_texts.message(finding_texts.CLOSURES, key, finding.closure_evidence_params) if key else None
    return _shown(message, finding.closure_evidence, language)


def display_event_note(event, finding, language: str | None = None) -> str:
    """A history step's note for the reader: the product's closing step, and the step ending
    the finding's risk acceptance with it, show what closed the finding in the reader's
    language, as the closure evidence does; a step ending a waiting request because a person
    resolved the finding (``finding_texts.EVENT_NOTES``) in the reader's language too, and a
    step where the product gave the finding to another owner or a person changed its
    severity, description, due date or owner (``note_key``, ``finding_texts.NOTES``); other
    notes, and notes written before they were messages, as written."""
    if key := getattr(event, "note_key", None):
        return _shown(finding_texts.message(finding_texts.NOTES, key, event.note_params), event.note, language)
    if (event.action in ("status", "acceptance_ended") and event.to_status == "closed"
            and finding.closure_evidence_key and event.note == finding.closure_evidence):
        return display_closure_evidence(finding, language)
    if event.action == "acceptance_ended" and (message := finding_texts.event_note_message(event.note)):
        return _shown(message, event.note, language)
    return event.note


def _shown(message, stored: str, language: str | None) -> str:
    """``message`` rendered in ``language`` (else the current one); ``stored`` when there is
    none or it cannot be rendered (a parameter this version does not know how to show)."""
    if message is None:
        return stored
    try:
        if language is None or language == _current_language():
            return render(message).strip()
        with force_locale(language):
            return render(message).strip()
    except (KeyError, TypeError, ValueError):
        return stored


def _current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def english_title(key: str, params: dict) -> str:
    """The English title stored in ``Finding.title`` (search, exports, the API)."""
    return finding_titles.english(key, params)


class Finding(SQLModel, table=True):
    """A finding about a vendor; ``source`` + ``source_ref`` identify what raised it."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("source", "source_ref", name="uq_finding_source"),
                      # the dashboard's open findings by severity, from the index alone
                      Index("ix_finding_severity_status", "severity", "status"),
                      # the findings still to remediate by due date (the start page's panel reads
                      # its first few); a query spells the condition as ``TO_REMEDIATE`` does
                      Index("ix_finding_remediate_due", "due_date", "id",
                            sqlite_where=text("status IN ('open', 'in_progress')"),
                            postgresql_where=text("status IN ('open', 'in_progress')")))
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    arrangement_id: Optional[int] = Field(default=None, foreign_key="arrangement.id")
    source: str = Field(default="manual", max_length=20)
    # e.g. "questionnaire_response:12:Q-03"; NULL for manual findings (NULLs never collide).
    source_ref: Optional[str] = Field(default=None, max_length=200)
    title: str = Field(max_length=300)
    # A finding raised by the product names its kind and facts; each reader sees the title
    # in their own language (``display_title``). ``title`` keeps the English text for
    # search, exports and the API; a finding typed by a person has no key.
    title_key: Optional[str] = Field(default=None, max_length=40)
    title_params: dict = json_dict_field()
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The description and, for a finding the product closed itself, the closure evidence are
    # kept the same way (``finding_texts``): each reader sees them in their own language
    # (``display_description``, ``display_closure_evidence``); the text columns keep English.
    # Text typed by a person has no key (a person editing a generated description drops it).
    description_key: Optional[str] = Field(default=None, max_length=40)
    description_params: dict = json_dict_field()
    severity: str = Field(default="medium", max_length=10, index=True)
    status: str = Field(default="open", max_length=20, index=True)
    owner_id: Optional[int] = Field(default=None, foreign_key="user_account.id", index=True)
    due_date: Optional[date] = Field(default=None, index=True)
    # The due date asked for when it fell on a closed day and ``due_date`` moved to the
    # business day before it (core.business_days); NULL when it did not move.
    nominal_due_date: Optional[date] = None
    # Remediation: what will be done (required to close) and what the vendor answered.
    action_plan: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    vendor_response: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    raised_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    raised_at: datetime = created_at_field()
    resolved_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    closed_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    closure_evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    closure_evidence_key: Optional[str] = Field(default=None, max_length=40)
    closure_evidence_params: dict = json_dict_field()
    closure_file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")


# Findings still to remediate, spelled with literals as ix_finding_remediate_due's condition
# (SQLite uses a partial index only for a query repeating its condition, not bound parameters)
TO_REMEDIATE = Finding.status.in_([literal_column("'open'"), literal_column("'in_progress'")])


class FindingEvent(SQLModel, table=True):
    """One step in a finding's history: raised, moved, reassigned or commented."""

    __tablename__ = "finding_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True, ondelete="CASCADE")
    at: datetime = created_at_field()
    actor_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=20)
    from_status: str = Field(default="", max_length=20)
    to_status: str = Field(default="", max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # A note the product writes for each reader (``finding_texts.NOTES``): its key and
    # parameters, shown in the reader's language (``display_event_note``); ``note`` keeps the
    # English. Notes typed by a person, and those written before, have no key.
    note_key: Optional[str] = Field(default=None, max_length=40)
    note_params: dict = json_dict_field()


def raise_finding(session: Session, *, vendor_id: int, source: str, title: str,
                  severity: str = "medium", source_ref: str | None = None, description: str = "",
                  arrangement_id: int | None = None, owner_id: int | None = None,
                  due_date: date | None = None, raised_by_id: int | None = None,
                  title_key: str | None = None, title_params: dict | None = None,
                  description_key: str | None = None, description_params: dict | None = None) -> tuple[Finding, bool]:
    """Create a finding, or return the existing one for the same ``source``/``source_ref``.

    Returns ``(finding, created)``. Without an explicit owner, the vendor's primary owner
    (the staff assigned under Art. 26(2)) owns it. A new finding's history starts with a
    "raised" event, whichever area raised it. With ``description_key`` the description is
    the product's (``finding_texts``), its English stored in ``description``.
    """
    spec = FindingSpec(vendor_id=vendor_id, source=source, title=title, severity=severity,
                       source_ref=source_ref, description=description, arrangement_id=arrangement_id,
                       owner_id=owner_id, due_date=due_date, title_key=title_key, title_params=title_params,
                       description_key=description_key, description_params=description_params)
    created = raise_findings(session, [spec], raised_by_id=raised_by_id)
    if created:
        return created[0], True
    return session.exec(select(Finding).where(Finding.source == source,
                                              Finding.source_ref == source_ref)).one(), False


@dataclass
class FindingSpec:
    """A finding to raise; ``source_ref`` makes raising it again a no-op. A description the
    product writes is ``description_key`` and ``description_params`` (``finding_texts``:
    parameters may be messages or ``{"ja", "en"}`` texts), ``description`` then left empty."""

    vendor_id: int
    source: str
    title: str
    severity: str = "medium"
    source_ref: str | None = None
    description: str = ""
    arrangement_id: int | None = None
    owner_id: int | None = None
    due_date: date | None = None
    title_key: str | None = None
    title_params: dict | None = None
    description_key: str | None = None
    description_params: dict | None = None


DEFAULT_DUE_DAYS = {"critical": 14, "high": 30, "medium": 90, "low": 180}


def default_due_date(severity: str, today: date) -> date:
    """The due date a finding gets when none is given, whichever area raises it: sooner for
    graver findings (raising it moves a closed day to the business day before). Without one a
    finding would never fall due, so never be escalated."""
    return today + timedelta(days=DEFAULT_DUE_DAYS.get(severity, 90))


def due_fields(calendar, due: date | None) -> dict:
    """``due_date`` on a business day (the previous one when ``due`` is a closed day) and
    ``nominal_due_date``, the date asked for when it moved."""
    if due is None:
        return {"due_date": None, "nominal_due_date": None}
    moved = calendar.on_or_before(due)
    return {"due_date": moved.day, "nominal_due_date": moved.original if moved.moved else None}


def raise_findings(session: Session, specs: list[FindingSpec], *, raised_by_id: int | None = None) -> list[Finding]:
    """Raise many findings in a few queries (imports flag hundreds at once); returns those
    created — a spec whose ``source``/``source_ref`` was already raised is skipped."""
    for spec in specs:
        if spec.source not in FINDING_SOURCES:
            raise ValidationFailed(_("Unknown finding source %(source)s.", source=repr(spec.source)))
        if spec.severity not in SEVERITIES:
            raise ValidationFailed(_("Unknown severity %(severity)s; use one of %(choices)s.",
                                     severity=repr(spec.severity), choices=", ".join(SEVERITIES)))
    refs = {(s.source, s.source_ref) for s in specs if s.source_ref is not None}
    existing = set()
    for source in {source for source, _ref in refs}:
        wanted = [ref for src, ref in refs if src == source]
        for start in range(0, len(wanted), 500):
            existing |= {(source, ref) for ref in session.exec(select(Finding.source_ref).where(
                Finding.source == source, Finding.source_ref.in_(wanted[start:start + 500]))).all()}
    owners = active_owners(session, {s.vendor_id for s in specs if s.owner_id is None})
    created = []
    calendar, today = business_days.current(), clock.today()
    for spec in specs:
        key = (spec.source, spec.source_ref)
        if spec.source_ref is not None:
            if key in existing:
                continue
            existing.add(key)
        description, description_params = spec.description, finding_texts.stored_params(spec.description_params)
        if spec.description_key:
            description = finding_texts.english(finding_texts.DESCRIPTIONS, spec.description_key, description_params)
        created.append(Finding(vendor_id=spec.vendor_id, source=spec.source, source_ref=spec.source_ref,
                               title=spec.title[:300], title_key=spec.title_key, title_params=spec.title_params or {},
                               description=description, description_key=spec.description_key or None,
                               description_params=description_params if spec.description_key else {},
                               severity=spec.severity,
                               arrangement_id=spec.arrangement_id,
                               owner_id=spec.owner_id if spec.owner_id is not None else owners.get(spec.vendor_id),
                               raised_by_id=raised_by_id,
                               **due_fields(calendar, spec.due_date or default_due_date(spec.severity, today))))
    if not created:
        return []
    session.add_all(created)
    session.flush()
    session.add_all([FindingEvent(finding_id=f.id, actor_id=raised_by_id, action="raised", to_status="open",
                                  note=f.source if f.source_ref is None else f"{f.source}: {f.source_ref}")
                     for f in created])
    session.flush()
    return created


def settle_finding(session: Session, finding: Finding, *, evidence_key: str, evidence_params: dict,
                   actor_id: int | None) -> bool:
    """Close a finding the product raised once the gap it reports is gone (a contract set that
    has come to cover the clause): the evidence, what covers it now, is a text of
    ``finding_texts.CLOSURES`` (``evidence_key``, ``evidence_params``) shown to each reader in
    their language; its English is kept as the closure evidence and in the history. A person's
    four-eyes verification (``monitoring``) is for remediation they report; here the record
    itself shows the gap closed. Publishes ``FindingSettled`` (monitoring ends the finding's
    risk acceptance). Returns whether the finding was still open (under its row lock: a
    concurrent move queues)."""
    params = finding_texts.stored_params(evidence_params)
    evidence = finding_texts.english(finding_texts.CLOSURES, evidence_key, params, "closure_evidence")
    if finding.status == "closed" or lock(session, finding).status == "closed":
        return False
    previous, now = finding.status, utcnow()
    finding.status, finding.closure_evidence = "closed", evidence
    finding.closure_evidence_key, finding.closure_evidence_params = evidence_key, params
    finding.closed_at, finding.closed_by_id = now, actor_id
    finding.resolved_at = finding.resolved_at or now
    session.add(finding)
    session.add(FindingEvent(finding_id=finding.id, actor_id=actor_id, action="status", from_status=previous,
                             to_status="closed", note=evidence))
    session.flush()
    events.publish(session, events.FindingSettled(finding_id=finding.id, vendor_id=finding.vendor_id,
                                                  previous_status=previous, evidence=evidence,
                                                  actor_id=actor_id))
    return True


def held_by_owner(session: Session, user_id: int | None = None) -> dict[int, int]:
    """How many findings not closed each user (or only ``user_id``) owns, in one grouped query."""
    query = select(Finding.owner_id, func.count()).where(Finding.status != "closed")
    query = query.where(Finding.owner_id == user_id) if user_id else query.where(Finding.owner_id.is_not(None))
    return dict(session.exec(query.group_by(Finding.owner_id)).all())


def active_owners(session: Session, vendor_ids) -> dict[int, int]:
    """Each vendor's owner for its findings: its primary *active* assigned person, else another
    active one (as its reviews are planned); a vendor with no active assigned staff is absent."""
    owners: dict[int, int] = {}
    if vendor_ids:
        rows = session.exec(select(VendorOwner.vendor_id, VendorOwner.user_id)
                            .join(User, User.id == VendorOwner.user_id)
                            .where(VendorOwner.vendor_id.in_(list(vendor_ids)), User.is_active.is_(True))
                            .order_by(VendorOwner.is_primary.desc(), VendorOwner.id)).all()
        for vendor_id, user_id in rows:
            owners.setdefault(vendor_id, user_id)
    return owners


def pass_on(session: Session, findings: list[Finding], why: str) -> int:
    """Give each finding not closed to its vendor's owner now (``active_owners``), or to
    nobody (compliance follows it up, as a review nobody owns); each change is a step of its
    history, by whoever made the change that caused it, its note a message in each reader's
    language (``why``: a key of ``finding_texts.OWNER_CHANGE_REASONS``). Returns how many
    changed owner."""
    owners = active_owners(session, {f.vendor_id for f in findings})
    names = dict(session.exec(select(User.id, User.email).where(
        User.id.in_({f.owner_id for f in findings} | set(owners.values()) or {0}))).all())
    actor_id, changed = session.info.get("actor_id"), 0
    for finding in findings:
        owner_id = owners.get(finding.vendor_id)
        if finding.status == "closed" or owner_id == finding.owner_id:
            continue
        key, params = finding_texts.owner_note(names.get(finding.owner_id), names.get(owner_id), why)
        session.add(FindingEvent(finding_id=finding.id, actor_id=actor_id, action="assigned",
                                 from_status=finding.status, to_status=finding.status, note_key=key,
                                 note_params=params,
                                 note=finding_texts.english(finding_texts.OWNER_NOTES, key, params, "note")))
        finding.owner_id, changed = owner_id, changed + 1
        session.add(finding)
    session.flush()
    return changed


def on_user_active_changed(session: Session, event) -> None:
    """Listener of ``events.UserActiveChanged``: the findings not closed of a person who was
    deactivated go to their vendor's owner now, else to nobody (listed as findings with no
    owner, followed up by compliance) — nobody follows up a finding for someone who cannot
    sign in. Reactivating someone gives nothing back. Audited (the rows, and one entry)."""
    user = session.get(User, event.user_id)
    if user is None or user.is_active:
        return
    held = session.exec(select(Finding).where(Finding.owner_id == user.id, Finding.status != "closed")
                        .order_by(Finding.id)).all()
    if held and (changed := pass_on(session, list(held), "deactivated")):
        audit.add_event(session, action="findings_passed_on", entity="user_account", entity_id=user.id,
                        after={"findings": changed})


def take_unowned(session: Session, vendor_id: int) -> int:
    """The vendor's findings not closed that nobody owns go to its owner now (someone was just
    assigned to it), as its reviews do; returns how many."""
    unowned = session.exec(select(Finding).where(Finding.vendor_id == vendor_id, Finding.owner_id.is_(None),
                                                 Finding.status != "closed").order_by(Finding.id)).all()
    return pass_on(session, list(unowned), "staff_assigned") if unowned else 0
