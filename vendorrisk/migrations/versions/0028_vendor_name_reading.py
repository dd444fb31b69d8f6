"""vendors: a vendor without フリガナ whose name reads as written (kana, Latin letters,
digits) takes its place in the register's 50音 order by its name (``kana.reading_key``), not
after every other vendor; only names with kanji and no フリガナ stay after the others. Fills
``kana_key`` of the vendors already there; the index (ix_vendor_register_order) is unchanged.

Revision ID: 0028_vendor_name_reading
Revises: 0027_certificate_due_on
"""
import sqlalchemy as sa
from alembic import op

revision = "0028_vendor_name_reading"
down_revision = "0027_certificate_due_on"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    from vendorrisk.vendors.kana import name_key
    from vendorrisk.vendors.service import normalise_name
    bind = op.get_bind()
    vendor = sa.table("vendor", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("kana_key", sa.String))
    last = 0
    while True:  # a batch at a time, by id: a register of 50,000 vendors is not held at once
        rows = bind.execute(sa.select(vendor.c.id, vendor.c.name).where(vendor.c.kana_key == "", vendor.c.id > last)
                            .order_by(vendor.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        keys = [{"vid": row.id, "key": key} for row in rows if (key := name_key(normalise_name(row.name)))]
        if keys:
            bind.execute(sa.update(vendor).where(vendor.c.id == sa.bindparam("vid"))
                         .values(kana_key=sa.bindparam("key")), keys)


def downgrade() -> None:
    op.execute("UPDATE vendor SET kana_key = '' WHERE name_kana = ''")
