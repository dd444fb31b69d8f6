"""core: counts kept with the records (maintained_count) for the navigation's 「自分のタスク」
and the dashboard's figures, filled from the records already there

Revision ID: 0021_task_counters
Revises: 0020_compliance_counts
"""
from collections import Counter

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0021_task_counters"
down_revision = "0020_compliance_counts"
branch_labels = None
depends_on = None

# the counts of ``vendors.counted`` and ``monitoring.counted`` over every record, frozen here
FINDINGS = ("SELECT severity, owner_id, status, count(*) FROM finding WHERE status <> 'closed' "
            "GROUP BY severity, owner_id, status")
RESOLVED_BY = ("SELECT e.actor_id, count(*) FROM finding f JOIN (SELECT finding_id, max(id) AS event_id "
               "FROM finding_event WHERE to_status = 'resolved' AND action = 'status' GROUP BY finding_id) last "
               "ON last.finding_id = f.id JOIN finding_event e ON e.id = last.event_id "
               "WHERE f.status = 'resolved' AND e.actor_id IS NOT NULL GROUP BY e.actor_id")
TIERS = "SELECT risk_tier, count(*) FROM vendor GROUP BY risk_tier"
NEVER = ("SELECT count(*) FROM vendor v WHERE v.status IN ('approved', 'conditionally_approved') "
         "AND NOT EXISTS (SELECT 1 FROM antisocial_check c WHERE c.vendor_id = v.id)")
DUE = ("SELECT r.next_due, count(*) FROM (SELECT vendor_id, next_due, row_number() OVER (PARTITION BY vendor_id "
       "ORDER BY checked_on DESC, id DESC) AS rank FROM antisocial_check) r JOIN vendor v ON v.id = r.vendor_id "
       "WHERE r.rank = 1 AND v.status NOT IN ('rejected', 'terminated') GROUP BY r.next_due")
UNAPPROVED = "SELECT count(*) FROM outsourcing_link WHERE approval_status IN ('pending', 'unapproved')"
PENDING = ("SELECT l.arrangement_id, count(*), count(l.recorded_by_id), count(DISTINCT l.recorded_by_id), "
           "min(l.recorded_by_id) FROM outsourcing_link l JOIN arrangement a ON a.id = l.arrangement_id "
           "WHERE a.status = 'active' AND l.approval_status <> 'approved' GROUP BY l.arrangement_id")
REVIEWS = ("SELECT owner_id, due_date, count(*) FROM monitoring_review WHERE status IN ('planned', 'in_progress') "
           "GROUP BY owner_id, due_date")


def _scope(value) -> str:
    return "" if value is None else str(value)


def _day(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def counted(connection) -> Counter:
    """Every count from the records."""
    found: Counter = Counter()

    def rows(sql):
        return connection.execute(sa.text(sql)).all()
    for severity, owner_id, status, n in rows(FINDINGS):
        found[("open_findings", severity, "")] += n
        if status in ("open", "in_progress"):
            found[("findings_to_remediate", _scope(owner_id), "")] += n
        elif status == "resolved":
            found[("findings_resolved", "", "")] += n
    for actor_id, n in rows(RESOLVED_BY):
        found[("findings_resolved_by", _scope(actor_id), "")] += n
    for tier, n in rows(TIERS):
        found[("vendors_by_tier", tier or "none", "")] += n
    found[("antisocial_never", "", "")] += rows(NEVER)[0][0]
    for next_due, n in rows(DUE):
        found[("antisocial_due", "", _day(next_due))] += n
    found[("links_unapproved", "", "")] += rows(UNAPPROVED)[0][0]
    for _arrangement, links, recorded, recorders, recorder in rows(PENDING):
        found[("links_pending", "", "")] += 1
        if recorded == links and recorders == 1:
            found[("links_pending_only", _scope(recorder), "")] += 1
    for owner_id, due, n in rows(REVIEWS):
        found[("reviews_open", _scope(owner_id), _day(due))] += n
    return +found


def upgrade() -> None:
    table = op.create_table(
        "maintained_count",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "scope", "day"),
    )
    found = counted(op.get_bind())
    if found:
        op.bulk_insert(table, [{"kind": kind, "scope": scope, "day": day, "n": n}
                               for (kind, scope, day), n in sorted(found.items())])


def downgrade() -> None:
    op.drop_table("maintained_count")
