"""Contracts: contract sets (the kind of each document), reason keys and the judged
sentence of each check, reviewers' examples.

Revision ID: 0012_contract_sets
Revises: 0011_questionnaire_formats
Create Date: 2026-12-05 13:57:34.371222
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


revision = '0012_contract_sets'
down_revision = '0011_questionnaire_formats'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clause_example',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('heading', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('label', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['clause_check.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clause_example', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clause_example_check_id'), ['check_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_clause_example_clause_id'), ['clause_id'], unique=False)

    with op.batch_alter_table('clause_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('evidence_sentence', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('evidence_heading', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='master'))



def downgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('document_kind')

    with op.batch_alter_table('clause_check', schema=None) as batch_op:
        batch_op.drop_column('evidence_heading')
        batch_op.drop_column('evidence_sentence')
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_key')

    with op.batch_alter_table('clause_example', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clause_example_clause_id'))
        batch_op.drop_index(batch_op.f('ix_clause_example_check_id'))

    op.drop_table('clause_example')
