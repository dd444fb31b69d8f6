"""The dashboard's figures, each backed by a list of the records it counts.

A figure's list is registered with ``dashboard_list``: ``fn(session, today, args)``
returns a select of labelled columns ``vendor_id, vendor_name, item, on, detail`` (or
None when the area holding the data is not installed). The number on the dashboard is
the count of that select, and its link opens the same select as a paginated page, so a
number and its list can never disagree.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Mapping

from sqlalchemy import Date, String, and_, cast, exists, func, literal, null, or_, select
from sqlmodel import Session, SQLModel

from vendorrisk.compliance import store
from vendorrisk.core import counters
from vendorrisk.vendors.chain_reach import chain_nodes
from vendorrisk.vendors.findings import SEVERITIES, Finding
from vendorrisk.vendors.models import APPROVAL_STATUSES, RISK_TIERS, Arrangement, OutsourcingLink, Vendor, current_link
from vendorrisk.vendors.names import name_column

CERTIFICATE_HORIZON_DAYS = 60
# the certificates area's report types (``certificates.models.SOC_REPORT_TYPES``; a test keeps them equal)
SOC_REPORT_TYPES = ("soc1", "soc2_type1", "soc2_type2", "soc3")


@dataclass(frozen=True)
class FigureList:
    """A list behind a dashboard number."""

    key: str
    title_en: str
    title_ja: str
    rows: Callable[[Session, date, Mapping], object]
    order: int = 50


LISTS: dict[str, FigureList] = {}


def dashboard_list(key: str, *, title_en: str, title_ja: str, order: int = 50):
    """Register ``fn(session, today, args) -> Select | None`` as the list named ``key``."""
    def register(fn):
        LISTS[key] = FigureList(key, title_en, title_ja, fn, order)
        return fn
    return register


def _table(name: str):
    """A table of another area if it is installed, else None (the figure is then omitted)."""
    return SQLModel.metadata.tables.get(name)


def _not_approved(link):
    """Links not approved, as a range of the status index (``!=`` would scan every link)."""
    return link.c.approval_status.in_([s for s in APPROVAL_STATUSES if s != "approved"])


def _vendor_columns(vendor_id_column):
    return vendor_id_column.label("vendor_id"), name_column().label("vendor_name")


def _named(vendor_id_column):
    """The vendor's id and name, the name looked up per row rather than joined: the count of
    the list then reads the list's own table alone (a join let SQLite walk every vendor)."""
    vendor = Vendor.__table__
    name = select(name_column()).where(vendor.c.id == vendor_id_column).scalar_subquery()
    return vendor_id_column.label("vendor_id"), name.label("vendor_name")


@dashboard_list("overdue_reviews", title_en="Overdue monitoring reviews", title_ja="期限超過のモニタリング", order=10)
def overdue_reviews(session, today, args):
    """Reviews not completed whose due date has passed (Art. 26(1))."""
    review = _table("monitoring_review")
    if review is None:
        return None
    return (select(*_named(review.c.vendor_id), cast(review.c.status, String).label("item"),
                   review.c.due_date.label("on"), cast(review.c.id, String).label("detail"))
            .where(review.c.status != "completed", review.c.due_date < today)
            .order_by(review.c.due_date, "vendor_name"))


@dashboard_list("certificates_expiring", title_en="Certificates and reports expiring within 60 days",
                title_ja="60日以内に期限切れとなる証明書・報告書", order=20)
def certificates_expiring(session, today, args):
    """Certificates and reports that stop counting as evidence between today and 60 days from
    now, not renewed (Art. 26(4)): the records the certificates page lists as expiring soon."""
    certificate = _table("certificate")
    if certificate is None:
        return None
    horizon = today + timedelta(days=CERTIFICATE_HORIZON_DAYS)
    # ``due_on`` is the last day a record counts (a report: its period end plus three months);
    # a record of the same vendor and type counting longer renews it, and a bridge letter
    # counting longer carries a SOC report on — the certificates area's ``not_superseded``
    newer = certificate.alias("newer")
    renewed = exists().where(newer.c.vendor_id == certificate.c.vendor_id, newer.c.type == certificate.c.type,
                             newer.c.due_on > certificate.c.due_on)
    bridged = and_(certificate.c.type.in_(SOC_REPORT_TYPES),
                   exists().where(newer.c.vendor_id == certificate.c.vendor_id, newer.c.type == "bridge_letter",
                                  newer.c.due_on > certificate.c.due_on))
    return (select(*_named(certificate.c.vendor_id), cast(certificate.c.type, String).label("item"),
                   certificate.c.due_on.label("on"), cast(certificate.c.issuer, String).label("detail"))
            .where(certificate.c.due_on >= today, certificate.c.due_on <= horizon, ~or_(renewed, bridged))
            .order_by(certificate.c.due_on, "vendor_name"))


@dashboard_list("open_findings", title_en="Open findings", title_ja="未完了の指摘事項", order=30)
def open_findings(session, today, args):
    """Findings not yet closed, optionally of one severity (Art. 24 guideline)."""
    finding = Finding.__table__
    vendor = Vendor.__table__
    query = (select(*_vendor_columns(finding.c.vendor_id), finding.c.title.label("item"),
                    finding.c.due_date.label("on"), finding.c.title, finding.c.title_key, finding.c.title_params,
                    finding.c.severity.label("severity"), finding.c.status.label("status"))
             .join(vendor, vendor.c.id == finding.c.vendor_id)
             .where(finding.c.status != "closed")
             .order_by(finding.c.due_date, finding.c.id))
    if args.get("severity") in SEVERITIES:
        query = query.where(finding.c.severity == args["severity"])
    return query


@dashboard_list("vendors_by_risk_tier", title_en="Vendors by risk tier", title_ja="リスク区分別の外部委託先", order=40)
def vendors_by_risk_tier(session, today, args):
    """Vendors of one risk tier (``tier=none``: not yet tiered)."""
    vendor = Vendor.__table__
    query = (select(vendor.c.id.label("vendor_id"), name_column().label("vendor_name"),
                    func.coalesce(vendor.c.risk_tier, "").label("item"), cast(null(), Date).label("on"),
                    vendor.c.status.label("detail"))
             .order_by(vendor.c.name, vendor.c.id))
    tier = args.get("tier")
    if tier == "none":
        query = query.where(vendor.c.risk_tier.is_(None))
    elif tier in RISK_TIERS:
        query = query.where(vendor.c.risk_tier == tier)
    return query


@dashboard_list("unapproved_links", title_en="Sub-outsourcing not approved", title_ja="未承認の再委託", order=50)
def unapproved_links(session, today, args):
    """Sub-outsourcing links not (yet) approved by the member (Art. 25(4))."""
    link = OutsourcingLink.__table__
    vendor = Vendor.__table__
    parent = Vendor.__table__.alias("parent")
    arrangement = Arrangement.__table__
    return (select(*_vendor_columns(link.c.vendor_id), link.c.service.label("item"), cast(null(), Date).label("on"),
                   (name_column(table=parent) + literal(" → ") + arrangement.c.title).label("detail"))
            .join(vendor, vendor.c.id == link.c.vendor_id)
            .join(parent, parent.c.id == link.c.parent_vendor_id)
            .join(arrangement, arrangement.c.id == link.c.arrangement_id)
            .where(_not_approved(link), current_link(link))
            .order_by(vendor.c.name, link.c.id))


@dashboard_list("dependent_arrangements", title_en="Arrangements depending on a vendor",
                title_ja="外部委託先に依存する委託業務", order=60)
def dependent_arrangements(session, today, args):
    """The arrangements whose chain reaches the vendor ``vendor_id`` at any tier."""
    vendor_id = args.get("vendor_id")
    if not str(vendor_id or "").isdigit():
        return None
    nodes = chain_nodes()
    vendor = Vendor.__table__
    arrangement = Arrangement.__table__
    return (select(*_vendor_columns(nodes.c.vendor_id), arrangement.c.title.label("item"),
                   arrangement.c.end_date.label("on"),
                   func.min(nodes.c.tier).label("detail"))
            .join(vendor, vendor.c.id == nodes.c.vendor_id)
            .join(arrangement, arrangement.c.id == nodes.c.arrangement_id)
            .where(nodes.c.vendor_id == int(vendor_id))
            .group_by(nodes.c.vendor_id, vendor.c.name, vendor.c.name_en, arrangement.c.id, arrangement.c.title,
                      arrangement.c.end_date)
            .order_by(arrangement.c.title))


def live_gaps(session: Session) -> int:
    """Gaps in the compliance matrix now (the maintained verdicts), not read from a snapshot."""
    return store.gap_cells(session)


def count(session: Session, query) -> int | None:
    """Rows of a list's select, or None when the list is not available."""
    if query is None:
        return None
    return session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def list_query(session: Session, key: str, today: date, args: Mapping):
    """The select behind list ``key`` (None if unknown or not available)."""
    figure = LISTS.get(key)
    return None if figure is None else figure.rows(session, today, args)


def figures(session: Session, today: date, url_for: Callable[..., str]) -> dict:
    """Every dashboard figure with the link to its list; counts that need an uninstalled area are None."""
    def figure(key, **args):
        return {"count": count(session, list_query(session, key, today, args)),
                "href": url_for("dashboard.figure_list", key=key, **args)}

    # kept with the records (vendors.counted): a few rows whatever the portfolio's size
    by_severity = counters.by_scope(session, "open_findings")
    by_tier = counters.by_scope(session, "vendors_by_tier")
    unapproved = counters.total(session, "links_unapproved")
    top = [{**c, "href": url_for("dashboard.figure_list", key="dependent_arrangements", vendor_id=c["vendor_id"])}
           for c in store.concentration(session, 10)]
    return {
        "as_of": today.isoformat(),
        "overdue_reviews": figure("overdue_reviews"),
        "certificates_expiring_60_days": figure("certificates_expiring"),
        "open_findings_by_severity": {
            s: {"count": by_severity.get(s, 0), "href": url_for("dashboard.figure_list", key="open_findings", severity=s)}
            for s in SEVERITIES},
        "vendors_by_risk_tier": {
            t: {"count": by_tier.get(t, 0), "href": url_for("dashboard.figure_list", key="vendors_by_risk_tier", tier=t)}
            for t in (*RISK_TIERS, "none")},
        "unapproved_sub_outsourcing": {"count": unapproved,
                                       "href": url_for("dashboard.figure_list", key="unapproved_links")},
        "top_concentration": top,
    }
