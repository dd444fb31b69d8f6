"""The questions asked of the chains, each answered by one recursive query (SQLite and
PostgreSQL alike): the chain of an arrangement, a vendor's exposure, concentration, gaps.

Tiers are derived here: tier 1 is the arrangement's vendor, each link adds one. A vendor
reached through several parents appears once per path (so at several tiers).
"""
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import JSON, Integer, Text, and_, bindparam, case, cast, exists, func, literal, null, or_, select, true
from sqlmodel import Session

from vendorrisk.core import clock
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor, current_link, link_on

MAX_TIERS = 30  # a guard only: the service refuses cycles, so real chains end long before
A = Arrangement.__table__
L = OutsourcingLink.__table__
V = Vendor.__table__
D = DataLocation.__table__


def _id_text(column):
    return cast(column, Text)


def in_chain_on(link, as_of: date | None = None, walk=None):
    """The links of the chain now (``as_of`` None: not ended), or as it stood on ``as_of``;
    ``walk``: a column of the recursive walk whose step this is (``models.CurrentInWalk``)."""
    if as_of is None:
        return current_link(link, walk)
    return link_on(as_of, clock.moments_of_days(as_of, as_of)[1], link)


def chain_cte(arrangement_ids=None, as_of: date | None = None):
    """The recursive CTE of every path of the chains of these arrangements (all when ``None``),
    now or on the day ``as_of``: arrangement_id, vendor_id, parent_vendor_id, link_id, tier,
    path ("/1/7/12/")."""
    anchor = select(A.c.id.label("arrangement_id"), A.c.vendor_id.label("vendor_id"),
                    cast(null(), Integer).label("parent_vendor_id"), cast(null(), Integer).label("link_id"),
                    literal(1, Integer).label("tier"),
                    cast(literal("/") + _id_text(A.c.vendor_id) + literal("/"), Text).label("path"))
    if arrangement_ids is not None:
        anchor = anchor.where(A.c.id.in_(arrangement_ids))
    nodes = anchor.cte("chain_nodes", recursive=True)
    step = select(nodes.c.arrangement_id, L.c.vendor_id, L.c.parent_vendor_id, L.c.id,
                  nodes.c.tier + 1,
                  cast(nodes.c.path + _id_text(L.c.vendor_id) + literal("/"), Text)).join(
        L, and_(L.c.arrangement_id == nodes.c.arrangement_id, L.c.parent_vendor_id == nodes.c.vendor_id)
    ).where(nodes.c.tier < MAX_TIERS, in_chain_on(L, as_of, nodes.c.vendor_id),
            ~nodes.c.path.contains(literal("/") + _id_text(L.c.vendor_id) + literal("/")))
    return nodes.union_all(step)


@dataclass
class ChainNode:
    """One node of a chain: a vendor at a tier under a parent, with the link that brought it."""

    arrangement_id: int
    vendor_id: int
    parent_vendor_id: int | None
    link_id: int | None
    tier: int
    path: str
    is_final: bool
    vendor_name: str
    vendor_name_en: str
    corporate_number: str | None
    country: str
    is_cloud: bool
    service: str | None
    touches_user_data: bool | None
    approval_status: str | None
    approval_basis: str | None
    approved_on: date | None
    path_names: list[str] = field(default_factory=list)
    children: list["ChainNode"] = field(default_factory=list)

    @property
    def path_ids(self) -> list[int]:
        """The vendor ids from tier 1 down to this node."""
        return [int(p) for p in self.path.strip("/").split("/")]


def chain_nodes(session: Session, arrangement_ids=None, as_of: date | None = None) -> list[ChainNode]:
    """Every node of the chains of these arrangements (all when ``None``), one query; with
    ``as_of``, the chains as they stood on that day (ended links included while in force)."""
    nodes = chain_cte(arrangement_ids, as_of)
    child_link = L.alias("child_link")
    is_final = ~exists().where(child_link.c.arrangement_id == nodes.c.arrangement_id,
                               child_link.c.parent_vendor_id == nodes.c.vendor_id, in_chain_on(child_link, as_of))
    query = (select(nodes.c.arrangement_id, nodes.c.vendor_id, nodes.c.parent_vendor_id, nodes.c.link_id,
                    nodes.c.tier, nodes.c.path, is_final.label("is_final"), V.c.name, V.c.name_en,
                    V.c.corporate_number, V.c.country, V.c.is_cloud, L.c.service, L.c.touches_user_data,
                    L.c.approval_status, L.c.approval_basis, L.c.approved_on)
             .join(V, V.c.id == nodes.c.vendor_id)
             .outerjoin(L, L.c.id == nodes.c.link_id)
             .order_by(nodes.c.arrangement_id, nodes.c.tier, V.c.name, nodes.c.path))
    result = [ChainNode(*row) for row in session.execute(query)]
    names = {node.vendor_id: node.vendor_name for node in result}
    for node in result:
        node.path_names = [names[i] for i in node.path_ids]
        node.is_final = bool(node.is_final)
    return result


def chain_tree(nodes: list[ChainNode]) -> list[ChainNode]:
    """Arrange one chain's nodes as a tree (children in name order); returns the roots."""
    by_path = {node.path: node for node in nodes}
    roots = []
    for node in nodes:  # already ordered by tier, so parents come first
        parent_path = node.path[: node.path.rstrip("/").rfind("/") + 1]
        parent = by_path.get(parent_path) if node.parent_vendor_id is not None else None
        (parent.children if parent else roots).append(node)
    return roots


@dataclass
class Exposure:
    """Where a vendor appears: an arrangement, the tiers it sits at, and what is at stake."""

    arrangement_id: int
    title: str
    tier1_vendor_id: int
    tier1_vendor_name: str
    is_important: bool
    handles_user_data: bool
    status: str
    tiers: list[int]


def exposure(session: Session, vendor_id: int) -> list[Exposure]:
    """Every arrangement the vendor appears in, at which tiers (one query walking up)."""
    occurrences = select(A.c.id.label("arrangement_id")).where(A.c.vendor_id == vendor_id).union(
        select(L.c.arrangement_id).where(L.c.vendor_id == vendor_id, current_link(L))).subquery()
    anchor = (select(occurrences.c.arrangement_id, A.c.vendor_id.label("root_id"),
                     literal(vendor_id, Integer).label("current_id"), literal(1, Integer).label("depth"),
                     cast(literal("/") + _id_text(literal(vendor_id, Integer)) + literal("/"), Text).label("path"))
              .join(A, A.c.id == occurrences.c.arrangement_id))
    up = anchor.cte("exposure_up", recursive=True)
    step = (select(up.c.arrangement_id, up.c.root_id, L.c.parent_vendor_id, up.c.depth + 1,
                   cast(up.c.path + _id_text(L.c.parent_vendor_id) + literal("/"), Text))
            .join(L, and_(L.c.arrangement_id == up.c.arrangement_id, L.c.vendor_id == up.c.current_id))
            .where(up.c.current_id != up.c.root_id, up.c.depth < MAX_TIERS, current_link(L, up.c.current_id),
                   ~up.c.path.contains(literal("/") + _id_text(L.c.parent_vendor_id) + literal("/"))))
    up = up.union_all(step)
    query = (select(A.c.id, A.c.title, A.c.vendor_id, V.c.name, A.c.is_important, A.c.handles_user_data,
                    A.c.status, up.c.depth)
             .select_from(up).join(A, A.c.id == up.c.arrangement_id).join(V, V.c.id == A.c.vendor_id)
             .where(up.c.current_id == up.c.root_id).distinct()
             .order_by(A.c.is_important.desc(), A.c.title, A.c.id, up.c.depth))
    result: dict[int, Exposure] = {}
    for row in session.execute(query):
        item = result.get(row[0])
        if item is None:
            item = result[row[0]] = Exposure(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]),
                                             row[6], [])
        if row[7] not in item.tiers:
            item.tiers.append(row[7])
    return list(result.values())


def reachable_cte(active_only: bool = True):
    """(arrangement_id, vendor_id) for every vendor reachable in each chain, without repeats."""
    anchor = select(A.c.id.label("arrangement_id"), A.c.vendor_id.label("vendor_id"))
    if active_only:
        anchor = anchor.where(A.c.status == "active")
    reach = anchor.cte("reach", recursive=True)
    step = select(reach.c.arrangement_id, L.c.vendor_id).join(
        L, and_(L.c.arrangement_id == reach.c.arrangement_id, L.c.parent_vendor_id == reach.c.vendor_id)
    ).where(current_link(L, reach.c.vendor_id))
    return reach.union(step)


def _one_chain_walk():
    """The vendors of one chain, each once: a recursive CTE nested in a subquery and correlated
    to the enclosing query's ``arrangement`` row (UNION stops at vendors already visited)."""
    walk = select(A.c.vendor_id.label("vendor_id")).correlate(A).cte("walk", recursive=True, nesting=True)
    step = select(L.c.vendor_id).join(
        walk, and_(L.c.arrangement_id == A.c.id, L.c.parent_vendor_id == walk.c.vendor_id)
    ).where(current_link(L, walk.c.vendor_id)).correlate(A)
    return walk.union(step)


def _chain_members(dialect: str):
    """Each vendor of each active chain, once per arrangement, with that arrangement's flags.

    SQLite walks the chains one arrangement at a time (small visited sets, index seeks) and
    unnests the walk with ``json_each``; PostgreSQL walks all chains at once with hash joins.
    Both give the same pairs as ``reachable_cte()``."""
    if dialect == "sqlite":
        walk = _one_chain_walk()
        members = func.json_each(select(func.json_group_array(walk.c.vendor_id)).scalar_subquery()
                                 ).table_valued("value", name="member")
        return (select(members.c.value.label("vendor_id"), A.c.vendor_id.label("tier1_vendor_id"),
                       A.c.is_important, A.c.handles_user_data)
                .select_from(A).join(members, true()).where(A.c.status == "active"))
    reach = reachable_cte()
    return (select(reach.c.vendor_id, A.c.vendor_id.label("tier1_vendor_id"), A.c.is_important,
                   A.c.handles_user_data).join(A, A.c.id == reach.c.arrangement_id))


@lru_cache(maxsize=None)
def _concentration_query(dialect: str):
    members = _chain_members(dialect).subquery("member_of")
    arrangement_count = func.count().label("arrangement_count")
    important_count = func.sum(case((members.c.is_important == true(), 1), else_=0)).label("important_count")
    user_data_count = func.sum(case((members.c.handles_user_data == true(), 1), else_=0)).label("user_data_count")
    direct_count = func.sum(case((members.c.tier1_vendor_id == members.c.vendor_id, 1), else_=0)).label("direct_count")
    counts = (select(members.c.vendor_id, arrangement_count, important_count, user_data_count, direct_count)
              .group_by(members.c.vendor_id).subquery())
    return (select(counts, V.c.name, V.c.name_en, V.c.is_cloud, V.c.country, V.c.status)
            .join(V, V.c.id == counts.c.vendor_id)
            .order_by(counts.c.arrangement_count.desc(), counts.c.important_count.desc(), V.c.name)
            .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))


def concentration(session: Session, limit: int = 50, offset: int = 0) -> list[dict]:
    """Vendors on which the most active arrangements depend at any tier, most depended-on
    first, with how many of those are important or handle user data (one query)."""
    query = _concentration_query(session.get_bind().dialect.name)
    return [{"vendor_id": r.vendor_id, "name": r.name, "name_en": r.name_en, "is_cloud": bool(r.is_cloud),
             "country": r.country, "status": r.status, "arrangement_count": int(r.arrangement_count),
             "important_count": int(r.important_count or 0), "user_data_count": int(r.user_data_count or 0),
             "direct_count": int(r.direct_count or 0),
             "indirect_count": int(r.arrangement_count) - int(r.direct_count or 0)}
            for r in session.execute(query, {"limit": limit, "offset": offset})]


@lru_cache(maxsize=None)
def _gaps_query(dialect: str):
    """(id, title, tier-1 vendor id and name, important, unapproved links, links without location,
    arrangement without location) of every active arrangement, in page order."""
    link_loc = D.alias("link_loc")
    arr_loc = D.alias("arr_loc")
    unapproved = func.sum(case((L.c.approval_status != "approved", 1), else_=0))
    without = func.sum(case((and_(L.c.touches_user_data == true(),
                                  ~exists().where(link_loc.c.link_id == L.c.id)), 1), else_=0))
    arrangement_missing = and_(A.c.handles_user_data == true(), ~exists().where(arr_loc.c.arrangement_id == A.c.id))
    head = select(A.c.id, A.c.title, A.c.vendor_id, V.c.name, A.c.is_important).join(V, V.c.id == A.c.vendor_id)
    if dialect == "sqlite":
        # SQLite: walk each chain on its own (see _chain_members); a scalar subquery returns one
        # value, so both counts come back as a JSON pair from the one walk
        walk = _one_chain_walk()
        pair = (select(func.json_array(unapproved, without, type_=JSON)).select_from(walk)
                .join(L, and_(L.c.arrangement_id == A.c.id, L.c.parent_vendor_id == walk.c.vendor_id))
                .where(current_link(L)).correlate(A).scalar_subquery())
        columns = (pair,)
    else:
        reach = reachable_cte()
        per_arrangement = (select(reach.c.arrangement_id, unapproved.label("unapproved"), without.label("without"))
                           .join(L, and_(L.c.arrangement_id == reach.c.arrangement_id,
                                         L.c.parent_vendor_id == reach.c.vendor_id))
                           .where(current_link(L)).group_by(reach.c.arrangement_id).subquery())
        head = head.outerjoin(per_arrangement, per_arrangement.c.arrangement_id == A.c.id)
        columns = (func.coalesce(per_arrangement.c.unapproved, 0), func.coalesce(per_arrangement.c.without, 0))
    return (head.add_columns(*columns, case((arrangement_missing, 1), else_=0))
            .where(A.c.status == "active").order_by(A.c.is_important.desc(), A.c.title, A.c.id))


def gaps(session: Session) -> list[dict]:
    """Active arrangements whose chains contain unapproved links, or user-data handling in no
    recorded location (arrangement or link), one query."""
    dialect = session.get_bind().dialect.name
    result = []
    for r in session.execute(_gaps_query(dialect)):
        unapproved, without = (int(n or 0) for n in (r[5] if dialect == "sqlite" else r[5:7]))
        arrangement_missing = bool(r[-1])
        if unapproved or without or arrangement_missing:
            result.append({"arrangement_id": r[0], "title": r[1], "vendor_id": r[2], "vendor_name": r[3],
                           "is_important": bool(r[4]), "unapproved_links": unapproved,
                           "links_without_location": without, "arrangement_without_location": arrangement_missing})
    return result


ENDED_LINKS_MONTHS = 12


def ended_links_of(session: Session, vendor_id: int, today: date) -> list:
    """The sub-outsourcing links that ended in the last 12 months up to ``today`` (the member's
    day) in which the vendor was the contractor (``as_contractor``) or the subcontractor, latest
    first, with the arrangement's title and both vendors' names, in one query (Art. 25(4), 11(6))."""
    parent, child = V.alias("parent_vendor"), V.alias("child_vendor")
    query = (select(L.c.id, L.c.arrangement_id, A.c.title, L.c.service, L.c.ended_on, L.c.end_reason,
                    (L.c.parent_vendor_id == vendor_id).label("as_contractor"),
                    L.c.parent_vendor_id, parent.c.name.label("parent_name"), parent.c.name_en.label("parent_name_en"),
                    L.c.vendor_id, child.c.name.label("vendor_name"), child.c.name_en.label("vendor_name_en"))
             .select_from(L.join(A, A.c.id == L.c.arrangement_id).join(parent, parent.c.id == L.c.parent_vendor_id)
                          .join(child, child.c.id == L.c.vendor_id))
             .where(or_(L.c.parent_vendor_id == vendor_id, L.c.vendor_id == vendor_id), L.c.ended_on.is_not(None),
                    L.c.ended_on > clock.add_months(today, -ENDED_LINKS_MONTHS), L.c.ended_on <= today)
             .order_by(L.c.ended_on.desc(), L.c.id.desc()))
    return session.execute(query).all()
