"""One head for all areas: merges the branches each area added off the foundation.

Revision ID: 0010_merge_areas
Revises: 0003_selection, 0004_contracts, 0005_questionnaires, 0006_monitoring, 0007_certificates, 0008_compliance, 0009_link_recorder
Create Date: 2026-11-26 16:24:22.346875
"""
revision = '0010_merge_areas'
down_revision = ('0003_selection', '0004_contracts', '0005_questionnaires', '0006_monitoring', '0007_certificates', '0008_compliance', '0009_link_recorder')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
