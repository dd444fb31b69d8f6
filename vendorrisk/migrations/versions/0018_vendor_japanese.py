"""Japanese business data of a vendor: フリガナ (and its 50音 sort key), representative, and
反社会的勢力チェック records.

Revision ID: 0018_vendor_japanese
Revises: 0017_campaigns
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0018_vendor_japanese"
down_revision = "0017_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_kana", sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("kana_key", sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("representative", sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_vendor_kana_key"), ["kana_key"], unique=False)
    op.create_table(
        "antisocial_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("evidence_file_id", sa.Integer(), nullable=True),
        sa.Column("evidence_filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["checked_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["evidence_file_id"], ["stored_file.id"]),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"))
    with op.batch_alter_table("antisocial_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_antisocial_check_next_due"), ["next_due"], unique=False)
        batch_op.create_index(batch_op.f("ix_antisocial_check_vendor_id"), ["vendor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("antisocial_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_antisocial_check_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_antisocial_check_next_due"))
    op.drop_table("antisocial_check")
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_kana_key"))
        batch_op.drop_column("representative")
        batch_op.drop_column("kana_key")
        batch_op.drop_column("name_kana")
