"""The maintained matrix: every vendor's verdict on every obligation, kept in
``compliance_verdict`` (and its chain facts and counts in ``compliance_vendor``).

Writes, not reads, pay for the matrix. Every domain event (``core.events``) names the
vendors whose verdicts its change may move; the compliance listener marks them, and just
before the writing transaction commits their verdicts are evaluated again by every rule
(``matrix.evaluate``, the same batch engine) and the rows that differ are written, in that
same transaction. Marking first and evaluating at commit evaluates a vendor once however
many events a transaction publishes (an import of a whole register, the demo). Reads never
write.

``rebuild`` evaluates every vendor and writes what differs: it gives the rows the events
maintained (a test checks that after each kind of write). ``refresh_daily`` re-evaluates the
obligations whose verdicts depend on the date alone (``Obligation.daily``: 26-1, a review
falling overdue; 26-4, a certificate expiring), run by the scheduler every day.
"""
import logging
from collections import Counter
from datetime import date
from typing import Iterable

from flask import current_app, has_app_context
from sqlalchemy import bindparam, delete, event, func, insert, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from vendorrisk.compliance import counts, matrix
from vendorrisk.compliance.models import ComplianceState, ComplianceVendor, ComplianceVerdict
from vendorrisk.core import clock, events, registry
from vendorrisk.core.messages import to_json
from vendorrisk.core.models import utcnow
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, current_link

log = logging.getLogger("vendorrisk.compliance")
DIRTY = "compliance_dirty"
APP = "compliance_app"
V, F, S = ComplianceVerdict.__table__, ComplianceVendor.__table__, ComplianceState.__table__
FACT_COLUMNS = ("tier", "arrangements", "important", "cloud", "user_data")
COUNT_COLUMNS = ("met", "gap", "not_applicable")
MAINTAINED_EVENTS = (events.ChainChanged, events.VendorChanged, events.AssessmentDecided,
                     events.ContractChecked, events.ReviewCompleted, events.CertificateChanged)


def vendors_of(session: Session, event) -> set[int]:
    """The vendors whose verdicts an event may change."""
    if isinstance(event, events.ContractChecked):
        # the contract rules judge the tier-1 vendor; its chain's subcontractors' reasons say
        # whether the tier-1 contract's sub-outsourcing clause carries the terms down to them
        tier_one = select(Arrangement.vendor_id).where(Arrangement.id == event.arrangement_id)
        chain = select(OutsourcingLink.vendor_id).where(OutsourcingLink.arrangement_id == event.arrangement_id,
                                                        current_link())
        return set(session.execute(tier_one.union(chain)).scalars())
    if hasattr(event, "vendor_ids"):
        return set(event.vendor_ids)
    return {event.vendor_id}


def on_event(session: Session, event) -> None:
    """Listener of every domain event: mark the vendors it names (and the kind of change) for
    evaluation at commit."""
    dirty = session.info.setdefault(DIRTY, {})
    for vendor_id in vendors_of(session, event):
        dirty.setdefault(vendor_id, set()).add(type(event))
    session.info[APP] = current_app._get_current_object()


def flush_pending(session: Session) -> int:
    """Evaluate and write the verdicts of the vendors marked in this transaction (done by
    itself just before commit); returns how many vendors were evaluated."""
    dirty = session.info.pop(DIRTY, None)
    if not dirty:
        return 0
    app = session.info.pop(APP, None)
    if has_app_context() or app is None:
        _update_marked(session, dirty)
    else:
        with app.app_context():
            _update_marked(session, dirty)
    return len(dirty)


def _update_marked(session: Session, dirty: dict[int, set]) -> None:
    """Evaluate each marked vendor on the obligations its changes can move (``moved_by``;
    every obligation for a vendor never evaluated yet), vendors grouped by that set."""
    obligations = matrix.all_obligations()
    known = set(session.connection().execute(select(F.c.vendor_id).where(F.c.vendor_id.in_(list(dirty)))).scalars())
    groups: dict[tuple, list[int]] = {}
    plans: dict[frozenset, tuple | None] = {}  # the same kinds of change, the same work
    for vendor_id, kinds in dirty.items():
        if vendor_id not in known:
            chosen = None  # a new vendor (or one gone): every obligation
        else:
            kinds = frozenset(kinds)
            if kinds not in plans:
                plans[kinds] = _plan(obligations, kinds)
            chosen = plans[kinds]
        # the chain facts move with the chains and the vendor's own record only
        moves_facts = chosen is None or bool(kinds & {events.ChainChanged, events.VendorChanged})
        groups.setdefault((chosen, moves_facts), []).append(vendor_id)
    deltas: Counter = Counter()  # the counts' changes, written once, in key order
    for (chosen, moves_facts), vendor_ids in groups.items():
        if chosen is None:
            update_vendors(session, vendor_ids, deltas=deltas)
        elif chosen:
            update_vendors(session, vendor_ids, obligations=[o for o in obligations if o.id in chosen],
                           keep_facts=not moves_facts, deltas=deltas)
    counts.apply(session.connection(), deltas)


def _plan(obligations: list[registry.Obligation], kinds: frozenset) -> tuple | None:
    """For a known vendor changed by events of ``kinds``: the obligations to evaluate (None:
    every one)."""
    chosen = tuple(o.id for o in obligations if not o.moved_by or kinds & set(o.moved_by))
    return None if len(chosen) == len(obligations) else chosen


def _before_commit(session: OrmSession) -> None:
    flush_pending(session)


def _forget(session: OrmSession, transaction) -> None:
    if transaction.parent is None:  # the transaction ended without commit (rollback, close)
        session.info.pop(DIRTY, None)
        session.info.pop(APP, None)


def init_listeners() -> None:
    """Evaluate marked vendors before every commit, forget them when a transaction ends
    otherwise (idempotent)."""
    if not event.contains(OrmSession, "before_commit", _before_commit):
        event.listen(OrmSession, "before_commit", _before_commit)
        event.listen(OrmSession, "after_transaction_end", _forget)


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def verdict_json(verdict: registry.Verdict) -> tuple[str, object, list]:
    """The stored form of a verdict: status, reason and links as JSON values."""
    return verdict.status, to_json(verdict.reason), [[to_json(label), href] for label, href in verdict.links]


def compute(session: Session, vendor_ids: list[int], obligations: list[registry.Obligation],
            today: date | None = None, keep_facts: bool = False):
    """Facts and verdicts of the existing vendors among ``vendor_ids`` (live evaluation);
    ``keep_facts``: their chain facts as maintained (a change that moves no chain)."""
    vendor = Vendor.__table__
    rows = session.execute(select(vendor.c.id, vendor.c.name, vendor.c.name_en, vendor.c.risk_tier,
                                  vendor.c.status, vendor.c.is_cloud)
                           .where(vendor.c.id.in_(vendor_ids)).order_by(vendor.c.id)).all()
    if keep_facts:
        kept = {r.vendor_id: r for r in session.connection().execute(select(F).where(F.c.vendor_id.in_(vendor_ids)))}
        facts = [matrix.VendorFacts(id=r.id, name=r.name, name_en=r.name_en, risk_tier=r.risk_tier,
                                    status=r.status, tier=kept[r.id].tier, arrangements=kept[r.id].arrangements,
                                    important=kept[r.id].important, cloud=kept[r.id].cloud,
                                    user_data=kept[r.id].user_data) for r in rows if r.id in kept]
        if len(facts) < len(rows):  # a vendor never maintained: its facts from the chains
            facts = matrix.with_facts(session, rows)
    else:
        facts = matrix.with_facts(session, rows)
    verdicts = matrix.evaluate(session, [f.id for f in facts], obligations, today)
    return facts, verdicts


def update_vendors(session: Session, vendor_ids: list[int], obligations: list[registry.Obligation] | None = None,
                   batch_size: int = matrix.EXPORT_BATCH_SIZE, today: date | None = None,
                   keep_facts: bool = False, deltas: Counter | None = None) -> int:
    """Evaluate ``vendor_ids`` (every obligation, or only ``obligations``) and write the rows
    that differ; returns the number of rows written or deleted. The counts' changes are added
    to ``deltas`` (the caller writes them), else written here."""
    everything = obligations is None
    obligations = matrix.all_obligations() if everything else obligations
    changed = 0
    pending = Counter() if deltas is None else deltas
    for chunk in _chunks(sorted(set(vendor_ids)), batch_size):
        facts, verdicts = compute(session, chunk, obligations, today, keep_facts)
        changed += _write(session, chunk, facts, verdicts, obligations, everything, pending, keep_facts)
    if deltas is None:
        counts.apply(session.connection(), pending)
    return changed


def _write(session, chunk, facts, verdicts, obligations, everything: bool, deltas: Counter,
           keep_facts: bool = False) -> int:
    connection = session.connection()
    present = {f.id for f in facts}
    gone = [vid for vid in chunk if vid not in present]
    changed = 0
    if gone:  # vendors that no longer exist
        counts.add(deltas, counts.by_vendor(connection.execute(
            select(V.c.vendor_id, V.c.obligation, V.c.status).where(V.c.vendor_id.in_(gone)))), {})
        changed += connection.execute(delete(V).where(V.c.vendor_id.in_(gone))).rowcount
        changed += connection.execute(delete(F).where(F.c.vendor_id.in_(gone))).rowcount
    ids = sorted(present)
    if not ids:
        return changed
    wanted = {(vid, ob): verdict_json(v) for vid, cells in verdicts.items() for ob, v in cells.items()}
    query = select(V.c.vendor_id, V.c.obligation, V.c.status, V.c.reason, V.c.links).where(V.c.vendor_id.in_(ids))
    if not everything:
        query = query.where(V.c.obligation.in_([o.id for o in obligations]))
    existing = {(r.vendor_id, r.obligation): (r.status, r.reason, r.links) for r in connection.execute(query)}
    moved_status = _count(connection, deltas, existing, wanted, None if everything else [o.id for o in obligations])
    stale = [key for key in existing if key not in wanted]
    new = [key for key in wanted if key not in existing]
    moved = [key for key in wanted if key in existing and existing[key] != wanted[key]]
    for vid, ob in stale:
        connection.execute(delete(V).where(V.c.vendor_id == vid, V.c.obligation == ob))
    if new:
        connection.execute(insert(V), [{"vendor_id": vid, "obligation": ob, "status": wanted[(vid, ob)][0],
                                        "reason": wanted[(vid, ob)][1], "links": wanted[(vid, ob)][2]}
                                       for vid, ob in new])
    if moved:
        connection.execute(update(V).where(V.c.vendor_id == bindparam("vid"), V.c.obligation == bindparam("ob"))
                           .values(status=bindparam("st"), reason=bindparam("re"), links=bindparam("li")),
                           [{"vid": vid, "ob": ob, "st": wanted[(vid, ob)][0], "re": wanted[(vid, ob)][1],
                             "li": wanted[(vid, ob)][2]} for vid, ob in moved])
    changed += len(stale) + len(new) + len(moved)
    if keep_facts:  # the facts are those maintained: only the counts of statuses that moved can change
        ids = [vid for vid in ids if vid in moved_status]
        facts = [f for f in facts if f.id in moved_status]
    return changed + (_write_facts(connection, ids, facts) if ids else 0)


def _count(connection, deltas: Counter, existing: dict, wanted: dict, chosen: list[str] | None) -> set[int]:
    """Add to ``deltas`` what the vendors whose statuses move change in the counts, which
    follow every obligation of a vendor (its other obligations' cells read when only
    ``chosen`` ones were evaluated); returns those vendors."""
    moved = sorted({vid for vid, ob in existing.keys() | wanted.keys()
                    if existing.get((vid, ob), (None,))[0] != wanted.get((vid, ob), (None,))[0]})
    if not moved:
        return set()
    others = [] if chosen is None else list(connection.execute(
        select(V.c.vendor_id, V.c.obligation, V.c.status)
        .where(V.c.vendor_id.in_(moved), V.c.obligation.not_in(chosen))))
    mine = set(moved)
    counts.add(deltas, counts.by_vendor([(vid, ob, cell[0]) for (vid, ob), cell in existing.items() if vid in mine]
                                        + others),
               counts.by_vendor([(vid, ob, cell[0]) for (vid, ob), cell in wanted.items() if vid in mine] + others))
    return mine


def _write_facts(connection, ids: list[int], facts) -> int:
    counts = {vid: dict.fromkeys(COUNT_COLUMNS, 0) for vid in ids}
    for vid, status, n in connection.execute(select(V.c.vendor_id, V.c.status, func.count())
                                             .where(V.c.vendor_id.in_(ids)).group_by(V.c.vendor_id, V.c.status)):
        counts[vid][status] = n
    wanted = {f.id: {"tier": f.tier, "arrangements": f.arrangements, "important": f.important, "cloud": f.cloud,
                     "user_data": f.user_data, **counts[f.id]} for f in facts}
    existing = {r.vendor_id: dict(r._mapping) for r in connection.execute(select(F).where(F.c.vendor_id.in_(ids)))}
    new = [{"vendor_id": vid, **row} for vid, row in wanted.items() if vid not in existing]
    moved = [{"vid": vid, **row} for vid, row in wanted.items()
             if vid in existing and any(existing[vid][k] != row[k] for k in row)]
    if new:
        connection.execute(insert(F), new)
    if moved:
        connection.execute(update(F).where(F.c.vendor_id == bindparam("vid"))
                           .values({k: bindparam(k) for k in FACT_COLUMNS + COUNT_COLUMNS}), moved)
    return len(new) + len(moved)


def signature() -> str:
    """The registered obligations the maintained rows are built for."""
    return ",".join(o.id for o in matrix.all_obligations())


def state(session: Session) -> ComplianceState | None:
    """The maintained matrix's state row (None before the first rebuild or refresh)."""
    return session.get(ComplianceState, 1)


def _set_state(session: Session, **values) -> None:
    connection = session.connection()
    if connection.execute(select(S.c.id).where(S.c.id == 1)).first() is None:
        connection.execute(insert(S).values({"id": 1, "obligations": "", **values}))
    else:
        connection.execute(update(S).where(S.c.id == 1).values(**values))


def rebuild(session: Session, today: date | None = None) -> int:
    """Evaluate every vendor on every obligation and write what differs from the maintained
    rows (0 when the events kept them up to date); returns the rows written or deleted."""
    connection = session.connection()
    registered = [o.id for o in matrix.all_obligations()]
    changed = connection.execute(delete(V).where(V.c.obligation.not_in(registered or [""]))).rowcount
    vendor_ids = list(connection.execute(select(Vendor.__table__.c.id)).scalars())
    orphans = set(connection.execute(select(F.c.vendor_id)).scalars()) - set(vendor_ids)
    orphans |= set(connection.execute(select(V.c.vendor_id).distinct()).scalars()) - set(vendor_ids)
    changed += update_vendors(session, vendor_ids + sorted(orphans), today=today)
    changed += counts.rebuild(connection)
    _set_state(session, obligations=signature(), refreshed_on=today or clock.today(), rebuilt_at=utcnow())
    return changed


def refresh_daily(session: Session, today: date | None = None) -> int:
    """Re-evaluate every vendor on the date-dependent obligations; returns rows written."""
    daily = [o for o in matrix.all_obligations() if o.daily]
    ids = list(session.connection().execute(select(Vendor.__table__.c.id)).scalars())
    changed = update_vendors(session, ids, obligations=daily, today=today) if daily else 0
    _set_state(session, refreshed_on=today or clock.today())
    return changed


def needs_rebuild(session: Session) -> bool:
    """Whether the obligations registered now differ from those the rows were built for."""
    current = state(session)
    return current is not None and current.obligations != signature()
