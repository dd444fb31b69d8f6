"""Chains as set queries: every node of every arrangement's chain, with its tier.

Tier 1 is the arrangement's vendor; a link whose parent is reached at tier *n* reaches its
vendor at tier *n + 1*. One recursive CTE answers for all arrangements at once; a link
whose parent is not reachable from tier 1 is not part of the chain. A depth limit stops a
cycle (which the chains area refuses anyway) from running forever.
"""
from sqlalchemy import Integer, and_, case, cast, func, literal, null, or_, select

from ..models.vendors import Arrangement, OutsourcingLink, Vendor

MAX_DEPTH = 12


def chain_paths():
    """Recursive CTE of (arrangement_id, vendor_id, parent_vendor_id, link_id, tier) rows."""
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    base = (select(arrangement.c.id.label("arrangement_id"), arrangement.c.vendor_id.label("vendor_id"),
                   cast(null(), Integer).label("parent_vendor_id"), cast(null(), Integer).label("link_id"),
                   literal(1, Integer).label("tier"))
            .where(arrangement.c.status != "terminated"))
    paths = base.cte("chain_paths", recursive=True)
    step = (select(link.c.arrangement_id, link.c.vendor_id, link.c.parent_vendor_id, link.c.id,
                   (paths.c.tier + 1).label("tier"))
            .join(paths, and_(link.c.arrangement_id == paths.c.arrangement_id,
                              link.c.parent_vendor_id == paths.c.vendor_id))
            .where(paths.c.tier < MAX_DEPTH))
    return paths.union(step)


def chain_nodes():
    """Subquery of chain nodes: one row per (arrangement, vendor, link) with its lowest tier.

    Tier-1 nodes have ``link_id`` NULL; every reachable link is one node.
    """
    paths = chain_paths()
    return (select(paths.c.arrangement_id, paths.c.vendor_id, paths.c.parent_vendor_id, paths.c.link_id,
                   func.min(paths.c.tier).label("tier"))
            .group_by(paths.c.arrangement_id, paths.c.vendor_id, paths.c.parent_vendor_id, paths.c.link_id)
            .subquery("chain_nodes"))


def vendor_facts_query():
    """Select one row per vendor with what the matrix filters on.

    Columns: id, name, name_en, risk_tier, status, vendor's own is_cloud, ``tier`` (lowest
    chain tier, NULL outside any chain), ``arrangements`` (how many depend on it),
    ``important``, ``cloud`` and ``user_data`` (0/1) over every chain it is in.
    """
    nodes = chain_nodes()
    arrangement = Arrangement.__table__
    link = OutsourcingLink.__table__
    vendor = Vendor.__table__
    tier1 = nodes.c.link_id.is_(None)
    facts = (select(nodes.c.vendor_id,
                    func.min(nodes.c.tier).label("tier"),
                    func.count(func.distinct(nodes.c.arrangement_id)).label("arrangements"),
                    func.max(case((arrangement.c.is_important, 1), else_=0)).label("important"),
                    func.max(case((and_(tier1, arrangement.c.is_cloud), 1), else_=0)).label("cloud"),
                    func.max(case((or_(and_(tier1, arrangement.c.handles_user_data),
                                       link.c.touches_user_data.is_(True)), 1), else_=0)).label("user_data"))
             .select_from(nodes.join(arrangement, arrangement.c.id == nodes.c.arrangement_id)
                          .outerjoin(link, link.c.id == nodes.c.link_id))
             .group_by(nodes.c.vendor_id)
             .subquery("vendor_facts"))
    return (select(vendor.c.id, vendor.c.name, vendor.c.name_en, vendor.c.risk_tier, vendor.c.status,
                   facts.c.tier, func.coalesce(facts.c.arrangements, 0).label("arrangements"),
                   func.coalesce(facts.c.important, 0).label("important"),
                   case((vendor.c.is_cloud, 1), else_=func.coalesce(facts.c.cloud, 0)).label("cloud"),
                   func.coalesce(facts.c.user_data, 0).label("user_data"))
            .select_from(vendor.outerjoin(facts, facts.c.vendor_id == vendor.c.id)))


def concentration_query(limit: int = 10):
    """Vendors depended on by the most arrangements at any tier, most first."""
    nodes = chain_nodes()
    vendor = Vendor.__table__
    count = func.count(func.distinct(nodes.c.arrangement_id))
    return (select(vendor.c.id, vendor.c.name, vendor.c.name_en, count.label("arrangements"),
                   func.min(nodes.c.tier).label("tier"))
            .select_from(nodes.join(vendor, vendor.c.id == nodes.c.vendor_id))
            .group_by(vendor.c.id, vendor.c.name, vendor.c.name_en)
            .order_by(count.desc(), vendor.c.name, vendor.c.id)
            .limit(limit))
