"""Following findings up to closure (Art. 24 guideline): open -> in progress -> resolved
-> closed (verified), with history, closure evidence and four-eyes on closing (Art. 8(5)).

Only the finding's owner, compliance or an admin may move a finding; only compliance or
an admin may close it (verification), and not the person who resolved it; a finding closes
only with an action plan and evidence of the remediation (``remediation``), and a high or
critical one is resolved only with them (resolving ends its escalation). A finding whose
risk was accepted (``risk_accepted``, entered only by an approved acceptance) may go back
to work or be resolved after all, which ends the acceptance.
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlmodel import Session

from vendorrisk.core import business_days, counters, textfields
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.input_guard import MAX_ID
from vendorrisk.core.locking import lock
from vendorrisk.core.messages import msg
from vendorrisk.core.models import User, utcnow
from vendorrisk.core.uploads import Upload
from vendorrisk.vendors import finding_texts
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.findings import (
    FINDING_STATUSES,
    SEVERITIES,
    Finding,
    FindingEvent,
    default_due_date,
    display_description,
)
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

TRANSITIONS = {
    "open": ("in_progress", "resolved"),
    "in_progress": ("resolved", "open"),
    "resolved": ("closed", "in_progress"),  # verified and closed, or sent back
    "risk_accepted": ("in_progress", "resolved"),  # the acceptance ends
    "closed": (),
}
# Findings resolved only with an action plan and evidence (resolving ends their escalation)
EVIDENCED_SEVERITIES = ("critical", "high")
VERIFIERS = ("admin", "compliance")


def add_event(session: Session, finding: Finding, actor: User | None, action: str, from_status: str = "",
              to_status: str = "", note: str = "", *, note_key: str | None = None,
              note_params: dict | None = None) -> FindingEvent:
    """Append a step to the finding's history: its ``note`` typed by a person, or written by
    the product as a key of ``finding_texts.NOTES`` and parameters (read in each reader's
    language; its English kept in ``note``)."""
    if note_key:
        note_params = finding_texts.stored_params(note_params)
        note = finding_texts.english(finding_texts.NOTES, note_key, note_params, "note")
    event = FindingEvent(finding_id=finding.id, actor_id=actor.id if actor else None, action=action,
                         from_status=from_status, to_status=to_status, note=note[:5000], note_key=note_key,
                         note_params=note_params or {})
    session.add(event)
    return event


def _status_label(status: str) -> str:
    return _(status.replace("_", " "))


def _same_text(typed: str, shown: str) -> bool:
    """Whether a text sent back by a form is the one it showed (browsers send CRLF)."""
    return typed.replace("\r\n", "\n").strip() == shown.replace("\r\n", "\n").strip()


def get_finding(session: Session, finding_id: int) -> Finding:
    """A finding by id, or ``NotFound``."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(_("Finding %(id)s does not exist.", id=finding_id))
    return finding


def allowed_moves(finding: Finding, user: User) -> tuple[str, ...]:
    """The statuses this user may move the finding to."""
    if user.role == "auditor":
        return ()
    is_owner = finding.owner_id == user.id
    moves = TRANSITIONS[finding.status]
    if user.role not in VERIFIERS:
        moves = tuple(m for m in moves if m != "closed") if is_owner else ()
    return moves


def resolver_of(session: Session, finding_id: int) -> int | None:
    """Who last marked the finding resolved."""
    return session.execute(select(FindingEvent.actor_id).where(FindingEvent.finding_id == finding_id,
                                                               FindingEvent.to_status == "resolved")
                           .order_by(FindingEvent.id.desc())).scalar()


def _evidence_problems(session: Session, finding: Finding, evidence: str, evidence_file: Upload | None,
                       no_plan: str) -> list[dict]:
    """What is missing to resolve or close: the action plan, and evidence kept before or given now."""
    from vendorrisk.monitoring.remediation import has_evidence
    problems = []
    if not finding.action_plan.strip():
        problems.append({"field": "action_plan", "message": no_plan})
    if not evidence.strip() and evidence_file is None and not has_evidence(session, finding.id):
        problems.append({"field": "evidence", "message": _("Describe or attach the evidence that it is resolved.")})
    return problems


def _keep_evidence(session: Session, finding: Finding, user: User, evidence: str, evidence_file: Upload | None) -> None:
    """Evidence given with a move to resolved, kept as evidence of the remediation."""
    from vendorrisk.core import storage
    from vendorrisk.monitoring.models_remediation import FindingEvidence
    if not evidence.strip() and evidence_file is None:
        return
    file_id, filename = None, ""
    if evidence_file is not None:
        stored, _dup = storage.store(session, evidence_file, user.id)
        file_id, filename = stored.id, evidence_file.filename[:300]
    session.add(FindingEvidence(finding_id=finding.id, note=evidence.strip(), added_by_id=user.id,
                                file_id=file_id, filename=filename))
    add_event(session, finding, user, "evidence", finding.status, finding.status,
              "\n".join(part for part in (evidence.strip(), filename) if part))


def move_finding(session: Session, finding: Finding, user: User, to_status: str, *, note: str = "",
                 evidence: str = "", evidence_file: Upload | None = None) -> Finding:
    """Change a finding's status, recording who, when and why."""
    from vendorrisk.core import storage
    lock(session, finding)  # move from the latest committed status; concurrent moves queue
    if to_status not in FINDING_STATUSES:
        raise ValidationFailed(_("Unknown status %(status)s.", status=repr(to_status)),
                               [{"field": "status", "message": _("Unknown status.")}])
    if to_status not in TRANSITIONS[finding.status]:
        raise Conflict(_("The finding is %(current)s and cannot move to %(status)s.", current=_status_label(finding.status),
                         status=_status_label(to_status)))
    if to_status not in allowed_moves(finding, user):
        raise Forbidden(_("Only the finding's owner or compliance may move it; only compliance may close it."))
    if to_status == "resolved" and finding.severity in EVIDENCED_SEVERITIES:
        # resolving stops the escalation: a grave finding's owner shows what was done
        problems = _evidence_problems(session, finding, evidence, evidence_file,
                                      _("Record the action plan before resolving."))
        if problems:
            raise ValidationFailed(_("A high or critical finding is resolved only with an action plan and "
                                     "evidence of the remediation."), problems)
        _keep_evidence(session, finding, user, evidence, evidence_file)
    if to_status == "closed":
        problems = _evidence_problems(session, finding, evidence, evidence_file,
                                      _("Record the action plan before closing."))
        if resolver_of(session, finding.id) == user.id:
            raise Forbidden(_("Four-eyes: the person who resolved the finding cannot also verify and close it (Art. 8(5))."))
        if problems:
            raise ValidationFailed(_("A finding closes only with an action plan and evidence of the remediation."),
                                   problems)
        from vendorrisk.monitoring.models_remediation import FindingEvidence
        if evidence_file is not None:
            stored, _dup = storage.store(session, evidence_file, user.id)
            finding.closure_file_id = stored.id
        finding.closure_evidence = evidence.strip()
        finding.closure_evidence_key, finding.closure_evidence_params = None, {}  # the verifier's own words
        if evidence.strip() or evidence_file is not None:  # closure evidence is evidence too
            session.add(FindingEvidence(finding_id=finding.id, note=evidence.strip(), added_by_id=user.id,
                                        file_id=finding.closure_file_id if evidence_file is not None else None,
                                        filename=evidence_file.filename[:300] if evidence_file is not None else ""))
        finding.closed_at, finding.closed_by_id = utcnow(), user.id
    if finding.status == "risk_accepted" or to_status == "resolved":
        from vendorrisk.monitoring.remediation import end_acceptance
        end_acceptance(session, finding, user, to_status)
    if to_status == "resolved":
        finding.resolved_at = utcnow()
    if to_status in ("open", "in_progress"):
        finding.resolved_at = None
    previous, finding.status = finding.status, to_status
    add_event(session, finding, user, "status", previous, to_status, note)
    session.flush()
    return finding


def update_finding(session: Session, finding: Finding, user: User, data: dict) -> Finding:
    """Change severity, owner or due date (compliance and admins)."""
    if user.role not in VERIFIERS:
        raise Forbidden(_("Only compliance may change a finding's severity, owner or due date."))
    lock(session, finding)
    if finding.status == "closed":
        raise Conflict(_("A closed finding cannot be changed."))
    problems, changes = [], []  # the note's parts (finding_texts.CHANGES), in the reader's language when shown
    if "severity" in data and data["severity"] != finding.severity:
        if data["severity"] not in SEVERITIES:
            problems.append({"field": "severity", "message": _("Choose one of %(choices)s.", choices=", ".join(SEVERITIES))})
        else:
            changes.append(("severity", {"before": msg(finding.severity), "after": msg(data["severity"])}))
            finding.severity = data["severity"]
    if "description" in data and data["description"] is not None:
        description = str(data["description"]).strip()
        if len(description) > 10000:
            problems.append({"field": "description", "message": _("Keep the description within 10,000 characters.")})
        elif not _same_text(description, finding.description) and not _same_text(
                description, display_description(finding)):  # the form shows the reader's language
            changes.append(("description", {}))
            finding.description = description
            finding.description_key, finding.description_params = None, {}  # a person's text now
    if "due_date" in data:
        try:
            due = date.fromisoformat(str(data["due_date"])) if data["due_date"] else None
        except ValueError:
            problems.append({"field": "due_date", "message": _("Enter a date as YYYY-MM-DD.")})
        else:
            moved = business_days.on_or_before(due)
            if moved is not None and moved.day != finding.due_date:
                changes.append(("due_moved", {"before": _day(finding.due_date), "after": moved.day.isoformat(),
                                              "moved": moved.note_message()}) if moved.note_message() else
                               ("due", {"before": _day(finding.due_date), "after": moved.day.isoformat()}))
                finding.due_date, finding.nominal_due_date = moved.day, moved.original if moved.moved else None
            elif moved is None and finding.due_date is not None:
                changes.append(("due", {"before": _day(finding.due_date), "after": None}))
                finding.due_date = finding.nominal_due_date = None
    owner_id = _optional_int(data.get("owner_id"))  # False: not a number (refused below)
    if owner_id is not None and owner_id != finding.owner_id:
        owner = session.get(User, owner_id) if owner_id else None
        if owner is None or not owner.is_active or owner.role == "auditor":
            problems.append({"field": "owner_id", "message": _("Choose an active member of staff.")})
        else:
            before = session.get(User, finding.owner_id) if finding.owner_id else None
            changes.append(("owner", {"before": before.email if before else None, "after": owner.email}))
            finding.owner_id = owner.id
    if problems:
        raise ValidationFailed(_("The finding has errors."), problems)
    if changes:
        key, params = finding_texts.change_note(changes)
        add_event(session, finding, user, "assigned", finding.status, finding.status, note_key=key, note_params=params)
    session.flush()
    return finding


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def may_raise(session: Session, user: User, vendor_id: int) -> bool:
    """Compliance, procurement and admins raise findings about any vendor; a vendor owner
    only about the vendors assigned to them."""
    from vendorrisk.vendors.service import can_edit_vendor
    return can_edit_vendor(session, user, vendor_id)


def arrangements_of(session: Session, vendor_id: int):
    """Arrangements the vendor serves: as tier-1 vendor or anywhere in the chain."""
    in_chain = select(OutsourcingLink.arrangement_id).where(OutsourcingLink.vendor_id == vendor_id, current_link())
    return session.execute(select(Arrangement).where(or_(Arrangement.vendor_id == vendor_id,
                                                         Arrangement.id.in_(in_chain)))
                           .order_by(Arrangement.title, Arrangement.id)).scalars().all()


def _manual_fields(session: Session, vendor_id: int, data: dict, today: date) -> tuple[dict, list[dict]]:
    """The validated fields of a finding raised by hand, and the problems found."""
    problems, fields = [], {}
    title = str(data.get("title") or "").strip()
    if not title:
        problems.append({"field": "title", "message": _("Give the finding a title.")})
    elif len(title) > 300:
        problems.append({"field": "title", "message": _("Keep the title within 300 characters.")})
    elif textfields.problem(title):
        problems.append({"field": "title", "message": textfields.problem(title)})
    description = str(data.get("description") or "").strip()
    if len(description) > 10000:
        problems.append({"field": "description", "message": _("Keep the description within 10,000 characters.")})
    severity = str(data.get("severity") or "medium")
    if severity not in SEVERITIES:
        problems.append({"field": "severity", "message": _("Choose one of %(choices)s.", choices=", ".join(SEVERITIES))})
    due = data.get("due_date")
    try:
        due = date.fromisoformat(str(due)) if due else default_due_date(severity, today)
    except ValueError:
        problems.append({"field": "due_date", "message": _("Enter a date as YYYY-MM-DD.")})
    else:
        if due < today:
            problems.append({"field": "due_date", "message": _("The due date cannot be in the past.")})
        elif (moved := business_days.current().on_or_before(due)).day < today:
            problems.append({"field": "due_date", "message": _(
                "The due date moves to the previous business day (%(note)s), which is in the past.",
                note=moved.note())})
    arrangement_id = _optional_int(data.get("arrangement_id"))
    if arrangement_id is False or (arrangement_id and arrangement_id not in
                                   {a.id for a in arrangements_of(session, vendor_id)}):
        problems.append({"field": "arrangement_id", "message": _("Choose an arrangement this vendor serves.")})
    owner_id = _optional_int(data.get("owner_id"))
    if owner_id is False or owner_id:
        owner = session.get(User, owner_id) if owner_id else None
        if owner is None or not owner.is_active or owner.role == "auditor":
            problems.append({"field": "owner_id", "message": _("Choose an active member of staff.")})
    fields.update(title=title, description=description, severity=severity, due_date=due,
                  arrangement_id=arrangement_id or None, owner_id=owner_id or None)
    return fields, problems


def _optional_int(value):
    """``None`` for empty, the integer, or ``False`` for something that is not an id."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if type(value) is not int:  # 1.5, True, "abc", [1] are not ids
        return False
    return value if 0 < value <= MAX_ID else False


def create_finding(session: Session, user: User, data: dict, today: date) -> Finding:
    """Raise a finding by hand: vendor, optional arrangement, title, description, severity,
    owner (default: the vendor's primary owner) and due date (default: by severity)."""
    from vendorrisk.vendors.findings import raise_finding
    vendor_id = _optional_int(data.get("vendor_id"))
    if not vendor_id or session.get(Vendor, vendor_id) is None:
        raise ValidationFailed(_("Choose a vendor."), [{"field": "vendor_id", "message": _("Choose a vendor.")}])
    if not may_raise(session, user, vendor_id):
        raise Forbidden(_("Only the vendor's owners, procurement or compliance may raise a finding about it."))
    fields, problems = _manual_fields(session, vendor_id, data, today)
    if problems:
        raise ValidationFailed(_("The finding has errors."), problems)
    finding, _created = raise_finding(session, vendor_id=vendor_id, source="manual", raised_by_id=user.id, **fields)
    session.flush()
    return finding


def owned_by(column, user: User):
    """A person's own reviews or findings: compliance also takes those nobody owns (their
    reminders go to compliance), as 「自分のタスク」 counts them; "Only mine" reads the same."""
    if user.role == "compliance":
        return or_(column == user.id, column.is_(None))
    return column == user.id


def finding_query(*, status: str | None = None, severity: str | None = None, owner_id: int | None = None,
                  vendor_id: int | None = None, overdue_on: date | None = None, source: str | None = None,
                  mine: User | None = None, unowned: bool = False):
    """Findings with their vendor, filtered (``mine``: the person's own, ``owned_by``;
    ``unowned``: those nobody owns — their vendor had no active assigned staff when they were
    raised or their owner was deactivated; compliance follows them up; ``overdue_on``: past
    their date on that day, of vendors still in a chain); soonest due first within status order."""
    query = select(Finding, Vendor).join(Vendor, Vendor.id == Finding.vendor_id)
    if status in FINDING_STATUSES:
        query = query.where(Finding.status == status)
    if severity in SEVERITIES:
        query = query.where(Finding.severity == severity)
    if owner_id:
        query = query.where(Finding.owner_id == owner_id)
    if mine is not None:
        query = query.where(owned_by(Finding.owner_id, mine))
    if unowned:
        query = query.where(Finding.owner_id.is_(None))
    if vendor_id:
        query = query.where(Finding.vendor_id == vendor_id)
    if source:
        query = query.where(Finding.source == source)
    if overdue_on is not None:  # a vendor in no current chain is not chased (``reviews.left_chains``)
        query = query.where(Finding.status.in_(("open", "in_progress")), Finding.due_date < overdue_on,
                            ~left_every_chain(Finding.vendor_id))
    return query.order_by(Finding.due_date.is_(None), Finding.due_date, Finding.id)


def unowned_count(session: Session) -> int:
    """How many findings to remediate (open, in progress) nobody owns, from the maintained
    counts (``findings_to_remediate`` by owner: the scope of no owner)."""
    return counters.total(session, "findings_to_remediate", [counters.NONE])


def history(session: Session, finding_id: int):
    """The finding's events with their actors, oldest first."""
    return session.execute(select(FindingEvent, User).outerjoin(User, User.id == FindingEvent.actor_id)
                           .where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id)).all()
