"""The audit trail: browse, filter and export (auditors, compliance, admins)."""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.accounts import audit_view
from vendorrisk.accounts.audit_labels import ACTIONS, ENTITIES
from vendorrisk.core import audit
from vendorrisk.core.access import allow
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_download
from vendorrisk.core.errors import NotFound
from vendorrisk.core.models import AuditEntry, User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.core.xlsx import csv_row
from vendorrisk.vendors.models import Vendor

bp = Blueprint("audit_trail", __name__, template_folder="../templates", url_prefix="/audit")
NAV = [NavItem("audit_trail.index", _l("Audit trail"), 85)]
READERS = ("auditor", "compliance")
FILTERS = ("entity", "entity_id", "action", "actor")


def _vendor_id() -> int | None:
    """``vendor_id``: the entries about one vendor (its row and every record naming it)."""
    value = request.args.get("vendor_id", "").strip()
    return int(value) if value.isdigit() else None


def _filtered_query():
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    for key in FILTERS:
        value = request.args.get(key, "").strip()
        if value:
            query = query.where(getattr(AuditEntry, key) == value)
    vendor_id = _vendor_id()
    if vendor_id is not None:
        query = query.where(audit.about_vendor(vendor_id))
    return query


@bp.get("/")
@allow(*READERS)
def index():
    """Entries newest first, each as who did what to which record, field by field;
    filtered by kind of record, record, action or person, and to one vendor's records (the
    vendor page's link: the vendor's row and every record that names it)."""
    session = get_session()
    vendor_id = _vendor_id()
    vendor = session.get(Vendor, vendor_id) if vendor_id is not None else None
    if vendor_id is not None and vendor is None:
        raise NotFound(_("No such vendor."))
    page = paginate(session, _filtered_query(), request.args.get("page", 1, type=int), 50)
    people = session.exec(select(User.email, User.display_name).order_by(User.display_name)).all()
    return render_template("audit/index.html", page=page, rows=audit_view.present(session, list(page.items)),
                           filters={k: request.args.get(k, "") for k in FILTERS}, entities=ENTITIES,
                           actions=ACTIONS, people=people, vendor=vendor)


@bp.get("/export.csv")
@allow(*READERS)
def export_csv():
    """The filtered trail as CSV (UTF-8 with BOM so that Excel reads Japanese)."""
    db = get_session()

    def rows():
        # Every cell neutralised: actor, entity ids and request ids come from outside too.
        yield "\ufeff" + csv_row(["id", "at_utc", "actor", "action", "entity", "entity_id", "before", "after",
                                  "request_id", "prev_hash", "hash"])
        for entry in db.scalars(_filtered_query().execution_options(yield_per=1000)):
            yield csv_row([entry.id, entry.at.isoformat(), entry.actor, entry.action, entry.entity,
                           entry.entity_id, entry.before or "", entry.after or "",
                           entry.request_id, entry.prev_hash, entry.hash])

    return send_download(db, "".join(rows()).encode("utf-8"), "audit-trail.csv", "text/csv", action="export",
                         entity="audit_entry", after=dict(request.args))

