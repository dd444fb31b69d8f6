"""Questionnaire campaign pages: the list, sending a questionnaire to several vendors at once,
a campaign with each vendor's state (sent, returned, overdue), the workbook each was sent,
the import of returned files matched to their vendor, and closing a campaign."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.core import clock, conflicts, registry
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import send_stored
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate
from vendorrisk.questionnaires import campaign_reminders, campaigns, foreign, service
from vendorrisk.questionnaires.models_campaigns import CampaignVendor
from vendorrisk.questionnaires.template_files import catalogue
from vendorrisk.vendors.models import READING_ORDER, Vendor, VendorContact

bp = Blueprint("campaigns", __name__, template_folder="templates", url_prefix="/questionnaires/campaigns")
SENDERS = ("compliance",)
CHOOSABLE_LIMIT = 1000


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


def send_requests(campaign_ids: list[int]) -> tuple[int, int]:
    """Send the campaigns' request e-mails now (after the commit), through the reminder
    machinery; what fails, or finds no sender registered, the next sweep sends."""
    send_now = registry.current().send_now
    specs = campaign_reminders.request_specs(get_session(), campaign_ids)
    get_session().rollback()  # end the read before the sender's own transactions
    if send_now is None or not specs:
        return 0, 0
    return send_now(current_app._get_current_object(), specs)


def _choosable(db) -> list[tuple]:
    """Vendors with a contact e-mail address (those a campaign can reach), by reading."""
    with_email = select(VendorContact.vendor_id).where(VendorContact.email != "")
    return db.exec(select(Vendor.id, Vendor.name, Vendor.name_en, Vendor.status)
                   .where(Vendor.id.in_(with_email), Vendor.status.not_in(("rejected", "terminated")))
                   .order_by(*READING_ORDER)
                   .limit(CHOOSABLE_LIMIT)).all()


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Campaigns, open first, with how many vendors returned the workbook."""
    db = get_session()
    status = request.args.get("status", "")
    page = paginate(db, campaigns.campaigns_query(status), request.args.get("page", 1, type=int), 50)
    return render_template("questionnaires/campaigns.html", page=page, status=status,
                           counts=campaigns.counts(db, [c.id for c in page.items]), today=clock.today())


@bp.route("/new", methods=["GET", "POST"])
@allow(*SENDERS)
def new():
    """Choose a questionnaire, vendors and a due date, and send: each vendor's contacts get
    an e-mail with that vendor's workbook attached."""
    db = get_session()
    errors, values = [], {"due_date": (clock.today() + timedelta(days=30)).isoformat(), "reply_to": g.user.email,
                          "vendor_ids": request.args.getlist("vendor_id", type=int),
                          "template_id": request.args.get("template_id", "")}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("title", "template_id", "due_date", "message",
                                                                 "reply_to")}
        values["vendor_ids"] = request.form.getlist("vendor_ids", type=int)
        try:
            campaign = campaigns.create_campaign(db, {**values, "due_date": values["due_date"] or None}, g.user,
                                                 _key())
            db.commit()
        except ValidationFailed as exc:
            db.rollback()
            flash(exc.message, "error")
            errors = [d for d in exc.details if isinstance(d, dict)]
        else:
            sent, failed = send_requests([campaign.id])
            if failed or not sent:
                flash(_("The campaign is recorded; the e-mails that could not be sent now are sent by the next "
                        "reminder sweep (see the outbox)."), "info")
            else:
                flash(_("Sent: %(count)s e-mails, each with the vendor's workbook attached.", count=sent), "info")
            return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template("questionnaires/campaign_form.html", values=values, errors=errors,
                           templates=catalogue().latest(), vendors=_choosable(db),
                           limit=CHOOSABLE_LIMIT), 422 if errors else 200


@bp.get("/<int:campaign_id>")
@allow(*ALL_ROLES)
def show(campaign_id: int, errors=(), message: str = "", status: int = 200, conflict=None):
    """A campaign: each vendor's state, addresses and workbook; importing returned files;
    ``conflict`` says above it why a form was refused (closed meanwhile)."""
    db = get_session()
    campaign = campaigns.get_campaign(db, campaign_id)
    rows = campaigns.recipients(db, campaign)
    states = {s: sum(1 for r in rows if r.state == s) for s in ("queued", "sent", "overdue", "returned", "ended")}
    return render_template("questionnaires/campaign.html", campaign=campaign, rows=rows, states=states,
                           template=catalogue().versions.get((campaign.template_id, campaign.template_version)),
                           errors=list(errors), message=message, conflict=conflict,
                           chosen=request.form.get("vendor_id", type=int)), status


@bp.post("/<int:campaign_id>/import")
@allow("compliance", "vendor_owner")
def import_return(campaign_id: int):
    """Import a returned file against the campaign: our workbook names its vendor; another
    file is imported for the vendor chosen. A layout not recognised is confirmed first."""
    db = get_session()
    upload = vendor_id = None
    try:
        with reading(db):
            campaign = campaigns.get_campaign(db, campaign_id)
            file = request.files.get("file")
            if not (file and file.filename):
                message = _("Choose an .xlsx or .csv file.")
                raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])
            upload = service.inspect_questionnaire(file.read(), file.filename)
            vendor_id = campaigns.match(db, campaign, upload, request.form.get("vendor_id", type=int))
            if not service.may_import(db, g.user, vendor_id):
                raise Forbidden(_("You may import questionnaires only for vendors you own."))
            options = dict(vendor_id=vendor_id, key=_key(), user_id=g.user.id, campaign_id=campaign.id)
            result = service.import_response(db, upload=upload, dry_run=True, **options)
        result = service.import_response(db, upload=upload, parsed=result.parsed, **options)
        db.commit()
    except foreign.LayoutUnconfirmed as exc:
        db.rollback()
        from vendorrisk.questionnaires.pages import confirm_layout
        return confirm_layout(upload, vendor_id, exc.detected, [], False, campaign_id=campaign_id)
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        return show(campaign_id, exc.details if isinstance(exc.details, list) else [], exc.message, 422)
    flash(_("The workbook of %(vendor)s is imported and counted as returned.",
            vendor=db.get(Vendor, vendor_id).name), "info")
    return redirect(url_for("questionnaires.response", response_id=result.response.id))


@bp.post("/<int:campaign_id>/close")
@allow(*SENDERS)
def close(campaign_id: int):
    """Close the campaign: reminders stop."""
    db = get_session()
    try:
        campaigns.close_campaign(db, campaigns.get_campaign(db, campaign_id))
    except Conflict as exc:  # closed meanwhile (another tab, another person): the page says by whom
        conflicts.for_page(exc)
        db.rollback()
        campaign = campaigns.get_campaign(db, campaign_id)
        return show(campaign_id, status=409, conflict=conflicts.notice(
            exc, by=conflicts.person(campaigns.closed_by(db, campaign)), at=campaign.closed_at,
            advice=_("Nothing more to do: a closed campaign sends no reminders. Files that come back can "
                     "still be imported below.")))
    db.commit()
    flash(_("The campaign is closed; no more reminders are sent."), "info")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.get("/<int:campaign_id>/vendors/<int:row_id>/workbook")
@allow(*ALL_ROLES)
def workbook(campaign_id: int, row_id: int):
    """The workbook as it was sent to the vendor."""
    db = get_session()
    row = db.get(CampaignVendor, row_id)
    if row is None or row.campaign_id != campaign_id:
        raise NotFound(_("Questionnaire campaign %(id)s does not exist.", id=campaign_id))
    return send_stored(db, db.get(StoredFile, row.file_id), row.filename, entity="questionnaire_campaign",
                       entity_id=campaign_id)
