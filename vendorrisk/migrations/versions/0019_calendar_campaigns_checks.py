"""The business calendar in campaigns and 反社会的勢力チェック: the date asked for, kept when a
campaign's due date or a check's next due date fell on a closed day and moved to the
previous business day.

Revision ID: 0019_calendar_campaigns_checks
Revises: 0018_vendor_japanese
"""
from alembic import op
import sqlalchemy as sa

revision = "0019_calendar_campaigns_checks"
down_revision = "0018_vendor_japanese"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questionnaire_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominal_due_date", sa.Date(), nullable=True))
    with op.batch_alter_table("antisocial_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nominal_next_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("antisocial_check", schema=None) as batch_op:
        batch_op.drop_column("nominal_next_due")
    with op.batch_alter_table("questionnaire_campaign", schema=None) as batch_op:
        batch_op.drop_column("nominal_due_date")
