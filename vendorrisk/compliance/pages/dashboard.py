"""The dashboard: the few numbers a head of compliance looks at first, each linking to its list."""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorrisk.compliance import dashboard, snapshots
from vendorrisk.compliance.svg import Bar, bar_chart, line_chart
from vendorrisk.core import clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import NotFound
from vendorrisk.core.i18n import language
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.names import vendor_name

bp = Blueprint("dashboard", __name__, template_folder="../templates", url_prefix="/dashboard")
NAV = [NavItem("dashboard.index", _l("Dashboard"), 5)]


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The dashboard figures with SVG charts drawn on the server."""
    session = get_session()
    figures = dashboard.figures(session, clock.today(), url_for)
    severity_chart = bar_chart([Bar(_(s), f["count"], f["href"], f"sev-{s}")
                                for s, f in figures["open_findings_by_severity"].items()], _("Open findings by severity"))
    tier_chart = bar_chart([Bar(_("not tiered") if t == "none" else _(t), f["count"], f["href"], f"tier-{t}")
                            for t, f in figures["vendors_by_risk_tier"].items()], _("Vendors by risk tier"))
    concentration_chart = bar_chart([Bar(vendor_name(v["name"], v["name_en"]), v["arrangements"], v["href"], "conc")
                                     for v in figures["top_concentration"]], _("Top concentration"), width=560)
    # The gap count is the live matrix's, not the last snapshot's. The chart's last point is
    # that live count, labelled "now", after the months as their snapshots recorded them: the
    # tile, the chart and the matrix agree, and no recorded month is rewritten.
    gaps = dashboard.live_gaps(session)
    this_month = snapshots.month_start(clock.today())
    months = [(p.month.strftime("%Y-%m"), p.gaps) for p in snapshots.trend(session, 12) if p.month != this_month]
    trend_chart = line_chart(months[-11:] + [(_("now"), gaps)], _("Gaps per month"))
    return render_template("compliance/dashboard.html", figures=figures, severity_chart=severity_chart,
                           tier_chart=tier_chart, concentration_chart=concentration_chart,
                           trend_chart=trend_chart, gaps=gaps)


@bp.get("/lists/<key>")
@allow(*ALL_ROLES)
def figure_list(key: str):
    """The records behind one dashboard number, paginated."""
    session = get_session()
    query = dashboard.list_query(session, key, clock.today(), request.args)
    if query is None:
        raise NotFound(_("This list is not available."))
    page = paginate(session, query, request.args.get("page", 1, type=int), 50, scalars=False)
    figure = dashboard.LISTS[key]
    title = figure.title_ja if language() == "ja" else figure.title_en
    return render_template("compliance/figure_list.html", page=page, title=title, key=key)
