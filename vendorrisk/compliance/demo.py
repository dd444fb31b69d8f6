"""Demo: monthly snapshots of the compliance matrix, so the trend and the board report's
"changes since the last report" have something to show. This month's snapshot is computed
from the demo data; the five months before it are illustrative (more gaps, closing month by
month), as a member would have recorded them with ``vendorrisk compliance snapshot``."""
from sqlmodel import Session

from vendorrisk.compliance import maintain
from vendorrisk.compliance import snapshots as compliance
from vendorrisk.compliance.models import ComplianceSnapshot

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
    for back in range(1, HISTORY_MONTHS + 1):
        month = _months_back(this_month, back)
        for row in current:
            extra = min(back, row.met) if row.met else 0
            session.add(ComplianceSnapshot(month=month, obligation=row.obligation, met=row.met - extra,
                                           gap=row.gap + extra, not_applicable=row.not_applicable,
                                           gap_vendor_ids=list(row.gap_vendor_ids)))
    session.flush()
