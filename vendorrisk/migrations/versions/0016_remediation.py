"""Findings as remediation (action plan, vendor response, evidence, risk acceptance) and
the business calendar's record of a due date that moved off a closed day.

Revision ID: 0016_remediation
Revises: 0015_compliance_verdicts
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


revision = "0016_remediation"
down_revision = "0015_compliance_verdicts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finding_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], ),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_evidence_finding_id'), ['finding_id'], unique=False)

    op.create_table('risk_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('nominal_expires_on', sa.Date(), nullable=True),
    sa.Column('finding_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('risk_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_acceptance_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_acceptance_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_acceptance_status'), ['status'], unique=False)

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominal_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('action_plan', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('vendor_response', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('monitoring_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominal_due_date', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('monitoring_review', schema=None) as batch_op:
        batch_op.drop_column('nominal_due_date')

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('vendor_response')
        batch_op.drop_column('action_plan')
        batch_op.drop_column('nominal_due_date')

    with op.batch_alter_table('risk_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_acceptance_status'))
        batch_op.drop_index(batch_op.f('ix_risk_acceptance_finding_id'))
        batch_op.drop_index(batch_op.f('ix_risk_acceptance_expires_on'))

    op.drop_table('risk_acceptance')
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_evidence_finding_id'))

    op.drop_table('finding_evidence')
