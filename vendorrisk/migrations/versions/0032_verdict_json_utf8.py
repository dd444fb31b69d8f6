"""compliance: the maintained verdicts' JSON (reason, links) rewritten in the form every JSON
column is now written in (``core.db.json_text``): UTF-8 as it is instead of ``\\uXXXX``
escapes, no spaces after ``,`` and ``:``. The values are the same; the rows are smaller
(about 14 % of the table at 50k vendors, docs/compliance.md). A row already in that form is
left alone, so running it twice writes nothing. Other JSON columns keep the form they were
written in until their row is next written: both forms read the same.

On PostgreSQL the old row versions stay in the table's files until a ``VACUUM FULL
compliance_verdict`` (docs/compliance.md); a plain vacuum makes their space reusable.

Revision ID: 0032_verdict_json_utf8
Revises: 0031_link_note_keys
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0032_verdict_json_utf8"
down_revision = "0031_link_note_keys"
branch_labels = None
depends_on = None

BATCH = 5000  # rows read and rewritten at a time, in primary-key order


def _form(text):
    """The stored text in the new form (``core.db.json_text`` as of this revision)."""
    if text is None:
        return None
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # PostgreSQL casts the text to json; SQLite keeps it as the text it is (a CAST there
    # would give it numeric affinity)
    value = "CAST(:{} AS json)" if postgres else ":{}"
    write = sa.text(f"UPDATE compliance_verdict SET reason = {value.format('reason')}, "
                    f"links = {value.format('links')} WHERE vendor_id = :vendor_id AND obligation = :obligation")
    first = sa.text("SELECT vendor_id, obligation, CAST(reason AS TEXT), CAST(links AS TEXT) "
                    "FROM compliance_verdict ORDER BY vendor_id, obligation LIMIT :n")
    after = sa.text("SELECT vendor_id, obligation, CAST(reason AS TEXT), CAST(links AS TEXT) "
                    "FROM compliance_verdict WHERE (vendor_id, obligation) > (:v, :o) "
                    "ORDER BY vendor_id, obligation LIMIT :n")
    last = None
    while True:
        rows = bind.execute(first if last is None else after,
                            {"n": BATCH} if last is None else {"n": BATCH, "v": last[0], "o": last[1]}).all()
        if not rows:
            return
        changed = []
        for vendor_id, obligation, reason, links in rows:
            new_reason, new_links = _form(reason), _form(links)
            if new_reason != reason or new_links != links:
                changed.append({"vendor_id": vendor_id, "obligation": obligation, "reason": new_reason,
                                "links": new_links})
        if changed:
            bind.execute(write, changed)
        last = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    """Nothing to undo: the older code reads this form as it reads its own."""
