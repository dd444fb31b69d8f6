"""Recording monitoring reviews and listing the due and overdue ones."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.core import counters, events, textfields
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import User, utcnow
from vendorrisk.core.uploads import Upload
from vendorrisk.monitoring.findings import owned_by
from vendorrisk.monitoring.models import (
    CHECK_RESULTS,
    REVIEW_CHECKS,
    REVIEW_METHODS,
    REVIEW_OUTCOMES,
    MonitoringReview,
    ReviewAttachment,
)
from vendorrisk.monitoring.plans import regenerate_plans
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.findings import SEVERITIES, default_due_date, raise_finding
from vendorrisk.vendors.models import Vendor, VendorOwner

REVIEW_FILTERS = ("due", "overdue", "completed", "open")
DUE_WINDOW_DAYS = 30
ATTACHMENT_KINDS = {"pdf", "docx", "xlsx", "pptx", "txt", "md", "png", "jpeg", "csv", "zip"}


def may_change_vendor(session: Session, user: User, vendor_id: int) -> bool:
    """Compliance and admins change any vendor's records; others only vendors they own."""
    if user.role in ("admin", "compliance"):
        return True
    if user.role == "auditor":
        return False
    return session.execute(select(VendorOwner.id).where(VendorOwner.vendor_id == vendor_id,
                                                        VendorOwner.user_id == user.id)).first() is not None


def review_query(status: str | None, today: date, owner_id: int | None = None, vendor_id: int | None = None,
                 mine: User | None = None, unowned: bool = False):
    """Reviews with their vendor, filtered: ``due`` (open, due within 30 days, not overdue),
    ``overdue``, ``open`` (all not completed) or ``completed``; ``mine``: the person's own
    (``owned_by``); ``unowned``: those nobody owns (the vendor has no active assigned staff;
    their reminders go to compliance)."""
    query = select(MonitoringReview, Vendor).join(Vendor, Vendor.id == MonitoringReview.vendor_id)
    is_open = MonitoringReview.status.in_(("planned", "in_progress"))
    if status == "due":
        from datetime import timedelta
        query = query.where(is_open, MonitoringReview.due_date >= today,
                            MonitoringReview.due_date <= today + timedelta(days=DUE_WINDOW_DAYS))
    elif status == "overdue":  # a vendor in no current chain is not chased (``left_chains``)
        query = query.where(is_open, MonitoringReview.due_date < today,
                            ~left_every_chain(MonitoringReview.vendor_id))
    elif status == "completed":
        query = query.where(MonitoringReview.status == "completed")
    elif status == "open":
        query = query.where(is_open)
    if owner_id is not None:
        query = query.where(MonitoringReview.owner_id == owner_id)
    if mine is not None:
        query = query.where(owned_by(MonitoringReview.owner_id, mine))
    if unowned:
        query = query.where(MonitoringReview.owner_id.is_(None))
    if vendor_id is not None:
        query = query.where(MonitoringReview.vendor_id == vendor_id)
    if status == "completed":
        return query.order_by(MonitoringReview.performed_on.desc(), MonitoringReview.id.desc())
    return query.order_by(MonitoringReview.due_date, MonitoringReview.id)


def left_chains(session: Session, vendor_ids) -> set[int]:
    """The vendors among ``vendor_ids`` that left every chain (their arrangements ended, their
    links ended: ``chain_reach.left_every_chain``), in one query, computed when read. Their
    open reviews are shown as "vendor no longer in a chain", not as overdue, and are not
    reminded; put in a chain again, a vendor is reviewed and reminded as before."""
    ids = {i for i in vendor_ids if i is not None}
    if not ids:
        return set()
    return set(session.scalars(select(Vendor.id).where(Vendor.id.in_(ids), left_every_chain(Vendor.id))))


def unowned_count(session: Session) -> int:
    """How many open reviews nobody owns (their vendor has no active assigned staff), from the
    maintained counts (``reviews_open`` by owner: the scope of no owner, every due day)."""
    return counters.total(session, "reviews_open", [counters.NONE])


def get_review(session: Session, review_id: int) -> MonitoringReview:
    """A review by id, or ``NotFound``."""
    review = session.get(MonitoringReview, review_id)
    if review is None:
        raise NotFound(_("Review %(id)s does not exist.", id=review_id))
    return review


def _parse_date(value, field: str, problems: list) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        problems.append({"field": field, "message": _("Enter a date as YYYY-MM-DD.")})
        return None


def validate_record(data: dict, today: date, complete: bool) -> tuple[dict, list[dict]]:
    """Check a review record; return the clean values and the findings to raise.

    Raises ``ValidationFailed`` listing every problem by field."""
    problems: list[dict] = []
    clean: dict = {"summary": str(data.get("summary", "")).strip()[:20000]}
    method, outcome = data.get("method", ""), data.get("outcome", "")
    performed = data.get("performed_on")
    if performed or complete:
        clean["performed_on"] = _parse_date(performed, "performed_on", problems)
        if clean["performed_on"] and clean["performed_on"] > today:
            problems.append({"field": "performed_on", "message": _("The review date cannot be in the future.")})
    if method or complete:
        if method not in REVIEW_METHODS:
            problems.append({"field": "method", "message": _("Choose how the review was done."),
                             "choices": list(REVIEW_METHODS)})
        clean["method"] = method
    if outcome or complete:
        if outcome not in REVIEW_OUTCOMES:
            problems.append({"field": "outcome", "message": _("Choose the outcome of the review."),
                             "choices": list(REVIEW_OUTCOMES)})
        clean["outcome"] = outcome
    checks = {}
    given = data.get("checks") or {}
    if not isinstance(given, dict):
        given = {}
        problems.append({"field": "checks", "message": _("Checks must be an object.")})
    for name in REVIEW_CHECKS:
        entry = given.get(name) or {}
        result = entry.get("result", "") if isinstance(entry, dict) else ""
        if result and result not in CHECK_RESULTS or (complete and not result):
            problems.append({"field": f"checks.{name}", "message": _("Choose a result for this check."),
                             "choices": list(CHECK_RESULTS)})
        checks[name] = {"result": result, "note": str(entry.get("note", "") if isinstance(entry, dict) else "")[:2000]}
    clean["checks"] = checks
    findings = []
    for index, item in enumerate(data.get("findings") or []):
        title = str(item.get("title", "")).strip()
        if not title:
            continue
        if textfields.problem(title):
            problems.append({"field": f"findings.{index}.title", "message": textfields.problem(title)})
        severity = item.get("severity") or "medium"
        if severity not in SEVERITIES:
            problems.append({"field": f"findings.{index}.severity", "message": _("Choose a severity."),
                             "choices": list(SEVERITIES)})
        due = _parse_date(item["due_date"], f"findings.{index}.due_date", problems) if item.get("due_date") else None
        findings.append({"title": title, "severity": severity, "due_date": due,
                         "description": str(item.get("description", ""))[:20000]})
    if problems:
        raise ValidationFailed(_("The review record has errors."), problems)
    return clean, findings


def record_review(session: Session, review: MonitoringReview, user: User, data: dict, *, today: date,
                  complete: bool, attachments: list[Upload] = ()) -> list:
    """Save what the review checked; with ``complete`` close it, raise its findings and plan
    the next review. Returns the findings raised."""
    from vendorrisk.core import storage
    if not may_change_vendor(session, user, review.vendor_id):
        raise Forbidden(_("Only the vendor's owners or compliance may record its review."))
    lock(session, review)  # two people completing the review at once: the second finds it done
    if review.status == "completed":
        raise Conflict(_("This review is already completed; it cannot be changed."))
    clean, findings = validate_record(data, today, complete)
    for key, value in clean.items():
        setattr(review, key, value)
    if review.status == "planned":
        review.status, review.started_at = "in_progress", utcnow()
    for upload in attachments:
        stored, _dup = storage.store(session, upload, user.id)
        exists = session.execute(select(ReviewAttachment.id).where(ReviewAttachment.review_id == review.id,
                                                                   ReviewAttachment.file_id == stored.id)).first()
        if not exists:
            session.add(ReviewAttachment(review_id=review.id, file_id=stored.id, added_by_id=user.id))
    raised = []
    for index, item in enumerate(findings):
        finding, _created = raise_finding(session, vendor_id=review.vendor_id, source="review",
                                         source_ref=f"review:{review.id}:{index + 1}", title=item["title"],
                                         severity=item["severity"], description=item["description"],
                                         due_date=item["due_date"] or default_due_date(item["severity"], today),
                                         raised_by_id=user.id)
        raised.append(finding)
    if complete:
        review.status, review.open_vendor_id = "completed", None
        review.completed_at, review.completed_by_id = utcnow(), user.id
        session.flush()
        regenerate_plans(session, [review.vendor_id])
        events.publish(session, events.ReviewCompleted(review.vendor_id, review.id))
    session.flush()
    return raised


def review_attachments(session: Session, review_id: int):
    """The files attached to a review."""
    from vendorrisk.core.models import StoredFile
    return session.execute(select(ReviewAttachment, StoredFile).join(StoredFile, StoredFile.id == ReviewAttachment.file_id)
                           .where(ReviewAttachment.review_id == review_id).order_by(ReviewAttachment.id)).all()
