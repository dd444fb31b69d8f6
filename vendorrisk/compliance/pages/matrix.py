"""Compliance pages: the portfolio matrix, a vendor's matrix, the rules, the trend and exports."""

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from vendorrisk.compliance import maintain, matrix, snapshots, store
from vendorrisk.compliance.pages.exports import queue
from vendorrisk.compliance.svg import line_chart
from vendorrisk.core import clock, registry
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import NotFound
from vendorrisk.core.i18n import language
from vendorrisk.core.messages import Renderer
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import RISK_TIERS, Vendor
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("compliance", __name__, template_folder="../templates", url_prefix="/compliance")
NAV = [NavItem("compliance.index", _l("Compliance"), 70)]


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The portfolio matrix: every vendor against every obligation, filtered and paginated."""
    filters = matrix.MatrixFilters.from_args(request.args)
    session = get_session()
    page = store.matrix_page(session, filters, request.args.get("page", 1, type=int), 50, first_links=0)  # shows none
    state = maintain.state(session)
    stale = state is not None and state.refreshed_on is not None and state.refreshed_on < clock.today()
    return render_template("compliance/matrix.html", page=page, filters=filters, args=filters.as_args(),
                           tiers=RISK_TIERS, articles=matrix.articles(), statuses=matrix.STATUSES,
                           article_labels=_article_labels(language()),
                           lang=language(), render=Renderer(), refreshed_on=state.refreshed_on if stale else None,
                           needs_rebuild=maintain.needs_rebuild(session),
                           notes=_cell_notes(session, page.obligations, [r.vendor.id for r in page.rows]))


def _cell_notes(session, obligations, vendor_ids: list[int]) -> dict[str, dict[int, str]]:
    """The lines the areas show under their cells (``Registry.cell_notes``) for these vendors,
    by obligation id: 26-1's last and next review, read now rather than stored in the verdict."""
    notes = registry.current().cell_notes
    if not vendor_ids:
        return {}
    return {ob.id: notes[ob.id](session, vendor_ids) for ob in obligations if ob.id in notes}


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
def vendor(vendor_id: int):
    """One vendor's matrix with reasons and the records that prove each verdict."""
    session = get_session()
    row = store.vendor_matrix(session, vendor_id)
    if row is None:
        raise NotFound(_("No such vendor."))
    return render_template("compliance/vendor.html", row=row, obligations=matrix.all_obligations(),
                           lang=language(), findings=_findings_of(session, vendor_id),
                           notes=_cell_notes(session, matrix.all_obligations(), [vendor_id]))


def _article_labels(lang: str) -> dict[str, str]:
    """The article filter's choices as the regulation cites them (第25条, 第25条第1項, 第27条第5号;
    Art. 25, Art. 25(1)), not the obligation ids' prefixes ("25-1") the filter sends."""
    labels = {}
    for prefix in matrix.articles():
        ob = next(o for o in matrix.all_obligations() if o.id == prefix or o.id.startswith(prefix + "-"))
        if "-" in prefix:
            labels[prefix] = ob.citation_ja if lang == "ja" else ob.citation_en
        else:
            labels[prefix] = _("Art. %(article)s (all)", article=prefix)
    return labels


def _findings_of(session, vendor_id: int) -> tuple[int, int]:
    """(not closed, overdue) findings of the vendor, counted as the vendor page counts them:
    the gaps the matrix does not read, shown beside it so the officer finds them from here."""
    today = clock.today()
    overdue = and_(Finding.status.in_(("open", "in_progress")), Finding.due_date < today)
    found = session.execute(select(func.count(), func.count(case((overdue, 1))))
                            .where(Finding.vendor_id == vendor_id, Finding.status != "closed")).one()
    return found[0], found[1]


@bp.get("/rules")
@allow(*ALL_ROLES)
def rules():
    """Every obligation's rule, documented from its docstring."""
    return render_template("compliance/rules.html", obligations=matrix.all_obligations(), lang=language())


@bp.get("/trend")
@allow(*ALL_ROLES)
def trend():
    """Gaps per month from the monthly snapshots, as a line chart and a table."""
    session = get_session()
    points = snapshots.trend(session)
    # the snapshots as recorded, then the matrix now (as the dashboard counts it), each labelled
    now = store.gaps_by_obligation(session)
    chart = line_chart([(p.month.strftime("%Y-%m"), p.gaps) for p in points] + [(_("now"), sum(now.values()))],
                       _("Gaps per month"))
    return render_template("compliance/trend.html", points=points, chart=chart, now=now,
                           obligations=matrix.all_obligations(), lang=language())


@bp.get("/export/matrix.xlsx")
@allow(*ALL_ROLES)
def export_matrix():
    """Start the matrix export (with the page's filters) as a background job: 202 and the job."""
    filters = matrix.MatrixFilters.from_args(request.args)
    return queue("matrix", filters.as_args())


@bp.get("/export/register.xlsx")
@allow(*ALL_ROLES)
def export_register():
    """Start the export of the register of every chain node: 202 and the job."""
    return queue("register", {})


@bp.get("/export/board-report.docx")
@allow(*ALL_ROLES)
def export_board_report():
    """Start the board report (Art. 6(2), 24(3)) in the user's language: 202 and the job."""
    return queue("board_report", {"language": language()})


@bp.get("/export/dora-<template>.csv")
@allow(*ALL_ROLES)
def export_dora(template: str):
    """Start a DORA register of information template (B_05.01, B_05.02) as CSV: 202 and the job."""
    from vendorrisk.compliance.dora import TEMPLATES
    if template not in TEMPLATES:
        raise NotFound("No such DORA template; use b0501 or b0502.")
    return queue("dora", {"template": template})


@bp.get("/vendors/<int:vendor_id>/evidence-pack.zip")
@allow(*ALL_ROLES)
def evidence_pack(vendor_id: int):
    """Start the vendor's evidence pack (files, matrix, findings, audit extract, manifest): 202 and the job."""
    session = get_session()
    if session.get(Vendor, vendor_id) is None:
        raise NotFound(_("No such vendor."))
    require_file_access(session, g.user, vendor_id)
    return queue("evidence_pack", {"vendor_id": vendor_id})
