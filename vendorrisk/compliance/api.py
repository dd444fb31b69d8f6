"""API of the compliance matrix and the dashboard figures."""
from dataclasses import replace
from datetime import date, datetime
from typing import Literal, Optional

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from vendorrisk.compliance import dashboard, matrix, snapshots, store
from vendorrisk.core import clock, registry, validation
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Flag, Public, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import NotFound
from vendorrisk.vendors.models import RISK_TIERS

bp = Blueprint("api_compliance", __name__, url_prefix="/api/v1")
# Proof links a matrix cell carries inline; a hub's cell holds one per arrangement it is in,
# so the rest are one request away (getComplianceCell).
CELL_LINKS = 5


class ProofLink(Public):
    """A page proving the verdict."""

    label: str
    href: str


class CellBase(Public):
    """What a (vendor, obligation) cell says besides its proof links."""

    vendor_id: int
    vendor_name: str
    vendor_name_en: str
    tier: Optional[int]
    obligation: str
    citation: str
    citation_ja: str
    title: str
    title_ja: str
    status: Literal[matrix.STATUSES]
    reason: str


class ComplianceCell(CellBase):
    """One (vendor, obligation) cell: its status, a one-sentence reason and its first proof links."""

    links: list[ProofLink] = Field(description=f"The cell's first {CELL_LINKS} proof links, in the order the "
                                               "rule gives them (all of them when it has no more)")
    links_total: int = Field(description="How many proof links the cell has")
    links_href: Optional[str] = Field(description="Where every proof link of the cell is (getComplianceCell); "
                                                  "null when `links` holds them all")


class ComplianceCellLinks(CellBase):
    """One (vendor, obligation) cell with a page of its proof links, in the matrix's order."""

    links: list[ProofLink]
    links_total: int = Field(description="How many proof links the cell has")
    page: int
    per_page: int
    has_next: bool


class ComplianceMatrix(Public):
    """Matrix rows of a page of vendors."""

    rows: list[ComplianceCell]
    page: int
    per_page: int
    total_vendors: Optional[int] = Field(description="null when a status filter was not scanned to the end")
    has_next: bool
    obligations: list[str]


class ObligationPublic(Public):
    """A registered obligation and its documentation."""

    id: str
    citation: str
    citation_ja: str
    title: str
    title_ja: str
    doc: str


class ObligationList(Public):
    """The registered obligations."""

    obligations: list[ObligationPublic]


class TrendMonth(Public):
    """Gaps of one month, in total and per obligation, as its snapshot recorded them."""

    month: str
    gaps: int
    by_obligation: dict[str, int]
    taken_at: Optional[datetime] = Field(description="When the snapshot was taken: the month's figures are as of then")


class Trend(Public):
    """Gaps per month, oldest first, and the gaps now."""

    months: list[TrendMonth]
    gaps_now: int = Field(description="Gaps in the matrix now, as the dashboard counts them (the months are "
                                      "snapshots, taken every night; they differ from it until the next one)")


class CountLink(Public):
    """A figure (null when the area holding its data is not installed) and the link to its list."""

    count: Optional[int]
    href: str


class ConcentrationLink(Public):
    """A vendor many arrangements depend on, and the link to them."""

    vendor_id: int
    name: str
    name_en: str
    arrangements: int
    tier: int
    href: str


class SnapshotGaps(Public):
    """The gaps of the last monthly snapshot, as recorded when it was taken."""

    month: str
    gaps: int
    taken_at: Optional[datetime]


class Dashboard(Public):
    """The dashboard figures, each with the link to its list."""

    as_of: date
    overdue_reviews: CountLink
    certificates_expiring_60_days: CountLink
    open_findings_by_severity: dict[str, CountLink]
    vendors_by_risk_tier: dict[str, CountLink]
    unapproved_sub_outsourcing: CountLink
    top_concentration: list[ConcentrationLink]
    gaps_now: int = Field(description="Gaps in the matrix now (the dashboard's tile)")
    gaps_last_snapshot: Optional[SnapshotGaps] = Field(description="As the last snapshot recorded them (taken every "
                                                                   "night): differs from gaps_now until the next one")


class MatrixQuery(BaseModel):
    """Filters of the matrix."""

    tier: Optional[int] = Field(default=None, ge=1, description="Lowest chain tier of the vendor (1 = direct)")
    risk_tier: Optional[Literal[RISK_TIERS]] = None
    article: Optional[str] = Field(default=None, description="Article, paragraph or obligation id: 27, 25-2, "
                                                             "25-2-audit_rights")
    status: Optional[Literal[matrix.STATUSES]] = Field(default=None, description="Only cells of this status "
                                                                                 "(and vendors having one)")
    important: Flag = Field(default=None, description="Vendor is in an important arrangement's chain (true) "
                                                      "or not (false)")
    cloud: Flag = Field(default=None, description="Vendor provides a cloud service (true) or not (false)")
    user_data: Flag = Field(default=None, description="Vendor handles user data (true) or not (false)")
    vendor_id: Optional[int] = None
    q: Optional[str] = Field(default=None, description="Vendor name contains")
    page: int = Field(default=1, ge=1, description="Page of vendors")
    per_page: int = Field(default=50, ge=1, le=200, description="Vendors per page (max 200)")


class CellQuery(BaseModel):
    """Which of a cell's proof links to give."""

    page: int = Field(default=1, ge=1, description="Page of proof links")
    per_page: int = Field(default=100, ge=1, le=500, description="Proof links per page (max 500)")


@bp.get("/compliance-matrix")
@allow(*ALL_ROLES)
@operation("getComplianceMatrix", "The compliance matrix: one row per (vendor, obligation), vendors paginated",
           ok=ComplianceMatrix, query=MatrixQuery, errors=(422,),
           description=f"Each cell carries its first {CELL_LINKS} proof links (`links`), how many it has "
                       "(`links_total`) and, when it has more, where they all are (`links_href`, "
                       "getComplianceCell). Clients reading only `links` still work: a cell with more "
                       f"than {CELL_LINKS} links shows its first {CELL_LINKS}.")
def compliance_matrix():
    """Matrix rows for a page of vendors, filtered as the query parameters say."""
    filters = matrix.MatrixFilters.from_args(request.args)
    page = store.matrix_page(get_session(), filters, request.args.get("page", 1, type=int),
                             request.args.get("per_page", 50, type=int), first_links=CELL_LINKS)
    cells = _with_more(matrix.flat_rows(page.rows, page.obligations, filters.status))
    return jsonify(ComplianceMatrix.dump(page, rows=list(cells), total_vendors=page.total,
                                         obligations=[o.id for o in page.obligations]))


def _with_more(cells):
    """The cells, each with the link to all its proof links when it holds only the first."""
    for cell in cells:
        more = cell["links_total"] > len(cell["links"])
        cell["links_href"] = url_for(".compliance_cell", vendor_id=cell["vendor_id"],
                                     obligation=cell["obligation"]) if more else None
        yield cell


@bp.get("/compliance-matrix/cells/<int:vendor_id>/<obligation>")
@allow(*ALL_ROLES)
@operation("getComplianceCell", "One cell of the compliance matrix with its proof links, a page at a time",
           ok=ComplianceCellLinks, query=CellQuery, errors=(404, 422))
def compliance_cell(vendor_id: int, obligation: str):
    """A vendor's cell on one obligation (as ``getComplianceMatrix`` gives it) with a page of
    its proof links in their order; 404 for an unknown vendor or obligation."""
    query = validation.parse(CellQuery, {k: v for k, v in request.args.items() if k in CellQuery.model_fields})
    ob = registry.current().obligations.get(obligation)
    if ob is None:
        raise NotFound(_("Obligation %(id)s does not exist.", id=obligation))
    start = (query.page - 1) * query.per_page
    row = store.cell(get_session(), vendor_id, ob, first_links=start + query.per_page)
    if row is None:
        raise NotFound(_("Vendor %(id)s does not exist.", id=vendor_id))
    verdict = row.verdicts[ob.id]
    cell = matrix.verdict_dict(row.vendor, ob, replace(verdict, links=verdict.links[start:]))
    return jsonify(ComplianceCellLinks.dump(cell, page=query.page, per_page=query.per_page,
                                            has_next=start + query.per_page < cell["links_total"]))


@bp.get("/compliance-matrix/obligations")
@allow(*ALL_ROLES)
@operation("listObligations", "The registered obligations and their documentation", ok=ObligationList)
def obligations():
    """Every registered obligation with its citation, title and documentation."""
    return jsonify(ObligationList.dump(obligations=[ObligationPublic.dump(o, citation=o.citation_en, title=o.title_en)
                                                    for o in matrix.all_obligations()]))


@bp.get("/compliance-matrix/trend")
@allow(*ALL_ROLES)
@operation("getComplianceTrend", "Gaps per month from the monthly snapshots", ok=Trend)
def trend():
    """Gaps per month, oldest first."""
    session = get_session()
    return jsonify(Trend.dump(months=[TrendMonth.dump(p, month=p.month.strftime("%Y-%m"))
                                      for p in snapshots.trend(session)], gaps_now=dashboard.live_gaps(session)))


@bp.get("/dashboard")
@allow(*ALL_ROLES)
@operation("getDashboard", "The dashboard figures, each with the link to its list", ok=Dashboard)
def dashboard_figures():
    """The dashboard figures; a count is null when the area holding its data is not installed."""
    session = get_session()
    figures = dashboard.figures(session, clock.today(), url_for)
    points = snapshots.trend(session, 1)
    return jsonify(Dashboard.dump(figures, gaps_now=dashboard.live_gaps(session), gaps_last_snapshot=SnapshotGaps.dump(
        points[-1], month=points[-1].month.strftime("%Y-%m")) if points else None))
