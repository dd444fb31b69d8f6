"""Inherent risk tier of each vendor: critical, high, medium or low.

The tier is computed from the vendor's positions in outsourcing chains (tier 1 being the
vendor the member contracts with), in active arrangements only, and stored in
``Vendor.risk_tier`` so that monitoring and the compliance matrix can read it. Points:

====================================================  ======
Factor                                                Points
====================================================  ======
serves an important function (any arrangement)          +3
handles user data (arrangement at tier 1, or a link
that touches user data)                                 +2
cloud (vendor flagged cloud, or tier 1 of a cloud
arrangement)                                            +1
substitutability of the arrangement (worst of them):
hard +2, medium +1, easy 0                             0-2
chain position: sub-outsourced (tier 2) +1,
tier 3 or deeper +2                                    0-2
user data stored or processed outside Japan
(a DataLocation of its arrangement or link)             +2
====================================================  ======

Tier: 8 points or more **critical**, 5-7 **high**, 2-4 **medium**, 0-1 **low**. A manual
override replaces the computed tier until it is cleared: set by compliance staff or an admin
only, with a required reason, kept in history. It is the one way to set a tier — the page,
``POST /api/v1/selection/vendors/{id}/risk-tier-override`` and ``vendorrisk risk override``
all come here; vendor forms, the vendor API and the register import refuse a tier. The facts are gathered in a few set queries (a recursive CTE walks the chains).
"""
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlmodel import Session

from vendorrisk.core import events
from vendorrisk.core.errors import Forbidden, NotFound, ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.selection.models import RiskTierOverride
from vendorrisk.vendors.chain_reach import no_index, probed, tiers_for
from vendorrisk.vendors.models import RISK_TIERS, Arrangement, DataLocation, OutsourcingLink, Vendor, current_link
from vendorrisk.vendors.service import get_vendor

ARRANGEMENT = Arrangement.__table__
MAX_DEPTH = 12  # a chain deeper than this is a data error (or a cycle); stop walking
SUBSTITUTABILITY_POINTS = {"easy": 0, "medium": 1, "hard": 2}
THRESHOLDS = (("critical", 8), ("high", 5), ("medium", 2), ("low", 0))
OVERRIDERS = ("admin", "compliance")


def chain_positions(vendor_ids: list[int] | None = None):
    """A recursive CTE of (arrangement_id, vendor_id, tier) for every active arrangement, or only
    for the arrangements whose chains contain one of ``vendor_ids``."""
    start = (select(Arrangement.id.label("arrangement_id"), Arrangement.vendor_id.label("vendor_id"),
                    literal(1).label("tier"))
             .where(Arrangement.status == "active"))
    if vendor_ids is not None:
        start = start.where(or_(Arrangement.vendor_id.in_(vendor_ids), Arrangement.id.in_(
            select(OutsourcingLink.arrangement_id).where(OutsourcingLink.vendor_id.in_(vendor_ids), current_link()))))
    base = start.cte("chain", recursive=True)
    link = OutsourcingLink.__table__.alias("l")
    step = (select(link.c.arrangement_id, link.c.vendor_id, (base.c.tier + 1).label("tier"))
            .join(base, and_(link.c.arrangement_id == base.c.arrangement_id,
                             link.c.parent_vendor_id == base.c.vendor_id))
            .where(base.c.tier < MAX_DEPTH, current_link(link, base.c.vendor_id)))
    return base.union_all(step)


def _substitutability(arrangement):
    """Points of an arrangement's substitutability as a number: hard 2, medium 1, easy 0."""
    return case((arrangement.c.substitutability == "hard", 2),
                (arrangement.c.substitutability == "easy", 0), else_=1)


def _arrangement_flags(arrangement, user_data) -> tuple:
    """The columns a membership carries into the tier's facts: its arrangement's, and whether
    the vendor handles user data in it (``user_data``)."""
    return (arrangement.c.is_important.label("important"), arrangement.c.is_cloud.label("cloud"),
            user_data.label("user_data"), _substitutability(arrangement).label("subst"))


def _flag(condition):
    return func.max(case((condition, 1), else_=0))


def _apply_positions(facts: dict, rows) -> None:
    for row in rows:
        f = facts[row.vendor_id]
        f.update(max_tier=row.max_tier, important=bool(row.important), arrangements=row.arrangements,
                 cloud=f["cloud"] or bool(row.cloud), user_data=bool(row.user_data),
                 substitutability={0: "easy", 1: "medium", 2: "hard"}[row.subst])


def _positions_everywhere(session: Session, ids: list[int], facts: dict) -> None:
    """Every vendor's positions from one walk down every active chain."""
    chain = chain_positions(None)
    positions = (select(chain.c.vendor_id, func.max(chain.c.tier).label("max_tier"),
                        _flag(Arrangement.is_important).label("important"),
                        _flag(and_(chain.c.tier == 1, Arrangement.is_cloud)).label("cloud"),
                        _flag(and_(chain.c.tier == 1, Arrangement.handles_user_data)).label("user_data"),
                        func.max(_substitutability(ARRANGEMENT)).label("subst"),
                        func.count(func.distinct(chain.c.arrangement_id)).label("arrangements"))
                 .join(Arrangement, Arrangement.id == chain.c.arrangement_id)
                 .where(chain.c.vendor_id.in_(ids)).group_by(chain.c.vendor_id))
    _apply_positions(facts, session.execute(positions))


def _positions_of(session: Session, ids: list[int], facts: dict) -> None:
    """The positions of a few vendors without walking the chains that hold them: every fact
    but the deepest tier comes from their memberships (tier 1, or a link, of an active
    arrangement), and the deepest tier from a walk up from them to tier 1, bounded by their
    ancestors (a provider in thousands of chains costs its own links, not those chains)."""
    # driven from the vendors whatever the statistics say (``no_index``: SQLite looks the
    # vendors' rows up by their vendor index and each arrangement by its key; ``probed``: on
    # PostgreSQL each link's arrangement is one index probe), each arrangement read once. User
    # data: the arrangement's at tier 1, the link's below (one read for both, see vendor_facts).
    link = OutsourcingLink.__table__
    tier1 = (select(ARRANGEMENT.c.vendor_id, ARRANGEMENT.c.id.label("arrangement_id"), literal(1).label("first"),
                    *_arrangement_flags(ARRANGEMENT, ARRANGEMENT.c.handles_user_data))
             .where(no_index(ARRANGEMENT.c.status) == "active", ARRANGEMENT.c.vendor_id.in_(ids)))
    held, on = probed(session, ids, ARRANGEMENT, name="held",
                      columns=("is_important", "is_cloud", "substitutability", "status"),
                      id=no_index(link.c.arrangement_id))
    linked = (select(link.c.vendor_id, link.c.arrangement_id, literal(0),
                     *_arrangement_flags(held, link.c.touches_user_data))
              .select_from(link.join(held, on))
              .where(no_index(held.c.status) == "active", link.c.vendor_id.in_(ids), current_link(link)))
    m = union_all(tier1, linked).subquery("memberships")
    first = m.c.first == 1
    positions = (select(m.c.vendor_id, literal(None).label("max_tier"),
                        _flag(m.c.important).label("important"),
                        _flag(and_(first, m.c.cloud)).label("cloud"),
                        _flag(m.c.user_data.is_(True)).label("user_data"),
                        func.max(m.c.subst).label("subst"),
                        func.count(func.distinct(m.c.arrangement_id)).label("arrangements"))
                 .group_by(m.c.vendor_id))
    _apply_positions(facts, session.execute(positions))
    for vendor_id, tier in tiers_for(session, ids, deepest=True).items():
        facts[vendor_id]["max_tier"] = tier


def vendor_facts(session: Session, vendor_ids: list[int] | None = None, vendors=None) -> dict[int, dict]:
    """The facts the tier and the criteria's applicability depend on, for many vendors at once
    (``vendors``: their rows, when the caller has read them already).

    Returns ``{vendor_id: {"important", "user_data", "cloud", "system_subsidiary",
    "substitutability", "max_tier", "foreign_countries", "arrangements"}}``.
    """
    if vendors is None:
        vendors = select(Vendor.id, Vendor.is_cloud, Vendor.is_system_subsidiary)
        if vendor_ids is not None:
            vendors = vendors.where(Vendor.id.in_(vendor_ids))
        vendors = session.execute(vendors)
    facts = {row.id: {"important": False, "user_data": False, "cloud": bool(row.is_cloud),
                      "system_subsidiary": bool(row.is_system_subsidiary), "substitutability": None,
                      "max_tier": None, "foreign_countries": [], "arrangements": 0}
             for row in vendors}
    if not facts:
        return facts
    ids = list(facts)
    if vendor_ids is not None:
        _positions_of(session, ids, facts)
    else:
        _positions_everywhere(session, ids, facts)
    few = ids if vendor_ids is not None else None  # index probes from a few vendors (``probed``)
    link, location = OutsourcingLink.__table__, DataLocation.__table__
    held, on = probed(session, few, ARRANGEMENT, name="held", columns=("status",), id=link.c.arrangement_id)
    if vendor_ids is None:  # (for given vendors the links' user data came with their positions)
        user_data_links = (select(link.c.vendor_id).distinct().select_from(link.join(held, on))
                           .where(held.c.status == "active", link.c.touches_user_data, link.c.vendor_id.in_(ids),
                                  current_link(link)))
        for vendor_id in session.scalars(user_data_links):
            facts[vendor_id]["user_data"] = True
    at_arrangement, on_arrangement = probed(session, few, location, name="at_arrangement", unique=False, columns=("country",),
                                            arrangement_id=ARRANGEMENT.c.id)
    at_link, on_link = probed(session, few, location, name="at_link", unique=False, columns=("country",),
                               link_id=link.c.id)
    abroad = union_all(
        select(ARRANGEMENT.c.vendor_id.label("vendor_id"), at_arrangement.c.country)
        .select_from(ARRANGEMENT.join(at_arrangement, on_arrangement))
        .where(ARRANGEMENT.c.status == "active", ARRANGEMENT.c.vendor_id.in_(ids)),
        select(link.c.vendor_id.label("vendor_id"), at_link.c.country)
        .select_from(link.join(at_link, on_link).join(held, on))
        .where(held.c.status == "active", link.c.vendor_id.in_(ids), current_link(link))).subquery()
    for row in session.execute(select(abroad.c.vendor_id, abroad.c.country).distinct()
                               .where(func.upper(abroad.c.country) != "JP")
                               .order_by(abroad.c.vendor_id, abroad.c.country)):
        facts[row.vendor_id]["foreign_countries"].append(row.country.upper())
    return facts


def score(facts: dict) -> tuple[int, list[tuple[str, int, str]]]:
    """Points for a vendor's facts and the factors contributing them: ``(code, points, detail)``."""
    factors = []
    if facts["important"]:
        factors.append(("important", 3, ""))
    if facts["user_data"]:
        factors.append(("user_data", 2, ""))
    if facts["cloud"]:
        factors.append(("cloud", 1, ""))
    if facts["substitutability"] and SUBSTITUTABILITY_POINTS[facts["substitutability"]]:
        factors.append(("substitutability", SUBSTITUTABILITY_POINTS[facts["substitutability"]],
                        facts["substitutability"]))
    if facts["max_tier"] and facts["max_tier"] >= 2:
        factors.append(("chain_tier", 2 if facts["max_tier"] >= 3 else 1, str(facts["max_tier"])))
    if facts["foreign_countries"]:
        factors.append(("data_abroad", 2, ", ".join(facts["foreign_countries"])))
    return sum(points for _code, points, _detail in factors), factors


def tier_for(points: int) -> str:
    """The tier a number of points falls in."""
    return next(tier for tier, minimum in THRESHOLDS if points >= minimum)


def current_overrides(session: Session, vendor_ids: list[int] | None = None) -> dict[int, RiskTierOverride]:
    """The override in force per vendor (the latest row, when it sets a tier)."""
    latest = select(func.max(RiskTierOverride.id)).group_by(RiskTierOverride.vendor_id)
    if vendor_ids is not None:
        latest = latest.where(RiskTierOverride.vendor_id.in_(vendor_ids))
    rows = session.scalars(select(RiskTierOverride).where(RiskTierOverride.id.in_(latest)))
    return {row.vendor_id: row for row in rows if row.tier is not None}


def recompute(session: Session, vendor_ids: list[int] | None = None) -> dict[int, tuple[str | None, str]]:
    """Compute tiers, apply overrides and store them in ``Vendor.risk_tier``.

    Returns ``{vendor_id: (old tier, new tier)}`` for the vendors whose tier changed.
    """
    vendors = select(Vendor)
    if vendor_ids is not None:
        vendors = vendors.where(Vendor.id.in_(vendor_ids))
    vendors = list(session.scalars(vendors))  # read once: the facts start from them too
    facts = vendor_facts(session, vendor_ids, vendors)
    overrides = current_overrides(session, list(facts) if vendor_ids is not None else None)
    changed = {}
    for vendor in vendors:
        override = overrides.get(vendor.id)
        tier = override.tier if override else tier_for(score(facts[vendor.id])[0])
        if vendor.risk_tier != tier:
            changed[vendor.id] = (vendor.risk_tier, tier)
            vendor.risk_tier = tier
            session.add(vendor)
    session.flush()
    return changed


def explain(session: Session, vendor_id: int) -> dict:
    """Everything the vendor page shows about the tier: facts, factors, points, override, history."""
    facts = vendor_facts(session, [vendor_id]).get(vendor_id)
    if facts is None:
        raise NotFound(_("Vendor %(id)s does not exist.", id=vendor_id))
    points, factors = score(facts)
    history = list(session.scalars(select(RiskTierOverride).where(RiskTierOverride.vendor_id == vendor_id)
                                   .order_by(RiskTierOverride.id.desc())))
    override = history[0] if history and history[0].tier is not None else None
    computed = tier_for(points)
    return {"facts": facts, "factors": factors, "points": points, "computed": computed,
            "override": override, "effective": override.tier if override else computed,
            "history": history}


def set_override(session: Session, vendor_id: int, *, tier: str | None, reason: str,
                 user_id: int | None) -> RiskTierOverride:
    """Override the computed tier (``tier`` None clears the override): compliance staff and
    admins only, the reason is required."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active or user.role not in OVERRIDERS:
        raise Forbidden(_("Only compliance staff override a risk tier."))
    reason = (reason or "").strip()
    details = []
    if tier is not None and tier not in RISK_TIERS:
        details.append({"field": "tier", "message": _("Tier must be one of %(choices)s.",
                                                        choices=", ".join(RISK_TIERS))})
    if len(reason) < 5:
        details.append({"field": "reason", "message": _("Give the reason for the override (at least 5 characters).")})
    if details:
        raise ValidationFailed(_("The override was not saved."), details)
    get_vendor(session, vendor_id)
    computed = tier_for(score(vendor_facts(session, [vendor_id])[vendor_id])[0])
    row = RiskTierOverride(vendor_id=vendor_id, tier=tier, computed_tier=computed, reason=reason,
                           set_by_id=user_id)
    session.add(row)
    session.flush()
    recompute(session, [vendor_id])
    events.publish(session, events.VendorChanged(frozenset({vendor_id})))  # review plans follow the new tier
    return row


def on_vendor_changed(session: Session, event) -> None:
    """Listener of ``events.VendorChanged``: a new vendor gets its computed tier at once, and
    a changed cloud flag moves it."""
    recompute(session, sorted(event.vendor_ids))


def on_chain_changed(session: Session, event) -> None:
    """Listener of ``events.ChainChanged``: the tiers of the chain's vendors follow at once."""
    recompute(session, sorted(event.vendor_ids))
