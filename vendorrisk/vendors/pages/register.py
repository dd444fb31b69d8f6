"""The register in Excel: export of every chain, and bulk import with a dry run."""
from functools import partial

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.core import audit, clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.i18n import language
from vendorrisk.vendors import register_layout as layout
from vendorrisk.vendors.arrangements import filter_arrangements
from vendorrisk.vendors.models import Arrangement, Vendor
from vendorrisk.vendors.register_check import check_register
from vendorrisk.vendors.register_export import register_workbook
from vendorrisk.vendors.register_reader import read_register
from vendorrisk.vendors.register_store import apply_register

bp = Blueprint("chains_register", __name__, template_folder="../templates")


@bp.get("/arrangements/register.xlsx")
@allow(*ALL_ROLES)
def export_register():
    """Download the register: one row per node of every chain, plus importable sheets; with the
    arrangements list's filters (``q``, ``important=1``), only the arrangements it shows."""
    db = get_session()
    q, important = request.args.get("q", "").strip(), request.args.get("important") == "1"
    ids = None
    if q or important:
        query = select(Arrangement.id).join(Vendor, Vendor.id == Arrangement.vendor_id)
        ids = list(db.exec(filter_arrangements(query, q, important)))
    data = register_workbook(db, ids)
    after = {"bytes": len(data)} | ({"search": q, "important": important, "arrangements": len(ids)} if ids is not None else {})
    return send_download(db, data, f"outsourcing-register-{clock.stamp()}.xlsx", XLSX, action="export",
                         entity="register", after=after)


@bp.route("/arrangements/import", methods=["GET", "POST"])
@allow("compliance", "procurement")
def import_register():
    """Upload a workbook of vendors, arrangements and links: a dry run lists every problem;
    the import stores everything or nothing. A refused workbook answers 422 with its problems."""
    report, errors, message, dry_run, status = None, [], None, True, 200
    if request.method == "POST":
        db = get_session()
        dry_run = request.form.get("dry_run") == "1"
        upload = request.files.get("file")
        try:
            # Read and check without SQLite's write lock (a dry run takes none); store briefly.
            sheets = read_register(upload.read() if upload else b"", upload.filename if upload else "")
            with reading(db):
                report = check_register(db, sheets)
            if dry_run:
                message = _("Dry run: the workbook is valid; nothing was stored.")
            else:
                report = apply_register(db, sheets, current_user())
                audit.add_event(db, action="import", entity="register",
                                after={"vendors": report.vendors, "arrangements": report.arrangements,
                                       "links": report.links})
                db.commit()
                message = _("Imported.")
        except ValidationFailed as exc:
            db.rollback()
            message = exc.message
            errors = [d for d in exc.details if isinstance(d, dict)]
            status = 422
    japanese = language() == "ja"
    return render_template("chains/import.html", report=report, errors=errors, message=message,
                           dry_run=dry_run, shown=partial(layout.shown, japanese=japanese),
                           sheets_ja=layout.SHEETS_JA if japanese else {}), status
