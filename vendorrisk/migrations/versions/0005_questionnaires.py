"""questionnaires

Revision ID: 0005_questionnaires
Revises: 0001_foundation
Create Date: 2026-11-26 15:17:07.373477
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


revision = '0005_questionnaires'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('questionnaire_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('template_version', sa.Integer(), nullable=True),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('mapping_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], ),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vendor_id', 'file_sha256', name='uq_response_file_once')
    )
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_response_template_id'), ['template_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_response_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('questionnaire_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sheet', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('cell', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('question_text', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('max_points', sa.Float(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['questionnaire_response.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('questionnaire_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_response_id'), ['response_id'], unique=False)

    op.create_table('subcontractor_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('corporate_number', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=True),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('touches_user_data', sa.Boolean(), nullable=False),
    sa.Column('data_location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['outsourcing_link.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['questionnaire_response.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subcontractor_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subcontractor_proposal_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subcontractor_proposal_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_subcontractor_proposal_vendor_id'), ['vendor_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('subcontractor_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subcontractor_proposal_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_subcontractor_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_subcontractor_proposal_response_id'))

    op.drop_table('subcontractor_proposal')
    with op.batch_alter_table('questionnaire_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_answer_response_id'))

    op.drop_table('questionnaire_answer')
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_template_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_file_sha256'))

    op.drop_table('questionnaire_response')
