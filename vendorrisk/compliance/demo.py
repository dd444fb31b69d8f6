"""Demo: monthly snapshots of the compliance matrix, so the trend and the board report's
"changes since the last report" have something to show. This month's snapshot is computed
from the demo data; the five months before it are illustrative (more gaps, closing month by
month), as a member would have recorded them with ``vendorrisk compliance snapshot``: each
earlier gap is a vendor met today, named in the month's gap list, so the trend's counts and
the board report's gaps opened and closed tell one story."""
from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.compliance import maintain
from vendorrisk.compliance import snapshots as compliance
from vendorrisk.compliance.models import ComplianceSnapshot, ComplianceVerdict

HISTORY_MONTHS = 5


def _months_back(month, n):
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return month.replace(year=year, month=index + 1)


def load(session: Session, ctx: dict) -> None:
    """Bring the maintained matrix up to date (the demo loaders of the other areas write rows
    directly, publishing no event), then record this month's snapshot and five earlier ones."""
    maintain.rebuild(session, ctx["today"])
    this_month = compliance.month_start(ctx["today"])
    current = compliance.take_snapshot(session, this_month)
    met: dict[str, list[int]] = {}
    for obligation, vendor_id in session.execute(
            select(ComplianceVerdict.obligation, ComplianceVerdict.vendor_id)
            .where(ComplianceVerdict.status == "met").order_by(ComplianceVerdict.vendor_id)):
        met.setdefault(obligation, []).append(vendor_id)
    for back in range(1, HISTORY_MONTHS + 1):
        month = _months_back(this_month, back)
        for row in current:
            closed_since = met.get(row.obligation, [])[:back]  # gaps then, met now
            session.add(ComplianceSnapshot(month=month, obligation=row.obligation, met=row.met - len(closed_since),
                                           gap=row.gap + len(closed_since), not_applicable=row.not_applicable,
                                           gap_vendor_ids=sorted([*row.gap_vendor_ids, *closed_since])))
    session.flush()
