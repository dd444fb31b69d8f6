"""The e-mails of questionnaire campaigns, as reminders (sent exactly once each by the
reminder machinery), and the campaigns awaiting returns on 「自分のタスク」.

To each address of a vendor that has not returned the workbook, keyed per campaign and
vendor (``campaign_vendor`` = the campaign's row of that vendor) and stage:

- ``request`` on the day the campaign is sent (its key's date is that day, so moving the
  due date never sends the request again);
- ``due_in_N`` N days before the due date (``CAMPAIGN_REMINDER_DAYS``) — on the business day
  on or before that day (``core.business_days``), and only when that day comes after the
  request;
- ``overdue_w1`` ... ``overdue_w4``, weekly once overdue; after four weeks a person follows up.

A vendor whose arrangements have all ended (``vendors.chain_reach.left_every_chain``) is not
chased any more: no e-mail, not counted as awaited (its state on the campaign reads *ended*).

Each carries the vendor's workbook as it was first attached (the same signed file, so
whichever copy comes back is matched) and a Reply-To of the campaign's return address:
vendors have no account here, so a link would not help them. The person who sent the
campaign (or compliance, if that person has left) gets ``overdue_wN`` weekly per campaign
(``questionnaire_campaign``), naming the vendors overdue, with a link to the campaign.
Like every source, what should exist is computed from dates: the current stage is sent
once, stages passed while the scheduler was down are not replayed. The due date is a
business day already; when it moved off a closed day, every e-mail says from where and why.
"""
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from vendorrisk.core import business_days
from vendorrisk.core.db import any_row
from vendorrisk.core.models import User
from vendorrisk.core.registry import CalendarEntry, ReminderSpec, Task
from vendorrisk.questionnaires.models_campaigns import CampaignVendor, QuestionnaireCampaign
from vendorrisk.questionnaires.template_files import catalogue
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.models import Vendor, VendorOwner

SUBJECT = "campaign_vendor"
OWNER_SUBJECT = "questionnaire_campaign"
REQUEST = "request"
VENDOR_OVERDUE_WEEKS = 4


def before_days() -> list[int]:
    """Days before the due date on which vendors are reminded, largest first."""
    raw = str(current_app.config["CAMPAIGN_REMINDER_DAYS"])
    return sorted({int(p) for p in raw.split(",") if p.strip().isdigit() and int(p) > 0}, reverse=True)


def overdue_week(due: date, today: date) -> int:
    """0 before or on the due date; 1 for days 1-7 after it, 2 for days 8-14, ..."""
    late = (today - due).days
    return (late - 1) // 7 + 1 if late > 0 else 0


def vendor_stage(campaign: QuestionnaireCampaign, today: date, days: list[int], calendar=None) -> str | None:
    """The reminder stage of a vendor that has not returned the workbook, or None: a
    reminder N days before comes on the business day on or before that day, if it is
    after the day the request was sent."""
    week = overdue_week(campaign.due_date, today)
    if week:
        return f"overdue_w{week}" if week <= VENDOR_OVERDUE_WEEKS else None
    calendar = calendar or business_days.current()
    leads = [n for n in days if calendar.on_or_before(campaign.due_date - timedelta(days=n)).day > campaign.sent_on]
    lead = calendar.lead_reached(campaign.due_date, today, leads)
    return f"due_in_{lead}" if lead is not None else None


def _title(campaign: QuestionnaireCampaign, language: str) -> str:
    template = catalogue().versions.get((campaign.template_id, campaign.template_version))
    return template.title(language) if template else campaign.template_id


def vendor_texts(stage: str, campaign: QuestionnaireCampaign, vendor: str, language: str) -> tuple[str, str]:
    """Subject and body of a vendor's e-mail, in ``language`` (call inside ``force_locale``)."""
    member = current_app.config.get("MEMBER_NAME", "")
    values = {"vendor": vendor, "due": campaign.due_date.isoformat(), "sent": campaign.sent_on.isoformat(),
              "questionnaire": _title(campaign, language), "reply_to": campaign.reply_to, "member": member}
    how = _("Answer in the yellow cells of the sheet Questions, list your subcontractors (down to the final "
            "contractor) on the sheet Subcontractors, and send the file back to %(reply_to)s. Please do not "
            "rename the sheets or change other cells: the file identifies itself, so that your answers are "
            "matched to you.", **values)
    moved = business_days.due_line(campaign.due_date, campaign.nominal_due_date)
    if stage == REQUEST:
        subject = _("Questionnaire for %(vendor)s: please return it by %(due)s", **values)
        ask = (_("%(member)s asks you to fill in the attached questionnaire (%(questionnaire)s) by %(due)s, as part "
                 "of its management of outsourcing (JVCEA rules, Arts. 25-27).", **values) if member else
               _("We ask you to fill in the attached questionnaire (%(questionnaire)s) by %(due)s, as part of our "
                 "management of outsourcing (JVCEA rules, Arts. 25-27).", **values))
        lines = [_("Dear %(vendor)s,", **values), ask, moved, how]
        if campaign.message:
            lines.append(_("Message from the sender:") + "\n" + campaign.message)
    elif stage.startswith("due_in_"):
        subject = _("Reminder: the questionnaire for %(vendor)s is due on %(due)s", **values)
        lines = [_("Dear %(vendor)s,", **values),
                 _("We have not yet received the questionnaire (%(questionnaire)s) sent to you on %(sent)s. "
                   "Please return it by %(due)s; the workbook is attached again.", **values), moved, how]
    else:
        subject = _("Overdue: the questionnaire for %(vendor)s was due on %(due)s", **values)
        lines = [_("Dear %(vendor)s,", **values),
                 _("The questionnaire (%(questionnaire)s) sent to you on %(sent)s was due on %(due)s and has not "
                   "been returned. Please send it as soon as possible; the workbook is attached again.", **values),
                 moved, how]
    return subject, "\n\n".join(line for line in lines if line)


def _open_rows(session: Session, campaign_ids=None, unsent_only: bool = False):
    query = (select(CampaignVendor, QuestionnaireCampaign, Vendor.name, Vendor.name_en)
             .join(QuestionnaireCampaign, QuestionnaireCampaign.id == CampaignVendor.campaign_id)
             .join(Vendor, Vendor.id == CampaignVendor.vendor_id)
             .where(QuestionnaireCampaign.status == "open", CampaignVendor.returned_at.is_(None),
                    ~left_every_chain(CampaignVendor.vendor_id))  # its arrangements all ended: not chased
             .order_by(CampaignVendor.id))
    if campaign_ids is not None:
        query = query.where(QuestionnaireCampaign.id.in_(campaign_ids))
    if unsent_only:
        query = query.where(CampaignVendor.sent_at.is_(None))
    return session.exec(query).all()


def _vendor_spec(row, campaign, stage, due, email, name, name_en) -> ReminderSpec:
    language = row.language if row.language in ("ja", "en") else "ja"
    with force_locale(language):
        subject, body = vendor_texts(stage, campaign, name_en or name if language == "en" else name, language)
    return ReminderSpec(SUBJECT, row.id, stage, due, email, None, language, subject, body, "",
                        attachment_file_id=row.file_id, attachment_name=row.filename, reply_to=campaign.reply_to)


def request_specs(session: Session, campaign_ids=None) -> list[ReminderSpec]:
    """The request e-mails not yet accepted by the server (of these campaigns)."""
    return [_vendor_spec(row, campaign, REQUEST, campaign.sent_on, email, name, name_en)
            for row, campaign, name, name_en in _open_rows(session, campaign_ids, unsent_only=True)
            for email in row.emails]


def campaign_reminders(session: Session, today: date):
    """The reminder source: requests, vendors' stages, and the sender's weekly escalation."""
    if not any_row(session, select(QuestionnaireCampaign.id).where(QuestionnaireCampaign.status == "open")):
        return  # every e-mail here is of an open campaign
    yield from request_specs(session)
    days = before_days()
    calendar = business_days.current()
    horizon = calendar.horizon(today, max(days, default=0))
    overdue: dict[int, tuple[QuestionnaireCampaign, list[str]]] = {}
    for row, campaign, name, name_en in _open_rows(session):
        if campaign.due_date > horizon:
            continue
        stage = vendor_stage(campaign, today, days, calendar)
        if stage:
            for email in row.emails:
                yield _vendor_spec(row, campaign, stage, campaign.due_date, email, name, name_en)
        if campaign.due_date < today:
            overdue.setdefault(campaign.id, (campaign, []))[1].append(name)
    yield from _escalations(session, today, overdue)


def _people(session: Session, user_ids) -> tuple[dict, list]:
    rows = session.exec(select(User).where(User.is_active.is_(True), (User.id.in_(set(user_ids)))
                                           | (User.role == "compliance")).order_by(User.id)).all()
    return {u.id: u for u in rows}, [u for u in rows if u.role == "compliance"]


def _escalations(session: Session, today: date, overdue: dict):
    if not overdue:
        return
    users, compliance = _people(session, [c.created_by_id for c, _names in overdue.values() if c.created_by_id])
    base = current_app.config["BASE_URL"].rstrip("/")
    for campaign, names in overdue.values():
        stage = f"overdue_w{overdue_week(campaign.due_date, today)}"
        owner = users.get(campaign.created_by_id)
        configured = current_app.config.get("COMPLIANCE_EMAIL", "")
        people = [(owner.email, owner.language, owner.id)] if owner else (
            [(configured, "ja", None)] if configured else [(u.email, u.language, u.id) for u in compliance])
        for email, language, user_id in people:
            language = language if language in ("ja", "en") else "ja"
            with force_locale(language):
                subject = _("[vendorrisk] Questionnaire campaign %(title)s: %(count)s vendors overdue",
                            title=campaign.title, count=len(names))
                body = "\n\n".join(line for line in [
                    _("The questionnaire campaign %(title)s was due on %(due)s; these vendors have not returned "
                      "the workbook:", title=campaign.title, due=campaign.due_date.isoformat()),
                    "\n".join(f"- {n}" for n in names),  # right after the sentence that announces it
                    business_days.due_line(campaign.due_date, campaign.nominal_due_date),
                    _("They are reminded weekly, four times; follow up with them, or close the campaign.")]
                    if line)
            yield ReminderSpec(OWNER_SUBJECT, campaign.id, stage, campaign.due_date, email, user_id,
                               language, subject, body, f"{base}/questionnaires/campaigns/{campaign.id}")


def _awaiting(user: User | None, sees_all: tuple):
    """Open campaigns with, per campaign, the vendors still to return and all its vendors
    — of ``user``: every campaign for ``sees_all`` roles (and when ``user`` is None), else
    the campaigns the person sent and the vendors the person owns in the others."""
    # a vendor whose arrangements all ended is not awaited any more (nor reminded)
    awaiting = func.sum(case((and_(CampaignVendor.returned_at.is_(None),
                                   ~left_every_chain(CampaignVendor.vendor_id)), 1), else_=0))
    query = (select(QuestionnaireCampaign, awaiting, func.count(CampaignVendor.id))
             .join(CampaignVendor, CampaignVendor.campaign_id == QuestionnaireCampaign.id)
             .where(QuestionnaireCampaign.status == "open")
             .group_by(QuestionnaireCampaign.id).order_by(QuestionnaireCampaign.due_date, QuestionnaireCampaign.id))
    if user is not None and user.role not in sees_all:
        query = query.where(or_(QuestionnaireCampaign.created_by_id == user.id, CampaignVendor.vendor_id.in_(
            select(VendorOwner.vendor_id).where(VendorOwner.user_id == user.id))))
    return query


def campaign_tasks(session: Session, user: User, today: date | None = None):
    """「自分のタスク」: open campaigns with vendors still to return the workbook — every one
    for compliance; for anyone else but auditors, the campaigns the person sent and those
    with vendors the person owns (counting those vendors) — due on the campaign's due date
    (a business day; the note says when it moved)."""
    if user.role == "auditor":
        return
    for campaign, waiting, total in session.exec(_awaiting(user, ("compliance",))).all():
        if waiting:
            yield Task("questionnaires_awaiting_return",
                       _("Questionnaires awaiting return: %(count)s of %(total)s vendors", count=waiting, total=total),
                       f"/questionnaires/campaigns/{campaign.id}", campaign.due_date, campaign.title,
                       business_days.moved_note(campaign.due_date, campaign.nominal_due_date))


def campaign_entries(session: Session, user: User | None, first: date | None = None, last: date | None = None):
    """The calendar: the due dates of open campaigns with vendors still to return the
    workbook (everyone's for compliance, admins and auditors, as in the feed)."""
    query = _awaiting(user, ("admin", "compliance", "auditor"))
    if first is not None:
        query = query.where(QuestionnaireCampaign.due_date >= first)
    if last is not None:
        query = query.where(QuestionnaireCampaign.due_date <= last)
    for campaign, waiting, total in session.exec(query).all():
        if waiting:
            yield CalendarEntry(f"questionnaire-campaign-{campaign.id}", "campaign", campaign.due_date,
                                campaign.nominal_due_date, _("Questionnaires due: %(title)s", title=campaign.title),
                                _("Questionnaires awaiting return: %(count)s of %(total)s vendors",
                                  count=waiting, total=total),
                                f"/questionnaires/campaigns/{campaign.id}")
