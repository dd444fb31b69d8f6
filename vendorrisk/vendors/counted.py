"""The vendors area's maintained counts (``core.counters``): the dashboard's vendors by risk
tier, links not approved and open findings by severity; the 「自分のタスク」 counts of
findings to remediate and to verify, links waiting for a decision and 反社会的勢力チェック
due or missing.

Each function answers what the records of the given keys contribute now (``keys=None``:
every record). The readers apply the person: their own scope, compliance also the records
nobody owns, and never what they did themselves (the scope of those is kept apart).
"""
from collections import Counter

from sqlalchemy import and_, exists, func, select

from vendorrisk.core.counters import NONE, Counted, chunks
from vendorrisk.vendors.findings import Finding, FindingEvent
from vendorrisk.vendors.models import (
    APPROVAL_STATUSES,
    AntisocialCheck,
    Arrangement,
    OutsourcingLink,
    Vendor,
    current_link,
)

INACTIVE = ("rejected", "terminated")  # not reminded of their 反社会的勢力チェック
NOT_APPROVED = tuple(s for s in APPROVAL_STATUSES if s != "approved")
TO_REMEDIATE = ("open", "in_progress")


def _scope(user_id) -> str:
    return NONE if user_id is None else str(user_id)


def _day(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _batches(keys):
    """``None`` (every record) once, else the keys in ``IN``-sized lists."""
    return [None] if keys is None else list(chunks(keys))


def finding_counts(connection, keys) -> Counter:
    """Open findings by severity (``open_findings``), findings to remediate by owner
    (``findings_to_remediate``) and by severity and due date (``findings_remediate_due``), resolved findings (``findings_resolved``) and those whose last
    resolution was by a person (``findings_resolved_by``, scope: the person)."""
    found: Counter = Counter()
    f, e = Finding.__table__, FindingEvent.__table__
    for batch in _batches(keys):
        query = (select(f.c.severity, f.c.owner_id, f.c.status, f.c.due_date, func.count())
                 .where(f.c.status != "closed").group_by(f.c.severity, f.c.owner_id, f.c.status, f.c.due_date))
        if batch is not None:
            query = query.where(f.c.id.in_(batch))
        for severity, owner_id, status, due, n in connection.execute(query):
            found[("open_findings", severity, NONE)] += n
            if status in TO_REMEDIATE:
                found[("findings_to_remediate", _scope(owner_id), NONE)] += n
                found[("findings_remediate_due", severity, NONE if due is None else _day(due))] += n
            elif status == "resolved":
                found[("findings_resolved", NONE, NONE)] += n
        last = (select(e.c.finding_id, func.max(e.c.id).label("event_id"))
                .where(e.c.to_status == "resolved", e.c.action == "status").group_by(e.c.finding_id))
        resolved = f.c.status == "resolved"
        if batch is not None:
            last, resolved = last.where(e.c.finding_id.in_(batch)), and_(resolved, f.c.id.in_(batch))
        last = last.subquery()
        actors = (select(e.c.actor_id, func.count()).select_from(f)
                  .join(last, last.c.finding_id == f.c.id).join(e, e.c.id == last.c.event_id)
                  .where(resolved, e.c.actor_id.is_not(None)).group_by(e.c.actor_id))
        for actor_id, n in connection.execute(actors):
            found[("findings_resolved_by", _scope(actor_id), NONE)] += n
    return found


def vendor_counts(connection, keys) -> Counter:
    """Vendors by risk tier (``vendors_by_tier``, ``none`` when not tiered), approved vendors
    never checked (``antisocial_never``) and active vendors' latest checks by next due date
    (``antisocial_due``)."""
    found: Counter = Counter()
    v, c = Vendor.__table__, AntisocialCheck.__table__
    for batch in _batches(keys):
        tiers = select(v.c.risk_tier, func.count()).group_by(v.c.risk_tier)
        never = (select(func.count()).select_from(v)
                 .where(v.c.status.in_(("approved", "conditionally_approved")), ~exists().where(c.c.vendor_id == v.c.id)))
        ranked = select(c.c.vendor_id, c.c.next_due, func.row_number().over(
            partition_by=c.c.vendor_id, order_by=(c.c.checked_on.desc(), c.c.id.desc())).label("rank"))
        if batch is not None:
            tiers, never = tiers.where(v.c.id.in_(batch)), never.where(v.c.id.in_(batch))
            ranked = ranked.where(c.c.vendor_id.in_(batch))
        ranked = ranked.subquery()
        due = (select(ranked.c.next_due, func.count()).join(v, v.c.id == ranked.c.vendor_id)
               .where(ranked.c.rank == 1, v.c.status.not_in(INACTIVE)).group_by(ranked.c.next_due))
        for tier, n in connection.execute(tiers):
            found[("vendors_by_tier", tier or "none", NONE)] += n
        found[("antisocial_never", NONE, NONE)] += connection.execute(never).scalar_one()
        for next_due, n in connection.execute(due):
            found[("antisocial_due", NONE, _day(next_due))] += n
    return found


def link_counts(connection, keys) -> Counter:
    """Arrangements and links (``arrangements``, ``links``: the start page's figures), links not
    approved (``links_unapproved``, the dashboard's, of any arrangement); active
    arrangements with links waiting for a decision (``links_pending``) and those whose waiting
    links were all recorded by one person (``links_pending_only``, scope: the person — it is
    not their task)."""
    found: Counter = Counter()
    link, arrangement = OutsourcingLink.__table__, Arrangement.__table__
    for batch in _batches(keys):
        arrangements = select(func.count()).select_from(arrangement)
        links = select(func.count()).select_from(link).where(current_link(link))
        unapproved = (select(func.count()).select_from(link)
                      .where(link.c.approval_status.in_(NOT_APPROVED), current_link(link)))
        pending = (select(link.c.arrangement_id, func.count(), func.count(link.c.recorded_by_id),
                          func.count(func.distinct(link.c.recorded_by_id)), func.min(link.c.recorded_by_id))
                   .join(arrangement, arrangement.c.id == link.c.arrangement_id)
                   .where(arrangement.c.status == "active", link.c.approval_status != "approved", current_link(link))
                   .group_by(link.c.arrangement_id))
        if batch is not None:
            arrangements = arrangements.where(arrangement.c.id.in_(batch))
            links = links.where(link.c.arrangement_id.in_(batch))
            unapproved = unapproved.where(link.c.arrangement_id.in_(batch))
            pending = pending.where(link.c.arrangement_id.in_(batch))
        # the three figures in one statement: counted before and after every flush of a chain
        n_arrangements, n_links, n_unapproved = connection.execute(select(
            arrangements.scalar_subquery(), links.scalar_subquery(), unapproved.scalar_subquery())).one()
        found[("arrangements", NONE, NONE)] += n_arrangements
        found[("links", NONE, NONE)] += n_links
        found[("links_unapproved", NONE, NONE)] += n_unapproved
        for _arrangement, links, recorded, recorders, recorder in connection.execute(pending):
            found[("links_pending", NONE, NONE)] += 1
            if recorded == links and recorders == 1:
                found[("links_pending_only", _scope(recorder), NONE)] += 1
    return found


FINDINGS = Counted(("open_findings", "findings_to_remediate", "findings_remediate_due", "findings_resolved",
                    "findings_resolved_by"),
                   {Finding: "id", FindingEvent: "finding_id"}, finding_counts,
                   {Finding: ("status", "severity", "owner_id", "due_date"), FindingEvent: ("to_status", "action", "actor_id")})
VENDORS = Counted(("vendors_by_tier", "antisocial_never", "antisocial_due"),
                  {Vendor: "id", AntisocialCheck: "vendor_id"}, vendor_counts,
                  {Vendor: ("status", "risk_tier"), AntisocialCheck: ("checked_on", "next_due")})
LINKS = Counted(("arrangements", "links", "links_unapproved", "links_pending", "links_pending_only"),
                {OutsourcingLink: "arrangement_id", Arrangement: "id"}, link_counts,
                {OutsourcingLink: ("approval_status", "recorded_by_id", "ended_on"), Arrangement: ("status",)})
