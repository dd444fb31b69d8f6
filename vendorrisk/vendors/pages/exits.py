"""The exit of an arrangement: terminate it, recording the termination date and what
became of the data (Art. 27(3)), or complete that record later (``vendors.exits``)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from vendorrisk.core import clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.vendors import arrangements as arrangement_service
from vendorrisk.vendors import exits
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import Arrangement, Vendor
from vendorrisk.vendors.pages.vendors import form_data, refused

bp = Blueprint("exits", __name__, template_folder="../templates")
WRITERS = ("compliance", "procurement", "vendor_owner")  # who edits arrangements (pages.chains)
FIELDS = ("terminated_on", "data_disposition", "data_disposition_confirmed_on", "exit_note")


@bp.get("/arrangements/<int:arrangement_id>/exit")
@allow(*ALL_ROLES)
def exit_record(arrangement_id: int):
    """The arrangement's exit: its record for everyone; the form to terminate it (or to
    complete its record) for those who may edit it (vendor owners: their vendors')."""
    arrangement = arrangement_service.get_arrangement(get_session(), arrangement_id)
    return _page(arrangement, {name: getattr(arrangement, name) for name in FIELDS})


@bp.post("/arrangements/<int:arrangement_id>/exit")
@allow(*WRITERS)
def record_exit(arrangement_id: int):
    """Terminate the arrangement with its exit record, or save the record of one ended."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    ending = arrangement.status != "terminated"
    values = form_data(FIELDS, optional=FIELDS[:3])
    try:
        exits.record_exit(db, arrangement, dict(values))
        db.commit()
    except ValidationFailed as exc:
        errors = refused(exc)
        return _page(arrangement_service.get_arrangement(db, arrangement_id), values, errors)
    flash(_("Arrangement terminated; its exit is recorded.") if ending else _("Exit record saved."), "info")
    return redirect(url_for("chains.arrangement", arrangement_id=arrangement.id) + "#exit")


def _page(arrangement: Arrangement, values: dict, errors=()):
    db = get_session()
    return render_template("chains/exit.html", arrangement=arrangement, vendor=db.get(Vendor, arrangement.vendor_id),
                           values=values, errors=list(errors), today=clock.today(),
                           can_edit=vendor_service.can_edit_vendor(db, current_user(), arrangement.vendor_id),
                           dispositions=exits.DISPOSITION_LABELS, needs_data=exits.handles_data(arrangement),
                           disposal_open=exits.disposal_open(arrangement)), 422 if errors else 200
