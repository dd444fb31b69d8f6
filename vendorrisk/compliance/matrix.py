"""The compliance matrix engine: every registered obligation, for every vendor, in batches.

Obligations are defined by each area in its ``rules`` module (``registry.obligation``) and
added to the registry by its ``init_app``; a rule answers ``{vendor_id: Verdict}`` for a whole batch of
vendors in a few set queries. The engine never asks a rule about one vendor at a time:
it pages through vendors (filtered in SQL on their chain facts), evaluates each batch,
and filters on status afterwards.
"""
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Mapping

from sqlalchemy import select
from sqlmodel import Session

from vendorrisk.compliance import link_targets
from vendorrisk.core import registry
from vendorrisk.core.api import query_flag
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.messages import Renderer
from vendorrisk.core.messages import msg as _  # verdicts are stored; rendered when shown
from vendorrisk.vendors.chain_reach import flag_condition, tiers_for, vendor_facts, vendor_tiers
from vendorrisk.vendors.models import RISK_TIERS, Vendor

STATUSES = ("met", "gap", "not_applicable")
BATCH_SIZE = 500
EXPORT_BATCH_SIZE = 2000  # whole-portfolio exports: fewer, larger batches (rules scale with the batch)


def missing_verdict() -> registry.Verdict:
    """The cell of a vendor a rule gave no answer for, in the user's language (built per
    evaluation, never held at module level, so no language outlives its request)."""
    return registry.Verdict("gap", _("The rule gave no answer for this vendor; treat it as unproven."))


def obligation_sort_key(ob_id: str) -> tuple:
    """Sort key of an obligation id: numbers as numbers (25-2 before 25-10)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ob_id.split("-"))


def all_obligations() -> list[registry.Obligation]:
    """Every registered obligation, in article order (25-1, 25-2-..., 27-9)."""
    return sorted(registry.current().obligations.values(), key=lambda o: (obligation_sort_key(o.id)[:2], o.order, obligation_sort_key(o.id)))


def select_obligations(article: str | None = None) -> list[registry.Obligation]:
    """Obligations of an article or paragraph: ``27``, ``25-2`` or a full id."""
    obligations = all_obligations()
    if not article:
        return obligations
    return [o for o in obligations if o.id == article or o.id.startswith(article + "-")]


def articles() -> list[str]:
    """The article and paragraph prefixes the registered obligations fall under."""
    found = []
    for ob in all_obligations():
        parts = ob.id.split("-")
        for prefix in ("-".join(parts[:1]), "-".join(parts[:2])):
            if prefix not in found:
                found.append(prefix)
    return found


@dataclass(frozen=True)
class VendorFacts:
    """What the matrix knows of a vendor before evaluating any rule."""

    id: int
    name: str
    name_en: str
    risk_tier: str | None
    status: str
    tier: int | None
    arrangements: int
    important: bool
    cloud: bool
    user_data: bool


def with_facts(session: Session, rows) -> list[VendorFacts]:
    """Attach chain facts and tiers to vendor rows, with two queries bounded by the rows' ids."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    facts_query = vendor_facts(ids, session)
    facts = {f.vendor_id: f for f in session.execute(select(facts_query))}
    tiers = tiers_for(session, ids)
    result = []
    for r in rows:
        f = facts.get(r.id)
        result.append(VendorFacts(id=r.id, name=r.name, name_en=r.name_en, risk_tier=r.risk_tier, status=r.status,
                                  tier=tiers.get(r.id), arrangements=f.arrangements if f else 0,
                                  important=bool(f and f.important), cloud=bool(r.is_cloud or (f and f.cloud)),
                                  user_data=bool(f and f.user_data)))
    return result


def _flag(args: Mapping, name: str) -> bool | None:
    raw = (args.get(name) or "").strip().lower()
    if raw == "any":  # the page's "either" choice
        return None
    try:
        return query_flag(raw)  # the API's yes/no words, the same on every route
    except ValueError:
        pass
    raise ValidationFailed(f"The filter {name} must be yes or no.", [{"field": name, "message": "yes or no"}])


@dataclass(frozen=True)
class MatrixFilters:
    """The portfolio filters: chain tier, risk tier, article, status and three flags."""

    tier: int | None = None
    risk_tier: str | None = None
    article: str | None = None
    status: str | None = None
    important: bool | None = None
    cloud: bool | None = None
    user_data: bool | None = None
    vendor_id: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping) -> "MatrixFilters":
        """Read filters from query parameters; a bad value is a ``ValidationFailed``."""
        problems = []
        tier = None
        raw_tier = (args.get("tier") or "").strip()
        if raw_tier:
            if raw_tier.isdigit() and 1 <= int(raw_tier) <= 20:
                tier = int(raw_tier)
            else:
                problems.append({"field": "tier", "message": "The chain tier is a number from 1."})
        risk_tier = (args.get("risk_tier") or "").strip() or None
        if risk_tier and risk_tier not in RISK_TIERS:
            problems.append({"field": "risk_tier", "message": f"Use one of {', '.join(RISK_TIERS)}."})
        status = (args.get("status") or "").strip() or None
        if status and status not in STATUSES:
            problems.append({"field": "status", "message": f"Use one of {', '.join(STATUSES)}."})
        article = (args.get("article") or "").strip() or None
        if article and not select_obligations(article):
            problems.append({"field": "article", "message": f"No obligation falls under {article!r}."})
        flags = {}
        for name in ("important", "cloud", "user_data"):
            try:
                flags[name] = _flag(args, name)
            except ValidationFailed as exc:
                problems.extend(exc.details)
        vendor_id = None
        raw_vendor = (args.get("vendor_id") or "").strip()
        if raw_vendor:
            if raw_vendor.isdigit():
                vendor_id = int(raw_vendor)
            else:
                problems.append({"field": "vendor_id", "message": "A vendor id is a number."})
        if problems:
            raise ValidationFailed("Some filters are not valid.", problems)
        return cls(tier=tier, risk_tier=risk_tier, article=article, status=status, vendor_id=vendor_id,
                   q=(args.get("q") or "").strip(), **flags)

    def as_args(self) -> dict[str, str]:
        """The filters as query parameters (for links and exports)."""
        out = {}
        for key in ("tier", "risk_tier", "article", "status", "vendor_id", "q"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = str(value)
        for key in ("important", "cloud", "user_data"):
            value = getattr(self, key)
            if value is not None:
                out[key] = "yes" if value else "no"
        return out


def vendors_query(filters: MatrixFilters):
    """The vendors the filters admit (before status), ordered by name; one SQL query.

    Chain facts are joined only when a filter needs them, so the unfiltered portfolio pages
    the vendor table alone."""
    vendor = Vendor.__table__
    query = select(vendor.c.id, vendor.c.name, vendor.c.name_en, vendor.c.risk_tier, vendor.c.status,
                   vendor.c.is_cloud)
    for name in ("important", "cloud", "user_data"):
        value = getattr(filters, name)
        if value is not None:
            condition = flag_condition(name, vendor.c.id)
            query = query.where(condition if value else ~condition)
    if filters.tier is not None:
        tiers = vendor_tiers(up_to=filters.tier)
        query = query.join(tiers, tiers.c.vendor_id == vendor.c.id).where(tiers.c.tier == filters.tier)
    if filters.risk_tier:
        query = query.where(vendor.c.risk_tier == filters.risk_tier)
    if filters.vendor_id is not None:
        query = query.where(vendor.c.id == filters.vendor_id)
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(vendor.c.name.ilike(like) | vendor.c.name_en.ilike(like))
    return query.order_by(vendor.c.name, vendor.c.id)


def evaluate(session: Session, vendor_ids: list[int], obligations: list[registry.Obligation],
             today: date | None = None) -> dict[int, dict[str, registry.Verdict]]:
    """Ask every obligation's rule about all ``vendor_ids`` at once; fill unanswered cells.
    ``today``: the day the date-dependent rules (``Obligation.daily``, whose rules take a
    ``today`` argument) judge as of (default: the clock's)."""
    result: dict[int, dict[str, registry.Verdict]] = {vid: {} for vid in vendor_ids}
    if not vendor_ids:
        return result
    session.info[registry.BATCH_MEMO_KEY] = {}
    try:
        for ob in obligations:
            if ob.daily and today is not None:
                answers = ob.rule(session, list(vendor_ids), today=today) or {}
            else:
                answers = ob.rule(session, list(vendor_ids)) or {}
            for vid in vendor_ids:
                result[vid][ob.id] = answers[vid] if vid in answers else missing_verdict()
    finally:
        session.info.pop(registry.BATCH_MEMO_KEY, None)
    return result


@dataclass(frozen=True)
class ReadVerdict(registry.Verdict):
    """A maintained verdict read with only its first proof links (``store.verdicts_of``):
    ``links`` holds at most that many of its ``links_total``, in their order."""

    links_total: int = 0


def links_total(verdict: registry.Verdict) -> int:
    """How many proof links the cell has (a ``ReadVerdict`` may hold fewer)."""
    return verdict.links_total if isinstance(verdict, ReadVerdict) else len(verdict.links)


@dataclass
class MatrixRow:
    """A vendor and its verdicts, one per selected obligation."""

    vendor: VendorFacts
    verdicts: dict[str, registry.Verdict]

    def has(self, status: str) -> bool:
        """Whether any cell of this row has ``status``."""
        return any(v.status == status for v in self.verdicts.values())


def live_rows(session: Session, filters: MatrixFilters, batch_size: int = BATCH_SIZE,
              obligations: list[registry.Obligation] | None = None) -> Iterator[MatrixRow]:
    """Yield every matrix row the filters admit, evaluating vendors batch by batch (the live
    computation: ``maintain`` uses it to rebuild; pages read the maintained rows, ``store``)."""
    obligations = select_obligations(filters.article) if obligations is None else obligations
    query = vendors_query(filters)
    offset = 0
    while True:
        batch = session.execute(query.limit(batch_size).offset(offset)).all()
        vendors = with_facts(session, batch)
        if not vendors:
            return
        verdicts = link_targets.resolved(session, evaluate(session, [v.id for v in vendors], obligations))
        for vendor in vendors:
            row = MatrixRow(vendor, verdicts[vendor.id])
            if filters.status is None or row.has(filters.status):
                yield row
        if len(batch) < batch_size:
            return
        offset += batch_size


def verdict_dict(vendor: VendorFacts, ob: registry.Obligation, verdict: registry.Verdict,
                 render: Renderer | None = None) -> dict:
    """One cell as a JSON-ready row of the API and exports, its texts in the reader's language."""
    render = render or Renderer()
    return {"vendor_id": vendor.id, "vendor_name": vendor.name, "vendor_name_en": vendor.name_en,
            "tier": vendor.tier, "obligation": ob.id, "citation": ob.citation_en,
            "citation_ja": ob.citation_ja, "title": ob.title_en, "title_ja": ob.title_ja, "status": verdict.status,
            "reason": render(verdict.reason),
            "links": [{"label": render(label), "href": href} for label, href in verdict.links],
            "links_total": links_total(verdict)}


def flat_rows(rows: list[MatrixRow], obligations: list[registry.Obligation],
              status: str | None = None) -> Iterator[dict]:
    """Flatten matrix rows to one dict per (vendor, obligation), optionally of one status."""
    render = Renderer()
    for row in rows:
        for ob in obligations:
            verdict = row.verdicts[ob.id]
            if status is None or verdict.status == status:
                yield verdict_dict(row.vendor, ob, verdict, render)
