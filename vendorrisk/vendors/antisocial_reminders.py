"""反社会的勢力チェック falling due, reminded like monitoring reviews (``REVIEW_REMINDER_DAYS``
before, on the day, then weekly while overdue with compliance told), listed as tasks and
put on the calendar.

Keyed by the vendor's latest check (``antisocial_check``, its id and next due date): a new
check starts fresh reminders. Vendors rejected or terminated are not reminded. The next due
date is a business day (``core.business_days``); a reminder "N days before" comes on the
business day on or before that day, and a due date moved off a closed day says from where.
"""
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from vendorrisk.core import business_days, clock, counters, tasks
from vendorrisk.core.db import any_row
from vendorrisk.core.models import User
from vendorrisk.core.registry import CalendarEntry, ReminderSpec, Task
from vendorrisk.vendors.antisocial import AntisocialCheck, latest_checks
from vendorrisk.vendors.models import Vendor, VendorOwner
from vendorrisk.vendors.people import compliance_recipients

SUBJECT = "antisocial_check"
INACTIVE = ("rejected", "terminated")
TASK_DAYS = 30
SEES_ALL = ("admin", "compliance", "auditor")  # on the calendar, as the monitoring feed


def before_days() -> list[int]:
    """The reviews' reminder days (e.g. ``[30, 7]``)."""
    raw = str(current_app.config["REVIEW_REMINDER_DAYS"])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def stage(due: date, today: date, days: list[int], calendar=None) -> str | None:
    """``due_in_N`` (from the business day on or before N days ahead), ``due_today``,
    ``overdue_wK`` or None (too early)."""
    remaining = (due - today).days
    if remaining < 0:
        return f"overdue_w{(-remaining - 1) // 7 + 1}"
    if remaining == 0:
        return "due_today"
    lead = (calendar or business_days.current()).lead_reached(due, today, days)
    return f"due_in_{lead}" if lead is not None else None


def _due_checks(session: Session, horizon: date, vendor_ids=None):
    checks = {vid: check for vid, check in latest_checks(session, vendor_ids).items() if check.next_due <= horizon}
    if not checks:
        return []
    # only vendors that have a check: every vendor of the portfolio was read here before
    vendors = {v.id: v for v in session.exec(select(Vendor).where(
        Vendor.status.not_in(INACTIVE), Vendor.id.in_(select(AntisocialCheck.vendor_id))))}
    return [(check, vendors[vid]) for vid, check in checks.items() if vid in vendors]


def _primary_owners(session: Session, vendor_ids) -> dict[int, User]:
    rows = session.exec(select(VendorOwner.vendor_id, User).join(User, User.id == VendorOwner.user_id)
                        .where(VendorOwner.vendor_id.in_(list(vendor_ids) or [0]), User.is_active.is_(True))
                        .order_by(VendorOwner.is_primary.desc(), VendorOwner.id)).all()
    owners: dict[int, User] = {}
    for vendor_id, user in rows:
        owners.setdefault(vendor_id, user)
    return owners


def check_reminders(session: Session, today: date):
    """The reminder source: the vendor's owner before, on and after the due date; compliance
    too once overdue (and instead of the owner when none is assigned)."""
    days = before_days()
    calendar = business_days.current()
    horizon = calendar.horizon(today, max(days, default=0))
    # no check at all due by the horizon, so no vendor's latest one: skip the ranking query
    if not any_row(session, select(AntisocialCheck.id).where(AntisocialCheck.next_due <= horizon)):
        return
    due = _due_checks(session, horizon)
    if not due:
        return
    owners = _primary_owners(session, {vendor.id for _c, vendor in due})
    compliance = compliance_recipients(session)
    base = current_app.config["BASE_URL"].rstrip("/")
    for check, vendor in due:
        kind = stage(check.next_due, today, days, calendar)
        if kind is None:
            continue
        owner = owners.get(vendor.id)
        people = [(owner.email, owner.language or "ja", owner.id)] if owner else []
        if kind.startswith("overdue") or not people:
            people += [c for c in compliance if c[0] not in {p[0] for p in people}]
        for email, language, user_id in people:
            language = language if language in ("ja", "en") else "ja"
            name = vendor.name_en or vendor.name if language == "en" else vendor.name
            with force_locale(language):
                subject = (_("[vendorrisk] Anti-social forces check of %(vendor)s overdue (due %(due)s)",
                             vendor=name, due=check.next_due) if kind.startswith("overdue") else
                           _("[vendorrisk] Anti-social forces check of %(vendor)s due on %(due)s",
                             vendor=name, due=check.next_due))
                body = "\n\n".join(line for line in [
                    _("The 反社会的勢力チェック of %(vendor)s (last checked on %(day)s) falls due on %(due)s.",
                      vendor=name, day=check.checked_on, due=check.next_due),
                    business_days.due_line(check.next_due, check.nominal_next_due),
                    _("Check again and record the result with its evidence; without a current check the vendor "
                      "cannot be approved.")] if line)
            yield ReminderSpec(SUBJECT, check.id, kind, check.next_due, email, user_id, language, subject, body,
                               f"{base}/vendors/{vendor.id}#antisocial")


def _owned_by(session: Session, user: User) -> set[int]:
    return set(session.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)))


def check_tasks(session: Session, user: User, today: date | None = None):
    """「自分のタスク」: checks due within 30 days (the window's end moved as reminder days are)
    or overdue, and approved vendors never checked — of every vendor for compliance (who
    answers for the checks), of the vendors the person owns for anyone else but auditors
    (the owner is the one reminded), due on the business day the check falls due."""
    if user.role == "auditor":
        return
    today = today or clock.today()
    mine = None
    if user.role != "compliance":
        mine = _owned_by(session, user)
        if not mine:
            return
    calendar = business_days.current()
    for check, vendor in _due_checks(session, calendar.horizon(today, TASK_DAYS), mine):
        yield Task("antisocial_check_due", _("Anti-social forces check due"), f"/vendors/{vendor.id}#antisocial",
                   check.next_due, vendor.name, business_days.moved_note(check.next_due, check.nominal_next_due))
    checked = set(latest_checks(session, mine))
    never = select(Vendor).where(Vendor.status.in_(("approved", "conditionally_approved")))
    if mine is not None:
        never = never.where(Vendor.id.in_(mine))
    for vendor in session.exec(never.order_by(Vendor.name)):
        if vendor.id not in checked:
            yield Task("antisocial_check_due", _("Anti-social forces check missing"),
                       f"/vendors/{vendor.id}#antisocial", None, vendor.name)


def first_check_tasks(session: Session, user: User, today: date, limit: int) -> list[Task]:
    """The first ``limit`` tasks of ``check_tasks`` (and a few after), in ORDER BY … LIMIT
    queries: the latest checks due in the window by due date (the index on ``next_due``),
    then the vendors never checked, undated, by name (the index on ``name``)."""
    if user.role == "auditor":
        return []
    mine = None if user.role == "compliance" else select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)
    later = aliased(AntisocialCheck)
    newer = exists().where(later.vendor_id == AntisocialCheck.vendor_id, or_(
        later.checked_on > AntisocialCheck.checked_on,
        and_(later.checked_on == AntisocialCheck.checked_on, later.id > AntisocialCheck.id)))
    due = (select(AntisocialCheck.next_due, AntisocialCheck.nominal_next_due, Vendor.id, Vendor.name)
           .join(Vendor, Vendor.id == AntisocialCheck.vendor_id)
           .where(AntisocialCheck.next_due <= business_days.current().horizon(today, TASK_DAYS), ~newer,
                  Vendor.status.not_in(INACTIVE))
           .order_by(AntisocialCheck.next_due, Vendor.name, Vendor.id))
    never = (select(Vendor.id, Vendor.name).where(Vendor.status.in_(("approved", "conditionally_approved")),
                                                  ~exists().where(AntisocialCheck.vendor_id == Vendor.id))
             .order_by(Vendor.name, Vendor.id))
    if mine is not None:
        due, never = due.where(Vendor.id.in_(mine)), never.where(Vendor.id.in_(mine))
    found = tasks.first_of(lambda n: [
        Task("antisocial_check_due", _("Anti-social forces check due"), f"/vendors/{row.id}#antisocial",
             row.next_due, row.name, business_days.moved_note(row.next_due, row.nominal_next_due))
        for row in session.exec(due.limit(n))], limit, depth=4)  # by name within a day, as the list
    if len(found) >= limit:  # the undated ones all come after
        return found
    return found + tasks.first_of(lambda n: [
        Task("antisocial_check_due", _("Anti-social forces check missing"), f"/vendors/{row.id}#antisocial",
             None, row.name) for row in session.exec(never.limit(n))], limit - len(found), depth=4)


def count_check_tasks(session: Session, user: User, today: date | None = None) -> int:
    """How many tasks ``check_tasks`` yields (same people, same window): for compliance, who
    answers for every vendor, from the maintained counts (``vendors.counted``); for an owner,
    in two count queries over their vendors."""
    if user.role == "auditor":
        return 0
    today = today or clock.today()
    if user.role == "compliance":
        horizon = business_days.current().horizon(today, TASK_DAYS)
        return counters.total(session, "antisocial_never") + counters.total(session, "antisocial_due", through=horizon)
    mine = None
    if user.role != "compliance":
        mine = select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)
    ranked = select(AntisocialCheck.vendor_id, AntisocialCheck.next_due, func.row_number().over(
        partition_by=AntisocialCheck.vendor_id,
        order_by=(AntisocialCheck.checked_on.desc(), AntisocialCheck.id.desc())).label("rank"))
    if mine is not None:
        ranked = ranked.where(AntisocialCheck.vendor_id.in_(mine))
    ranked = ranked.subquery()
    horizon = business_days.current().horizon(today, TASK_DAYS)
    due = (select(func.count()).select_from(ranked).join(Vendor, Vendor.id == ranked.c.vendor_id)
           .where(ranked.c.rank == 1, ranked.c.next_due <= horizon, Vendor.status.not_in(INACTIVE)))
    never = (select(func.count()).select_from(Vendor)
             .where(Vendor.status.in_(("approved", "conditionally_approved")),
                    ~exists().where(AntisocialCheck.vendor_id == Vendor.id)))
    if mine is not None:
        never = never.where(Vendor.id.in_(mine))
    return session.exec(due).one() + session.exec(never).one()


def check_entries(session: Session, user: User | None, first: date | None = None, last: date | None = None):
    """The calendar: the next due date of each active vendor's latest check — of the
    vendors the person owns, everyone's for compliance, admins and auditors (as in the feed)
    and when ``user`` is None."""
    vendors = {v.id: v for v in session.exec(select(Vendor).where(Vendor.status.not_in(INACTIVE)))}
    mine = _owned_by(session, user) if user is not None and user.role not in SEES_ALL else None
    for vendor_id, check in sorted(latest_checks(session).items(), key=lambda item: item[1].next_due):
        vendor = vendors.get(vendor_id)
        if vendor is None or (first and check.next_due < first) or (last and check.next_due > last):
            continue
        if mine is not None and vendor_id not in mine:
            continue
        yield CalendarEntry(f"antisocial-check-{check.id}", "antisocial_check", check.next_due, check.nominal_next_due,
                            _("Anti-social forces check due: %(vendor)s", vendor=vendor.name),
                            _("The 反社会的勢力チェック of %(vendor)s (last checked on %(day)s) falls due on %(due)s.",
                              vendor=vendor.name, day=check.checked_on, due=check.next_due),
                            f"/vendors/{vendor.id}#antisocial")
