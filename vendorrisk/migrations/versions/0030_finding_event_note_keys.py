"""findings: the note of a history step the product writes when it gives a finding to another
owner (its owner was deactivated, staff was assigned to the vendor) stored as a key with
parameters (``vendors.finding_texts.OWNER_NOTES``) beside its English, rendered in each
reader's language. Steps written before keep their note and get no key: shown as stored.

Revision ID: 0030_finding_event_note_keys
Revises: 0029_certificate_counts_until
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0030_finding_event_note_keys"
down_revision = "0029_certificate_counts_until"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finding_event", sa.Column("note_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column("finding_event", sa.Column("note_params", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    op.execute("ALTER TABLE finding_event DROP COLUMN note_params")
    op.execute("ALTER TABLE finding_event DROP COLUMN note_key")
