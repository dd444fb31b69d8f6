"""Raising findings from any source; the monitoring area follows them up to closure."""
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session, select

from ..errors import ValidationFailed
from ..models.findings import FINDING_SOURCES, SEVERITIES, Finding
from ..models.monitoring import FindingEvent
from ..models.vendors import VendorOwner


def raise_finding(session: Session, *, vendor_id: int, source: str, title: str,
                  severity: str = "medium", source_ref: str | None = None, description: str = "",
                  arrangement_id: int | None = None, owner_id: int | None = None,
                  due_date: date | None = None, raised_by_id: int | None = None) -> tuple[Finding, bool]:
    """Create a finding, or return the existing one for the same ``source``/``source_ref``.

    Returns ``(finding, created)``. Without an explicit owner, the vendor's primary owner
    (the staff assigned under Art. 26(2)) owns it. A new finding's history starts with a
    "raised" event, whichever area raised it.
    """
    if source not in FINDING_SOURCES:
        raise ValidationFailed(_("Unknown finding source %(source)s.", source=repr(source)))
    if severity not in SEVERITIES:
        raise ValidationFailed(_("Unknown severity %(severity)s; use one of %(choices)s.",
                                 severity=repr(severity), choices=", ".join(SEVERITIES)))
    if source_ref is not None:
        existing = session.exec(select(Finding).where(Finding.source == source,
                                                      Finding.source_ref == source_ref)).first()
        if existing is not None:
            return existing, False
    if owner_id is None:
        owner_id = session.exec(select(VendorOwner.user_id).where(VendorOwner.vendor_id == vendor_id)
                                .order_by(VendorOwner.is_primary.desc(), VendorOwner.id)).first()
    finding = Finding(vendor_id=vendor_id, source=source, source_ref=source_ref, title=title[:300],
                      description=description, severity=severity, arrangement_id=arrangement_id,
                      owner_id=owner_id, due_date=due_date, raised_by_id=raised_by_id)
    session.add(finding)
    session.flush()
    session.add(FindingEvent(finding_id=finding.id, actor_id=raised_by_id, action="raised", to_status="open",
                             note=source if source_ref is None else f"{source}: {source_ref}"))
    return finding, True
