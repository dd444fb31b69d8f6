"""vendors: a sub-outsourcing link is ended, not deleted (``ended_on``, ``end_reason``), so the
chain as it stood on a past day can be read. ``uq_link_once`` becomes a unique index over the
current links only (``ended_on IS NULL``, partial on SQLite and PostgreSQL alike): a link that
ended may be recorded again as a new link, the ended one kept as it was. The indexes the chain
walks use end with ``ended_on`` (``ix_link_arrangement_vendor``, new ``ix_link_arrangement_parent``).

On SQLite, dropping the constraint rebuilds the table (batch mode), and the old table's drop
runs, with foreign keys on, as a DELETE: the data locations of links would go with it
(ON DELETE CASCADE) and the questionnaire proposals would lose their link (SET NULL). They are
kept aside in temporary tables and put back.

Revision ID: 0034_link_history
Revises: 0033_arrangement_exit
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0034_link_history"
down_revision = "0033_arrangement_exit"
branch_labels = None
depends_on = None

KEY = ["arrangement_id", "parent_vendor_id", "vendor_id"]
CURRENT = sa.text("ended_on IS NULL")


def _keeping_references(rebuild) -> None:
    """Run ``rebuild`` (a batch change of outsourcing_link) with the rows that point at links
    kept through the table's rebuild on SQLite."""
    if op.get_bind().dialect.name != "sqlite":
        rebuild()
        return
    op.execute("CREATE TEMP TABLE kept_location AS SELECT * FROM data_location WHERE link_id IS NOT NULL")
    op.execute("CREATE TEMP TABLE kept_proposal AS SELECT id, link_id FROM subcontractor_proposal "
               "WHERE link_id IS NOT NULL")
    rebuild()
    op.execute("INSERT INTO data_location SELECT * FROM kept_location "
               "WHERE id NOT IN (SELECT id FROM data_location) AND link_id IN (SELECT id FROM outsourcing_link)")
    op.execute("UPDATE subcontractor_proposal SET link_id = (SELECT k.link_id FROM kept_proposal k "
               "WHERE k.id = subcontractor_proposal.id) WHERE id IN (SELECT k.id FROM kept_proposal k "
               "JOIN outsourcing_link l ON l.id = k.link_id)")
    op.execute("DROP TABLE kept_location")
    op.execute("DROP TABLE kept_proposal")


def upgrade() -> None:
    def rebuild():
        with op.batch_alter_table("outsourcing_link", schema=None) as batch_op:
            batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(length=1000),
                                          nullable=False, server_default=""))
            batch_op.drop_constraint("uq_link_once", type_="unique")

    _keeping_references(rebuild)
    op.create_index("uq_link_once", "outsourcing_link", KEY, unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    # the chain walks test ended_on at every step: with it in their indexes each step is one seek
    op.drop_index("ix_link_arrangement_vendor", table_name="outsourcing_link")
    op.create_index("ix_link_arrangement_vendor", "outsourcing_link",
                    ["arrangement_id", "vendor_id", "ended_on", "parent_vendor_id"])
    op.create_index("ix_link_arrangement_parent", "outsourcing_link",
                    ["arrangement_id", "parent_vendor_id", "ended_on", "vendor_id"])


def downgrade() -> None:
    # the schema before kept no ended links: they go (their history stays in the audit trail)
    op.drop_index("ix_link_arrangement_parent", table_name="outsourcing_link")
    op.drop_index("ix_link_arrangement_vendor", table_name="outsourcing_link")
    op.create_index("ix_link_arrangement_vendor", "outsourcing_link", ["arrangement_id", "vendor_id", "parent_vendor_id"])
    op.drop_index("uq_link_once", table_name="outsourcing_link")
    op.execute("DELETE FROM outsourcing_link WHERE ended_on IS NOT NULL")

    def rebuild():
        with op.batch_alter_table("outsourcing_link", schema=None) as batch_op:
            batch_op.drop_column("end_reason")
            batch_op.drop_column("ended_on")
            batch_op.create_unique_constraint("uq_link_once", KEY)

    _keeping_references(rebuild)
