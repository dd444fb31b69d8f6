"""chains: indexes for walking outsourcing chains up and down

Revision ID: 0002_chains
Revises: 0001_foundation
Create Date: 2026-11-26 15:17:19.598002
"""
from alembic import op
import sqlmodel.sql.sqltypes  # noqa: F401


revision = '0002_chains'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('arrangement', schema=None) as batch_op:
        batch_op.create_index('ix_arrangement_status_vendor', ['status', 'vendor_id'], unique=False)

    with op.batch_alter_table('outsourcing_link', schema=None) as batch_op:
        batch_op.create_index('ix_link_arrangement_vendor', ['arrangement_id', 'vendor_id', 'parent_vendor_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outsourcing_link', schema=None) as batch_op:
        batch_op.drop_index('ix_link_arrangement_vendor')

    with op.batch_alter_table('arrangement', schema=None) as batch_op:
        batch_op.drop_index('ix_arrangement_status_vendor')

