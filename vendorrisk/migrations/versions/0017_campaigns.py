"""Questionnaire campaigns (a workbook sent to several vendors, each copy kept, its return
matched); reminders may carry a stored file as an attachment and a reply-to address.

Revision ID: 0017_campaigns
Revises: 0016_remediation
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0017_campaigns"
down_revision = "0016_remediation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("template_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reply_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("questionnaire_campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_campaign_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_campaign_status"), ["status"], unique=False)
    op.create_table(
        "questionnaire_campaign_vendor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("returned_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["questionnaire_campaign.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["questionnaire_response.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "vendor_id", name="uq_campaign_vendor_once"))
    with op.batch_alter_table("questionnaire_campaign_vendor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_campaign_vendor_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_campaign_vendor_vendor_id"), ["vendor_id"], unique=False)
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachment_name", sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reply_to", sqlmodel.sql.sqltypes.AutoString(length=254),
                                      nullable=False, server_default=""))
        batch_op.create_foreign_key("fk_reminder_attachment_file", "stored_file", ["attachment_file_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reminder_attachment_file", type_="foreignkey")
        batch_op.drop_column("reply_to")
        batch_op.drop_column("attachment_name")
        batch_op.drop_column("attachment_file_id")
    with op.batch_alter_table("questionnaire_campaign_vendor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_campaign_vendor_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_campaign_vendor_campaign_id"))
    op.drop_table("questionnaire_campaign_vendor")
    with op.batch_alter_table("questionnaire_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_campaign_status"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_campaign_due_date"))
    op.drop_table("questionnaire_campaign")
