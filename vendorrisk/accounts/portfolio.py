"""Headline figures of the portfolio for the start page."""
from sqlmodel import Session

from vendorrisk.core import counters


def headline_counts(session: Session) -> dict[str, int]:
    """Vendors, arrangements, links, links not approved and findings not closed, from the
    maintained counts (``vendors.counted``): a few rows whatever the portfolio's size."""
    return {"vendors": sum(counters.by_scope(session, "vendors_by_tier").values()),
            "arrangements": counters.total(session, "arrangements"),
            "links": counters.total(session, "links"),
            "unapproved": counters.total(session, "links_unapproved"),
            "open_findings": sum(counters.by_scope(session, "open_findings").values())}
