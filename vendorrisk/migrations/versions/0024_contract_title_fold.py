"""contracts: titles folded with NFKC as well — contract.title_key recomputed so that ``ＳＬＡ``,
``SLA`` and ``sla`` (full-width letters, digits and spaces, compatibility forms) name one
document of a set

Documents of one arrangement whose titles now have the same key keep the oldest title; each
later one is renamed "<title> (2)", "(3)"... in the order of their ids, the first number whose
key is free (as 0023 did). The downgrade gives back 0023's keys; renamed titles keep their number.

Revision ID: 0024_contract_title_fold
Revises: 0023_contract_title_unique
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0024_contract_title_fold"
down_revision = "0023_contract_title_unique"
branch_labels = None
depends_on = None

TITLE_MAX = 300


def _folded(title: str) -> str:
    # contracts.models.title_key as it was written with this migration (kept here, so that a
    # later change of that function does not change what this migration did)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", title.strip()[:TITLE_MAX]).casefold())
    return folded.strip()[:TITLE_MAX]


def _cased(title: str) -> str:
    # 0023's key
    return title.strip()[:TITLE_MAX].strip().casefold()[:TITLE_MAX]


def _numbered(title: str, number: int) -> str:
    suffix = f" ({number})"
    return title.strip()[:TITLE_MAX - len(suffix)].rstrip() + suffix


def _rekey(key) -> None:
    # the index goes while the keys change: a row rekeyed first may take a key a later row
    # still holds under the old fold
    op.drop_index("uq_contract_title", table_name="contract")
    connection = op.get_bind()
    contract = sa.table("contract", sa.column("id", sa.Integer), sa.column("arrangement_id", sa.Integer),
                        sa.column("title", sa.String), sa.column("title_key", sa.String))
    rows = connection.execute(sa.select(contract.c.id, contract.c.arrangement_id, contract.c.title,
                                        contract.c.title_key)
                              .order_by(contract.c.arrangement_id, contract.c.id)).all()
    taken: dict[int, set[str]] = {}
    for row in rows:
        keys = taken.setdefault(row.arrangement_id, set())
        title, number = row.title, 1
        while key(title) in keys:
            number += 1
            title = _numbered(row.title, number)
        keys.add(key(title))
        if (title, key(title)) != (row.title, row.title_key):
            connection.execute(contract.update().where(contract.c.id == row.id)
                               .values(title=title, title_key=key(title)))
    op.create_index("uq_contract_title", "contract", ["arrangement_id", "title_key"], unique=True)


def upgrade() -> None:
    _rekey(_folded)


def downgrade() -> None:
    _rekey(_cased)
