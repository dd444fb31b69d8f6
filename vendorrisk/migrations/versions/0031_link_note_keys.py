"""vendors: the note the product writes on a sub-outsourcing link it records (a carved-out
subservice organisation of a certificate, a subcontractor a questionnaire listed) stored as a
key with parameters (``vendors.link_notes.LINK_NOTES``) beside its English, rendered in each
reader's language. Links written before keep their note and get no key: shown as stored.

Revision ID: 0031_link_note_keys
Revises: 0030_finding_event_note_keys
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0031_link_note_keys"
down_revision = "0030_finding_event_note_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outsourcing_link", sa.Column("approval_note_key", sqlmodel.sql.sqltypes.AutoString(length=40),
                                                nullable=True))
    op.add_column("outsourcing_link", sa.Column("approval_note_params", sa.JSON(), nullable=False,
                                                server_default="{}"))


def downgrade() -> None:
    op.execute("ALTER TABLE outsourcing_link DROP COLUMN approval_note_params")
    op.execute("ALTER TABLE outsourcing_link DROP COLUMN approval_note_key")
