"""findings: the description, and the closure evidence of a finding the product closed itself,
stored as a key with parameters (``vendors.finding_texts``) beside their English text, rendered
in each reader's language as titles are. Existing findings keep their text and get no key:
they are shown as stored.

Revision ID: 0026_finding_text_keys
Revises: 0025_start_page_indexes
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0026_finding_text_keys"
down_revision = "0025_start_page_indexes"
branch_labels = None
depends_on = None

COLUMNS = ("description_key", "description_params", "closure_evidence_key", "closure_evidence_params")


def upgrade() -> None:
    # Plain ADD COLUMN, no batch copy of the table: the finding table's partial index stays as it is.
    for name in COLUMNS:
        if name.endswith("_key"):
            op.add_column("finding", sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        else:
            op.add_column("finding", sa.Column(name, sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.execute(f"ALTER TABLE finding DROP COLUMN {name}")
