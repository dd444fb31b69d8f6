"""Who may open a vendor's files (SOC 2 reports, contracts, questionnaires, review and
finding evidence, selection evidence and records, the evidence pack): need-to-know.

- ``compliance``, ``admin`` and ``auditor``: every vendor's files (they oversee, run and
  inspect the whole programme).
- ``procurement``: every vendor's files too. Procurement registers every vendor, prepares
  every selection assessment and uploads the contracts and certificates the selection rests
  on (Art. 25(1)); due diligence needs the SOC 2 report before anyone owns the vendor.
- ``vendor_owner``: only the vendors assigned to them (Art. 26(2)); other vendors' files
  are refused (403) and the attempt is recorded in the audit trail.

Every view that sends a vendor's file calls ``require_file_access`` with the vendor of the
record before reading the file; ``tests/security/test_need_to_know.py`` walks the URL map.
"""
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlmodel import Session

from vendorrisk.core.errors import Forbidden
from vendorrisk.core.models import User
from vendorrisk.vendors.models import VendorOwner

ALL_VENDORS = ("admin", "compliance", "auditor", "procurement")


def may_read_files(session: Session, user: User | None, vendor_id: int) -> bool:
    """Whether ``user`` may open the files of vendor ``vendor_id``."""
    if user is None:
        return False
    if user.role in ALL_VENDORS:
        return True
    if user.role != "vendor_owner":
        return False
    return bool(session.scalar(select(exists().where(VendorOwner.vendor_id == vendor_id,
                                                     VendorOwner.user_id == user.id))))


def may_read_files_here(vendor_id: int) -> bool:
    """``may_read_files`` for the signed-in user of the request: templates offer a vendor's
    file as a link only to those who may open it (a link that answers 403 records a refusal)."""
    from vendorrisk.core.auth import current_user
    from vendorrisk.core.db import get_session
    return may_read_files(get_session(), current_user(), vendor_id)


def require_file_access(session: Session, user: User | None, vendor_id: int) -> None:
    """Raise ``Forbidden`` unless ``user`` may open the vendor's files (the 403 is recorded in
    the audit trail by ``core.access.record_refusal``)."""
    if may_read_files(session, user, vendor_id):
        return
    raise Forbidden(_("You may open only the files of the vendors assigned to you."))
