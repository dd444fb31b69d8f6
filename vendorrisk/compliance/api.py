"""API of the compliance matrix and the dashboard figures."""
from datetime import date
from typing import Literal, Optional

from flask import Blueprint, jsonify, request, url_for
from pydantic import BaseModel, Field

from vendorrisk.compliance import dashboard, matrix, snapshots, store
from vendorrisk.core import clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Public, operation
from vendorrisk.core.db import get_session
from vendorrisk.vendors.models import RISK_TIERS

bp = Blueprint("api_compliance", __name__, url_prefix="/api/v1")
YesNo = Optional[Literal["yes", "no"]]


class ProofLink(Public):
    """A page proving the verdict."""

    label: str
    href: str


class ComplianceCell(Public):
    """One (vendor, obligation) cell: its status, a one-sentence reason and proof links."""

    vendor_id: int
    vendor_name: str
    vendor_name_en: str
    tier: Optional[int]
    obligation: str
    citation: str
    citation_ja: str
    title: str
    status: Literal[matrix.STATUSES]
    reason: str
    links: list[ProofLink]


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
    """Gaps of one month, in total and per obligation."""

    month: str
    gaps: int
    by_obligation: dict[str, int]


class Trend(Public):
    """Gaps per month, oldest first."""

    months: list[TrendMonth]


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
    """The gaps of the last monthly snapshot."""

    month: str
    gaps: int


class Dashboard(Public):
    """The dashboard figures, each with the link to its list."""

    as_of: date
    overdue_reviews: CountLink
    certificates_expiring_60_days: CountLink
    open_findings_by_severity: dict[str, CountLink]
    vendors_by_risk_tier: dict[str, CountLink]
    unapproved_sub_outsourcing: CountLink
    top_concentration: list[ConcentrationLink]
    gaps_last_snapshot: Optional[SnapshotGaps]


class MatrixQuery(BaseModel):
    """Filters of the matrix."""

    tier: Optional[int] = Field(default=None, ge=1, description="Lowest chain tier of the vendor (1 = direct)")
    risk_tier: Optional[Literal[RISK_TIERS]] = None
    article: Optional[str] = Field(default=None, description="Article, paragraph or obligation id: 27, 25-2, "
                                                             "25-2-audit_rights")
    status: Optional[Literal[matrix.STATUSES]] = Field(default=None, description="Only cells of this status "
                                                                                 "(and vendors having one)")
    important: YesNo = Field(default=None, description="Vendor is in an important arrangement's chain")
    cloud: YesNo = Field(default=None, description="Vendor provides a cloud service")
    user_data: YesNo = Field(default=None, description="Vendor handles user data")
    vendor_id: Optional[int] = None
    q: Optional[str] = Field(default=None, description="Vendor name contains")
    page: int = Field(default=1, ge=1, description="Page of vendors")
    per_page: int = Field(default=50, ge=1, le=200, description="Vendors per page (max 200)")


@bp.get("/compliance-matrix")
@allow(*ALL_ROLES)
@operation("getComplianceMatrix", "The compliance matrix: one row per (vendor, obligation), vendors paginated",
           ok=ComplianceMatrix, query=MatrixQuery, errors=(422,))
def compliance_matrix():
    """Matrix rows for a page of vendors, filtered as the query parameters say."""
    filters = matrix.MatrixFilters.from_args(request.args)
    page = store.matrix_page(get_session(), filters, request.args.get("page", 1, type=int),
                              request.args.get("per_page", 50, type=int))
    return jsonify(ComplianceMatrix.dump(page, rows=list(matrix.flat_rows(page.rows, page.obligations, filters.status)),
                                         total_vendors=page.total, obligations=[o.id for o in page.obligations]))


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
    return jsonify(Trend.dump(months=[TrendMonth.dump(p, month=p.month.strftime("%Y-%m"))
                                      for p in snapshots.trend(get_session())]))


@bp.get("/dashboard")
@allow(*ALL_ROLES)
@operation("getDashboard", "The dashboard figures, each with the link to its list", ok=Dashboard)
def dashboard_figures():
    """The dashboard figures; a count is null when the area holding its data is not installed."""
    session = get_session()
    figures = dashboard.figures(session, clock.today(), url_for)
    points = snapshots.trend(session, 1)
    return jsonify(Dashboard.dump(figures, gaps_last_snapshot=SnapshotGaps.dump(
        points[-1], month=points[-1].month.strftime("%Y-%m")) if points else None))
