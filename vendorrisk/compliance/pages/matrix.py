"""Compliance pages: the portfolio matrix, a vendor's matrix, the rules, the trend and exports."""
from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorrisk.compliance import matrix, snapshots
from vendorrisk.compliance.svg import line_chart
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import DOCX, XLSX, send_download
from vendorrisk.vendors.need_to_know import require_file_access
from vendorrisk.core.errors import NotFound
from vendorrisk.core.i18n import language
from vendorrisk.core.models import utcnow
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.models import RISK_TIERS, Vendor

bp = Blueprint("compliance", __name__, template_folder="../templates", url_prefix="/compliance")
NAV = [NavItem("compliance.index", _l("Compliance"), 70)]



def download(data: bytes, filename: str, mimetype: str, entity: str, entity_id="", details: dict | None = None):
    """Send an export, recorded in the audit trail with its name and size."""
    return send_download(get_session(), data, filename, mimetype, action="export", entity=entity, entity_id=entity_id,
                         after={"filename": filename, "size": len(data), **(details or {})})


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The portfolio matrix: every vendor against every obligation, filtered and paginated."""
    filters = matrix.MatrixFilters.from_args(request.args)
    page = matrix.matrix_page(get_session(), filters, request.args.get("page", 1, type=int), 50)
    return render_template("compliance/matrix.html", page=page, filters=filters, args=filters.as_args(),
                           tiers=RISK_TIERS, articles=matrix.articles(), statuses=matrix.STATUSES,
                           lang=language())


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
def vendor(vendor_id: int):
    """One vendor's matrix with reasons and the records that prove each verdict."""
    session = get_session()
    row = matrix.vendor_matrix(session, vendor_id)
    if row is None:
        raise NotFound("No such vendor.")
    return render_template("compliance/vendor.html", row=row, obligations=matrix.all_obligations(),
                           lang=language())


@bp.get("/rules")
@allow(*ALL_ROLES)
def rules():
    """Every obligation's rule, documented from its docstring."""
    return render_template("compliance/rules.html", obligations=matrix.all_obligations(), lang=language())


@bp.get("/trend")
@allow(*ALL_ROLES)
def trend():
    """Gaps per month from the monthly snapshots, as a line chart and a table."""
    points = snapshots.trend(get_session())
    chart = line_chart([(p.month.strftime("%Y-%m"), p.gaps) for p in points], _("Gaps per month"))
    return render_template("compliance/trend.html", points=points, chart=chart,
                           obligations=matrix.all_obligations(), lang=language())


@bp.get("/export/matrix.xlsx")
@allow(*ALL_ROLES)
def export_matrix():
    """The matrix (with the page's filters) as an Excel workbook."""
    from vendorrisk.compliance.matrix_xlsx import matrix_workbook
    filters = matrix.MatrixFilters.from_args(request.args)
    data = matrix_workbook(get_session(), filters)
    return download(data, f"compliance-matrix-{utcnow():%Y%m%d}.xlsx", XLSX, "compliance_matrix",
                    details={"filters": filters.as_args()})


@bp.get("/export/register.xlsx")
@allow(*ALL_ROLES)
def export_register():
    """The register of every chain node as an Excel workbook."""
    from vendorrisk.compliance.matrix_xlsx import register_workbook
    return download(register_workbook(get_session()), f"outsourcing-register-{utcnow():%Y%m%d}.xlsx", XLSX,
                    "outsourcing_register")


@bp.get("/export/board-report.docx")
@allow(*ALL_ROLES)
def export_board_report():
    """The board report (Art. 6(2), 24(3)) as a Word document."""
    from vendorrisk.compliance.board_docx import board_report
    data = board_report(get_session(), utcnow().date(), language=language())
    return download(data, f"board-report-{utcnow():%Y%m%d}.docx", DOCX, "board_report")


@bp.get("/export/dora-<template>.csv")
@allow(*ALL_ROLES)
def export_dora(template: str):
    """The DORA register of information templates B_05.01 and B_05.02 as CSV."""
    from vendorrisk.compliance.dora import TEMPLATES
    if template not in TEMPLATES:
        raise NotFound("No such DORA template; use b0501 or b0502.")
    data = TEMPLATES[template](get_session())
    return download(data, f"dora-{template}.csv", "text/csv", "dora_register", template)


@bp.get("/vendors/<int:vendor_id>/evidence-pack.zip")
@allow(*ALL_ROLES)
def evidence_pack(vendor_id: int):
    """The vendor's evidence pack: files, matrix, findings and audit extract with a SHA-256 manifest."""
    from vendorrisk.compliance.evidence_pack import evidence_pack as build
    session = get_session()
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound("No such vendor.")
    require_file_access(session, g.user, vendor_id)
    data = build(session, vendor, utcnow())
    return download(data, f"evidence-pack-{vendor_id}-{utcnow():%Y%m%d}.zip", "application/zip",
                    "vendor", vendor_id, {"kind": "evidence_pack"})
