"""start page: the links waiting for a decision by age (ix_link_waiting_created) and the
findings to remediate by due date (ix_finding_remediate_due), partial indexes; active
arrangements by title (ix_arrangement_status_title); the headline
counts of arrangements and links and the panel's findings to remediate by severity and due
date, maintained (``vendors.counted``) and counted here for the records already there

Revision ID: 0025_start_page_indexes
Revises: 0024_contract_title_fold
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_start_page_indexes"
down_revision = "0024_contract_title_fold"
branch_labels = None
depends_on = None

WAITING = "approval_status <> 'approved'"
TO_REMEDIATE = "status IN ('open', 'in_progress')"
KINDS = ("arrangements", "links", "findings_remediate_due")


def upgrade() -> None:
    op.create_index("ix_link_waiting_created", "outsourcing_link", ["created_at", "id"],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_index("ix_arrangement_status_title", "arrangement", ["status", "title", "id"])
    op.create_index("ix_finding_remediate_due", "finding", ["due_date", "id"],
                    sqlite_where=sa.text(TO_REMEDIATE), postgresql_where=sa.text(TO_REMEDIATE))
    # the new counts over the records already there, as vendors.counted counts them (frozen
    # here); an empty scope or day is ''
    op.execute("INSERT INTO maintained_count (kind, scope, day, n) "
               "SELECT 'arrangements', '', '', count(*) FROM arrangement HAVING count(*) > 0")
    op.execute("INSERT INTO maintained_count (kind, scope, day, n) "
               "SELECT 'links', '', '', count(*) FROM outsourcing_link HAVING count(*) > 0")
    day = "COALESCE(CAST(due_date AS VARCHAR(10)), '')"
    op.execute("INSERT INTO maintained_count (kind, scope, day, n) "
               f"SELECT 'findings_remediate_due', severity, {day}, count(*) FROM finding "
               f"WHERE {TO_REMEDIATE} GROUP BY severity, {day}")


def downgrade() -> None:
    op.execute("DELETE FROM maintained_count WHERE kind IN ('arrangements', 'links', 'findings_remediate_due')")
    op.drop_index("ix_finding_remediate_due", table_name="finding")
    op.drop_index("ix_arrangement_status_title", table_name="arrangement")
    op.drop_index("ix_link_waiting_created", table_name="outsourcing_link")
