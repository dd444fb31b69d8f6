"""Questionnaire campaigns: one questionnaire sent to several vendors at once.

Sending makes, per vendor, the workbook the single download makes — with the campaign's id
signed into its hidden identification — keeps it as a stored file (what was attached is a
record), and notes the vendor's contacts that have an e-mail address. The e-mails
themselves are reminders (``campaign_reminders``): the request, the reminders before the
due date and while overdue, each sent exactly once by the reminder machinery, the
workbook attached. A returned workbook names its campaign and vendor; a file that names
none (a vendor's own questionnaire, a CSV) is matched to the vendor the user chooses.
The due date lands on a business day (``core.business_days``): a date asked for on a closed
day moves to the business day before it and is kept as ``nominal_due_date``.
Services add and flush; the caller commits.
"""
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from pydantic import BaseModel, field_validator
from sqlalchemy import func
from sqlmodel import Session, select

from vendorrisk.core import audit, business_days, clock, storage
from vendorrisk.core.downloads import XLSX
from vendorrisk.core.errors import Conflict, NotFound, ValidationFailed
from vendorrisk.core.locking import lock
from vendorrisk.core.models import AuditEntry, User, utcnow
from vendorrisk.core.textfields import single_line
from vendorrisk.core.uploads import Upload
from vendorrisk.core.validation import parse, within
from vendorrisk.questionnaires.labels import questionnaire_label
from vendorrisk.questionnaires.models_campaigns import CampaignVendor, QuestionnaireCampaign
from vendorrisk.questionnaires.native import campaign_of
from vendorrisk.questionnaires.reader import WorkbookReader
from vendorrisk.questionnaires.template_files import catalogue, get_template
from vendorrisk.questionnaires.workbook import FORMAT_MARKER, questionnaire_workbook
from vendorrisk.vendors.chain_reach import left_every_chain
from vendorrisk.vendors.models import Vendor, VendorContact

MAX_VENDORS = 300
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class CampaignCreate(BaseModel):
    """A campaign to send: a questionnaire (its latest version), the vendors, the due date,
    an optional note to the vendors and the address they return the file to."""

    title: str
    template_id: str
    due_date: date
    vendor_ids: list[int]
    message: str = ""
    reply_to: str = ""

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        value = value.strip()
        if not value or len(value) > 200:
            raise ValueError(_("Give the campaign a title (at most 200 characters)."))
        return single_line(value)

    @field_validator("template_id")
    @classmethod
    def _template(cls, value):
        if value not in {t.id for t in catalogue().latest()}:
            raise ValueError(_("Choose one of the questionnaires."))
        return value

    @field_validator("vendor_ids")
    @classmethod
    def _vendors(cls, value):
        value = list(dict.fromkeys(value))
        if not value:
            raise ValueError(_("Choose at least one vendor."))
        if len(value) > MAX_VENDORS:
            raise ValueError(_("At most %(count)s vendors per campaign.", count=MAX_VENDORS))
        return value

    @field_validator("message")
    @classmethod
    def _message(cls, value):
        return within(value, 2000)

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value):
        value = value.strip()
        if value and not EMAIL_RE.fullmatch(value):
            raise ValueError(_("Enter a valid e-mail address."))
        return value


@dataclass(frozen=True)
class RecipientRow:
    """A vendor of a campaign as its page shows it."""

    row: CampaignVendor
    vendor_name: str
    vendor_name_en: str
    state: str


def get_campaign(session: Session, campaign_id: int) -> QuestionnaireCampaign:
    """The campaign, or ``NotFound``."""
    campaign = session.get(QuestionnaireCampaign, campaign_id)
    if campaign is None:
        raise NotFound(_("Questionnaire campaign %(id)s does not exist.", id=campaign_id))
    return campaign


def _addresses(session: Session, vendor_ids: list[int]) -> dict[int, list[str]]:
    rows = session.exec(select(VendorContact.vendor_id, VendorContact.email)
                        .where(VendorContact.vendor_id.in_(vendor_ids), VendorContact.email != "")
                        .order_by(VendorContact.id)).all()
    found: dict[int, list[str]] = {}
    for vendor_id, email in rows:
        if email not in found.setdefault(vendor_id, []):
            found[vendor_id].append(email)
    return found


def create_campaign(session: Session, data: dict, user: User, key: bytes,
                    today: date | None = None) -> QuestionnaireCampaign:
    """Check the input, then make and keep each vendor's workbook; every vendor needs a
    contact with an e-mail address (``ValidationFailed`` naming those without)."""
    today = today or clock.today()
    problems, payload = [], None
    try:
        payload = parse(CampaignCreate, data)
    except ValidationFailed as exc:  # the vendors are checked too: every problem at once
        problems = [d for d in exc.details if isinstance(d, dict)]
    vendor_ids = payload.vendor_ids if payload else [v for v in data.get("vendor_ids") or () if isinstance(v, int)]
    due = business_days.on_or_before(payload.due_date) if payload else None
    if due is not None and due.day <= today:
        problems.append({"field": "due_date", "message": _(
            "The due date moves to the previous business day (%(note)s), which is not after today.",
            note=due.note()) if due.moved and due.original > today else _("The due date must be after today.")})
    vendors = {v.id: v for v in session.exec(select(Vendor).where(Vendor.id.in_(vendor_ids)))}
    addresses = _addresses(session, vendor_ids)
    problems += [{"field": "vendor_ids", "vendor_id": vid, "message": _("Vendor %(id)s does not exist.", id=vid)}
                 for vid in vendor_ids if vid not in vendors]
    problems += [{"field": "vendor_ids", "vendor_id": vid, "message": _(
        "%(vendor)s has no contact with an e-mail address: add one on the vendor's page, or leave the vendor out.",
        vendor=vendors[vid].name)} for vid in vendor_ids if vid in vendors and not addresses.get(vid)]
    if problems or payload is None:
        raise ValidationFailed(_("The questionnaire cannot be sent as it is; nothing was sent."), problems)
    template = get_template(payload.template_id)
    campaign = QuestionnaireCampaign(title=payload.title, template_id=template.id, template_version=template.version,
                                     due_date=due.day, nominal_due_date=due.nominal, sent_on=today, message=payload.message,
                                     reply_to=payload.reply_to or user.email, created_by_id=user.id)
    session.add(campaign)
    session.flush()
    for vendor_id in payload.vendor_ids:
        vendor = vendors[vendor_id]
        data = questionnaire_workbook(template, vendor.id, vendor.name, key, campaign_id=campaign.id)
        filename = f"{template.id}-v{template.version}-{vendor.name}.xlsx"
        stored, _known = storage.store(session, Upload(data, filename, "xlsx", XLSX), user.id)
        session.add(CampaignVendor(campaign_id=campaign.id, vendor_id=vendor_id, emails=addresses[vendor_id],
                                   language="ja" if vendor.country == "JP" else "en",
                                   file_id=stored.id, filename=filename))
    session.flush()
    audit.add_event(session, action="send", entity="questionnaire_campaign", entity_id=campaign.id,
                    after={"template": template.id, "version": template.version, "vendors": payload.vendor_ids,
                           "due_date": due.day.isoformat(),
                           "nominal_due_date": due.nominal.isoformat() if due.nominal else None})
    return campaign


def close_campaign(session: Session, campaign: QuestionnaireCampaign) -> QuestionnaireCampaign:
    """Close a campaign: no more reminders, whatever was returned or not."""
    lock(session, campaign)
    if campaign.status == "closed":
        raise Conflict(_("This campaign is already closed."))
    campaign.status, campaign.closed_at = "closed", utcnow()
    session.add(campaign)
    session.flush()
    return campaign


def closed_by(session: Session, campaign: QuestionnaireCampaign) -> User | None:
    """Who closed the campaign, as the audit trail recorded the change (None if unknown)."""
    actor_id = session.exec(select(AuditEntry.actor_id).where(
        AuditEntry.entity == QuestionnaireCampaign.__tablename__, AuditEntry.entity_id == str(campaign.id),
        AuditEntry.action == "update", AuditEntry.after.like('%"closed_at"%')).order_by(AuditEntry.id.desc())).first()
    return session.get(User, actor_id) if actor_id else None


def state_of(row: CampaignVendor, campaign: QuestionnaireCampaign, today: date, ended: bool = False) -> str:
    """returned, ended (not returned, its arrangements all ended: no longer chased), overdue
    (not returned after the due date), sent, or queued (no e-mail accepted by the server yet)."""
    if row.returned_at is not None:
        return "returned"
    if ended:
        return "ended"
    if today > campaign.due_date:
        return "overdue"
    return "sent" if row.sent_at is not None else "queued"


def recipients(session: Session, campaign: QuestionnaireCampaign, today: date | None = None) -> list[RecipientRow]:
    """The campaign's vendors with their state, by vendor name (one query)."""
    today = today or clock.today()
    rows = session.exec(select(CampaignVendor, Vendor.name, Vendor.name_en,
                               left_every_chain(CampaignVendor.vendor_id))
                        .join(Vendor, Vendor.id == CampaignVendor.vendor_id)
                        .where(CampaignVendor.campaign_id == campaign.id).order_by(Vendor.name, Vendor.id)).all()
    return [RecipientRow(row, name, name_en, state_of(row, campaign, today, bool(ended)))
            for row, name, name_en, ended in rows]


def counts(session: Session, campaign_ids: list[int]) -> dict[int, dict]:
    """Per campaign: vendors, sent, returned (one grouped query)."""
    if not campaign_ids:
        return {}
    rows = session.exec(select(CampaignVendor.campaign_id, func.count(),
                               func.count(CampaignVendor.sent_at), func.count(CampaignVendor.returned_at))
                        .where(CampaignVendor.campaign_id.in_(campaign_ids))
                        .group_by(CampaignVendor.campaign_id)).all()
    return {cid: {"vendors": n, "sent": sent, "returned": returned} for cid, n, sent, returned in rows}


def campaigns_query(status: str = ""):
    """Campaigns, open ones first, soonest due first."""
    query = select(QuestionnaireCampaign).order_by(QuestionnaireCampaign.status.desc(),
                                                   QuestionnaireCampaign.due_date, QuestionnaireCampaign.id.desc())
    if status in ("open", "closed"):
        query = query.where(QuestionnaireCampaign.status == status)
    return query


def identify(upload: Upload) -> tuple[int | None, int | None, str | None]:
    """(campaign id, vendor id, template id) written into one of our workbooks; Nones for
    any other file. Read only — the import checks the signature."""
    if upload.kind != "xlsx":
        return None, None, None
    reader = WorkbookReader(upload.data)
    try:
        meta = reader.metadata()
    finally:
        reader.close()
    if not meta or meta.get("format") != FORMAT_MARKER:
        return None, None, None
    try:
        vendor_id = int(float(meta.get("vendor_id", "")))
    except ValueError:
        vendor_id = None
    return campaign_of(meta), vendor_id, meta.get("template_id") or None


def match(session: Session, campaign: QuestionnaireCampaign, upload: Upload, chosen_vendor_id: int | None) -> int:
    """The vendor of the campaign a returned file belongs to: the one written into our
    workbook, else the one chosen; refused when it belongs to another campaign, another
    questionnaire or a vendor the campaign was not sent to."""
    campaign_id, vendor_id, template_id = identify(upload)
    problem = None
    if campaign_id is not None and campaign_id != campaign.id:
        other = session.get(QuestionnaireCampaign, campaign_id)
        problem = _("This workbook was sent in another campaign (%(title)s); import it there.",
                    title=other.title if other else campaign_id)
    elif template_id is not None and template_id != campaign.template_id:
        problem = _("This workbook is another questionnaire (%(template)s) than the campaign's.",
                    template=questionnaire_label(template_id))
    vendor_id = vendor_id if campaign_id is not None else (chosen_vendor_id or vendor_id)
    if problem is None and vendor_id is None:
        problem = _("This file does not say which vendor it comes from: choose the vendor.")
    if problem is None and not session.exec(select(CampaignVendor.id).where(
            CampaignVendor.campaign_id == campaign.id, CampaignVendor.vendor_id == vendor_id)).first():
        problem = _("The campaign was not sent to this vendor.")
    if problem:
        raise ValidationFailed(problem, [{"sheet": "", "cell": "", "field": "vendor_id", "message": problem}])
    return vendor_id


def record_return(session: Session, campaign_id: int | None, vendor_id: int, response_id: int) -> bool:
    """Note that the vendor returned the campaign's workbook (the response imported); False
    when the campaign does not exist (any more) or was not sent to the vendor."""
    if campaign_id is None:
        return False
    row = session.exec(select(CampaignVendor).where(CampaignVendor.campaign_id == campaign_id,
                                                    CampaignVendor.vendor_id == vendor_id)).first()
    if row is None:
        return False
    row.returned_at = row.returned_at or utcnow()
    row.response_id = response_id
    session.add(row)
    session.flush()
    return True


def on_reminder_sent(session: Session, event) -> None:
    """A request e-mail was accepted by the SMTP server: the vendor's copy counts as sent."""
    from vendorrisk.questionnaires.campaign_reminders import REQUEST, SUBJECT
    if event.subject_type != SUBJECT or event.kind != REQUEST:
        return
    row = session.get(CampaignVendor, event.subject_id)
    if row is not None and row.sent_at is None:
        row.sent_at = utcnow()
        session.add(row)
        session.flush()
