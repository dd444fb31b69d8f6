"""Reminder sources of the monitoring area: reviews falling due, findings past due, risk
acceptances nearing their expiry and arrangements nearing their notice or end date.

Each source computes, from the dates in the database, which reminders should exist
*today*; it never depends on what happened yesterday, so a day the scheduler was down is
caught up by the next sweep (the latest stage is sent, older stages are not replayed).

Reminder days land on business days (``core.business_days``): a reminder "N days before"
whose day is closed comes on the business day before it, never later than asked. An
escalation of something overdue is sent once it is overdue (its due date is a business day
already; moving it before would send it while nothing is overdue yet).

A vendor that left every chain (``chain_reach.left_every_chain``: its arrangements ended, its
sub-outsourcing ended) is not chased: its open review, its overdue findings and their risk
acceptances send no reminder. The findings stay open (they may matter for the exit); computed
when read, so a vendor put in a chain again is reminded again from the next sweep.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlmodel import Session

from vendorrisk.core import business_days
from vendorrisk.core.business_days import due_line
from vendorrisk.core.db import any_row
from vendorrisk.core.models import User
from vendorrisk.core.registry import ReminderSpec
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_remediation import RiskAcceptance
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.findings import Finding, display_title
from vendorrisk.vendors.models import Arrangement, Vendor, VendorOwner
from vendorrisk.vendors.names import vendor_name

NOTICE_WINDOW_DAYS = 30
END_WINDOW_DAYS = 60


def before_days() -> list[int]:
    """Days before a review's due date on which its owner is reminded (e.g. ``[30, 7]``)."""
    raw = str(current_app.config["REVIEW_REMINDER_DAYS"])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def review_stage(due: date, today: date, days: list[int], calendar=None) -> str | None:
    """The reminder stage of a review due on ``due``: ``due_in_N`` (from the business day
    on or before N days ahead), ``due_today``, ``overdue_wK`` (K-th week overdue) or None
    (too early)."""
    calendar = calendar or business_days.current()
    remaining = (due - today).days
    if remaining < 0:
        return f"overdue_w{(-remaining - 1) // 7 + 1}"
    if remaining == 0:
        return "due_today"
    lead = calendar.lead_reached(due, today, days)
    return f"due_in_{lead}" if lead is not None else None


def link(path: str) -> str:
    """An absolute link into the app for an e-mail."""
    return current_app.config["BASE_URL"].rstrip("/") + path


class Recipients:
    """Looks up users' addresses and languages and the compliance escalation list, once."""

    def __init__(self, session: Session, user_ids):
        ids = {i for i in user_ids if i}
        self.users = {}
        if ids:
            rows = session.execute(select(User.id, User.email, User.language)
                                   .where(User.id.in_(ids), User.is_active))
            self.users = {uid: (email, language or "ja", uid) for uid, email, language in rows}
        configured = current_app.config.get("COMPLIANCE_EMAIL", "")
        if configured:
            self.compliance = [(configured, "ja", None)]
        else:
            rows = session.execute(select(User.email, User.language, User.id)
                                   .where(User.role == "compliance", User.is_active).order_by(User.id))
            self.compliance = [(email, language or "ja", uid) for email, language, uid in rows]

    def of(self, user_id, escalate: bool = False) -> list[tuple[str, str, int | None]]:
        """(email, language, user id) of a user, plus compliance when escalating or unowned."""
        found = [self.users[user_id]] if user_id in self.users else []
        if escalate or not found:
            found += [c for c in self.compliance if c[0] not in {f[0] for f in found}]
        return found


def already_stored(session: Session, subject_type: str, candidates) -> set[tuple]:
    """Keys (subject_id, kind, due_date, recipient) among ``candidates`` (subject_id, kind)
    pairs that are stored already, so their texts are not rendered again. An index seek per
    subject and kind: the cost does not grow with the reminders sent in earlier weeks."""
    candidates = set(candidates)
    if not candidates:
        return set()
    ids, kinds = {c[0] for c in candidates}, {c[1] for c in candidates}
    rows = session.connection().execute(
        select(Reminder.subject_id, Reminder.kind, Reminder.due_date, Reminder.recipient)
        .where(Reminder.subject_type == subject_type, Reminder.subject_id.in_(ids), Reminder.kind.in_(kinds)))
    return {tuple(r) for r in rows if (r[0], r[1]) in candidates}


def _vendor_name(names: dict, vendor_id: int, language: str) -> str:
    return vendor_name(*names.get(vendor_id, ("?", "")), language=language)


def _vendor_names(session: Session, ids) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {v: (n, e) for v, n, e in session.execute(select(Vendor.id, Vendor.name, Vendor.name_en)
                                                     .where(Vendor.id.in_(set(ids))))}


def _review_texts(stage: str, vendor: str, due: date, tier: str, escalated: bool,
                  nominal: date | None = None) -> tuple[str, str]:
    if stage.startswith("overdue"):
        subject = _("[vendorrisk] Overdue monitoring review: %(vendor)s (due %(due)s)", vendor=vendor, due=due)
    elif stage == "due_today":
        subject = _("[vendorrisk] Monitoring review of %(vendor)s is due today", vendor=vendor)
    else:
        subject = _("[vendorrisk] Monitoring review of %(vendor)s due on %(due)s", vendor=vendor, due=due)
    lines = [_("The periodic monitoring review of %(vendor)s (risk tier: %(tier)s) is due on %(due)s.",
               vendor=vendor, tier=_(tier), due=due),
             due_line(due, nominal),
             _("Art. 26(1) requires outsourced work to be monitored periodically, down to the final contractor."),
             _("Record the review (service levels, incidents, sub-outsourcing changes, certificates, "
               "user-data handling and locations) at the link below.")]
    if escalated:
        lines.append(_("This review is overdue; compliance has been informed."))
    return subject, "\n\n".join(line for line in lines if line)


def review_reminders(session: Session, today: date):
    """Reviews 30 and 7 days before, on the day, and weekly while overdue (escalated to compliance)."""
    days = before_days()
    calendar = business_days.current()
    rows = session.execute(select(MonitoringReview.id, MonitoringReview.vendor_id, MonitoringReview.due_date,
                                  MonitoringReview.owner_id, MonitoringReview.risk_tier,
                                  MonitoringReview.nominal_due_date)
                           .where(MonitoringReview.status.in_(("planned", "in_progress")),
                                  MonitoringReview.due_date <= calendar.horizon(today, max(days, default=0)),
                                  ~left_every_chain(MonitoringReview.vendor_id))).all()
    # read by unpacking, not by name: a Row's attribute costs an AttributeError built and dropped
    staged = [(tuple(row), stage) for row in rows if (stage := review_stage(row[2], today, days, calendar))]
    stored = already_stored(session, "review", [(row[0], stage) for row, stage in staged])
    people = Recipients(session, [row[3] for row, _s in staged])
    names = _vendor_names(session, [row[1] for row, _s in staged])
    for (review_id, vendor_id, due, owner_id, tier, nominal), stage in staged:
        overdue = stage.startswith("overdue")
        for email, language, user_id in people.of(owner_id, escalate=overdue):
            if (review_id, stage, due, email) in stored:
                continue
            with force_locale(language):
                subject, body = _review_texts(stage, _vendor_name(names, vendor_id, language), due, tier, overdue,
                                              nominal)
            yield ReminderSpec("review", review_id, stage, due, email, user_id, language,
                               subject, body, link(f"/reviews/{review_id}"))


def _lapsed_acceptances(session: Session, today: date) -> dict[int, date]:
    """The last expiry of an acceptance that lapsed, by overdue finding: their mails say so."""
    rows = session.execute(select(RiskAcceptance.finding_id, func.max(RiskAcceptance.expires_on))
                           .join(Finding, Finding.id == RiskAcceptance.finding_id)
                           .where(RiskAcceptance.status == "expired", Finding.status.in_(("open", "in_progress")),
                                  Finding.due_date < today)
                           .group_by(RiskAcceptance.finding_id))
    return dict(rows.all())


def _finding_texts(row, vendor: str, language: str, lapsed: date | None) -> tuple[str, str]:
    title = display_title(row, language)
    if lapsed is None:
        subject = _("[vendorrisk] Overdue finding: %(title)s (%(vendor)s)", title=title, vendor=vendor)
        acceptance = []
    else:
        subject = _("[vendorrisk] Risk acceptance expired on %(day)s, finding overdue: %(title)s (%(vendor)s)",
                    day=lapsed, title=title, vendor=vendor)
        acceptance = [_("The acceptance of this finding's risk expired on %(day)s; the finding is open again. "
                        "Remediate it and record the evidence, or ask for the risk to be accepted again "
                        "with a new rationale and expiry.", day=lapsed)]
    body = "\n\n".join([
        _("The finding \"%(title)s\" about %(vendor)s (severity: %(severity)s) was due on %(due)s "
          "and is not resolved.", title=title, vendor=vendor, severity=_(row.severity), due=row.due_date),
        *filter(None, [due_line(row.due_date, row.nominal_due_date)]),
        *acceptance,
        _("Findings are followed up until resolved (Art. 24 guideline); compliance has been informed.")])
    return subject, body


def finding_reminders(session: Session, today: date):
    """Findings past their due date, weekly, to the owner and (escalated) to compliance."""
    rows = session.execute(select(Finding.id, Finding.vendor_id, Finding.title, Finding.title_key,
                                  Finding.title_params, Finding.severity, Finding.due_date, Finding.owner_id,
                                  Finding.nominal_due_date)
                           .where(Finding.status.in_(("open", "in_progress")), Finding.due_date < today,
                                  ~left_every_chain(Finding.vendor_id))).all()
    staged = [(row, f"overdue_w{((today - row.due_date).days - 1) // 7 + 1}") for row in rows]
    stored = already_stored(session, "finding", [(row.id, stage) for row, stage in staged])
    people = Recipients(session, [r.owner_id for r in rows])
    names = _vendor_names(session, [r.vendor_id for r in rows])
    lapsed = _lapsed_acceptances(session, today) if rows else {}
    for row, stage in staged:
        for email, language, user_id in people.of(row.owner_id, escalate=True):
            if (row.id, stage, row.due_date, email) in stored:
                continue
            with force_locale(language):
                subject, body = _finding_texts(row, _vendor_name(names, row.vendor_id, language), language,
                                               lapsed.get(row.id))
            yield ReminderSpec("finding", row.id, stage, row.due_date, email, user_id, language,
                               subject, body, link(f"/findings/{row.id}"))


def arrangement_reminders(session: Session, today: date):
    """Arrangements whose notice date is within 30 days or whose end date is within 60 days,
    and those still in force after their end date (``past_end``, once per end date: renewed
    with a new end date that passes too, it is said again)."""
    rows = session.execute(select(Arrangement.id, Arrangement.vendor_id, Arrangement.title, Arrangement.end_date,
                                  Arrangement.notice_period_days)
                           .where(Arrangement.status == "active", Arrangement.end_date.is_not(None))).all()
    due_rows = []
    calendar = business_days.current()
    # a closed day moves a notice date earlier, and never by LONGEST_CLOSURE days or more: a
    # date before today or further than that past the window needs no look-up of holidays
    last_nominal = today + timedelta(days=NOTICE_WINDOW_DAYS + business_days.LONGEST_CLOSURE)
    for row in rows:  # read by position: a Row's attribute costs an AttributeError built and dropped
        end_date, notice_days = row[3], row[4]
        if end_date < today:
            due_rows.append((row, "past_end", end_date))
            continue
        nominal = end_date - timedelta(days=notice_days or 0)
        if notice_days and today <= nominal <= last_nominal:
            # notice is given on a business day: a notice date on a closed day comes earlier
            notice = calendar.on_or_before(nominal).day
            if 0 <= (notice - today).days <= NOTICE_WINDOW_DAYS:
                due_rows.append((row, "notice_date", notice))
        if (end_date - today).days <= END_WINDOW_DAYS:
            due_rows.append((row, "end_date", end_date))
    if not due_rows:
        return
    owner_rows = session.execute(select(VendorOwner.vendor_id, VendorOwner.user_id)
                                 .where(VendorOwner.vendor_id.in_({r.vendor_id for r, _k, _d in due_rows}),
                                        VendorOwner.is_primary)).all()
    owners = {}
    for vendor_id, user_id in owner_rows:
        owners.setdefault(vendor_id, user_id)
    people = Recipients(session, owners.values())
    names = _vendor_names(session, [r.vendor_id for r, _k, _d in due_rows])
    stored = already_stored(session, "arrangement", [(r.id, k) for r, k, _d in due_rows])
    for row, kind, due in due_rows:
        for email, language, user_id in people.of(owners.get(row.vendor_id), escalate=True):
            if (row.id, kind, due, email) in stored:
                continue
            with force_locale(language):
                vendor = _vendor_name(names, row.vendor_id, language)
                if kind == "past_end":
                    subject = _("[vendorrisk] Arrangement \"%(title)s\" is in force after its end date %(due)s",
                                due=due, title=row.title)
                    body = _("The arrangement \"%(title)s\" with %(vendor)s was to end on %(due)s and is still recorded "
                             "in force. Renew it (record the new end date), or record its end on the arrangement's "
                             "exit page with what became of the data (Art. 27(3)); until then it counts as in force.",
                             title=row.title, vendor=vendor, due=due)
                elif kind == "notice_date":
                    subject = _("[vendorrisk] Notice date %(due)s for \"%(title)s\"", due=due, title=row.title)
                    body = _("The arrangement \"%(title)s\" with %(vendor)s ends on %(end)s; notice to end or renew "
                             "it must be given by %(due)s. Check the exit plan (Art. 5(2)).",
                             title=row.title, vendor=vendor, end=row.end_date, due=due)
                else:
                    subject = _("[vendorrisk] Arrangement \"%(title)s\" ends on %(due)s", due=due, title=row.title)
                    body = _("The arrangement \"%(title)s\" with %(vendor)s ends on %(due)s. Renew it, or carry out "
                             "the exit plan (Art. 5(2)).", title=row.title, vendor=vendor, due=due)
            yield ReminderSpec("arrangement", row.id, kind, due, email, user_id, language, subject, body,
                               link(f"/arrangements/{row.id}"))


def acceptance_days() -> list[int]:
    """Days before a risk acceptance expires on which owner and compliance are reminded."""
    raw = str(current_app.config["RISK_ACCEPTANCE_REMINDER_DAYS"])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def acceptance_reminders(session: Session, today: date):
    """Approved risk acceptances N days before they expire (``expires_in_N``, on business
    days), to the finding's owner and compliance: remediate, or ask for a new acceptance."""
    days = acceptance_days()
    calendar = business_days.current()
    due = (RiskAcceptance.status == "approved", RiskAcceptance.expires_on >= today,
           RiskAcceptance.expires_on <= calendar.horizon(today, max(days, default=0)),
           ~left_every_chain(select(Finding.vendor_id).where(Finding.id == RiskAcceptance.finding_id)
                             .scalar_subquery()))
    if not any_row(session, select(RiskAcceptance.id).where(*due)):
        return
    rows = session.execute(select(RiskAcceptance.id, RiskAcceptance.expires_on, RiskAcceptance.nominal_expires_on,
                                  Finding.id.label("finding_id"), Finding.vendor_id, Finding.title, Finding.title_key,
                                  Finding.title_params, Finding.owner_id)
                           .join(Finding, Finding.id == RiskAcceptance.finding_id).where(*due)).all()
    staged = [(row, f"expires_in_{lead}") for row in rows
              if (lead := calendar.lead_reached(row.expires_on, today, days)) is not None]
    stored = already_stored(session, "risk_acceptance", [(row.id, stage) for row, stage in staged])
    people = Recipients(session, [r.owner_id for r, _s in staged])
    names = _vendor_names(session, [r.vendor_id for r, _s in staged])
    for row, stage in staged:
        for email, language, user_id in people.of(row.owner_id, escalate=True):
            if (row.id, stage, row.expires_on, email) in stored:
                continue
            with force_locale(language):
                vendor, title = _vendor_name(names, row.vendor_id, language), display_title(row, language)
                subject = _("[vendorrisk] Accepted risk expires on %(day)s: %(title)s", day=row.expires_on, title=title)
                body = "\n\n".join(filter(None, [
                    _("The risk of the finding \"%(title)s\" about %(vendor)s was accepted until %(day)s.",
                      title=title, vendor=vendor, day=row.expires_on),
                    due_line(row.expires_on, row.nominal_expires_on),
                    _("Remediate it, or ask for the risk to be accepted again; after that day the finding is "
                      "open again and escalated when overdue (Art. 24 guideline).")]))
            yield ReminderSpec("risk_acceptance", row.id, stage, row.expires_on, email, user_id, language,
                               subject, body, link(f"/findings/{row.finding_id}"))
