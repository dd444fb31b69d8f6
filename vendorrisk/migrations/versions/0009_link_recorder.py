"""Who recorded each sub-outsourcing link (for mutual checks on approval, Art. 8(5)).

Revision ID: 0009_link_recorder
Revises: 0002_chains
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_link_recorder"
down_revision = "0002_chains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outsourcing_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outsourcing_link_recorded_by", "user_account",
                                    ["recorded_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("outsourcing_link", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outsourcing_link_recorded_by", type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
