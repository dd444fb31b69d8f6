"""反社会的勢力チェック falling due, reminded like monitoring reviews (``REVIEW_REMINDER_DAYS``
before, on the day, then weekly while overdue with compliance told), and listed as tasks.

Keyed by the vendor's latest check (``antisocial_check``, its id and next due date): a new
check starts fresh reminders. Vendors rejected or terminated are not reminded.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func
from sqlmodel import Session, select

from vendorrisk.core.models import User
from vendorrisk.core.registry import ReminderSpec, Task
from vendorrisk.vendors.antisocial import AntisocialCheck, latest_checks
from vendorrisk.vendors.models import Vendor, VendorOwner

SUBJECT = "antisocial_check"
INACTIVE = ("rejected", "terminated")
TASK_DAYS = 30


def before_days() -> list[int]:
    """The reviews' reminder days (e.g. ``[30, 7]``)."""
    raw = str(current_app.config["REVIEW_REMINDER_DAYS"])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def stage(due: date, today: date, days: list[int]) -> str | None:
    """``due_in_N``, ``due_today``, ``overdue_wK`` or None (too early)."""
    remaining = (due - today).days
    if remaining < 0:
        return f"overdue_w{(-remaining - 1) // 7 + 1}"
    if remaining == 0:
        return "due_today"
    return next((f"due_in_{n}" for n in sorted(days) if remaining <= n), None)


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


def _compliance(session: Session) -> list[tuple[str, str, int | None]]:
    configured = current_app.config.get("COMPLIANCE_EMAIL", "")
    if configured:
        return [(configured, "ja", None)]
    return [(u.email, u.language or "ja", u.id) for u in session.exec(
        select(User).where(User.role == "compliance", User.is_active.is_(True)).order_by(User.id))]


def check_reminders(session: Session, today: date):
    """The reminder source: the vendor's owner before, on and after the due date; compliance
    too once overdue (and instead of the owner when none is assigned)."""
    days = before_days()
    due = _due_checks(session, today + timedelta(days=max(days, default=0)))
    if not due:
        return
    owners = _primary_owners(session, {vendor.id for _c, vendor in due})
    compliance = _compliance(session)
    base = current_app.config["BASE_URL"].rstrip("/")
    for check, vendor in due:
        kind = stage(check.next_due, today, days)
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
                body = "\n\n".join([
                    _("The 反社会的勢力チェック of %(vendor)s (last checked on %(day)s) falls due on %(due)s.",
                      vendor=name, day=check.checked_on, due=check.next_due),
                    _("Check again and record the result with its evidence; without a current check the vendor "
                      "cannot be approved.")])
            yield ReminderSpec(SUBJECT, check.id, kind, check.next_due, email, user_id, language, subject, body,
                               f"{base}/vendors/{vendor.id}#antisocial")


def check_tasks(session: Session, user: User, today: date | None = None):
    """「自分のタスク」: checks due within 30 days or overdue, and approved vendors never
    checked — of the vendors assigned to a vendor owner, of every vendor for compliance and
    admins; none for other roles."""
    if user.role not in ("admin", "compliance", "vendor_owner"):
        return
    today = today or date.today()
    mine = None
    if user.role == "vendor_owner":
        mine = set(session.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)))
        if not mine:
            return
    for check, vendor in _due_checks(session, today + timedelta(days=TASK_DAYS), mine):
        yield Task("antisocial_check_due", _("Anti-social forces check due"), f"/vendors/{vendor.id}#antisocial",
                   check.next_due, vendor.name)
    checked = set(latest_checks(session, mine))
    never = select(Vendor).where(Vendor.status.in_(("approved", "conditionally_approved")))
    if mine is not None:
        never = never.where(Vendor.id.in_(mine))
    for vendor in session.exec(never.order_by(Vendor.name)):
        if vendor.id not in checked:
            yield Task("antisocial_check_due", _("Anti-social forces check missing"),
                       f"/vendors/{vendor.id}#antisocial", None, vendor.name)


def count_check_tasks(session: Session, user: User, today: date | None = None) -> int:
    """How many tasks ``check_tasks`` yields, in two count queries."""
    if user.role not in ("admin", "compliance", "vendor_owner"):
        return 0
    today = today or date.today()
    mine = None
    if user.role == "vendor_owner":
        mine = select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id)
    ranked = select(AntisocialCheck.vendor_id, AntisocialCheck.next_due, func.row_number().over(
        partition_by=AntisocialCheck.vendor_id,
        order_by=(AntisocialCheck.checked_on.desc(), AntisocialCheck.id.desc())).label("rank"))
    if mine is not None:
        ranked = ranked.where(AntisocialCheck.vendor_id.in_(mine))
    ranked = ranked.subquery()
    due = (select(func.count()).select_from(ranked).join(Vendor, Vendor.id == ranked.c.vendor_id)
           .where(ranked.c.rank == 1, ranked.c.next_due <= today + timedelta(days=TASK_DAYS),
                  Vendor.status.not_in(INACTIVE)))
    never = (select(func.count()).select_from(Vendor)
             .where(Vendor.status.in_(("approved", "conditionally_approved")),
                    ~exists().where(AntisocialCheck.vendor_id == Vendor.id)))
    if mine is not None:
        never = never.where(Vendor.id.in_(mine))
    return session.exec(due).one() + session.exec(never).one()
