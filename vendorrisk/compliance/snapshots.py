"""Monthly snapshots of the compliance matrix and the trend of gaps they draw."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlmodel import Session

from vendorrisk.compliance import matrix, store
from vendorrisk.compliance.models import ComplianceSnapshot
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import utcnow


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def parse_month(text: str) -> date:
    """Read ``YYYY-MM``; anything else is a ``ValidationFailed``."""
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValidationFailed(f"{text!r} is not a month; write it as YYYY-MM.",
                               [{"field": "month", "message": "YYYY-MM"}])


def take_snapshot(session: Session, month: date) -> list[ComplianceSnapshot]:
    """Store this month's counts per obligation, replacing any taken earlier in the month."""
    month = month_start(month)
    counts = store.summary(session)
    session.execute(delete(ComplianceSnapshot).where(ComplianceSnapshot.month == month))
    now = utcnow()
    rows = [ComplianceSnapshot(month=month, obligation=ob_id, met=c["met"], gap=c["gap"],
                               not_applicable=c["not_applicable"], gap_vendor_ids=sorted(c["gap_vendor_ids"]),
                               taken_at=now)
            for ob_id, c in counts.items()]
    session.add_all(rows)
    session.flush()
    return rows


@dataclass(frozen=True)
class TrendPoint:
    """Total gaps (and per obligation) of one month, as recorded when its snapshot was taken."""

    month: date
    gaps: int
    by_obligation: dict[str, int]
    taken_at: datetime | None = None


def trend(session: Session, months: int = 24) -> list[TrendPoint]:
    """The last ``months`` snapshots, oldest first, with their gap totals."""
    recent = select(ComplianceSnapshot.month).distinct().order_by(ComplianceSnapshot.month.desc()).limit(months)
    chosen = sorted(session.scalars(recent))
    if not chosen:
        return []
    rows = session.execute(select(ComplianceSnapshot.month, ComplianceSnapshot.obligation, ComplianceSnapshot.gap,
                                  ComplianceSnapshot.taken_at)
                           .where(ComplianceSnapshot.month.in_(chosen))).all()
    points: dict[date, dict[str, int]] = {m: {} for m in chosen}
    taken: dict[date, datetime] = {}
    for month, obligation, gaps, taken_at in rows:
        points[month][obligation] = gaps
        taken[month] = max(taken_at, taken.get(month, taken_at))
    return [TrendPoint(m, sum(points[m].values()), points[m], taken.get(m)) for m in chosen]


def latest_snapshot_before(session: Session, month: date) -> dict[str, ComplianceSnapshot]:
    """The most recent snapshot taken for a month before ``month``, by obligation (empty if none)."""
    previous = session.scalar(select(func.max(ComplianceSnapshot.month))
                              .where(ComplianceSnapshot.month < month_start(month)))
    if previous is None:
        return {}
    return {s.obligation: s for s in session.scalars(
        select(ComplianceSnapshot).where(ComplianceSnapshot.month == previous))}


@dataclass(frozen=True)
class Change:
    """How one obligation's gaps moved since the previous snapshot."""

    obligation: str
    before: int
    now: int
    opened: list[int]
    closed: list[int]


def changes_since_previous(session: Session, today: date,
                           current: dict | None = None) -> tuple[date | None, list[Change]]:
    """Compare the matrix now (``current``: a ``store.summary``) with the last snapshot of an
    earlier month; returns that month (None without one) and the obligations whose gaps moved."""
    previous = latest_snapshot_before(session, today)
    if not previous:
        return None, []
    current = store.summary(session) if current is None else current
    changes = []
    for ob_id in sorted(set(current) | set(previous), key=matrix.obligation_sort_key):
        now_ids = set(current.get(ob_id, {}).get("gap_vendor_ids", []))
        before_ids = set(previous[ob_id].gap_vendor_ids) if ob_id in previous else set()
        if now_ids != before_ids:
            changes.append(Change(ob_id, len(before_ids), len(now_ids), sorted(now_ids - before_ids),
                                  sorted(before_ids - now_ids)))
    month = next(iter(previous.values())).month
    return month, changes
