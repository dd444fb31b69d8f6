"""vendors: the exit of an outsourcing arrangement (``vendors.exits``): the day it was
terminated, what became of the member's and its users' data (returned, deleted, migrated,
retained by law, none held), the day that was confirmed and a note. Arrangements terminated
before keep NULLs: their data disposition shows as not confirmed until someone records it.

Revision ID: 0033_arrangement_exit
Revises: 0032_verdict_json_utf8
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0033_arrangement_exit"
down_revision = "0032_verdict_json_utf8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("arrangement", sa.Column("terminated_on", sa.Date(), nullable=True))
    op.add_column("arrangement", sa.Column("data_disposition", sqlmodel.sql.sqltypes.AutoString(length=20),
                                           nullable=True))
    op.add_column("arrangement", sa.Column("data_disposition_confirmed_on", sa.Date(), nullable=True))
    op.add_column("arrangement", sa.Column("exit_note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    for column in ("exit_note", "data_disposition_confirmed_on", "data_disposition", "terminated_on"):
        op.execute(f"ALTER TABLE arrangement DROP COLUMN {column}")
