"""The outbox: every reminder, sent, pending or failed, with retry for failed ones."""
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from vendorrisk.core.access import allow
from vendorrisk.core.db import get_session
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.monitoring import sweep as monitoring_sweep
from vendorrisk.monitoring.models_reminders import REMINDER_STATUSES, Reminder

bp = Blueprint("outbox", __name__, template_folder="../templates", url_prefix="/outbox")
NAV = [NavItem("outbox.index", _l("Outbox"), 58)]
# A reminder's kind is its stage (``due_in_30``, ``overdue_w2``...), stored as a code: named here.
KIND_PATTERNS = ((re.compile(r"due_in_(\d+)"), _l("%(n)s days before the due date")),
                 (re.compile(r"expires_in_(\d+)"), _l("%(n)s days before it expires")),
                 (re.compile(r"overdue_w(\d+)"), _l("overdue, week %(n)s")))
KIND_NAMES = {"due_today": _l("on the due date"), "request": _l("questionnaire sent"),
              "notice_date": _l("notice date of the arrangement"), "end_date": _l("end of the arrangement"),
              "past_end": _l("arrangement in force after its end date")}


def kind_label(kind: str) -> str | None:
    """The reader's words for a reminder's kind, or None for a kind not named here (shown as
    its code)."""
    if kind in KIND_NAMES:
        return str(KIND_NAMES[kind])
    for pattern, label in KIND_PATTERNS:
        if match := pattern.fullmatch(kind):
            return str(label) % {"n": match.group(1)}
    return None


@bp.get("/")
@allow("compliance", "auditor")
def index():
    """Reminders by status, newest first, with counts per status."""
    db = get_session()
    status = request.args.get("status", "")
    query = select(Reminder).order_by(Reminder.id.desc())
    if status in REMINDER_STATUSES:
        query = query.where(Reminder.status == status)
    page = paginate(db, query, request.args.get("page", 1, type=int), 50)
    counts = dict(db.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())
    return render_template("monitoring/outbox.html", page=page, status=status, counts=counts,
                           statuses=REMINDER_STATUSES, schedule=monitoring_sweep.schedule(db),
                           kind_label=kind_label, interrupted=monitoring_sweep.INTERRUPTED)


@bp.post("/<int:reminder_id>/retry")
@allow("compliance")
def retry(reminder_id):
    """Queue a failed reminder again; the next sweep sends it."""
    db = get_session()
    monitoring_sweep.retry(db, reminder_id)
    db.commit()
    flash(_("The reminder is queued again; the next sweep sends it."), "info")
    return redirect(url_for("outbox.index", status="failed"))
