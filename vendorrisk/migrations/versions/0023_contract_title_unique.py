"""contracts: one document of a title per arrangement — contract.title_key (the title without
surrounding blanks, letter case folded) and the unique index uq_contract_title

Existing documents get their key. Documents of one arrangement whose titles have the same
key (two uploads that started the same document at once, or a set's files named by blanks
only) keep the oldest title; each later one is renamed "<title> (2)", "(3)"... in the order
of their ids, the first number whose key is free.

Revision ID: 0023_contract_title_unique
Revises: 0022_vendor_register_order
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision = "0023_contract_title_unique"
down_revision = "0022_vendor_register_order"
branch_labels = None
depends_on = None

TITLE_MAX = 300


def _key(title: str) -> str:
    # contracts.models.title_key as it was written with this migration (kept here, so that a
    # later change of that function does not change what this migration did)
    return title.strip()[:TITLE_MAX].strip().casefold()[:TITLE_MAX]


def _numbered(title: str, number: int) -> str:
    suffix = f" ({number})"
    return title.strip()[:TITLE_MAX - len(suffix)].rstrip() + suffix


def upgrade() -> None:
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", sqlmodel.sql.sqltypes.AutoString(length=TITLE_MAX),
                                      nullable=False, server_default=""))
    connection = op.get_bind()
    contract = sa.table("contract", sa.column("id", sa.Integer), sa.column("arrangement_id", sa.Integer),
                        sa.column("title", sa.String), sa.column("title_key", sa.String))
    rows = connection.execute(sa.select(contract.c.id, contract.c.arrangement_id, contract.c.title)
                              .order_by(contract.c.arrangement_id, contract.c.id)).all()
    taken: dict[int, set[str]] = {}
    for row in rows:
        keys = taken.setdefault(row.arrangement_id, set())
        title, number = row.title, 1
        while _key(title) in keys:
            number += 1
            title = _numbered(row.title, number)
        keys.add(_key(title))
        connection.execute(contract.update().where(contract.c.id == row.id).values(title=title, title_key=_key(title)))
    op.create_index("uq_contract_title", "contract", ["arrangement_id", "title_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_contract_title", table_name="contract")
    # not a batch: copying the contracts would break the keys pointing at them (SQLite 3.35+);
    # the titles numbered by the upgrade keep their number
    op.execute("ALTER TABLE contract DROP COLUMN title_key")
