"""Vendors, outsourcing arrangements and the sub-outsourcing links that form each chain.

The chain of an arrangement is data: tier 1 is the arrangement's vendor, and every
``OutsourcingLink`` says "parent vendor sub-outsources a service to vendor" within that
arrangement. Tiers are derived from the links, never stored.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Index,
    Text,
    UniqueConstraint,
    and_,
    literal_column,
    or_,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Column, Field, SQLModel

from vendorrisk.core.models import created_at_field, json_dict_field, json_list_field, utcnow

VENDOR_STATUSES = ("prospect", "under_assessment", "approved", "conditionally_approved",
                   "rejected", "terminated")
RISK_TIERS = ("critical", "high", "medium", "low")
APPROVAL_STATUSES = ("approved", "pending", "unapproved")
# 反社会的勢力チェック: how it was done, and what it found (only ``clear`` lets a vendor be approved).
CHECK_METHODS = ("database", "news", "police_center", "credit_agency", "declaration", "other")
CHECK_RESULTS = ("clear", "concern", "hit")
APPROVAL_BASES = ("prior_consent", "notification")
LOCATION_PURPOSES = ("storage", "processing", "both")


class Vendor(SQLModel, table=True):
    """A company that does system work for the member, directly or as a subcontractor."""

    __tablename__ = "vendor"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)  # legal name, usually Japanese
    name_en: str = Field(default="", max_length=300)
    name_normalized: str = Field(default="", max_length=300, index=True)
    # フリガナ as typed, in full-width katakana (``kana.normalise_kana``); ``kana_key`` sorts it
    # in 50音 order (voiced and small kana folded; ``kana.sort_key``); without one, the name's
    # when it reads as written (kana, Latin letters: ``kana.reading_key``), else "".
    name_kana: str = Field(default="", max_length=300)
    kana_key: str = Field(default="", max_length=300, index=True)
    # no reading (kanji name, no フリガナ: such vendors come after the others): computed by the
    # database, so that the register's order is an index (ix_vendor_register_order)
    kana_missing: Optional[bool] = Field(default=None, sa_column=Column(Boolean, Computed("kana_key = ''"),
                                                                        nullable=False))
    corporate_number: Optional[str] = Field(default=None, max_length=13, unique=True)
    lei: Optional[str] = Field(default=None, max_length=20)
    country: str = Field(default="JP", max_length=2)
    address: str = Field(default="", max_length=500)
    representative: str = Field(default="", max_length=200)  # 代表者, e.g. 代表取締役 山田 太郎
    is_system_subsidiary: bool = False
    is_cloud: bool = False
    status: str = Field(default="prospect", max_length=30, index=True)
    risk_tier: Optional[str] = Field(default=None, max_length=10, index=True)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class VendorContact(SQLModel, table=True):
    """A person at the vendor whom the member deals with."""

    __tablename__ = "vendor_contact"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    title: str = Field(default="", max_length=200)


class VendorOwner(SQLModel, table=True):
    """The member's own staff assigned to a vendor (Art. 26(2))."""

    __tablename__ = "vendor_owner"
    __table_args__ = (UniqueConstraint("vendor_id", "user_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    is_primary: bool = True
    assigned_at: datetime = created_at_field()


class Arrangement(SQLModel, table=True):
    """An outsourcing arrangement (委託業務): the member's contract with a tier-1 vendor."""

    __tablename__ = "arrangement"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    title: str = Field(max_length=300)
    service: str = Field(default="", max_length=300)
    business_function: str = Field(default="", max_length=300)
    is_important: bool = Field(default=False, index=True)
    is_cloud: bool = False
    handles_user_data: bool = False
    user_data_categories: list[str] = json_list_field()
    subcontracting_allowed: bool = True
    substitutability: str = Field(default="medium", max_length=10)  # easy, medium, hard
    start_date: Optional[date] = None
    end_date: Optional[date] = None
    notice_period_days: Optional[int] = None
    exit_plan: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="active", max_length=20)  # active, terminated
    # The exit (``vendors.exits``): when it ended, and what became of the member's and its
    # users' data (Art. 27(3): disposal at contract end), when that was confirmed, and how.
    terminated_on: Optional[date] = None
    data_disposition: Optional[str] = Field(default=None, max_length=20)
    data_disposition_confirmed_on: Optional[date] = None
    exit_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = created_at_field()


class OutsourcingLink(SQLModel, table=True):
    """Within an arrangement, the parent vendor sub-outsources ``service`` to ``vendor``."""

    __tablename__ = "outsourcing_link"
    __table_args__ = (CheckConstraint("parent_vendor_id <> vendor_id", name="ck_link_not_self"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    arrangement_id: int = Field(foreign_key="arrangement.id", index=True, ondelete="CASCADE")
    parent_vendor_id: int = Field(foreign_key="vendor.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    service: str = Field(default="", max_length=300)
    touches_user_data: bool = False
    approval_status: str = Field(default="unapproved", max_length=20, index=True)
    approval_basis: Optional[str] = Field(default=None, max_length=20)
    approved_on: Optional[date] = None
    approved_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    approval_note: str = Field(default="", max_length=1000)
    # A note the product wrote (``vendors.link_notes.LINK_NOTES``): its key and parameters, read
    # in each reader's language; ``approval_note`` keeps the English. A person's note has none.
    approval_note_key: Optional[str] = Field(default=None, max_length=40)
    approval_note_params: dict = json_dict_field()
    created_at: datetime = created_at_field()
    # Who recorded the link: that person may not approve it too (Art. 8(5), mutual checks).
    recorded_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    # The member's day the sub-outsourcing ended (None: it is current) and why. An ended link
    # is kept, so the chain as it stood on a past day can still be read (Art. 11(6)).
    ended_on: Optional[date] = None
    end_reason: str = Field(default="", max_length=1000)


class DataLocation(SQLModel, table=True):
    """A country/region where user data of an arrangement or a link is stored or processed."""

    __tablename__ = "data_location"
    __table_args__ = (
        CheckConstraint("(arrangement_id IS NULL) <> (link_id IS NULL)",
                        name="ck_location_one_owner"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    arrangement_id: Optional[int] = Field(default=None, foreign_key="arrangement.id",
                                          index=True, ondelete="CASCADE")
    link_id: Optional[int] = Field(default=None, foreign_key="outsourcing_link.id", index=True,
                                   ondelete="CASCADE")
    country: str = Field(max_length=2)
    region: str = Field(default="", max_length=100)
    purpose: str = Field(default="both", max_length=12)


class AntisocialCheck(SQLModel, table=True):
    """A 反社会的勢力チェック (check that the vendor is not an anti-social force): when, how,
    what it found, the evidence, and when the next check falls due."""

    __tablename__ = "antisocial_check"
    id: Optional[int] = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True, ondelete="CASCADE")
    checked_on: date
    method: str = Field(max_length=20)
    result: str = Field(max_length=10)
    evidence_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence_file_id: Optional[int] = Field(default=None, foreign_key="stored_file.id")
    evidence_filename: str = Field(default="", max_length=300)
    next_due: date = Field(index=True)  # a business day (core.business_days)
    nominal_next_due: date | None = None  # the date asked for, when it fell on a closed day
    checked_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


def current_link(link=None, walk=None):
    """The condition "this link is in the chain now" (not ended), on the link table or an
    alias of it: every query that means the chain as it stands today uses it. In the step of
    a recursive walk, give ``walk``, a column of the walk's CTE (``CurrentInWalk``)."""
    ended_on = (OutsourcingLink.__table__ if link is None else link).c.ended_on
    return ended_on.is_(None) if walk is None else CurrentInWalk(ended_on, walk)


class CurrentInWalk(ColumnElement):
    """``ended_on IS NULL`` in a recursive walk's step. SQLite (3.40, with ANALYZE's statistics)
    meets a condition on the link table alone in a recursive step by building a Bloom filter
    over the whole table, once per query (5-10 ms at 50,000 links); written there as a term
    joining the walk, ``ended_on IS nullif(w, w)`` (always NULL), it is one index seek as
    before. Other engines read ``ended_on IS NULL``."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("ended_on", InternalTraversal.dp_clauseelement),
                           ("walk", InternalTraversal.dp_clauseelement)]

    def __init__(self, ended_on, walk):
        self.ended_on, self.walk = ended_on, walk


@compiles(CurrentInWalk)
def _current_in_walk(element, compiler, **kw):
    return f"{compiler.process(element.ended_on, **kw)} IS NULL"


@compiles(CurrentInWalk, "sqlite")
def _current_in_walk_sqlite(element, compiler, **kw):
    walk = compiler.process(element.walk, **kw)
    return f"{compiler.process(element.ended_on, **kw)} IS nullif({walk}, {walk})"


def link_on(day: date, start, link=None):
    """The condition "this link was in the chain on ``day``": recorded by then (``start``: the
    first moment after that day, in UTC as stored) and not ended on or before it."""
    table = OutsourcingLink.__table__ if link is None else link
    return and_(table.c.created_at < start, or_(table.c.ended_on.is_(None), table.c.ended_on > day))


# A sub-outsourcing is recorded once among the current links; once ended it may be recorded
# again as a new link, the ended one kept as it was. The condition is the literal of
# ``current_link`` so that the chain walks (which all carry it) can use the index.
Index("uq_link_once", OutsourcingLink.__table__.c.arrangement_id, OutsourcingLink.__table__.c.parent_vendor_id,
      OutsourcingLink.__table__.c.vendor_id, unique=True,
      sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL"))
# Walking down a chain needs (arrangement, parent), walking up (a vendor's exposure)
# (arrangement, vendor); then ``ended_on``, which the walks all test (``current_link``), so
# that each step is one index seek read from the index alone. With ANALYZE's statistics and
# ``ended_on`` absent (or last), SQLite read each step's rows and built a Bloom filter over the
# whole link table per query: chain and exposure queries took 2-8 times as long.
Index("ix_link_arrangement_vendor", OutsourcingLink.__table__.c.arrangement_id,
      OutsourcingLink.__table__.c.vendor_id, OutsourcingLink.__table__.c.ended_on,
      OutsourcingLink.__table__.c.parent_vendor_id)
Index("ix_link_arrangement_parent", OutsourcingLink.__table__.c.arrangement_id,
      OutsourcingLink.__table__.c.parent_vendor_id, OutsourcingLink.__table__.c.ended_on,
      OutsourcingLink.__table__.c.vendor_id)
Index("ix_arrangement_status_vendor", Arrangement.__table__.c.status, Arrangement.__table__.c.vendor_id)
# Active arrangements in title order: the start page reads the chains whose oldest waiting
# link was recorded on one day (a register imported at once) by title, and stops at a page.
Index("ix_arrangement_status_title", Arrangement.__table__.c.status, Arrangement.__table__.c.title,
      Arrangement.__table__.c.id)
# The links waiting for a decision, oldest first: the start page reads the chains waiting
# longest from it and stops after a page of them. A query uses it only when it spells the
# same condition with the literal (``WAITING``), not a bound parameter (SQLite cannot tell).
WAITING = and_(OutsourcingLink.approval_status != literal_column("'approved'"), current_link())
Index("ix_link_waiting_created", OutsourcingLink.__table__.c.created_at, OutsourcingLink.__table__.c.id,
      sqlite_where=text("approval_status <> 'approved'"), postgresql_where=text("approval_status <> 'approved'"))
# The register's 50音 order, for every list and select of vendors: those with a reading (a
# フリガナ, or a name in kana or Latin letters) first, in its order, the others after them by name. A page of the register reads 50 entries of it.
READING_ORDER = (Vendor.kana_missing, Vendor.kana_key, Vendor.name_kana, Vendor.name, Vendor.id)
Index("ix_vendor_register_order", *(Vendor.__table__.c[name] for name in
                                   ("kana_missing", "kana_key", "name_kana", "name", "id")))
