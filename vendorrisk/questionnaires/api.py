"""Questionnaire API: templates, the workbook to send, importing responses (with dry run),
responses, comparison, and the review of listed subcontractors."""
from typing import Literal, Optional

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field, create_model
from sqlmodel import select

from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, PageQuery, Public, columns, json_body, operation
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download
from vendorrisk.core.errors import Forbidden, ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import reviews, service
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.questionnaires.reader_foreign import ROLES
from vendorrisk.questionnaires.template_files import catalogue
from vendorrisk.vendors.api_shapes import LinkPublic

bp = Blueprint("api_questionnaires", __name__, url_prefix="/api/v1")
TRUE = ("1", "true", "yes", "on")


class QuestionFlag(Public):
    """Answers that raise a finding, and its severity."""

    answers: list[str]
    severity: str


class QuestionPublic(Public):
    """A question of a template."""

    id: str
    section: str
    text_ja: str
    text_en: str
    article: str
    citation_ja: str
    citation_en: str
    type: str
    required: bool
    weight: float
    expected: list[str]
    choices: list[str]
    flag: Optional[QuestionFlag]


class TemplatePublic(Public):
    """The latest version of a questionnaire template."""

    id: str
    version: int
    title_ja: str
    title_en: str
    questions: list[QuestionPublic]


class MappingPublic(Public):
    """A mapping of a foreign questionnaire format (CAIQ, generic) onto a template."""

    id: str
    format: str
    template_id: str
    questions: int


class QuestionnaireList(Public):
    """Templates and mappings."""

    items: list[TemplatePublic]
    mappings: list[MappingPublic]


class QuestionnaireImport(Public):
    """What the import found (and stored, unless a dry run or a duplicate)."""

    id: Optional[int] = Field(description="The stored response; null in a dry run")
    format: Literal["native", "caiq", "generic"]
    template_id: Optional[str]
    template_version: Optional[int]
    mapping_id: Optional[str]
    layout: dict
    questions: int
    answered: int
    score: Optional[float]
    flags: int
    flagged: list[dict]
    subcontractors: int
    dry_run: bool
    duplicate: bool
    findings_created: int


class AnswerPublic(columns(QuestionnaireAnswer, exclude=("response_id",))):
    """An answer as imported, with its points and flag."""


class ProposalPublic(columns(SubcontractorProposal)):
    """A subcontractor the vendor listed, proposed for an arrangement's chain."""


class ResponsePublic(columns(QuestionnaireResponse)):
    """An imported response; with its answers and proposals when one is read."""

    answers: list[AnswerPublic] = Field(default_factory=list)
    proposals: list[ProposalPublic] = Field(default_factory=list)


class ResponsePage(Public):
    """A page of a vendor's responses, newest first."""

    items: list[ResponsePublic]
    page: int
    pages: int
    total: int


class ComparedAnswerPublic(Public):
    """A question's answer now and before."""

    key: str
    question: str
    change: Literal["added", "removed", "changed", "same"]
    previous: Optional[str]
    current: Optional[str]


class Comparison(Public):
    """Answer by answer, against the vendor's previous response to the same questionnaire."""

    response_id: int
    previous_id: Optional[int]
    answers: list[ComparedAnswerPublic]


class AcceptedProposal(Public):
    """The link created in the arrangement's chain."""

    link: LinkPublic


QuestionnaireUpload = create_model(
    "QuestionnaireUpload", __base__=BaseModel, __doc__="A filled questionnaire workbook (multipart form).",
    file=(bytes, ...), dry_run=(Optional[Literal["0", "1"]], Field(default=None, description="1: check only")),
    mapping=(Optional[str], Field(default=None, description="Mapping id, or 'none'")),
    sheet=(Optional[str], None), header_row=(Optional[int], None),
    format=(Optional[Literal["caiq", "generic"]], None),
    **{f"{r}_column": (Optional[str], Field(default=None, description="Column letter")) for r in ROLES})


class WorkbookQuery(BaseModel):
    """Whom the workbook is for."""

    vendor_id: int


class ProposalAccept(BaseModel):
    """The arrangement whose chain the subcontractor joins."""

    arrangement_id: int


class ProposalReject(BaseModel):
    """Why the subcontractor is not added."""

    note: str = ""


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
@operation("listQuestionnaires", "Questionnaire templates and mappings", ok=QuestionnaireList)
def list_templates():
    """The questionnaire templates (latest versions) and the foreign-format mappings."""
    cat = catalogue()
    return jsonify(QuestionnaireList.dump(
        items=[_template_json(t) for t in cat.latest()],
        mappings=[MappingPublic.dump(m, questions=len(m.questions)) for m in cat.mappings.values()]))


@bp.get("/questionnaires/<template_id>/workbook")
@allow("compliance", "procurement", "vendor_owner")
@operation("getQuestionnaireWorkbook", "The workbook to send to a vendor", ok=Binary(XLSX, "The .xlsx workbook"),
           query=WorkbookQuery, errors=(404, 422))
def workbook(template_id):
    """The .xlsx workbook of a template for the vendor ``vendor_id``."""
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is None:
        raise ValidationFailed(_("vendor_id is required."), [{"field": "vendor_id", "message": _("Give a vendor id.")}])
    session = get_session()
    data, filename = service.workbook_for(session, template_id, vendor_id, _key())
    return send_download(session, data, filename, XLSX, entity=None)  # the service recorded the export


@bp.post("/vendors/<int:vendor_id>/questionnaire-responses")
@allow("compliance", "vendor_owner")
@operation("importQuestionnaireResponse", "Import a filled questionnaire workbook", ok=QuestionnaireImport,
           status=201, form=QuestionnaireUpload, errors=(404, 409, 503),
           also={200: ("Dry run, or the same file imported before", QuestionnaireImport)})
def import_response(vendor_id):
    """Import a filled workbook (multipart ``file``); ``dry_run=1`` validates only."""
    session = get_session()
    dry_run = request.form.get("dry_run", request.args.get("dry_run", "")).lower() in TRUE
    params = {k: request.form.get(k) for k in ("sheet", "header_row", "format", *(f"{r}_column" for r in ROLES))
              if request.form.get(k) is not None}
    options = dict(vendor_id=vendor_id, key=_key(), user_id=g.user.id, layout_params=params,
                   mapping_id=request.form.get("mapping") or None)
    with reading(session):  # check and read the workbook without SQLite's write lock
        if not service.may_import(session, g.user, vendor_id):
            raise Forbidden(_("You may import questionnaires only for vendors you own."))
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationFailed(_("Send the workbook as the multipart field 'file'."),
                                   [{"sheet": "", "cell": "", "message": _("The field 'file' is missing.")}])
        upload = inspect_upload(file.read(), file.filename, {"xlsx"})
        result = service.import_response(session, upload=upload, dry_run=True, **options)
    if not (dry_run or result.duplicate):
        result = service.import_response(session, upload=upload, parsed=result.parsed, **options)
        session.commit()
    result.dry_run = dry_run
    status = 200 if result.dry_run or result.duplicate else 201
    return jsonify(QuestionnaireImport.dump(result, id=result.response.id if result.response else None)), status


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
