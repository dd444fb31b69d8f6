"""The installation's reminder settings and business calendar, as the app reads them, and a
test e-mail: what an administrator setting up checks in the first week, without a shell.

Read-only: settings change in ``instance/config.py`` or ``VENDORRISK_*`` variables (README,
"Settings"). No secret is shown (the SMTP password only as set or not)."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from vendorrisk.core import audit, business_days, clock
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.i18n import language
from vendorrisk.core.mail import Mailer, MailError, SmtpSettings, build_message
from vendorrisk.core.models import User
from vendorrisk.monitoring import plans, reminders, reviews
from vendorrisk.monitoring import sweep as monitoring_sweep

bp = Blueprint("reminder_settings", __name__, template_folder="../templates", url_prefix="/reviews/settings")
CALENDAR_DAYS = 366  # the closed weekdays listed: a year from today


def _days(setting: str) -> list[int]:
    """A ``N,M`` setting of days, as the sweep reads it (positive whole numbers, largest first)."""
    raw = str(current_app.config[setting])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def closed_weekdays(today, days: int = CALENDAR_DAYS) -> list[tuple]:
    """The weekdays from ``today`` on which the business calendar is closed (national holidays,
    the company's closing days) with their reason; weekends are closed too and not listed."""
    calendar, lang = business_days.current(), language()
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() < 5:
            closure = calendar.closure(day)
            if closure is not None:
                found.append((day, closure.reason(lang)))
    return found


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The review intervals, reminder days, mail settings and the closed days of the next year."""
    config = current_app.config
    today = clock.today()
    mail = {"server": f"{config['SMTP_HOST']}:{config['SMTP_PORT']}", "security": config["SMTP_SECURITY"],
            "sender": config["SMTP_SENDER"], "username": config["SMTP_USERNAME"],
            "password_set": bool(config["SMTP_PASSWORD"]), "compliance": config["COMPLIANCE_EMAIL"],
            "member": config["MEMBER_NAME"], "base_url": config["BASE_URL"]}
    return render_template(
        "monitoring/settings.html", frequencies=plans.review_frequencies(), first_days=plans.first_review_days(),
        review_days=reminders.before_days(), campaign_days=_days("CAMPAIGN_REMINDER_DAYS"),
        acceptance_days=_days("RISK_ACCEPTANCE_REMINDER_DAYS"), config=config, mail=mail,
        closed=closed_weekdays(today), closing_days=config["CLOSING_DAYS"], today=today,
        compliance_people=compliance_people(get_session()), unowned=reviews.unowned_count(get_session()),
        schedule=monitoring_sweep.schedule(get_session()))


def compliance_people(session) -> list[str]:
    """The active compliance users (names), who are reminded when no ``COMPLIANCE_EMAIL`` is
    set — as the sweep picks them (``reminders.Recipients``)."""
    rows = session.execute(select(User.display_name, User.email).where(User.role == "compliance", User.is_active)
                           .order_by(User.id))
    return [name or email for name, email in rows]


@bp.post("/test-mail")
@allow("admin")
def test_mail():
    """Send a test e-mail to the signed-in administrator now, through the configured SMTP
    server, and say whether it went or why not (the reminders' outbox is not involved)."""
    db = get_session()
    user = current_user()
    config = current_app.config
    server = "%s:%s" % (config["SMTP_HOST"], config["SMTP_PORT"])
    try:
        message = build_message(
            to=user.email, sender=config["SMTP_SENDER"], language=language(),
            subject=_("[vendorrisk] Test e-mail"),
            body=_("This test e-mail was sent by vendorrisk at %(url)s through %(server)s. Reminders reach "
                   "their recipients the same way.", url=config["BASE_URL"], server=server))
        with Mailer(SmtpSettings.from_config(config)) as mailer:
            mailer.send(message)
    except MailError as exc:
        audit.add_event(db, action="send", entity="test_mail", after={"sent": False, "to": user.email})
        db.commit()
        flash(_("The test e-mail was not sent: %(error)s", error=str(exc)), "error")
    else:
        audit.add_event(db, action="send", entity="test_mail", after={"sent": True, "to": user.email})
        db.commit()
        flash(_("A test e-mail was sent to %(email)s; check that it arrived.", email=user.email), "info")
    return redirect(url_for("reminder_settings.index"))  # at the top, where the flash says how it went
