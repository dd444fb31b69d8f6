"""Questionnaire pages: templates, workbook download, upload (a detected layout imports at
once; one not recognised is confirmed first), response (scores per article, flags,
answers, the unanswered, proposals), the chain the proposals would build, comparison."""
import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.core import conflicts, storage
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download, send_stored
from vendorrisk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, wants_json
from vendorrisk.core.models import StoredFile, User
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.questionnaires import foreign, labels, reviews, service
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.models_campaigns import QuestionnaireCampaign
from vendorrisk.questionnaires.profiles import load_profiles
from vendorrisk.questionnaires.template_files import catalogue, get_template
from vendorrisk.vendors.models import READING_ORDER, Vendor
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("questionnaires", __name__, template_folder="templates", url_prefix="/questionnaires")
bp.app_context_processor(labels.helpers)
NAV = [NavItem("questionnaires.index", _l("Questionnaires"), 40)]
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
LAYOUT_FIELDS = ("sheet", "header_row", "profile", *(f"{role}_column" for role in foreign.ROLES))


def _vendors():
    return get_session().exec(select(Vendor).order_by(*READING_ORDER).limit(1000)).all()


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Templates to send, and the latest imported responses."""
    page = paginate(get_session(), reviews.responses_query(), request.args.get("page", 1, type=int), 25, scalars=False)
    return render_template("questionnaires/index.html", templates=catalogue().latest(),
                           profiles=load_profiles(), vendors=_vendors(), page=page,
                           vendor_id=request.args.get("vendor_id", type=int))


@bp.get("/templates/<template_id>")
@allow(*ALL_ROLES)
def template(template_id):
    """A template's questions, with the article each serves."""
    return render_template("questionnaires/template.html", template=get_template(template_id))


@bp.get("/templates/<template_id>/workbook")
@allow("compliance", "procurement", "vendor_owner")
def workbook(template_id):
    """Download the workbook of a template for a vendor."""
    session = get_session()
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is None:
        raise ValidationFailed(_("Choose a vendor."), [{"field": "vendor_id", "message": _("Choose a vendor.")}])
    require_file_access(session, g.user, vendor_id)
    data, filename = service.workbook_for(session, template_id, vendor_id, _key())
    return send_download(session, data, filename, XLSX, entity=None)  # the service recorded the export


def _upload_from_form():
    file = request.files.get("file")
    if file and file.filename:
        return service.inspect_questionnaire(file.read(), file.filename)
    staged = request.form.get("staged", "")
    if SHA_RE.match(staged):
        try:
            data = storage.backend().get(staged)
        except FileNotFoundError:
            data = b""
        if data:
            return service.inspect_questionnaire(data, request.form.get("filename", "upload.xlsx"))
    message = _("Choose an .xlsx or .csv file.")
    raise ValidationFailed(message, [{"sheet": "", "cell": "", "message": message}])


def _layout_params() -> dict:
    """The confirmation form's corrections: a blank field keeps what was detected."""
    params = {k: request.form.get(k) for k in LAYOUT_FIELDS if (request.form.get(k) or "").strip()}
    if request.form.getlist("sheets"):
        params["sheets"] = request.form.getlist("sheets")
    if request.form.get("confirmed") == "1":
        params["confirmed"] = "1"
    return params


@bp.route("/import", methods=["GET", "POST"])
@allow("compliance", "vendor_owner")
def upload():
    """Upload a filled workbook or CSV: import it (or validate only, as a dry run); a layout
    that was not recognised is shown for confirmation first."""
    session = get_session()
    vendor_id = request.values.get("vendor_id", type=int)
    context = {"vendors": _vendors(), "vendor_id": vendor_id, "errors": [], "result": None,
               "profiles": load_profiles()}
    if request.method == "GET":
        return render_template("questionnaires/upload.html", **context)
    dry_run = request.form.get("dry_run") == "1"
    params = _layout_params()
    upload = None
    campaign_id = request.form.get("campaign_id", type=int)
    named = None
    try:
        with reading(session):  # check and read the workbook without SQLite's write lock
            if vendor_id is not None and session.get(Vendor, vendor_id) is None:
                raise NotFound(_("Choose a vendor."))
            upload = _upload_from_form()
            # our workbook names its vendor (and campaign): taken from it; other files need the choice
            named = service.vendor_of_upload(session, upload, vendor_id)
            vendor_id = named.vendor_id
            if not service.may_import(session, g.user, vendor_id):
                raise Forbidden(_("You may import questionnaires only for vendors you own."))
            options = dict(vendor_id=vendor_id, key=_key(), user_id=g.user.id, layout_params=params,
                           campaign_id=campaign_id)
            result = service.import_response(session, upload=upload, dry_run=True, **options)
        if not (dry_run or result.duplicate) or (result.duplicate and campaign_id and not dry_run):
            result = service.import_response(session, upload=upload, parsed=result.parsed, **options)
            session.commit()
    except foreign.LayoutUnconfirmed as exc:
        session.rollback()
        return confirm_layout(upload, vendor_id, exc.detected, [], dry_run, campaign_id=campaign_id)
    except ValidationFailed as exc:
        session.rollback()
        if upload is not None and request.form.get("confirmed") == "1":
            return confirm_layout(upload, vendor_id, foreign.best_guess(upload.data), exc.details, dry_run,
                                  exc.message, campaign_id=campaign_id), 422
        context["errors"], context["message"] = exc.details, exc.message
        return render_template("questionnaires/upload.html", **context), 422
    taken = _taken_from_workbook(session, named)
    if result.duplicate:
        flash(_("This file was already imported (same SHA-256); nothing was added."), "info")
        return redirect(url_for(".response", response_id=result.response.id))
    if dry_run:
        context.update(result=result, taken=taken, vendor_id=vendor_id)
        return render_template("questionnaires/upload.html", **context)
    if taken:
        flash(taken, "info")
    flash(_("Imported: %(answered)s of %(questions)s questions answered, %(flags)s flagged.",
            answered=result.answered, questions=result.questions, flags=result.flags), "info")
    return redirect(url_for(".response", response_id=result.response.id))


def _taken_from_workbook(session, named) -> str:
    """What the page says when our workbook named the vendor (and campaign) imported for."""
    if named is None or not named.from_workbook:
        return ""
    vendor = session.get(Vendor, named.vendor_id)
    campaign = session.get(QuestionnaireCampaign, named.campaign_id) if named.campaign_id else None
    if campaign is not None:
        return _("The vendor (%(vendor)s) and the campaign (%(campaign)s) were taken from the workbook.",
                 vendor=vendor.name, campaign=campaign.title)
    return _("The vendor (%(vendor)s) was taken from the workbook.", vendor=vendor.name)


def confirm_layout(upload, vendor_id, detected, errors, dry_run, message="", campaign_id=None):
    """Keep the file (content-addressed) and ask the user to confirm or correct the layout:
    the sheets chosen and every sheet considered, the header row, the columns, the format
    (and the campaign the file is imported against, if any)."""
    import hashlib
    sha256 = hashlib.sha256(upload.data).hexdigest()
    storage.backend().put(sha256, upload.data)
    chosen = detected.sheets[0].as_dict() if detected and detected.sheets else {}
    return render_template("questionnaires/confirm.html", vendor=get_session().get(Vendor, vendor_id),
                           staged=sha256, filename=upload.filename, detected=detected, chosen=chosen,
                           form=request.form, errors=errors, message=message, dry_run=dry_run,
                           profiles=load_profiles(), roles=foreign.ROLES, campaign_id=campaign_id)


@bp.get("/responses/<int:response_id>")
@allow(*ALL_ROLES)
def response(response_id, conflict=None, status: int = 200, withdrawing: dict | None = None, errors=()):
    """A response: scores per article, flags, answers (and those left blank), proposals;
    after a decision on a proposal refused because it was decided meanwhile (or cannot be
    linked), ``conflict`` says so above the page; after a removal refused for want of a
    reason, ``withdrawing`` (proposal id, reason typed) and ``errors`` next to the field."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    template = None
    if item.template_id:
        template = catalogue().versions.get((item.template_id, item.template_version))
    answers = reviews.answers_of(session, response_id)
    return render_template("questionnaires/response.html", response=item, template=template,
                           vendor=session.get(Vendor, item.vendor_id), answers=answers,
                           unanswered=[a for a in answers if not (a.raw or a.value)],
                           ours={t.id: t for t in catalogue().latest()},
                           profile=next((p for p in load_profiles() if p.id == item.profile_id), None),
                           proposals=reviews.proposals_of(session, response_id),
                           arrangements=reviews.arrangements_for(session, item.vendor_id),
                           previous=reviews.previous_response(session, item), conflict=conflict,
                           withdrawing=withdrawing or {}, errors=list(errors)), status


@bp.get("/responses/<int:response_id>/chain")
@allow(*ALL_ROLES)
def chain(response_id):
    """The chain the listed subcontractors would build in an arrangement, before accepting."""
    return _chain_page(response_id, request.args.get("arrangement_id", type=int))


def _chain_page(response_id: int, arrangement_id: int | None, conflict=None, status: int = 200):
    session = get_session()
    item = reviews.get_response(session, response_id)
    arrangements = reviews.arrangements_for(session, item.vendor_id)
    arrangement_id = arrangement_id or (arrangements[0].id if arrangements else 0)
    planned = reviews.chain_plan_for(session, item, arrangement_id) if arrangements else None
    return render_template("questionnaires/chain.html", response=item, vendor=session.get(Vendor, item.vendor_id),
                           arrangements=arrangements, plan=planned, conflict=conflict), status


@bp.post("/responses/<int:response_id>/chain")
@allow("compliance", "procurement")
def accept_chain(response_id):
    """Accept the chosen subcontractors into the arrangement's chain, as the tree shown."""
    session = get_session()
    arrangement_id = request.form.get("arrangement_id", type=int) or 0
    chosen = set(request.form.getlist("proposal_id", type=int))
    try:
        links = reviews.accept_proposals(session, response_id, arrangement_id, chosen, g.user.id)
    except Conflict as exc:
        return _chain_refused(response_id, arrangement_id, chosen, exc)
    session.commit()
    flash(_("%(count)s subcontractors were added to the chain (approval pending).", count=len(links)), "info")
    return redirect(url_for(".chain", response_id=response_id, arrangement_id=arrangement_id))


def _chain_refused(response_id: int, arrangement_id: int, chosen: set[int], exc: Conflict):
    """The chain page again (409) when a subcontractor chosen was decided by someone else
    between the page being read and the acceptance (two people accepting at once): nothing
    was added; who decided it and when; the chain as it is now, to accept again what is left."""
    conflicts.for_page(exc)
    session = get_session()
    # read before rolling back: the proposal the row lock re-read, as the other request left it
    Proposal = reviews.SubcontractorProposal
    query = (select(Proposal.reviewed_by_id, Proposal.reviewed_at)
             .where(Proposal.response_id == response_id, Proposal.status != "pending"))
    decided = session.exec((query.where(Proposal.id.in_(chosen)) if chosen else query)
                           .order_by(Proposal.reviewed_at.desc(), Proposal.id.desc())).first()
    session.rollback()
    reviewer = session.get(User, decided[0]) if decided and decided[0] else None
    return _chain_page(response_id, arrangement_id, status=409, conflict=conflicts.notice(
        exc, by=conflicts.person(reviewer), at=decided[1] if decided else None,
        advice=_("Nothing was added to the chain by your request. The chain below is as it is now: accept "
                 "again the subcontractors still to be added, if they are still needed.")))


@bp.get("/responses/<int:response_id>/compare")
@allow(*ALL_ROLES)
def compare(response_id):
    """A response against the vendor's previous response to the same questionnaire."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    previous, rows = reviews.compare(session, item)
    template = catalogue().versions.get((item.template_id, item.template_version))
    return render_template("questionnaires/compare.html", response=item, previous=previous, rows=rows,
                           vendor=session.get(Vendor, item.vendor_id), template=template)


@bp.get("/responses/<int:response_id>/file")
@allow(*ALL_ROLES)
def original(response_id):
    """Download the workbook as it was imported."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    require_file_access(session, g.user, item.vendor_id)
    return send_stored(session, session.get(StoredFile, item.file_id), item.filename,
                       entity="questionnaire_response", entity_id=item.id)


@bp.post("/proposals/<int:proposal_id>/accept")
@allow("compliance", "procurement")
def accept(proposal_id):
    """Add a listed subcontractor to the chosen arrangement's chain, under the vendor."""
    session = get_session()
    try:
        reviews.accept_proposal(session, proposal_id, request.form.get("arrangement_id", type=int) or 0, g.user.id)
    except Conflict as exc:
        return _proposal_refused(proposal_id, exc)
    session.commit()
    flash(_("The subcontractor was added to the chain (approval pending)."), "info")
    proposal = session.get(reviews.SubcontractorProposal, proposal_id)
    return redirect(url_for(".response", response_id=proposal.response_id, _anchor="proposals"))


@bp.post("/proposals/<int:proposal_id>/reject")
@allow("compliance", "procurement")
def reject(proposal_id):
    """Decline a listed subcontractor."""
    session = get_session()
    try:
        proposal = reviews.reject_proposal(session, proposal_id, g.user.id, request.form.get("note", ""))
    except Conflict as exc:
        return _proposal_refused(proposal_id, exc, [(_("Note"), request.form.get("note", ""))])
    session.commit()
    flash(_("The proposal was rejected."), "info")
    return redirect(url_for(".response", response_id=proposal.response_id, _anchor="proposals"))


def _proposal_refused(proposal_id: int, exc: Conflict, kept=()):
    """The response's page again (409) after a decision on a proposal that was refused: one
    decided meanwhile names who decided it and when; one that cannot be linked says why."""
    conflicts.for_page(exc)
    session = get_session()
    session.rollback()
    proposal = session.get(reviews.SubcontractorProposal, proposal_id)
    if proposal.status == "pending":  # not decided meanwhile: the chain refused the link
        return response(proposal.response_id, conflicts.notice(exc, kept=kept), 409)
    reviewer = session.get(User, proposal.reviewed_by_id) if proposal.reviewed_by_id else None
    return response(proposal.response_id, conflicts.notice(
        exc, by=conflicts.person(reviewer), at=proposal.reviewed_at, kept=kept,
        advice=_("Nothing was changed by your decision. Its decision stands in the list of subcontractors "
                 "below; if it is wrong, remove the link from the chain there, saying why.")
        if proposal.status == "accepted" else
        _("Nothing was changed by your decision. Read its decision in the list of subcontractors below.")), 409)


@bp.post("/proposals/<int:proposal_id>/withdraw")
@allow("compliance", "procurement")
def withdraw(proposal_id):
    """Remove from the chain the link an accepted subcontractor became, saying why."""
    session = get_session()
    reason = request.form.get("reason", "")
    try:
        proposal = reviews.withdraw_proposal(session, proposal_id, g.user.id, reason)
    except ValidationFailed as exc:  # no reason given: the row's form again, the error next to it
        if wants_json():
            raise
        session.rollback()
        refused = session.get(reviews.SubcontractorProposal, proposal_id)
        return response(refused.response_id, status=exc.status, errors=exc.details,
                        withdrawing={"proposal_id": proposal_id, "reason": reason})
    except Conflict as exc:  # withdrawn meanwhile, or the chain still needs the link
        return _withdrawal_refused(proposal_id, exc, reason)
    session.commit()
    flash(_("The link was removed from the chain; the reason is recorded."), "info")
    return redirect(url_for(".response", response_id=proposal.response_id, _anchor="proposals"))


def _withdrawal_refused(proposal_id: int, exc: Conflict, reason: str):
    """The response's page again (409) after a removal that was refused: one withdrawn
    meanwhile names who removed it and when; one the chain still needs (the company has
    subcontractors of its own there) says why. The reason typed is kept to copy."""
    conflicts.for_page(exc)
    session = get_session()
    session.rollback()
    proposal = session.get(reviews.SubcontractorProposal, proposal_id)
    kept = [(_("Why is the link removed?"), reason)]
    if proposal.status == "accepted":  # still in the chain: the chain refused to let the link go
        return response(proposal.response_id, conflicts.notice(exc, kept=kept, advice=_(
            "Nothing was removed. Remove its own subcontractors from the chain first (on the arrangement's "
            "page), then remove this link.")), 409)
    remover = session.get(User, proposal.reviewed_by_id) if proposal.reviewed_by_id else None
    return response(proposal.response_id, conflicts.notice(
        exc, by=conflicts.person(remover), at=proposal.reviewed_at, kept=kept,
        advice=_("Nothing was changed by your removal: the link is no longer in the chain. Read the "
                 "proposal's state in the list of subcontractors below.")), 409)


def questionnaires_panel(session, vendor) -> str:
    """The vendor page's section: its latest questionnaire responses with score and flags."""
    rows = session.exec(select(QuestionnaireResponse).where(QuestionnaireResponse.vendor_id == vendor.id)
                        .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc())
                        .limit(10)).all()
    return render_template("questionnaires/_panel.html", vendor=vendor, responses=rows, templates=catalogue().latest())
