"""Telling the other areas that vendors changed (``events.VendorChanged``): at once, or,
inside ``vendor_changes_once``, once for a whole batch (a register import), so that the
listeners (risk tiers, review plans, maintained verdicts) work on every vendor together
instead of once per row."""
from contextlib import contextmanager
from typing import Iterator

from sqlmodel import Session

from vendorrisk.core import events

LATER = "vendorrisk.vendor_changes_later"


def vendor_changed(session: Session, vendor_id: int) -> None:
    """Publish ``VendorChanged`` for ``vendor_id``, or note it inside ``vendor_changes_once``."""
    later = session.info.get(LATER)
    if later is not None:
        later.add(vendor_id)
        return
    events.publish(session, events.VendorChanged(frozenset({vendor_id})))


@contextmanager
def vendor_changes_once(session: Session) -> Iterator[None]:
    """Many vendors changed in a row: publish one ``VendorChanged`` naming all of them at the
    end (nothing if the block raises: the caller rolls back)."""
    if session.info.get(LATER) is not None:
        yield
        return
    session.info[LATER] = set()
    try:
        yield
        vendor_ids = session.info[LATER]
    finally:
        session.info.pop(LATER)
    if vendor_ids:
        events.publish(session, events.VendorChanged(frozenset(vendor_ids)))
