"""The scheduler's jobs (last and next run, read by pages); finding titles and the contract
checker's reasons stored as a key with parameters, rendered in each reader's language.

Revision ID: 0011_first_hour
Revises: 0010_merge_areas
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0011_first_hour"
down_revision = "0010_merge_areas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduled_job",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("last_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column("title_params", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("clause_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_key", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column("reason_params", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("clause_check", schema=None) as batch_op:
        batch_op.drop_column("reason_params")
        batch_op.drop_column("reason_key")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("title_params")
        batch_op.drop_column("title_key")
    op.drop_table("scheduled_job")
