"""contracts: the OCR of a scanned PDF version, done by the scheduler (``contracts.ocr_jobs``):
its state (queued, running, done, failed, unavailable), the reason of a failure, the pages read
and when a runner claimed it. Versions stored before stay as they were ("" : not queued).

Revision ID: 0035_contract_ocr
Revises: 0034_link_history
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0035_contract_ocr"
down_revision = "0034_link_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contract_version") as batch:
        batch.add_column(sa.Column("ocr_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("ocr_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("ocr_pages", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("ocr_claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index("ix_contract_version_ocr_state", ["ocr_state"])


def downgrade() -> None:
    with op.batch_alter_table("contract_version") as batch:
        batch.drop_index("ix_contract_version_ocr_state")
        batch.drop_column("ocr_claimed_at")
        batch.drop_column("ocr_pages")
        batch.drop_column("ocr_reason")
        batch.drop_column("ocr_state")
