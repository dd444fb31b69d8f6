"""compliance: the matrix's counts by scope and status (compliance_count), filled from the
maintained verdicts; findings indexed by (severity, status) for the dashboard's counts

Revision ID: 0020_compliance_counts
Revises: 0019_calendar_campaigns_checks
"""
from collections import Counter

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0020_compliance_counts"
down_revision = "0019_calendar_campaigns_checks"
branch_labels = None
depends_on = None


def _scopes(obligation):
    parts = obligation.split("-")
    return ["*"] + ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]


def upgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index("ix_finding_severity_status", ["severity", "status"], unique=False)
    table = op.create_table(
        "compliance_count",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("vendors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "status"),
    )
    # the counts of the verdicts already maintained (``compliance.counts.counted``, frozen here)
    found, vendor, cells = Counter(), None, set()
    rows = op.get_bind().execute(sa.text(
        "SELECT vendor_id, obligation, status FROM compliance_verdict ORDER BY vendor_id"))
    for vendor_id, obligation, status in rows:
        if vendor_id != vendor:
            found.update(cells)
            vendor, cells = vendor_id, set()
        cells.update((scope, status) for scope in _scopes(obligation))
    found.update(cells)
    if found:
        op.bulk_insert(table, [{"scope": scope, "status": status, "vendors": n}
                               for (scope, status), n in sorted(found.items())])


def downgrade() -> None:
    op.drop_table("compliance_count")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_severity_status")
