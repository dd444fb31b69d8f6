"""vendors: the register's 50音 order as an index — kana_missing (computed by the database
from kana_key) and ix_vendor_register_order

Revision ID: 0022_vendor_register_order
Revises: 0021_task_counters
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_vendor_register_order"
down_revision = "0021_task_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a generated column: STORED on PostgreSQL (its only kind before 18), VIRTUAL on SQLite
    # (the only kind ALTER TABLE can add there)
    stored = True if op.get_bind().dialect.name == "postgresql" else None
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kana_missing", sa.Boolean(), sa.Computed("kana_key = ''", persisted=stored),
                                      nullable=False))
    op.create_index("ix_vendor_register_order", "vendor", ["kana_missing", "kana_key", "name_kana", "name", "id"])


def downgrade() -> None:
    op.drop_index("ix_vendor_register_order", table_name="vendor")
    # not a batch: copying the vendors would break the keys pointing at them (SQLite 3.35+)
    op.execute("ALTER TABLE vendor DROP COLUMN kana_missing")
