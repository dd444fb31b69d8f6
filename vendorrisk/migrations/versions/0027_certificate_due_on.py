"""certificates: ``due_on``, when a record ends (a certificate's expiry date, a report's
period end), stored and kept by the model (``certificates.models._keep_due_on``), filled
here for the records already there, and indexed with the id (ix_certificate_due_on) so that
the start page's certificate tasks and the reminders read the earliest ends by index

Revision ID: 0027_certificate_due_on
Revises: 0026_finding_text_keys
"""
import sqlalchemy as sa
from alembic import op

revision = "0027_certificate_due_on"
down_revision = "0026_finding_text_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    op.execute("UPDATE certificate SET due_on = COALESCE(expiry_date, period_end)")
    op.create_index("ix_certificate_due_on", "certificate", ["due_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_certificate_due_on", table_name="certificate")
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("due_on")
