"""The scheduler's jobs (last and next run, read by pages); finding titles stored as a key
with parameters, rendered in each reader's language.

Revision ID: 0014_first_hour
Revises: 0013_sign_in_security
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0014_first_hour"
down_revision = "0013_sign_in_security"
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


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_column("title_params")
        batch_op.drop_column("title_key")
    op.drop_table("scheduled_job")
