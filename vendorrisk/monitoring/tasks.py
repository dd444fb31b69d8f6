"""The monitoring area's part of 「自分のタスク」: reviews to record, findings to follow up,
findings to verify, risk acceptances to decide and accepted risks about to expire.

Whose: reviews and findings of the person (compliance also those nobody owns, as their
reminders go to compliance); findings to verify and acceptances to decide for compliance
and admins, never their own resolution or request (Art. 8(5)).
"""
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlmodel import Session

from vendorrisk.core import business_days, clock, counters
from vendorrisk.core.models import User
from vendorrisk.core.registry import Task
from vendorrisk.core.tasks import approval_due, first_of
from vendorrisk.monitoring.findings import VERIFIERS, owned_by
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_remediation import RiskAcceptance
from vendorrisk.monitoring.reminders import acceptance_days
from vendorrisk.monitoring.reviews import DUE_WINDOW_DAYS
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.findings import Finding, FindingEvent, display_title
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.names import name_column


def _day(value) -> date | None:
    return clock.day_of(value) if value is not None else None  # the member's day, not UTC's


def _reviews_due(user: User, today: date):
    return (MonitoringReview.status.in_(("planned", "in_progress")), owned_by(MonitoringReview.owner_id, user),
            MonitoringReview.due_date <= today + timedelta(days=DUE_WINDOW_DAYS))


def _to_remediate(user: User):
    return Finding.status.in_(("open", "in_progress")), owned_by(Finding.owner_id, user)


def _expiring(user: User, today: date):
    return (RiskAcceptance.status == "approved", owned_by(Finding.owner_id, user),
            RiskAcceptance.expires_on <= today + timedelta(days=max(acceptance_days(), default=30)))


def _requested(user: User):
    return RiskAcceptance.status == "requested", RiskAcceptance.requested_by_id != user.id


def count_for(session: Session, user: User, today: date) -> int:
    """How many tasks ``tasks_for`` yields: reviews, findings to remediate and to verify from
    the maintained counts (``monitoring.counted``, ``vendors.counted``; the reviews' by due
    day, added up over the window), risk acceptances (few) in count queries."""
    if user.role == "auditor":
        return 0
    mine = [str(user.id), counters.NONE] if user.role == "compliance" else [str(user.id)]
    total = (counters.total(session, "reviews_open", mine, through=today + timedelta(days=DUE_WINDOW_DAYS))
             + counters.total(session, "findings_to_remediate", mine))
    acceptances = select(func.count()).select_from(RiskAcceptance).join(Finding, Finding.id == RiskAcceptance.finding_id)
    queries = [acceptances.where(*_expiring(user, today))]
    if user.role in VERIFIERS:
        total += (counters.total(session, "findings_resolved")
                  - counters.total(session, "findings_resolved_by", [str(user.id)]))
        queries.append(acceptances.where(*_requested(user)))
    return total + sum(session.execute(query).scalar_one() for query in queries)


def _reviews(user: User, today: date):
    return (select(MonitoringReview.id, MonitoringReview.due_date, MonitoringReview.nominal_due_date,
                   name_column().label("name"), left_every_chain(MonitoringReview.vendor_id).label("left"))
            .join(Vendor, Vendor.id == MonitoringReview.vendor_id).where(*_reviews_due(user, today)))


def _due_note(due: date | None, nominal: date | None, left: bool) -> dict:
    """The note under a task's due date (a moved date); a vendor that left every chain is not
    chased (``monitoring.reviews.left_chains``): its task stays, to be completed or closed,
    without the overdue mark and saying why."""
    moved = business_days.moved_note(due, nominal)
    if not left:
        return {"note": moved}
    return {"chased": False, "note": " · ".join(filter(None, (_("vendor no longer in a chain"), moved)))}


def _review_task(row) -> Task:
    return Task("record_review", _("Record the monitoring review"), f"/reviews/{row.id}", row.due_date,
                row.name, **_due_note(row.due_date, row.nominal_due_date, row.left))


def _findings(user: User):
    return (select(Finding, name_column(), left_every_chain(Finding.vendor_id).label("left"))
            .join(Vendor, Vendor.id == Finding.vendor_id).where(*_to_remediate(user)))


def _finding_task(finding: Finding, vendor: str, left: bool = False) -> Task:
    label = (_("Remediate the finding: %(title)s", title=display_title(finding)) if finding.action_plan
             else _("Plan the remediation of the finding: %(title)s", title=display_title(finding)))
    return Task("remediate_finding", label, f"/findings/{finding.id}", finding.due_date, vendor,
                **_due_note(finding.due_date, finding.nominal_due_date, left))


def _verify_task(finding: Finding, vendor: str) -> Task:
    return Task("verify_finding", _("Verify and close the finding: %(title)s", title=display_title(finding)),
                f"/findings/{finding.id}", approval_due(_day(finding.resolved_at)), vendor)


def _acceptances(session: Session, user: User, today: date):
    """Risk acceptances expiring and (for verifiers) requested: as few as the findings
    accepted or asked to be, not the portfolio."""
    expiring = session.execute(
        select(RiskAcceptance.expires_on, RiskAcceptance.nominal_expires_on, Finding, name_column())
        .join(Finding, Finding.id == RiskAcceptance.finding_id).join(Vendor, Vendor.id == Finding.vendor_id)
        .where(*_expiring(user, today))).all()
    for expires_on, nominal, finding, vendor in expiring:
        yield Task("renew_acceptance", _("Accepted risk expires: remediate or accept again: %(title)s",
                                         title=display_title(finding)),
                   f"/findings/{finding.id}", expires_on, vendor, business_days.moved_note(expires_on, nominal))
    if user.role not in VERIFIERS:
        return
    requested = session.execute(
        select(RiskAcceptance.requested_at, Finding, name_column())
        .join(Finding, Finding.id == RiskAcceptance.finding_id).join(Vendor, Vendor.id == Finding.vendor_id)
        .where(*_requested(user))).all()
    for requested_at, finding, vendor in requested:
        yield Task("decide_acceptance", _("Approve or reject the risk acceptance: %(title)s",
                                          title=display_title(finding)),
                   f"/findings/{finding.id}#acceptance", approval_due(_day(requested_at)), vendor)


def tasks_for(session: Session, user: User, today: date):
    """The person's monitoring tasks, in five set queries."""
    if user.role == "auditor":
        return
    for row in session.execute(_reviews(user, today)).all():
        yield _review_task(row)
    for finding, vendor, left in session.execute(_findings(user)).all():
        yield _finding_task(finding, vendor, left)
    yield from _acceptances(session, user, today)
    if user.role in VERIFIERS:
        for finding, vendor in session.execute(_to_verify(user)).all():
            yield _verify_task(finding, vendor)


def first_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``tasks_for`` (and a few after): reviews, findings to
    remediate and to verify each by due date with ORDER BY … LIMIT (reviews and findings then
    by vendor name; findings without a date last, by vendor name), the risk acceptances whole."""
    if user.role == "auditor":
        return []
    # by vendor name within a due date, as the list: a day's many reviews or findings (a plan
    # or a sweep of thousands of vendors) are not all read when the page ends on that day
    reviews = _reviews(user, today).order_by(MonitoringReview.due_date, name_column(), MonitoringReview.id)
    found = first_of(lambda n: [_review_task(row) for row in session.execute(reviews.limit(n)).all()], limit,
                     depth=4)
    dated = _findings(user).where(Finding.due_date.is_not(None)).order_by(Finding.due_date, name_column(), Finding.id)
    found += first_of(lambda n: [_finding_task(*row) for row in session.execute(dated.limit(n)).all()], limit,
                      depth=4)
    undated = _findings(user).where(Finding.due_date.is_(None)).order_by(name_column(), Finding.id)
    found += first_of(lambda n: [_finding_task(*row) for row in session.execute(undated.limit(n)).all()],
                      limit, depth=4)
    found += _acceptances(session, user, today)
    if user.role in VERIFIERS:
        verify = _to_verify(user).order_by(Finding.resolved_at, Finding.id)
        found += first_of(lambda n: [_verify_task(f, v) for f, v in session.execute(verify.limit(n)).all()], limit)
    return found


def _resolved(query):
    """Resolved findings with the actor of their last resolution (``FindingEvent.actor_id``)."""
    last = (select(FindingEvent.finding_id, func.max(FindingEvent.id).label("event_id"))
            .where(FindingEvent.to_status == "resolved", FindingEvent.action == "status")
            .group_by(FindingEvent.finding_id).subquery())
    return (query.outerjoin(last, last.c.finding_id == Finding.id)
            .outerjoin(FindingEvent, FindingEvent.id == last.c.event_id).where(Finding.status == "resolved"))


def _to_verify(user: User):
    """Resolved findings whose last resolution was not the person's own."""
    return (_resolved(select(Finding, name_column()).join(Vendor, Vendor.id == Finding.vendor_id))
            .where(or_(FindingEvent.actor_id.is_(None), FindingEvent.actor_id != user.id)))
