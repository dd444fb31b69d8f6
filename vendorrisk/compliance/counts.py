"""How many vendors have a verdict of each status under each scope, maintained with the
verdicts (``compliance_count``), so that a count never grows with the portfolio.

A scope is ``*`` (any obligation), an article (``27``), a paragraph (``25-2``) or an
obligation (``25-2-audit_rights``): every value the matrix's ``article`` filter accepts. A
vendor counts once in (scope, status) when at least one of its maintained verdicts under the
scope has that status. Per obligation, that is the number of its cells of that status.

``maintain`` adds the difference its writes make (``add``, then ``apply`` once per
transaction, rows updated in key order so that two writers never wait on each other in a
cycle); ``rebuild`` counts every maintained verdict again and writes what differs. A row
that falls to zero is kept.
"""
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import select

from vendorrisk.compliance.models import ComplianceCount, ComplianceVerdict
from vendorrisk.core import counters

C, V = ComplianceCount.__table__, ComplianceVerdict.__table__
ANY = "*"


@lru_cache(maxsize=1024)
def scopes(obligation: str) -> tuple[str, ...]:
    """The scopes an obligation falls under: ``*``, each ``-``-prefix of its id, and the id."""
    parts = obligation.split("-")
    return (ANY, *("-".join(parts[:n]) for n in range(1, len(parts) + 1)))


def keys(cells: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (scope, status) pairs one vendor counts in, from its (obligation, status) cells."""
    return {(scope, status) for obligation, status in cells for scope in scopes(obligation)}


def by_vendor(rows: Iterable[tuple[int, str, str]]) -> dict[int, list[tuple[str, str]]]:
    """(vendor, obligation, status) rows as each vendor's (obligation, status) cells."""
    found: dict[int, list[tuple[str, str]]] = {}
    for vendor_id, obligation, status in rows:
        found.setdefault(vendor_id, []).append((obligation, status))
    return found


def add(deltas: Counter, before: dict[int, list], after: dict[int, list]) -> None:
    """Add to ``deltas`` what moving these vendors' cells from ``before`` to ``after`` changes."""
    for vendor_id in set(before) | set(after):
        old, new = before.get(vendor_id, []), after.get(vendor_id, [])
        if len(old) == len(new) and set(old) == set(new):
            continue  # no status moved (a reason or a link may have)
        old, new = keys(old), keys(new)
        for key in new - old:
            deltas[key] += 1
        for key in old - new:
            deltas[key] -= 1


def apply(connection, deltas: Counter) -> None:
    """Write ``deltas`` into the counts, in key order, in one statement."""
    counters.add_to(connection, C, ("scope", "status"), "vendors",
                    [(scope, status, delta) for (scope, status), delta in sorted(deltas.items()) if delta])
    deltas.clear()


def counted(connection) -> Counter:
    """The counts from every maintained verdict (what ``rebuild`` writes)."""
    found: Counter = Counter()
    vendor, cells = None, []
    query = select(V.c.vendor_id, V.c.obligation, V.c.status).order_by(V.c.vendor_id)
    for row in connection.execute(query).yield_per(20_000):
        if row.vendor_id != vendor:
            found.update(keys(cells))
            vendor, cells = row.vendor_id, []
        cells.append((row.obligation, row.status))
    found.update(keys(cells))
    return found


def stored(connection) -> Counter:
    """The maintained counts (rows at zero left out)."""
    return Counter({(r.scope, r.status): r.vendors for r in connection.execute(select(C)) if r.vendors})


def rebuild(connection) -> int:
    """Count every maintained verdict again and write the rows that differ; returns how many."""
    wanted, existing = counted(connection), {(r.scope, r.status): r.vendors for r in connection.execute(select(C))}
    deltas = Counter({key: wanted.get(key, 0) - existing.get(key, 0) for key in set(wanted) | set(existing)})
    changed = sum(1 for delta in deltas.values() if delta)
    apply(connection, deltas)
    return changed


def vendors_with(connection, scope: str, status: str) -> int:
    """How many vendors have a verdict of ``status`` under ``scope``."""
    found = connection.execute(select(C.c.vendors).where(C.c.scope == scope, C.c.status == status)).scalar()
    return found or 0


def per_obligation(connection, obligation_ids: list[str]) -> dict[str, dict[str, int]]:
    """Each obligation's number of cells of each status."""
    found = {ob: {"met": 0, "gap": 0, "not_applicable": 0} for ob in obligation_ids}
    for scope, status, n in connection.execute(select(C.c.scope, C.c.status, C.c.vendors)
                                               .where(C.c.scope.in_(obligation_ids))):
        found[scope][status] = n
    return found
