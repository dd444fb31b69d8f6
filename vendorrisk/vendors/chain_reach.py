"""Chains as set queries: the nodes of every arrangement's chain, their tiers and facts.

Tier 1 is the arrangement's vendor; a link whose parent is reached at tier *n* reaches its
vendor at tier *n + 1*. A recursive CTE answers for all arrangements at once (the register,
the tier filter); for a handful of vendors (one page) an upward CTE from those vendors finds
their tiers without walking every chain. A depth limit stops a cycle (which the chains area
refuses anyway) from running forever.

Facts that do not depend on the tier (which arrangements reach a vendor, whether any is
important, cloud, or handles user data) come from the arrangement and link tables directly:
every link carries its arrangement, so no recursion is needed for them.
"""
from functools import lru_cache

from sqlalchemy import Integer, and_, case, cast, func, literal, null, or_, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from vendorrisk.core import txmemo
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

CHAIN_TABLES = ("arrangement", "outsourcing_link")  # what a chain read reads: a write to them forgets it

MAX_DEPTH = 12
FEW = 100  # vendors: a write's chain. Reads for more (a rebuild's batch) leave their joins to the planner.


class NoIndex(ColumnElement):
    """A column SQLite must not use an index for (``+column``); other engines see the column.

    Without statistics (SQLite never gathers them by itself) SQLite's planner prefers the
    ``(status, vendor_id)`` index of arrangements to the link's ``vendor_id`` for "links of
    these vendors in active arrangements", and walks every active arrangement (75 ms instead
    of 1 ms for a page of vendors). Hiding the status from the planner makes it start from the
    vendors. PostgreSQL keeps statistics and plans well on its own (and has no ``+text``)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(NoIndex)
def _no_index_default(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(NoIndex, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.column, **kw)


def no_index(column):
    """``column`` in a condition the SQLite planner should not drive an index lookup with."""
    return NoIndex(column)


@lru_cache(maxsize=None)
def _alias(table, name: str):
    """One alias per table and name for the whole process: an alias makes a proxy of every
    column of its table when first read, which cost more than the rest of a read."""
    return table.alias(name)


def probed(session, vendor_ids, table, *, name: str, columns: tuple[str, ...], unique: bool = True, **equal):
    """The rows of ``table`` whose columns named in ``equal`` equal the values given there
    (columns of the rows joined from), as ``(from_item, onclause)`` for a join, in a read for
    ``vendor_ids``; ``columns``: those the read uses; ``unique``: ``equal`` names a key (one row).

    On PostgreSQL, for a few vendors, a LATERAL subquery with ``LIMIT 1`` (a key: one row) or
    ``OFFSET 0`` (several rows): PostgreSQL cannot flatten such a subquery into the join, so it
    runs it once per row joined from, as one index probe. Left to itself, with the default
    ``random_page_cost`` of 4, it prices the few hundred probes of a hub's links above one
    sequential scan of the whole table and hashes all of it (``Hash [Seq Scan(arrangement)]``),
    which grows with the portfolio. For many vendors (a rebuild's batch, a sweep) the hash is
    the better plan and the planner keeps its choice; SQLite is given the table itself (its
    joins from an index are probes already, ``no_index`` above)."""
    if vendor_ids is None or len(vendor_ids) > FEW or session is None or session.get_bind().dialect.name != "postgresql":
        return table, and_(*(table.c[column] == value for column, value in equal.items()))
    inner = _alias(table, f"{name}_row")
    rows = select(*(inner.c[column] for column in columns)).where(
        *(inner.c[column] == value for column, value in equal.items()))
    return (rows.limit(1) if unique else rows.offset(0)).lateral(name), true()


def _active(arrangement):
    return arrangement.c.status != "terminated"


def chain_paths():
    """Recursive CTE of (arrangement_id, vendor_id, parent_vendor_id, link_id, tier) rows."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    base = (select(arrangement.c.id.label("arrangement_id"), arrangement.c.vendor_id.label("vendor_id"),
                   cast(null(), Integer).label("parent_vendor_id"), cast(null(), Integer).label("link_id"),
                   literal(1, Integer).label("tier"))
            .where(_active(arrangement)))
    paths = base.cte("chain_paths", recursive=True)
    step = (select(link.c.arrangement_id, link.c.vendor_id, link.c.parent_vendor_id, link.c.id,
                   (paths.c.tier + 1).label("tier"))
            .join(paths, and_(link.c.arrangement_id == paths.c.arrangement_id,
                              link.c.parent_vendor_id == paths.c.vendor_id))
            .where(paths.c.tier < MAX_DEPTH, current_link(link, paths.c.vendor_id)))
    # UNION ALL: duplicates (a vendor reached twice) are folded by the callers' MIN(tier).
    return paths.union_all(step)


def chain_nodes():
    """Subquery of chain nodes: one row per (arrangement, vendor, link) with its lowest tier.

    Tier-1 nodes have ``link_id`` NULL; every reachable link is one node.
    """
    paths = chain_paths()
    return (select(paths.c.arrangement_id, paths.c.vendor_id, paths.c.parent_vendor_id, paths.c.link_id,
                   func.min(paths.c.tier).label("tier"))
            .group_by(paths.c.arrangement_id, paths.c.vendor_id, paths.c.parent_vendor_id, paths.c.link_id)
            .subquery("chain_nodes"))


def vendor_tiers(up_to: int | None = None):
    """Subquery (vendor_id, tier): each vendor's lowest tier over all chains.

    With ``up_to`` the walk stops at that tier: every tier up to it is exact and vendors
    reached only deeper are left out, which is all a filter on one tier needs (tier 2 costs
    one step from the tier-1 vendors, not a walk of every chain). The walk is a UNION over
    (arrangement, vendor, tier), so a vendor reached by several paths at the same tier (a
    shared subcontractor in a DAG) is carried forward once, not once per path."""
    depth = MAX_DEPTH if up_to is None else min(up_to, MAX_DEPTH)
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    base = (select(arrangement.c.id.label("arrangement_id"), arrangement.c.vendor_id.label("vendor_id"),
                   literal(1, Integer).label("tier"))
            .where(_active(arrangement)))
    reached = base.cte("tier_walk", recursive=True)
    step = (select(link.c.arrangement_id, link.c.vendor_id, (reached.c.tier + 1).label("tier"))
            .join(reached, and_(link.c.arrangement_id == reached.c.arrangement_id,
                                link.c.parent_vendor_id == reached.c.vendor_id))
            .where(reached.c.tier < depth, current_link(link, reached.c.vendor_id)))
    reached = reached.union(step)
    return (select(reached.c.vendor_id, func.min(reached.c.tier).label("tier"))
            .group_by(reached.c.vendor_id).subquery("vendor_tiers"))


def tiers_for(session, vendor_ids: list[int], deepest: bool = False) -> dict[int, int]:
    """The lowest chain tier of each of a few vendors, walking up from them to tier 1 (the
    walk is bounded by the vendors' ancestors, not by the chains holding them); ``deepest``:
    the highest tier instead. One walk answers both, shared by the transaction's listeners
    (the risk tier asks for the highest, the maintained verdicts for the lowest)."""
    if not vendor_ids:
        return {}
    ids = frozenset(vendor_ids)
    lowest, highest = txmemo.remembered(session, ("chain_reach.tiers_for", ids), CHAIN_TABLES,
                                        lambda: _tier_range(session, sorted(ids)))
    return dict(highest if deepest else lowest)


def _tier_range(session, vendor_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    start = (select(link.c.vendor_id.label("start_id"), link.c.arrangement_id,
                    link.c.parent_vendor_id.label("current_id"), literal(2, Integer).label("depth"))
             .where(link.c.vendor_id.in_(vendor_ids), current_link(link)))
    up = start.cte("upward", recursive=True)
    held, on = probed(session, vendor_ids, arrangement, name="held", columns=("vendor_id",),
                      id=up.c.arrangement_id)
    step = (select(up.c.start_id, up.c.arrangement_id, link.c.parent_vendor_id, (up.c.depth + 1))
            .select_from(up.join(held, on)
                         .join(link, and_(link.c.arrangement_id == up.c.arrangement_id,
                                          link.c.vendor_id == up.c.current_id)))
            .where(up.c.depth < MAX_DEPTH, held.c.vendor_id != up.c.current_id,
                   current_link(link, up.c.current_id)))
    up = up.union(step)
    top, on = probed(session, vendor_ids, arrangement, name="top", columns=("vendor_id", "status"),
                     id=up.c.arrangement_id)
    reached = (select(up.c.start_id, func.min(up.c.depth), func.max(up.c.depth))
               .select_from(up.join(top, on))
               .where(top.c.vendor_id == up.c.current_id, _active(top))
               .group_by(up.c.start_id))
    # the vendors at tier 1 of an active arrangement, in the same statement (depth 1)
    heads = (select(arrangement.c.vendor_id, literal(1, Integer), literal(1, Integer)).distinct()
             .where(arrangement.c.vendor_id.in_(vendor_ids), _active(arrangement)))
    lowest, highest = {}, {}
    for vendor_id, low, high in session.execute(union_all(reached, heads)):
        if low == 1:  # a head: tier 1 is its lowest; its highest is the deepest link's, if any
            lowest[vendor_id] = 1
            highest.setdefault(vendor_id, 1)
        else:
            lowest.setdefault(vendor_id, low)
            highest[vendor_id] = high
    return lowest, highest


def _memberships(vendor_ids: list[int] | None = None, session=None):
    """Every (vendor, arrangement) membership with its flags: tier-1 vendors and link vendors.

    For given vendors each branch is driven from them, whatever the statistics say: the
    arrangement's status and the link's arrangement are hidden from SQLite's index choice, so
    it finds the vendors' rows by their vendor index and each arrangement by its key; with the
    ``session``, each link's arrangement is an index probe on PostgreSQL (``probed``)."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    status, link_arrangement = arrangement.c.status, link.c.arrangement_id
    if vendor_ids is not None:
        status, link_arrangement = no_index(status), no_index(link_arrangement)
    tier1 = (select(arrangement.c.vendor_id, arrangement.c.id.label("arrangement_id"),
                    arrangement.c.is_important.label("important"), arrangement.c.is_cloud.label("cloud"),
                    arrangement.c.handles_user_data.label("user_data"))
             .where(status != "terminated"))
    held, on = probed(session, vendor_ids, arrangement, name="held", columns=("is_important", "status"),
                      id=link_arrangement)
    held_status = no_index(held.c.status) if vendor_ids is not None else held.c.status
    linked = (select(link.c.vendor_id, link.c.arrangement_id, held.c.is_important,
                     literal(False).label("cloud"), link.c.touches_user_data)
              .select_from(link.join(held, on))
              .where(held_status != "terminated", current_link(link)))
    if vendor_ids is not None:
        tier1 = tier1.where(arrangement.c.vendor_id.in_(vendor_ids))
        linked = linked.where(link.c.vendor_id.in_(vendor_ids))
    return union_all(tier1, linked).subquery("memberships")


def vendor_facts(vendor_ids: list[int] | None = None, session=None):
    """Subquery per vendor in any chain: ``arrangements`` depending on it, and 0/1 flags
    ``important``, ``cloud`` (tier-1 vendor of a cloud arrangement) and ``user_data``; the
    ``session`` lets it probe by index on PostgreSQL (``probed``)."""
    m = _memberships(vendor_ids, session)
    query = (select(m.c.vendor_id,
                    func.count(func.distinct(m.c.arrangement_id)).label("arrangements"),
                    func.max(case((m.c.important.is_(True), 1), else_=0)).label("important"),
                    func.max(case((m.c.cloud.is_(True), 1), else_=0)).label("cloud"),
                    func.max(case((m.c.user_data.is_(True), 1), else_=0)).label("user_data"))
             .group_by(m.c.vendor_id))
    return query.subquery("vendor_facts")


def concentration(session, limit: int = 10) -> list[dict]:
    """Vendors depended on by the most arrangements at any tier, most first, with their tier."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    vendor = Vendor.__table__
    terminated = select(arrangement.c.id).where(~_active(arrangement))
    pairs = union_all(
        select(link.c.vendor_id, link.c.arrangement_id).where(link.c.arrangement_id.not_in(terminated),
                                                              current_link(link)),
        select(arrangement.c.vendor_id, arrangement.c.id).where(_active(arrangement))).subquery("pairs")
    count = func.count(func.distinct(pairs.c.arrangement_id))
    top = (select(pairs.c.vendor_id, count.label("arrangements")).group_by(pairs.c.vendor_id)
           .order_by(count.desc(), pairs.c.vendor_id).limit(limit).subquery("top"))
    rows = session.execute(select(vendor.c.id, vendor.c.name, vendor.c.name_en, top.c.arrangements)
                           .join(top, top.c.vendor_id == vendor.c.id)
                           .order_by(top.c.arrangements.desc(), vendor.c.name, vendor.c.id)).all()
    tiers = tiers_for(session, [r.id for r in rows])
    return [{"vendor_id": r.id, "name": r.name, "name_en": r.name_en, "arrangements": r.arrangements,
             "tier": tiers.get(r.id)} for r in rows]


def flag_condition(name: str, vendor_id_column):
    """A condition true when the vendor is ``important`` / ``cloud`` / ``user_data`` in some chain,
    as EXISTS probes on indexed columns (cheap per vendor, no aggregate over every chain)."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    vendor = Vendor.__table__
    as_tier1 = select(arrangement.c.id).where(arrangement.c.vendor_id == vendor_id_column, _active(arrangement))
    as_linked = (select(link.c.id).join(arrangement, arrangement.c.id == link.c.arrangement_id)
                 .where(link.c.vendor_id == vendor_id_column, _active(arrangement), current_link(link)))
    if name == "important":
        return or_(as_tier1.where(arrangement.c.is_important.is_(True)).exists(),
                   as_linked.where(arrangement.c.is_important.is_(True)).exists())
    if name == "cloud":
        return or_(vendor.c.is_cloud.is_(True), as_tier1.where(arrangement.c.is_cloud.is_(True)).exists())
    if name == "user_data":
        return or_(as_tier1.where(arrangement.c.handles_user_data.is_(True)).exists(),
                   as_linked.where(link.c.touches_user_data.is_(True)).exists())
    raise ValueError(name)


def left_every_chain(vendor_id_column):
    """A condition true for a vendor that was in some arrangement's chain (tier 1 or a link)
    and is in no current one any more: its arrangements all ended, or the sub-outsourcing
    that brought it in ended (``current_link``). A vendor in no chain at all (a prospect being
    assessed) is not one of them; one put in a chain again is not one any more."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    was_in = or_(select(arrangement.c.id).where(arrangement.c.vendor_id == vendor_id_column).exists(),
                 select(link.c.id).where(link.c.vendor_id == vendor_id_column).exists())
    in_force = or_(select(arrangement.c.id).where(arrangement.c.vendor_id == vendor_id_column,
                                                  _active(arrangement)).exists(),
                   select(link.c.id).join(arrangement, arrangement.c.id == link.c.arrangement_id)
                   .where(link.c.vendor_id == vendor_id_column, _active(arrangement), current_link(link)).exists())
    return and_(was_in, ~in_force)
