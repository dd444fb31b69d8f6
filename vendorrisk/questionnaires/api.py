"""Questionnaire API: templates and the formats recognised, the workbook to send, importing
responses (ours or a vendor's own questionnaire, .xlsx or CSV, with dry run), responses,
comparison, and the listed subcontractors: the chain they build, accepted, rejected or
withdrawn from the chain."""
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlmodel import select

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, PageQuery, flag_arg, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download
from vendorrisk.core.errors import Forbidden, ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.questionnaires import reviews, service
from vendorrisk.questionnaires.api_shapes import (
    AcceptedChain,
    AcceptedProposal,
    ChainAccept,
    ChainPlanPublic,
    ChainQuery,
    ComparedAnswerPublic,
    Comparison,
    PlannedLinkPublic,
    ProfilePublic,
    ProposalAccept,
    ProposalPublic,
    ProposalReject,
    ProposalWithdraw,
    QuestionnaireImport,
    QuestionnaireList,
    QuestionnaireUpload,
    QuestionPublic,
    ResponsePage,
    ResponsePublic,
    TemplatePublic,
    TreeNodePublic,
    WorkbookQuery,
)
from vendorrisk.questionnaires.foreign import ROLES
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.profiles import load_profiles
from vendorrisk.questionnaires.template_files import catalogue
from vendorrisk.vendors.need_to_know import require_file_access

bp = Blueprint("api_questionnaires", __name__, url_prefix="/api/v1")


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


def _template_json(t) -> dict:
    return TemplatePublic.dump(t, questions=[
        QuestionPublic.dump(q, section=q.section_id, citation_ja=q.citation("ja"), citation_en=q.citation("en"),
                            choices=[c.value for c in q.choices],
                            flag={"answers": q.flag_answers, "severity": q.flag_severity} if q.flag_severity else None)
        for q in t.questions])


@bp.get("/questionnaires")
@allow(*ALL_ROLES)
@operation("listQuestionnaires", "Questionnaire templates and the formats recognised", ok=QuestionnaireList)
def list_templates():
    """The questionnaire templates (latest versions) and the formats recognised (profiles)."""
    return jsonify(QuestionnaireList.dump(
        items=[_template_json(t) for t in catalogue().latest()],
        profiles=[ProfilePublic.dump(p, templates=sorted({t for pairs in p.by_id.values() for t, _q in pairs}
                                                         | {t for _p, t, _q in p.by_text}))
                  for p in load_profiles()]))


@bp.get("/questionnaires/<template_id>/workbook")
@allow("compliance", "procurement", "vendor_owner")
@operation("getQuestionnaireWorkbook", "The workbook to send to a vendor", ok=Binary(XLSX, "The .xlsx workbook"),
           query=WorkbookQuery, errors=(403, 404, 422))
def workbook(template_id):
    """The .xlsx workbook of a template for the vendor ``vendor_id``."""
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is None:
        raise ValidationFailed(_("vendor_id is required."), [{"field": "vendor_id", "message": _("Give a vendor id.")}])
    session = get_session()
    require_file_access(session, g.user, vendor_id)
    data, filename = service.workbook_for(session, template_id, vendor_id, _key())
    return send_download(session, data, filename, XLSX, entity=None)  # the service recorded the export


@bp.post("/vendors/<int:vendor_id>/questionnaire-responses")
@allow("compliance", "vendor_owner")
@operation("importQuestionnaireResponse", "Import a filled questionnaire (workbook or CSV)", ok=QuestionnaireImport,
           status=201, form=QuestionnaireUpload, errors=(404, 409, 503),
           also={200: ("Dry run, or the same file imported before", QuestionnaireImport)})
def import_response(vendor_id):
    """Import a filled workbook or CSV (multipart ``file``); ``dry_run=1`` validates only. A
    layout not recognised answers 422 with the best guess until the request names ``sheets``
    (repeatable), ``header_row`` or ``<role>_column`` letters, a ``profile``, or ``confirmed=1``."""
    session = get_session()
    dry_run = bool(flag_arg(request.form if "dry_run" in request.form else request.args, "dry_run"))
    params = {k: request.form.get(k) for k in ("sheet", "header_row", "profile", "confirmed",
                                               *(f"{r}_column" for r in ROLES)) if request.form.get(k) is not None}
    if request.form.getlist("sheets"):
        params["sheets"] = request.form.getlist("sheets")
    options = dict(vendor_id=vendor_id, key=_key(), user_id=g.user.id, layout_params=params)
    with reading(session):  # check and read the workbook without SQLite's write lock
        if not service.may_import(session, g.user, vendor_id):
            raise Forbidden(_("You may import questionnaires only for vendors you own."))
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationFailed(_("Send the workbook as the multipart field 'file'."),
                                   [{"sheet": "", "cell": "", "message": _("The field 'file' is missing.")}])
        upload = service.inspect_questionnaire(file.read(), file.filename)
        result = service.import_response(session, upload=upload, dry_run=True, **options)
    if not (dry_run or result.duplicate):
        result = service.import_response(session, upload=upload, parsed=result.parsed, **options)
        session.commit()
    result.dry_run = dry_run
    status = 200 if result.dry_run or result.duplicate else 201
    return jsonify(QuestionnaireImport.dump(result, id=result.response.id if result.response else None,
                                            unanswered=result.unanswered[:service.MAX_LISTED])), status


@bp.get("/vendors/<int:vendor_id>/questionnaire-responses")
@allow(*ALL_ROLES)
@operation("listQuestionnaireResponses", "A vendor's questionnaire responses", ok=ResponsePage, query=PageQuery)
def list_responses(vendor_id):
    """A vendor's responses, newest first, paginated."""
    session = get_session()
    page = paginate(session, select(QuestionnaireResponse).where(QuestionnaireResponse.vendor_id == vendor_id)
                    .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc()),
                    request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int))
    return jsonify(ResponsePage.dump(page))


@bp.get("/questionnaire-responses/<int:response_id>")
@allow(*ALL_ROLES)
@operation("getQuestionnaireResponse", "A response with answers and proposals", ok=ResponsePublic, errors=(404,))
def get_response(response_id):
    """A response with its answers and subcontractor proposals."""
    session = get_session()
    response = reviews.get_response(session, response_id)
    return jsonify(ResponsePublic.dump(response, answers=reviews.answers_of(session, response.id),
                                       proposals=reviews.proposals_of(session, response.id)))


@bp.get("/questionnaire-responses/<int:response_id>/compare")
@allow(*ALL_ROLES)
@operation("compareQuestionnaireResponse", "Compare with the previous response", ok=Comparison, errors=(404,))
def compare(response_id):
    """A response against the vendor's previous response to the same questionnaire."""
    session = get_session()
    previous, rows = reviews.compare(session, reviews.get_response(session, response_id))
    return jsonify(Comparison.dump(response_id=response_id, previous_id=previous.id if previous else None, answers=[
        ComparedAnswerPublic.dump(r, question=r.question_text, previous=r.previous.value if r.previous else None,
                                  current=r.current.value if r.current else None) for r in rows]))


@bp.post("/questionnaire-proposals/<int:proposal_id>/accept")
@allow("compliance", "procurement")
@operation("acceptSubcontractorProposal", "Accept a listed subcontractor into a chain", ok=AcceptedProposal,
           status=201, body=ProposalAccept, errors=(404, 409))
def accept(proposal_id):
    """Accept a listed subcontractor into an arrangement's chain (JSON ``arrangement_id``)."""
    session = get_session()
    body = json_body()
    arrangement_id = body.get("arrangement_id")
    if not isinstance(arrangement_id, int):
        raise ValidationFailed(_("arrangement_id is required."),
                               [{"field": "arrangement_id", "message": _("An integer.")}])
    link = reviews.accept_proposal(session, proposal_id, arrangement_id, g.user.id)
    session.commit()
    return jsonify(AcceptedProposal.dump(link=link)), 201


@bp.post("/questionnaire-proposals/<int:proposal_id>/reject")
@allow("compliance", "procurement")
@operation("rejectSubcontractorProposal", "Reject a listed subcontractor", ok=ProposalPublic, body=ProposalReject,
           body_required=False, errors=(404, 409))
def reject(proposal_id):
    """Reject a listed subcontractor (optional JSON ``note``)."""
    session = get_session()
    proposal = reviews.reject_proposal(session, proposal_id, g.user.id, str(json_body().get("note", "")))
    session.commit()
    return jsonify(ProposalPublic.dump(proposal))


def _plan_json(plan) -> dict:
    def node(item) -> dict:
        return TreeNodePublic.dump(item, children=[node(child) for child in item.children])
    return ChainPlanPublic.dump(
        response_id=plan.response.id, arrangement_id=plan.arrangement.id,
        links=[PlannedLinkPublic.dump(
            item, proposal_id=item.proposal.id, row=item.proposal.row, name=item.proposal.name,
            contracted_by=item.proposal.contracted_by, vendor_id=item.vendor.id if item.vendor else None,
            tiers=list(item.tiers)) for item in plan.links],
        tree=[node(root) for root in plan.tree])


@bp.get("/questionnaire-responses/<int:response_id>/chain-plan")
@allow(*ALL_ROLES)
@operation("planQuestionnaireChain", "The chain the listed subcontractors would build", ok=ChainPlanPublic,
           query=ChainQuery, errors=(404, 422))
def chain_plan(response_id):
    """The response's subcontractors planned into an arrangement's chain, before accepting."""
    session = get_session()
    arrangement_id = request.args.get("arrangement_id", type=int)
    if arrangement_id is None:
        raise ValidationFailed(_("arrangement_id is required."),
                               [{"field": "arrangement_id", "message": _("An integer.")}])
    plan = reviews.chain_plan_for(session, reviews.get_response(session, response_id), arrangement_id)
    return jsonify(_plan_json(plan))


@bp.post("/questionnaire-responses/<int:response_id>/chain")
@allow("compliance", "procurement")
@operation("acceptQuestionnaireChain", "Add the listed subcontractors to a chain as the tree they describe",
           ok=AcceptedChain, status=201, body=ChainAccept, errors=(404, 409))
def accept_chain(response_id):
    """Accept the planned subcontractors (JSON ``arrangement_id``, optional ``proposal_ids``)."""
    session = get_session()
    body = json_body()
    arrangement_id, chosen = body.get("arrangement_id"), body.get("proposal_ids")
    if not isinstance(arrangement_id, int) or not (chosen is None or (
            isinstance(chosen, list) and all(isinstance(i, int) for i in chosen))):
        raise ValidationFailed(_("arrangement_id is required."),
                               [{"field": "arrangement_id", "message": _("An integer.")}])
    links = reviews.accept_proposals(session, response_id, arrangement_id, None if chosen is None else set(chosen),
                                     g.user.id)
    session.commit()
    return jsonify(AcceptedChain.dump(links=links)), 201


@bp.post("/questionnaire-proposals/<int:proposal_id>/withdraw")
@allow("compliance", "procurement")
@operation("withdrawSubcontractorProposal", "Remove an accepted subcontractor's link from the chain, saying why",
           ok=ProposalPublic, body=ProposalWithdraw, errors=(404, 409))
def withdraw(proposal_id):
    """Remove from the chain the link an accepted proposal became (JSON ``reason``)."""
    session = get_session()
    proposal = reviews.withdraw_proposal(session, proposal_id, g.user.id, str(json_body().get("reason", "")))
    session.commit()
    return jsonify(ProposalPublic.dump(proposal))
