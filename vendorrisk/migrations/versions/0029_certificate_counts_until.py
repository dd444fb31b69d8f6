"""certificates: ``due_on`` becomes the last day a record counts (``models.counts_until``):
a report's period end plus three months (it was the period end, a date before the report is
even issued), a year after an undated audit or certificate of the assurance types (it was
empty), a certificate's expiry date as before. Recomputed here for the records already there;
the rule is written out so that this step keeps its meaning when the model's code changes.

Revision ID: 0029_certificate_counts_until
Revises: 0028_vendor_name_reading
"""
import calendar
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0029_certificate_counts_until"
down_revision = "0028_vendor_name_reading"
branch_labels = None
depends_on = None

PERIOD_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3", "bridge_letter")
ASSURANCE_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3", "iso27001", "iso27017", "iso27018", "ismap",
                   "pci_dss", "onsite_audit")
certificate = sa.table("certificate", sa.column("id", sa.Integer), sa.column("type", sa.String),
                       sa.column("period_end", sa.Date), sa.column("expiry_date", sa.Date),
                       sa.column("issue_date", sa.Date), sa.column("due_on", sa.Date))


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _counts_until(row) -> date | None:
    if row.type in PERIOD_TYPES:
        return _add_months(row.period_end, 3) if row.period_end else None
    if row.expiry_date:
        return row.expiry_date
    if row.type in ASSURANCE_TYPES and row.issue_date:
        return _add_months(row.issue_date, 12)
    return None


def _recompute(rule) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(certificate.c.id, certificate.c.type, certificate.c.period_end,
                                        certificate.c.expiry_date, certificate.c.issue_date,
                                        certificate.c.due_on)).all()
    changes = [{"key": row.id, "due": rule(row)} for row in rows if rule(row) != row.due_on]
    if changes:
        connection.execute(certificate.update().where(certificate.c.id == sa.bindparam("key"))
                           .values(due_on=sa.bindparam("due")), changes)


def upgrade() -> None:
    _recompute(_counts_until)


def downgrade() -> None:
    _recompute(lambda row: row.expiry_date or row.period_end)
