"""certificates

Revision ID: 0007_certificates
Revises: 0001_foundation
Create Date: 2026-11-26 15:14:53.244799
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


revision = '0007_certificates'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('services_covered', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('regions_covered', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('opinion', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('exceptions_noted', sa.Text(), nullable=False),
    sa.Column('cuecs', sa.Text(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('original_filename', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('expiry_date IS NULL OR issue_date IS NULL OR expiry_date >= issue_date', name='ck_certificate_validity'),
    sa.CheckConstraint('period_end IS NULL OR period_start IS NULL OR period_end >= period_start', name='ck_certificate_period'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_expiry_date'), ['expiry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_period_end'), ['period_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_type'), ['type'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('certificate_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('covers_services', sa.Boolean(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('exceptions_follow_up', sa.Text(), nullable=False),
    sa.Column('cuecs_follow_up', sa.Text(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('certificate_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_review_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_review_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('certificate_subservice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('services', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('treatment', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('certificate_subservice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_subservice_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_subservice_vendor_id'), ['vendor_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('certificate_subservice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_subservice_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_subservice_certificate_id'))

    op.drop_table('certificate_subservice')
    with op.batch_alter_table('certificate_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_review_certificate_id'))

    op.drop_table('certificate_review')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_type'))
        batch_op.drop_index(batch_op.f('ix_certificate_period_end'))
        batch_op.drop_index(batch_op.f('ix_certificate_file_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_expiry_date'))

    op.drop_table('certificate')
