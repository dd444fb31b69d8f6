"""反社会的勢力チェック on the vendor page: the vendor's checks, recording one (with its
evidence file or text), and the evidence file."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import NotFound, ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.vendors import antisocial
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import CHECK_METHODS, CHECK_RESULTS, AntisocialCheck
from vendorrisk.vendors.pages.vendors import show

bp = Blueprint("antisocial", __name__, template_folder="../templates")
FIELDS = ("checked_on", "method", "result", "evidence_text", "next_due")


def panel(session, vendor) -> str:
    """The vendor page's section: the standing, the checks, and the form to record one."""
    user = current_user()
    kept = g.get("antisocial_form") or {}
    return render_template("vendors/_antisocial.html", vendor=vendor, checks=antisocial.checks_of(session, vendor.id),
                           standing=antisocial.standing(session, vendor.id), methods=CHECK_METHODS,
                           results=CHECK_RESULTS, values=kept.get("values", {}), errors=kept.get("errors", []),
                           can_record=vendor_service.can_edit_vendor(session, user, vendor.id))


@bp.post("/vendors/<int:vendor_id>/antisocial-checks")
@allow("compliance", "procurement", "vendor_owner")
def record(vendor_id: int):
    """Record a check (vendor owners: for their own vendors)."""
    db = get_session()
    values = {k: request.form.get(k, "").strip() for k in FIELDS}
    file = request.files.get("evidence")
    try:
        evidence = inspect_upload(file.read(), file.filename, antisocial.EVIDENCE_KINDS) \
            if file and file.filename else None
        vendor = vendor_service.get_vendor(db, vendor_id)
        vendor_service.require_edit(db, current_user(), vendor.id)
        antisocial.record_check(db, vendor, {k: v or None if k in ("checked_on", "next_due") else v
                                             for k, v in values.items()}, current_user().id, evidence)
        db.commit()
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        g.antisocial_form = {"values": values, "errors": [d for d in exc.details if isinstance(d, dict)]}
        return show(vendor_id, "antisocial", values, exc.details, 422)
    flash(_("Anti-social forces check recorded."), "info")
    return redirect(url_for("vendors.show", vendor_id=vendor_id) + "#antisocial")


@bp.get("/vendors/<int:vendor_id>/antisocial-checks/<int:check_id>/evidence")
@allow(*ALL_ROLES)
def evidence(vendor_id: int, check_id: int):
    """The evidence file of a check."""
    db = get_session()
    check = db.get(AntisocialCheck, check_id)
    if check is None or check.vendor_id != vendor_id or not check.evidence_file_id:
        raise NotFound(_("No such evidence file."))
    return send_stored(db, db.get(StoredFile, check.evidence_file_id), check.evidence_filename,
                       entity="antisocial_check", entity_id=check.id)
