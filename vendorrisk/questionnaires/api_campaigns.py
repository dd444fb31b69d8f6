"""Questionnaire campaign API: send a questionnaire to several vendors at once, follow each
vendor's state (queued, sent, overdue, returned), import returned files against the
campaign, close it. The shapes it answers and accepts are declared here."""
from datetime import datetime
from typing import Literal, Optional

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field, create_model

from vendorrisk.core import clock, registry
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Public, columns, json_body, operation, page_of
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.errors import Forbidden, ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.questionnaires import campaign_reminders, campaigns, service
from vendorrisk.questionnaires.api_shapes import QuestionnaireImport, QuestionnaireUpload
from vendorrisk.questionnaires.campaigns import CampaignCreate
from vendorrisk.questionnaires.models_campaigns import RECIPIENT_STATES, QuestionnaireCampaign

bp = Blueprint("api_campaigns", __name__, url_prefix="/api/v1")


class CampaignVendorPublic(Public):
    """A vendor of a campaign: where its e-mails went, its state, and its response."""

    vendor_id: int
    vendor_name: str
    emails: list[str]
    state: Literal[RECIPIENT_STATES]
    sent_at: Optional[datetime]
    returned_at: Optional[datetime]
    response_id: Optional[int]


class CampaignPublic(columns(QuestionnaireCampaign)):
    """The campaign; ``vendors`` when one campaign is read, sent or closed."""

    vendors: list[CampaignVendorPublic] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict, description="vendors, sent, returned")


CampaignPage = page_of(CampaignPublic, "CampaignPage")


class CampaignSent(CampaignPublic):
    """The campaign just sent, and how many e-mails the server accepted at once (the rest
    are sent by the next reminder sweep)."""

    emails_sent: int
    emails_failed: int


class CampaignQuery(BaseModel):
    """Which campaigns, and the page."""

    status: Optional[Literal["open", "closed"]] = None
    page: int = 1
    per_page: int = 50


CampaignUpload = create_model(
    "CampaignUpload", __base__=QuestionnaireUpload,
    __doc__="A returned file (multipart form): our workbook names its campaign and vendor; for any other "
            "file give vendor_id.",
    vendor_id=(Optional[int], Field(default=None, description="The vendor, for a file that does not name it")))


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


def _one(campaign, cls=CampaignPublic, **extra) -> dict:
    session = get_session()
    rows = campaigns.recipients(session, campaign, clock.today())
    return cls.dump(campaign, vendors=[CampaignVendorPublic.dump(
        r.row, vendor_name=r.vendor_name, state=r.state) for r in rows],
        counts=campaigns.counts(session, [campaign.id]).get(campaign.id, {}), **extra)


@bp.get("/questionnaire-campaigns")
@allow(*ALL_ROLES)
@operation("listQuestionnaireCampaigns", "Questionnaire campaigns", ok=CampaignPage, query=CampaignQuery)
def list_campaigns():
    """Campaigns, open first, soonest due first, with their counts."""
    session = get_session()
    page = paginate(session, campaigns.campaigns_query(request.args.get("status", "")),
                    request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int))
    counted = campaigns.counts(session, [c.id for c in page.items])
    return jsonify(CampaignPage.dump(page, items=[CampaignPublic.dump(c, counts=counted.get(c.id, {}))
                                                  for c in page.items]))


@bp.post("/questionnaire-campaigns")
@allow("compliance")
@operation("sendQuestionnaireCampaign", "Send a questionnaire to several vendors", ok=CampaignSent, status=201,
           body=CampaignCreate, errors=(404,))
def send():
    """Send the latest version of a questionnaire to the vendors (JSON ``title``,
    ``template_id``, ``due_date``, ``vendor_ids``, optional ``message`` and ``reply_to``):
    each vendor's contacts with an e-mail address get that vendor's workbook attached."""
    session = get_session()
    campaign = campaigns.create_campaign(session, json_body(), g.user, _key())
    session.commit()
    campaign_id = campaign.id
    send_now = registry.current().send_now
    specs = campaign_reminders.request_specs(session, [campaign_id])
    session.rollback()
    sent, failed = send_now(current_app._get_current_object(), specs) if send_now and specs else (0, 0)
    return jsonify(_one(campaigns.get_campaign(session, campaign_id), CampaignSent,
                        emails_sent=sent, emails_failed=failed)), 201


@bp.get("/questionnaire-campaigns/<int:campaign_id>")
@allow(*ALL_ROLES)
@operation("getQuestionnaireCampaign", "A campaign with each vendor's state", ok=CampaignPublic, errors=(404,))
def get_campaign(campaign_id):
    """A campaign and its vendors: addresses, state, when sent and returned, the response."""
    return jsonify(_one(campaigns.get_campaign(get_session(), campaign_id)))


@bp.post("/questionnaire-campaigns/<int:campaign_id>/close")
@allow("compliance")
@operation("closeQuestionnaireCampaign", "Close a campaign (no more reminders)", ok=CampaignPublic,
           errors=(404, 409))
def close(campaign_id):
    """Close the campaign: its reminders stop."""
    session = get_session()
    campaign = campaigns.close_campaign(session, campaigns.get_campaign(session, campaign_id))
    session.commit()
    return jsonify(_one(campaign))


@bp.post("/questionnaire-campaigns/<int:campaign_id>/responses")
@allow("compliance", "vendor_owner")
@operation("importCampaignResponse", "Import a returned file against the campaign", ok=QuestionnaireImport,
           status=201, form=CampaignUpload, errors=(404, 503),
           also={200: ("The same file imported before: counted as returned", QuestionnaireImport)})
def import_return(campaign_id):
    """Import a returned workbook or CSV (multipart ``file``; ``vendor_id`` for a file that
    does not name its vendor): matched to the campaign's vendor and counted as returned."""
    session = get_session()
    with reading(session):
        campaign = campaigns.get_campaign(session, campaign_id)
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationFailed(_("Send the workbook as the multipart field 'file'."),
                                   [{"sheet": "", "cell": "", "message": _("The field 'file' is missing.")}])
        upload = service.inspect_questionnaire(file.read(), file.filename)
        vendor_id = campaigns.match(session, campaign, upload, request.form.get("vendor_id", type=int))
        if not service.may_import(session, g.user, vendor_id):
            raise Forbidden(_("You may import questionnaires only for vendors you own."))
        params = {k: request.form.get(k) for k in ("sheet", "header_row", "profile", "confirmed")
                  if request.form.get(k) is not None}
        options = dict(vendor_id=vendor_id, key=_key(), user_id=g.user.id, layout_params=params,
                       campaign_id=campaign.id)
        result = service.import_response(session, upload=upload, dry_run=True, **options)
    result = service.import_response(session, upload=upload, parsed=result.parsed, **options)
    session.commit()
    result.dry_run = False
    return jsonify(QuestionnaireImport.dump(result, id=result.response.id,
                                            unanswered=result.unanswered[:service.MAX_LISTED])), \
        200 if result.duplicate else 201
