"""Review plans (Art. 26(1)-(2)): every vendor of every tier of every active chain is
planned for review, once, at its strictest tier, with its assigned staff as owner.

A vendor's tier is ``Vendor.risk_tier`` (filled by the selection assessment; a vendor not
yet assessed counts as ``medium``). A vendor sitting in the chain of an important
arrangement (重要な外部委託先, Art. 26(4)) is reviewed at least as often as a ``high``
vendor; a vendor in several chains is planned once, at the strictest of these. The due
date runs from the last completed review, or from the day the vendor entered a chain (a
vendor recorded after one interval from its arrangement's start has passed gets
``FIRST_REVIEW_DAYS`` from the day of its recording on the business calendar, in
DISPLAY_TIMEZONE: due, not overdue, the day it is registered); a
due date on a closed day (weekend, national holiday, CLOSING_DAYS) moves to the business day
before it, and the plan keeps the date it moved from (``nominal_due_date``).
"""
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import String, bindparam, delete, func, literal, select, type_coerce, union_all, update
from sqlmodel import Session

from vendorrisk.core import audit, business_days, clock, counters, txmemo
from vendorrisk.core.clock import add_months
from vendorrisk.core.models import User, utcnow
from vendorrisk.monitoring import counted
from vendorrisk.monitoring.insert_ignore import inserted
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.chain_reach import CHAIN_TABLES, no_index, probed
from vendorrisk.vendors.models import RISK_TIERS, Arrangement, OutsourcingLink, VendorOwner, current_link

DEFAULT_TIER = "medium"
IMPORTANT_FLOOR = "high"
OPEN_STATUSES = ("planned", "in_progress")
NO_CHECKS = "{}"  # a new review's checks, as JSON text (encoded once, not once per review)


def _by_tier(setting: str, defaults: dict[str, int], unit: str) -> dict[str, int]:
    """A ``tier=number,...`` setting over its defaults (each number at least 1)."""
    result = dict(defaults)
    for part in str(current_app.config[setting]).split(","):
        if not part.strip():
            continue
        tier, _, number = part.partition("=")
        tier = tier.strip()
        if tier not in RISK_TIERS or not number.strip().isdigit() or int(number) < 1:
            raise ValueError(f"{setting}: {part.strip()!r} is not tier={unit} "
                             f"with tier one of {', '.join(RISK_TIERS)}")
        result[tier] = int(number)
    return result


def review_frequencies() -> dict[str, int]:
    """Months between reviews per risk tier, from ``REVIEW_FREQUENCY_MONTHS``."""
    return _by_tier("REVIEW_FREQUENCY_MONTHS", {"critical": 3, "high": 6, "medium": 12, "low": 24}, "months")


def first_review_days() -> dict[str, int]:
    """Days per risk tier from a vendor's recording in a chain to its first review at the
    latest, from ``FIRST_REVIEW_DAYS``."""
    return _by_tier("FIRST_REVIEW_DAYS", {"critical": 30, "high": 60, "medium": 90, "low": 90}, "days")


def first_due(entered: date, recorded: date, months: int, grace_days: int) -> date:
    """The nominal due date of a vendor's first review: one interval after it entered its
    chain (the arrangement's start), but not before ``grace_days`` (at most one interval)
    after the day it was recorded in vendorrisk. An existing contract registered today is
    then due soon, never overdue on the day it is registered."""
    interval = add_months(entered, months)
    return max(interval, min(recorded + timedelta(days=grace_days), add_months(recorded, months)))


def strictest(tiers) -> str:
    """The strictest of some risk tiers (critical before high before medium before low)."""
    return min(tiers, key=RISK_TIERS.index)


def _rows(session: Session, query):
    # Core execution: these reads return tens of thousands of plain rows per sweep, and
    # the ORM's result processing would double their cost.
    return session.connection().execute(query).all()


class Plan(NamedTuple):
    """What the next review of a vendor should look like (a named tuple: a plan is made
    for every vendor in every sweep)."""

    vendor_id: int
    risk_tier: str
    frequency_months: int
    due_date: date
    owner_id: int | None
    nominal_due_date: date | None = None  # the frequency's date, when it fell on a closed day


def _shared(session: Session, name: str, vendor_ids, tables: tuple, compute):
    """``compute()`` for a few vendors, shared with the transaction's other listeners (the plan
    listener and rule 26-1 ask the same): ``core.txmemo``. Every vendor (a sweep) is read anew."""
    if vendor_ids is None:
        return compute()
    return txmemo.remembered(session, ("monitoring." + name, frozenset(vendor_ids)), tables, compute)


def chain_members(session: Session, vendor_ids: list[int] | None = None):
    """Every vendor in an active chain: ``{vendor_id: (important, entered_on, recorded_on)}``,
    in one query.

    Tier-1 vendors enter on the arrangement's start date (or creation); subcontractors on
    the day their sub-outsourcing link was recorded. ``recorded_on`` is the first day the
    vendor was recorded in a chain in vendorrisk (an arrangement or link created).
    """
    active = Arrangement.status == "active"
    tier1 = select(Arrangement.vendor_id.label("vendor_id"), Arrangement.is_important.label("important"),
                   Arrangement.start_date.label("start_date"), Arrangement.created_at.label("recorded")).where(active)
    # SQLite without statistics would walk every active arrangement via the status index;
    # hiding the status makes it start from the links of the vendors asked about.
    # On PostgreSQL each link's arrangement is one index probe for a few vendors (``probed``).
    link = OutsourcingLink.__table__
    held, on = probed(session, vendor_ids, Arrangement.__table__, name="held",
                      columns=("is_important", "status"), id=link.c.arrangement_id)
    deeper = (select(link.c.vendor_id, held.c.is_important,
                     literal(None, Arrangement.start_date.type).label("start_date"), link.c.created_at)
              .select_from(link.join(held, on))
              .where(no_index(held.c.status) == "active", current_link(link)))
    if vendor_ids is not None:
        tier1 = tier1.where(Arrangement.vendor_id.in_(vendor_ids))
        deeper = deeper.where(link.c.vendor_id.in_(vendor_ids))
    members = union_all(tier1, deeper).subquery()
    # the time recorded is read as the database gives it (only its day is used): SQLite's text
    # is not made a datetime first, which cost more than the rest of the row
    query = select(members.c.vendor_id, func.max(members.c.important.cast(Arrangement.id.type)),
                   func.min(members.c.start_date), type_coerce(func.min(members.c.recorded), String)
                   ).group_by(members.c.vendor_id)
    return _shared(session, "chain_members", vendor_ids, CHAIN_TABLES, lambda: _members(session, query))


def _members(session: Session, query) -> dict:
    result = {}
    # the day recorded is the member's (DISPLAY_TIMEZONE), as today is: a vendor registered at
    # 08:00 in Tokyo is recorded that day, not the previous UTC day
    tz, days = clock.zone(), {}
    for vendor_id, important, start, recorded in _rows(session, query):
        if isinstance(recorded, str):  # SQLite: "YYYY-MM-DD HH:MM:SS.ffffff", in UTC
            recorded = _local_day(recorded, tz, days)
        elif recorded is not None:  # PostgreSQL: a datetime
            recorded = clock.day_of(recorded, tz)
        if isinstance(start, str):  # SQLite's MIN() over a UNION loses the column type
            start = date.fromisoformat(start)
        entered = min(d for d in (start, recorded) if d is not None)
        result[vendor_id] = (bool(important), entered, recorded or entered)
    return result


def _local_day(text: str, tz, days: dict) -> date:
    """The member's day of SQLite's UTC text, converted once per UTC hour (once per minute in
    the hour in which the member's day changes), not once per row."""
    hour = text[:13]
    day = days.get(hour)
    if day is None:
        start = datetime.fromisoformat(hour + ":00")
        first, last = clock.day_of(start, tz), clock.day_of(start + timedelta(minutes=59), tz)
        day = days[hour] = first if first == last else False
    if day is False:  # the member's day changes within this hour
        minute = text[:16]
        if (day := days.get(minute)) is None:
            day = days[minute] = clock.day_of(datetime.fromisoformat(minute), tz)
    return day


def primary_owners(session: Session, vendor_ids=None) -> dict[int, int]:
    """The primary assigned staff member (Art. 26(2)) of each vendor that has one."""
    query = (select(VendorOwner.vendor_id, VendorOwner.user_id).join(User, User.id == VendorOwner.user_id)
             .where(User.is_active).order_by(VendorOwner.vendor_id, VendorOwner.is_primary.desc(), VendorOwner.id))
    if vendor_ids is not None:
        query = query.where(VendorOwner.vendor_id.in_(vendor_ids))

    def read() -> dict[int, int]:
        owners: dict[int, int] = {}
        for vendor_id, user_id in _rows(session, query):
            owners.setdefault(vendor_id, user_id)
        return owners
    return _shared(session, "primary_owners", vendor_ids, (VendorOwner.__tablename__, User.__tablename__), read)


def last_completed(session: Session, vendor_ids=None) -> dict[int, date]:
    """The day of each vendor's last completed review."""
    query = (select(MonitoringReview.vendor_id, func.max(MonitoringReview.performed_on))
             .where(MonitoringReview.status == "completed").group_by(MonitoringReview.vendor_id))
    if vendor_ids is not None:
        query = query.where(MonitoringReview.vendor_id.in_(vendor_ids))
    return _shared(session, "last_completed", vendor_ids, (MonitoringReview.__tablename__,),
                   lambda: {v: (date.fromisoformat(d) if isinstance(d, str) else d) for v, d in _rows(session, query)})


def vendor_tiers(session: Session, vendor_ids=None) -> dict[int, str | None]:
    """Each vendor's assessed risk tier (None before assessment)."""
    from vendorrisk.vendors.models import Vendor
    query = select(Vendor.id, Vendor.risk_tier)
    if vendor_ids is not None:
        query = query.where(Vendor.id.in_(vendor_ids))
    return _shared(session, "vendor_tiers", vendor_ids, (Vendor.__tablename__,), lambda: dict(_rows(session, query)))


def desired_plans(session: Session, vendor_ids: list[int] | None = None) -> dict[int, Plan]:
    """The plan every vendor in an active chain should have, in a few set queries."""
    members = chain_members(session, vendor_ids)
    ids = None if vendor_ids is None else list(members)
    tiers = vendor_tiers(session, ids)
    owners = primary_owners(session, ids)
    reviewed = last_completed(session, ids)
    frequencies, grace = review_frequencies(), first_review_days()
    calendar = business_days.current()
    plans = {}
    for vendor_id, (important, entered, recorded) in members.items():
        tier = tiers.get(vendor_id) or DEFAULT_TIER
        if important:
            tier = strictest((tier, IMPORTANT_FLOOR))
        months = frequencies[tier]
        last = reviewed.get(vendor_id)
        nominal = add_months(last, months) if last else first_due(entered, recorded, months, grace[tier])
        due = calendar.on_or_before(nominal)
        plans[vendor_id] = Plan(vendor_id, tier, months, due.day, owners.get(vendor_id),
                                due.original if due.moved else None)
    return plans


def regenerate_plans(session: Session, vendor_ids: list[int] | None = None) -> dict[str, int]:
    """Bring the open reviews in line with the plans: add missing ones, move changed due
    dates, tiers and owners, drop never-started reviews of vendors that left every chain.

    Idempotent and safe to run from two processes at once (one open review per vendor is
    enforced by a unique key). Returns counts of created, updated and dropped reviews.
    """
    plans = desired_plans(session, vendor_ids)
    query = select(MonitoringReview.id, MonitoringReview.vendor_id, MonitoringReview.status,
                   MonitoringReview.risk_tier, MonitoringReview.frequency_months, MonitoringReview.due_date,
                   MonitoringReview.owner_id, MonitoringReview.nominal_due_date).where(MonitoringReview.status.in_(OPEN_STATUSES))
    if vendor_ids is not None:
        query = query.where(MonitoringReview.vendor_id.in_(vendor_ids))
    # rows as plain tuples, read by unpacking: a Row's attribute costs an AttributeError
    # built and dropped inside SQLAlchemy (about 3,000 instructions), ten per open review
    existing = {row[1]: tuple(row) for row in _rows(session, query)}
    # an owner deactivated while at work on a review leaves it: the vendor's owner now (or none,
    # and compliance is reminded) takes it, so no review stays with someone who cannot sign in
    at_work = {row[6] for row in existing.values() if row[2] == "in_progress" and row[6] is not None}
    gone = ({uid for (uid,) in _rows(session, select(User.id).where(User.id.in_(at_work), User.is_active.is_(False)))}
            if at_work else set())
    now = utcnow()
    new_rows, changes, dropped, touched = [], [], [], set()
    for vendor_id, plan in plans.items():
        row = existing.get(vendor_id)
        if row is None:
            new_rows.append({"vendor_id": vendor_id, "status": "planned", "open_vendor_id": vendor_id,
                             "risk_tier": plan.risk_tier, "frequency_months": plan.frequency_months,
                             "due_date": plan.due_date, "nominal_due_date": plan.nominal_due_date,
                             "owner_id": plan.owner_id, "planned_at": now,
                             "method": "", "checks": NO_CHECKS, "outcome": "", "summary": ""})
            continue
        review_id, status, current = row[0], row[2], row[3:]  # current: tier, months, due, owner, nominal
        wanted = (plan.risk_tier, plan.frequency_months, plan.due_date, plan.owner_id, plan.nominal_due_date)
        if status == "in_progress":  # the owner is at work: keep its dates, fill a missing owner
            owner = current[3] if current[3] is not None and current[3] not in gone else plan.owner_id
            wanted = (*current[:3], owner, current[4])
        if wanted != current:
            changes.append({"rid": review_id, "t": wanted[0], "f": wanted[1], "d": wanted[2], "o": wanted[3],
                            "n": wanted[4]})
            touched.add(vendor_id)
    for vendor_id, row in existing.items():
        if vendor_id not in plans and row[2] == "planned":
            dropped.append(row[0])
            touched.add(vendor_id)
    created = 0
    table = MonitoringReview.__table__
    # Core statements: counted here; the new reviews count as inserted, not read back
    with counters.touching(session, "monitoring_reviews", touched, added=[r["vendor_id"] for r in new_rows]) as add:
        if new_rows:
            planned = set(inserted(session, table, new_rows, table.c.vendor_id, as_text=("checks",)))
            created = len(planned)
            add(counted.opened(row for row in new_rows if row["vendor_id"] in planned))
        if changes:
            session.execute(update(table).where(table.c.id == bindparam("rid"))
                            .values(risk_tier=bindparam("t"), frequency_months=bindparam("f"), due_date=bindparam("d"),
                                    owner_id=bindparam("o"), nominal_due_date=bindparam("n"))
                            .execution_options(synchronize_session=False), changes)
        if dropped:
            session.execute(delete(table).where(table.c.id.in_(dropped)))
    counts = {"created": created, "updated": len(changes), "dropped": len(dropped)}
    if any(counts.values()):
        # Core statements bypass the ORM trail; the plan change is recorded as one event.
        audit.add_event(session, action="plan", entity="monitoring_review", after=counts)
    return counts


def on_chain_changed(session: Session, event) -> None:
    """Listener of ``events.ChainChanged``: a vendor that enters a chain is planned at once
    (not at the next sweep), one that leaves every chain loses its unstarted review, and a
    changed tier or importance moves the due date. Runs after the tiers were recomputed."""
    regenerate_plans(session, sorted(event.vendor_ids))


def on_vendor_changed(session: Session, event) -> None:
    """Listener of ``events.VendorChanged``: a new owner, status or tier of the vendor is
    reflected in its open review at once."""
    regenerate_plans(session, sorted(event.vendor_ids))


def on_user_active_changed(session: Session, event) -> None:
    """Listener of ``events.UserActiveChanged``: the vendors the person is assigned to are
    re-planned at once, so their reviews go to another assigned person, or to nobody (and
    compliance is reminded), without waiting for the sweep."""
    vendor_ids = sorted(set(session.scalars(select(VendorOwner.vendor_id).where(VendorOwner.user_id == event.user_id))))
    if vendor_ids:
        regenerate_plans(session, vendor_ids)


__all__ = ["Plan", "add_months", "desired_plans", "first_due", "first_review_days", "on_chain_changed", "on_user_active_changed", "on_vendor_changed", "regenerate_plans",
           "review_frequencies", "strictest"]
