"""Reads of the maintained matrix (``compliance_verdict``, ``compliance_vendor``): the pages,
the API, counts, snapshots and exports. No rule runs here; ``maintain`` keeps the rows.

A page is one indexed query on the vendor table joined to its facts (filters on chain tier,
the three flags and a status are columns or an ``EXISTS`` on the verdicts), a count, and
the verdicts of the page's vendors: its cost does not grow with the portfolio.
"""
import json
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import Text, and_, cast, exists, func, select, tuple_
from sqlmodel import Session

from vendorrisk.compliance import counts as maintained_counts
from vendorrisk.compliance import link_targets
from vendorrisk.compliance.matrix import (
    EXPORT_BATCH_SIZE,
    MatrixFilters,
    MatrixRow,
    ReadVerdict,
    VendorFacts,
    missing_verdict,
    select_obligations,
)
from vendorrisk.compliance.models import ComplianceState, ComplianceVendor, ComplianceVerdict
from vendorrisk.core import registry
from vendorrisk.core.messages import from_json
from vendorrisk.core.pagination import window
from vendorrisk.vendors.listing import register_total
from vendorrisk.vendors.models import Vendor

V, F = ComplianceVerdict.__table__, ComplianceVendor.__table__
VENDOR = Vendor.__table__


@dataclass
class MatrixPage:
    """One page of the matrix and the number of vendors the filters admit."""

    rows: list[MatrixRow]
    obligations: list[registry.Obligation]
    page: int
    per_page: int
    total: int | None
    has_next: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def pages(self) -> int | None:
        """Number of pages when the total is known."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))


def _columns():
    return (VENDOR.c.id, VENDOR.c.name, VENDOR.c.name_en, VENDOR.c.risk_tier, VENDOR.c.status,
            F.c.tier, F.c.arrangements, F.c.important, F.c.cloud, F.c.user_data)


def _where(query, filters: MatrixFilters, obligations: list[registry.Obligation], counting: bool = False):
    """The filters as conditions on the vendor and its maintained facts and verdicts. A status
    with an article is an ``EXISTS`` probe for a page (the rows come in name order: the probing
    stops once the page is full) and an ``IN`` over the verdicts' index for a count."""
    for name in ("important", "cloud", "user_data"):
        value = getattr(filters, name)
        if value is not None:
            column = F.c[name]
            query = query.where(column.is_(True) if value else func.coalesce(column, False).is_(False))
    if filters.tier is not None:
        query = query.where(F.c.tier == filters.tier)
    if filters.risk_tier:
        query = query.where(VENDOR.c.risk_tier == filters.risk_tier)
    if filters.vendor_id is not None:
        query = query.where(VENDOR.c.id == filters.vendor_id)
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(VENDOR.c.name.ilike(like) | VENDOR.c.name_en.ilike(like))
    if filters.status:
        cells = (V.c.obligation.in_([o.id for o in obligations]), V.c.status == filters.status)
        if filters.article and counting:
            query = query.where(VENDOR.c.id.in_(select(V.c.vendor_id).where(*cells)))
        elif filters.article:
            query = query.where(exists().where(V.c.vendor_id == VENDOR.c.id, *cells))
        else:
            query = query.where(F.c[filters.status] > 0)
    return query


def vendors_query(filters: MatrixFilters, obligations: list[registry.Obligation]):
    """The vendors the filters admit with their maintained facts, ordered by name."""
    query = select(*_columns()).select_from(VENDOR.outerjoin(F, F.c.vendor_id == VENDOR.c.id))
    return _where(query, filters, obligations).order_by(VENDOR.c.name, VENDOR.c.id)


def _facts(row) -> VendorFacts:
    return VendorFacts(id=row.id, name=row.name, name_en=row.name_en, risk_tier=row.risk_tier, status=row.status,
                       tier=row.tier, arrangements=row.arrangements or 0, important=bool(row.important),
                       cloud=bool(row.cloud), user_data=bool(row.user_data))


def verdicts_of(session: Session, vendor_ids: list[int], obligations: list[registry.Obligation],
                first_links: int | None = None) -> dict[int, dict[str, registry.Verdict]]:
    """The maintained verdicts of these vendors; a cell never evaluated shows as a gap.
    ``first_links``: decode only that many proof links of each cell, the verdicts then being
    ``ReadVerdict``s that say how many there are (None: every link, plain verdicts)."""
    wanted = [o.id for o in obligations]
    found: dict[int, dict[str, registry.Verdict]] = {vid: {} for vid in vendor_ids}
    if vendor_ids and wanted:
        # The JSON read as text and decoded once per distinct text: most reasons repeat.
        reasons, links = {}, {}
        cells = raw_cells(session, vendor_ids, wanted).all()
        targets = link_targets.Targets(session, link_targets.wanted((c[0], c[4]) for c in cells))
        for vendor_id, ob_id, status, reason, stored in cells:
            link_text = targets.text(vendor_id, stored)
            if reason not in reasons:
                reasons[reason] = from_json(json.loads(reason)) if reason is not None else None
            if link_text not in links:
                links[link_text] = stored_links(link_text, first_links)
            first, total = links[link_text]
            found[vendor_id][ob_id] = (registry.Verdict(status, reasons[reason], first) if first_links is None
                                       else ReadVerdict(status, reasons[reason], first, total))
    for cells in found.values():
        for ob_id in wanted:
            if ob_id not in cells:
                cells[ob_id] = missing_verdict()
    return {vid: {ob_id: cells[ob_id] for ob_id in wanted} for vid, cells in found.items()}


def stored_links(text: str, first: int | None = None) -> tuple[list[tuple], int]:
    """The proof links of a verdict's stored JSON text, ``(label, href)`` pairs with their labels
    decoded (``core.messages.from_json``), and how many it holds. With ``first``, only the
    first that many labels are decoded (a hub's cell holds one link per arrangement, and a page
    shows a few): decoding the labels, not the JSON, is what costs."""
    pairs = json.loads(text)
    shown = pairs if first is None else pairs[:first]
    return [(from_json(label), href) for label, href in shown], len(pairs)


def raw_cells(session: Session, vendor_ids: list[int], obligation_ids: list[str]):
    """(vendor_id, obligation, status, reason JSON text, links JSON text) of these vendors."""
    # CAST in SQL: PostgreSQL's driver would otherwise decode the JSON itself
    query = select(V.c.vendor_id, V.c.obligation, V.c.status, cast(V.c.reason, Text),
                   cast(V.c.links, Text)).where(V.c.vendor_id.in_(vendor_ids))
    if len(obligation_ids) < len(registry.current().obligations):
        query = query.where(V.c.obligation.in_(obligation_ids))
    return session.connection().execute(query)


def _rows(session: Session, batch, obligations, first_links: int | None = None) -> list[MatrixRow]:
    verdicts = verdicts_of(session, [r.id for r in batch], obligations, first_links)
    return [MatrixRow(_facts(r), verdicts[r.id]) for r in batch]


def matrix_page(session: Session, filters: MatrixFilters, page: int = 1, per_page: int = 50,
                first_links: int | None = None) -> MatrixPage:
    """One page of the matrix, its total and whether a next page exists. A page past the
    middle is read from the other end of the name order (``pagination.window``).
    ``first_links``: how many proof links of each cell to decode (see ``verdicts_of``)."""
    page, per_page = max(1, page), max(1, min(per_page, 200))
    obligations = select_obligations(filters.article)
    total = count(session, filters)
    batch = []
    if (page - 1) * per_page < total:
        sliced, backwards = window(vendors_query(filters, obligations), (page - 1) * per_page, per_page, total)
        batch = session.connection().execute(sliced).all()
        if backwards:
            batch.reverse()
    return MatrixPage(_rows(session, batch, obligations, first_links), obligations, page, per_page, total,
                      has_next=page * per_page < total)


def _counts_current(session: Session) -> bool:
    """Whether the maintained rows were built for the obligations registered now (else the
    counts may hold an obligation no longer registered)."""
    built = session.connection().execute(select(ComplianceState.__table__.c.obligations)).scalar()
    return built == ",".join(o.id for o in select_obligations())


def count(session: Session, filters: MatrixFilters) -> int:
    """How many vendors the filters admit: a status (under an article or not) alone is one row
    of the maintained counts, and so is no filter at all (the vendors by risk tier); otherwise
    the smallest index that answers: the vendors, the facts' indexes, or the verdicts'
    (obligation, status, vendor) index."""
    obligations = select_obligations(filters.article)
    connection = session.connection()
    on_vendor = filters.risk_tier or filters.vendor_id is not None or filters.q
    on_flags = filters.tier is not None or any(getattr(filters, f) is not None
                                               for f in ("important", "cloud", "user_data"))
    if filters.status and not on_vendor and not on_flags and _counts_current(session):
        return maintained_counts.vendors_with(connection, filters.article or maintained_counts.ANY, filters.status)
    on_facts = on_flags or (filters.status and not filters.article)
    if not on_vendor and not on_facts:
        if filters.status:  # an article's cells of one status
            return connection.execute(select(func.count(func.distinct(V.c.vendor_id))).where(
                V.c.obligation.in_([o.id for o in obligations]), V.c.status == filters.status)).scalar_one()
        return register_total(session)  # every vendor: the maintained count by risk tier
    negated = any(getattr(filters, f) is False for f in ("important", "cloud", "user_data"))
    if not on_vendor and not negated and not (filters.status and filters.article):  # the facts alone
        return connection.execute(_where(select(func.count()).select_from(F), filters, obligations)).scalar_one()
    return connection.execute(
        _where(select(func.count()).select_from(VENDOR.outerjoin(F, F.c.vendor_id == VENDOR.c.id)),
               filters, obligations, counting=True)).scalar_one()


def vendor_batches(session: Session, filters: MatrixFilters, obligations: list[registry.Obligation],
                   batch_size: int = EXPORT_BATCH_SIZE) -> Iterator[list]:
    """The vendor rows (with their facts) the filters admit, in name order, batch by batch
    (keyset pagination: each batch starts where the last ended, never with an OFFSET)."""
    query = vendors_query(filters, obligations)
    last = None
    while True:
        step = query if last is None else query.where(tuple_(VENDOR.c.name, VENDOR.c.id) > tuple_(*last))
        batch = session.connection().execute(step.limit(batch_size)).all()
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        last = (batch[-1].name, batch[-1].id)


def iter_rows(session: Session, filters: MatrixFilters, batch_size: int = EXPORT_BATCH_SIZE,
              obligations: list[registry.Obligation] | None = None) -> Iterator[MatrixRow]:
    """Every row the filters admit, in name order, read in batches."""
    obligations = select_obligations(filters.article) if obligations is None else obligations
    for batch in vendor_batches(session, filters, obligations, batch_size):
        yield from _rows(session, batch, obligations)


def vendor_matrix(session: Session, vendor_id: int) -> MatrixRow | None:
    """The matrix row of one vendor over every obligation, or None if there is no such vendor."""
    rows = list(iter_rows(session, MatrixFilters(vendor_id=vendor_id)))
    return rows[0] if rows else None


def cell(session: Session, vendor_id: int, obligation: registry.Obligation,
         first_links: int | None = None) -> MatrixRow | None:
    """One vendor's row over one obligation (its facts and that cell), or None if there is no
    such vendor; ``first_links`` as for ``verdicts_of``."""
    batch = next(vendor_batches(session, MatrixFilters(vendor_id=vendor_id), [obligation], 1), [])
    return _rows(session, batch, [obligation], first_links)[0] if batch else None


def summary(session: Session, filters: MatrixFilters | None = None) -> dict[str, dict]:
    """Per obligation: counts of each status and the ids of vendors with a gap (in id order)."""
    filters = filters or MatrixFilters()
    obligations = select_obligations(filters.article)
    counts = {ob.id: {"met": 0, "gap": 0, "not_applicable": 0, "gap_vendor_ids": []} for ob in obligations}
    if filters in (MatrixFilters(article=filters.article), MatrixFilters(article=filters.article, status=filters.status)):
        connection = session.connection()
        vendors = select(VENDOR.c.id).subquery()
        cells = V.join(vendors, and_(V.c.vendor_id == vendors.c.id, V.c.obligation.in_(list(counts))))
        for ob_id, status, n in connection.execute(select(V.c.obligation, V.c.status, func.count()).select_from(cells)
                                                   .group_by(V.c.obligation, V.c.status)):
            counts[ob_id][status] += n
        everyone = register_total(session)  # the maintained count by risk tier, not count(*)
        if all(row["met"] + row["gap"] + row["not_applicable"] == everyone for row in counts.values()):
            for ob_id, vendor_id in connection.execute(select(V.c.obligation, V.c.vendor_id).select_from(cells)
                                                       .where(V.c.status == "gap").order_by(V.c.vendor_id)):
                counts[ob_id]["gap_vendor_ids"].append(vendor_id)
            return counts
        counts = {ob.id: {"met": 0, "gap": 0, "not_applicable": 0, "gap_vendor_ids": []} for ob in obligations}
    # other filters, or cells never evaluated (shown as gaps): row by row
    for row in iter_rows(session, MatrixFilters(**{**filters.__dict__, "status": None}), obligations=obligations):
        for ob_id, verdict in row.verdicts.items():
            counts[ob_id][verdict.status] += 1
            if verdict.status == "gap":
                counts[ob_id]["gap_vendor_ids"].append(row.vendor.id)
    for row in counts.values():
        row["gap_vendor_ids"].sort()
    return counts


def gap_cells(session: Session) -> int:
    """The matrix's gaps (cells of status gap, a cell never evaluated counting as one), as
    ``summary`` counts them: from the maintained counts when every vendor has every cell."""
    return sum(gaps_by_obligation(session).values())


def gaps_by_obligation(session: Session) -> dict[str, int]:
    """``gap_cells`` per obligation: the matrix now, as a snapshot taken now would record it."""
    obligations = [o.id for o in select_obligations()]
    connection = session.connection()
    if _counts_current(session):
        everyone = register_total(session)  # the maintained count by risk tier, not count(*)
        per = maintained_counts.per_obligation(connection, obligations)
        if all(sum(row.values()) == everyone for row in per.values()):
            return {ob_id: row["gap"] for ob_id, row in per.items()}
    return {ob_id: row["gap"] for ob_id, row in summary(session).items()}


def concentration(session: Session, limit: int = 10) -> list[dict]:
    """Vendors depended on by the most arrangements at any tier, most first, with their lowest
    tier: the maintained facts, read from their index (``vendors.chain_reach.concentration``
    computes the same from every chain)."""
    top = (select(F.c.vendor_id).where(F.c.arrangements > 0)  # ties at the limit: lowest ids, as there
           .order_by(F.c.arrangements.desc(), F.c.vendor_id).limit(limit).subquery("top"))
    rows = session.connection().execute(
        select(VENDOR.c.id, VENDOR.c.name, VENDOR.c.name_en, F.c.arrangements, F.c.tier)
        .join(F, F.c.vendor_id == VENDOR.c.id).join(top, top.c.vendor_id == VENDOR.c.id)
        .order_by(F.c.arrangements.desc(), VENDOR.c.name, VENDOR.c.id)).all()
    return [{"vendor_id": r.id, "name": r.name, "name_en": r.name_en, "arrangements": r.arrangements,
             "tier": r.tier} for r in rows]

