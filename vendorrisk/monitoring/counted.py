"""The monitoring area's maintained counts (``core.counters``): open reviews by owner and due
date (``reviews_open``), for 「自分のタスク」 — the reader adds up the days of its window."""
from collections import Counter

from sqlalchemy import func, select

from vendorrisk.core.counters import NONE, Counted, chunks
from vendorrisk.monitoring.models import MonitoringReview

OPEN = ("planned", "in_progress")


def _key(owner_id, due) -> tuple[str, str, str]:
    return "reviews_open", NONE if owner_id is None else str(owner_id), due if isinstance(due, str) else due.isoformat()


def opened(rows) -> Counter:
    """What new reviews add to the counts (``rows``: their column values, as inserted).
    Counted by (owner, due date) first, and each distinct pair made a key once."""
    pairs = Counter((row["owner_id"], row["due_date"]) for row in rows if row["status"] in OPEN)
    return Counter({_key(owner_id, due): n for (owner_id, due), n in pairs.items()})


def review_counts(connection, keys) -> Counter:
    """Open reviews of the vendors ``keys`` (None: all) by (owner, due date)."""
    found: Counter = Counter()
    r = MonitoringReview.__table__
    for batch in [None] if keys is None else chunks(keys):
        query = (select(r.c.owner_id, r.c.due_date, func.count()).where(r.c.status.in_(OPEN))
                 .group_by(r.c.owner_id, r.c.due_date))
        if batch is not None:
            query = query.where(r.c.vendor_id.in_(batch))
        for owner_id, due, n in connection.execute(query):
            found[_key(owner_id, due)] += n
    return found


REVIEWS = Counted(("reviews_open",), {MonitoringReview: "vendor_id"}, review_counts,
                  {MonitoringReview: ("status", "owner_id", "due_date")})
