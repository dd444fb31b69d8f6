"""Builders for monitoring tests: a three-tier chain with owners."""
from datetime import date, datetime, timezone

from tests import factories


def gen_chain(session, *, start=date(2025, 4, 1), important=False, owner=None, tiers=3, **arrangement):
    """An active arrangement whose chain has ``tiers`` vendors (tier 1 .. final contractor);
    ``owner`` (a user) is assigned to every vendor. The arrangement and its links were recorded
    on the start date (so the first reviews fall due one interval later, with no grace for a
    contract registered late). Returns (arrangement, [vendors])."""
    vendors = [factories.gen_vendor(session) for _ in range(tiers)]
    recorded = datetime(start.year, start.month, start.day, 9, tzinfo=timezone.utc)
    arrangement.setdefault("created_at", recorded)
    arr = factories.gen_arrangement(session, vendors[0], start_date=start, is_important=important, **arrangement)
    for parent, child in zip(vendors, vendors[1:]):
        factories.gen_link(session, arr, parent, child, created_at=recorded)
    if owner is not None:
        for vendor in vendors:
            factories.gen_owner(session, vendor, owner)
    return arr, vendors
