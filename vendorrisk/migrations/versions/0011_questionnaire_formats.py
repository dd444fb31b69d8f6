"""Questionnaires in the industry's formats: the profile that mapped a response (was the
mapping), the detection's confidence, per-article scores and the answers as our questions;
subcontractor proposals with who contracts them (委託元), and a link removed from the chain
no longer blocked by the proposal it came from (ON DELETE SET NULL).

Revision ID: 0011_questionnaire_formats
Revises: 0010_merge_areas
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

revision = "0011_questionnaire_formats"
down_revision = "0010_merge_areas"
branch_labels = None
depends_on = None

# questionnaire_response is referenced by the answers (ON DELETE CASCADE): it is altered in
# place (add and rename column), never recreated, so that no answer is lost on SQLite.
RESPONSE_COLUMNS = (
    sa.Column("confidence", sa.Float(), nullable=True),
    sa.Column("article_scores", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    sa.Column("mapped", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
)
SQLITE_FK = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
LINK_FK = "fk_subcontractor_proposal_link_id_outsourcing_link"


def _relink(ondelete: str | None) -> None:
    """Re-create the proposal -> link foreign key with ``ondelete``."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("subcontractor_proposal", naming_convention=SQLITE_FK) as batch_op:
            batch_op.drop_constraint(LINK_FK, type_="foreignkey")
            batch_op.create_foreign_key(LINK_FK, "outsourcing_link", ["link_id"], ["id"], ondelete=ondelete)
        return
    inspector = sa.inspect(op.get_bind())
    for key in inspector.get_foreign_keys("subcontractor_proposal"):
        if key["constrained_columns"] == ["link_id"]:
            op.drop_constraint(key["name"], "subcontractor_proposal", type_="foreignkey")
    op.create_foreign_key(LINK_FK, "subcontractor_proposal", "outsourcing_link", ["link_id"], ["id"],
                          ondelete=ondelete)


def upgrade() -> None:
    op.execute("ALTER TABLE questionnaire_response RENAME COLUMN mapping_id TO profile_id")
    for column in RESPONSE_COLUMNS:
        op.add_column("questionnaire_response", column)
    # The one mapping shipped before (CAIQ v4 ids onto the cloud questionnaire) is now the
    # CAIQ v4 profile; a layout read by its header names alone is a format not recognised.
    op.execute("UPDATE questionnaire_response SET profile_id = 'caiq_v4' WHERE profile_id = 'caiq_v4_cloud'")
    op.execute("UPDATE questionnaire_response SET format = 'unknown' WHERE format = 'generic'")
    op.add_column("subcontractor_proposal", sa.Column("contracted_by", sqlmodel.sql.sqltypes.AutoString(length=300),
                                                      nullable=False, server_default=""))
    op.add_column("subcontractor_proposal", sa.Column("parent_row", sa.Integer(), nullable=True))
    _relink("SET NULL")


def downgrade() -> None:
    _relink(None)
    with op.batch_alter_table("subcontractor_proposal", schema=None) as batch_op:
        batch_op.drop_column("parent_row")
        batch_op.drop_column("contracted_by")
    op.execute("UPDATE questionnaire_response SET format = 'generic' WHERE format = 'unknown'")
    op.execute("UPDATE questionnaire_response SET profile_id = 'caiq_v4_cloud' WHERE profile_id = 'caiq_v4'")
    for column in reversed(RESPONSE_COLUMNS):
        op.drop_column("questionnaire_response", column.name)
    op.execute("ALTER TABLE questionnaire_response RENAME COLUMN profile_id TO mapping_id")
