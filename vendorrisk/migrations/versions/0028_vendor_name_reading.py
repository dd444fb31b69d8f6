"""vendors: a vendor without フリガナ whose name reads as written (kana, Latin letters,
digits) takes its place in the register's 50音 order by its name (``kana.reading_key``), not
after every other vendor; only names with kanji and no フリガナ stay after the others. Fills
``kana_key`` of the vendors already there; the index (ix_vendor_register_order) is unchanged.
The rule is written out here as it stood at this revision (``vendors.service.normalise_name``
then ``vendors.kana.name_key``), so that this step keeps its meaning when the app's code changes.

Revision ID: 0028_vendor_name_reading
Revises: 0027_certificate_due_on
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0028_vendor_name_reading"
down_revision = "0027_certificate_due_on"
branch_labels = None
depends_on = None

BATCH = 1000

# normalise_name: legal-form words dropped, then spaces and punctuation (after NFKC, lower case)
LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|\(株\)|\(有\)|\(同\)"
    r"|\bco\.?,?\s*ltd\.?|\bk\.?\s?k\.?(?=\s|$|,)|\bg\.?\s?k\.?(?=\s|$|,)|\binc\.?|\bcorp(oration|\.)?"
    r"|\bltd\.?|\bllc\b|\bcompany\b|\blimited\b|\bco\.(?=\s|$)")
NOISE = re.compile(r"[\s・,.、。\-‐−()\"'&/]+")
# name_key: a name reads as written when, in katakana, it holds only these
READS_AS_WRITTEN = re.compile(r"[\u30A1-\u30FA\u30FC\u30FB\u30FD\u30FE A-Za-z0-9&'.,\-]+")
SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
MARKS = {"\u3099", "\u309A"}  # combining (semi-)voiced sound marks, after NFD
IGNORED = re.compile(r"[\s・]+")
# hiragana to katakana (ぁ..ゖ and ゝゞ, one block further): what jaconv.hira2kata did
HIRAGANA = {code: code + 0x60 for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)}


def _normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    return NOISE.sub("", LEGAL_FORMS.sub(" ", text))[:300]


def _name_key(name: str) -> str:
    """The 50音 sort key of a name that reads as written; "" for a name with kanji. The name is
    NFKC already (half-width kana made full-width, full-width letters half-width); composed
    again (a voiced mark that punctuation kept apart: カ'ﾞ -> ガ), its hiragana are made
    katakana before the sort key is taken."""
    text = unicodedata.normalize("NFC", _normalise_name(name).strip()).translate(HIRAGANA)
    text = re.sub(r"[\s\u3000]+", " ", text).strip()
    if not text or not READS_AS_WRITTEN.fullmatch(text):
        return ""
    text = "".join(c for c in unicodedata.normalize("NFD", IGNORED.sub("", text)) if c not in MARKS)
    return unicodedata.normalize("NFC", text.translate(SMALL)).upper()[:300]


def upgrade() -> None:
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
        keys = [{"vid": row.id, "key": key} for row in rows if (key := _name_key(row.name))]
        if keys:
            bind.execute(sa.update(vendor).where(vendor.c.id == sa.bindparam("vid"))
                         .values(kana_key=sa.bindparam("key")), keys)


def downgrade() -> None:
    op.execute("UPDATE vendor SET kana_key = '' WHERE name_kana = ''")
