"""Questionnaire pages: templates, workbook download, upload with dry run and mapping
confirmation, response (score, flags, answers, proposals), comparison with the previous one."""
import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.core import storage
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download, send_stored
from vendorrisk.core.errors import Forbidden, NotFound, ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import reviews, service
from vendorrisk.questionnaires.models import QuestionnaireResponse
from vendorrisk.questionnaires.reader_foreign import ROLES
from vendorrisk.questionnaires.template_files import catalogue, get_template
from vendorrisk.vendors.models import Vendor

bp = Blueprint("questionnaires", __name__, template_folder="templates", url_prefix="/questionnaires")
NAV = [NavItem("questionnaires.index", _l("Questionnaires"), 40)]
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
LAYOUT_FIELDS = ("sheet", "header_row", "format", "id_column", "question_column", "answer_column",
                 "comment_column", "ownership_column")


def _vendors():
    return get_session().exec(select(Vendor).order_by(Vendor.name).limit(1000)).all()


def _key() -> bytes:
    return service.signing_key(current_app.config["SECRET_KEY"])


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Templates to send, and the latest imported responses."""
    page = paginate(get_session(), reviews.responses_query(), request.args.get("page", 1, type=int), 25, scalars=False)
    return render_template("questionnaires/index.html", templates=catalogue().latest(),
                           mappings=catalogue().mappings.values(), vendors=_vendors(), page=page,
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
    data, filename = service.workbook_for(session, template_id, vendor_id, _key())
    return send_download(session, data, filename, XLSX, entity=None)  # the service recorded the export


def _upload_from_form():
    file = request.files.get("file")
    if file and file.filename:
        return inspect_upload(file.read(), file.filename, {"xlsx"})
    staged = request.form.get("staged", "")
    if SHA_RE.match(staged):
        try:
            data = storage.backend().get(staged)
        except FileNotFoundError:
            data = b""
        if data:
            return inspect_upload(data, request.form.get("filename", "upload.xlsx"), {"xlsx"})
    raise ValidationFailed(_("Choose an .xlsx file."), [{"sheet": "", "cell": "", "message": _("Choose an .xlsx file.")}])


@bp.route("/import", methods=["GET", "POST"])
@allow("compliance", "vendor_owner")
def upload():
    """Upload a filled workbook: validate (dry run) or import; foreign layouts are confirmed first."""
    session = get_session()
    vendor_id = request.values.get("vendor_id", type=int)
    context = {"vendors": _vendors(), "vendor_id": vendor_id, "errors": [], "result": None,
               "mappings": list(catalogue().mappings.values())}
    if request.method == "GET":
        return render_template("questionnaires/upload.html", **context)
    dry_run = request.form.get("dry_run") == "1"
    confirmed = request.form.get("confirmed") == "1"
    params = {k: request.form.get(k) for k in LAYOUT_FIELDS if request.form.get(k) is not None}
    mapping_id = request.form.get("mapping") or None
    upload = None
    try:
        with reading(session):  # check and read the workbook without SQLite's write lock
            if vendor_id is None or session.get(Vendor, vendor_id) is None:
                raise NotFound(_("Choose a vendor."))
            if not service.may_import(session, g.user, vendor_id):
                raise Forbidden(_("You may import questionnaires only for vendors you own."))
            upload = _upload_from_form()
            preview = service.import_response(session, vendor_id=vendor_id, upload=upload, key=_key(),
                                              user_id=g.user.id, dry_run=True, layout_params=params,
                                              mapping_id=mapping_id)
        if preview.format != "native" and not confirmed and not preview.duplicate:
            return _confirm(upload, vendor_id, preview, [], dry_run)
        if dry_run or preview.duplicate:
            if preview.duplicate:
                flash(_("This file was already imported (same SHA-256); nothing was added."), "info")
                return redirect(url_for(".response", response_id=preview.response.id))
            context["result"] = preview
            return render_template("questionnaires/upload.html", **context)
        result = service.import_response(session, vendor_id=vendor_id, upload=upload, key=_key(), user_id=g.user.id,
                                         layout_params=params, mapping_id=mapping_id, parsed=preview.parsed)
        session.commit()
    except ValidationFailed as exc:
        session.rollback()
        if upload is not None and (confirmed or params):
            return _confirm(upload, vendor_id, None, exc.details, dry_run, exc.message), 422
        context["errors"], context["message"] = exc.details, exc.message
        return render_template("questionnaires/upload.html", **context), 422
    flash(_("Imported: %(answered)s of %(questions)s questions answered, %(flags)s flagged.",
            answered=result.answered, questions=result.questions, flags=result.flags), "info")
    return redirect(url_for(".response", response_id=result.response.id))


def _confirm(upload, vendor_id, preview, errors, dry_run, message=""):
    """Keep the file (content-addressed) and ask the user to confirm the detected columns."""
    import hashlib
    sha256 = hashlib.sha256(upload.data).hexdigest()
    storage.backend().put(sha256, upload.data)
    layout = preview.layout if preview else {
        "sheet": request.form.get("sheet", ""), "header_row": request.form.get("header_row", ""),
        "format": request.form.get("format", ""),
        "columns": {role: request.form.get(f"{role}_column", "") for role in ROLES}}
    return render_template("questionnaires/confirm.html", vendor=get_session().get(Vendor, vendor_id),
                           staged=sha256, filename=upload.filename, preview=preview, layout=layout,
                           form=request.form, errors=errors, message=message, dry_run=dry_run,
                           mappings=list(catalogue().mappings.values()), roles=ROLES)


@bp.get("/responses/<int:response_id>")
@allow(*ALL_ROLES)
def response(response_id):
    """A response: score, flags, answers and subcontractor proposals."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    template = None
    if item.template_id:
        template = catalogue().versions.get((item.template_id, item.template_version))
    return render_template("questionnaires/response.html", response=item, template=template,
                           vendor=session.get(Vendor, item.vendor_id),
                           answers=reviews.answers_of(session, response_id),
                           proposals=reviews.proposals_of(session, response_id),
                           arrangements=reviews.arrangements_for(session, item.vendor_id),
                           previous=reviews.previous_response(session, item))


@bp.get("/responses/<int:response_id>/compare")
@allow(*ALL_ROLES)
def compare(response_id):
    """A response against the vendor's previous response to the same questionnaire."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    previous, rows = reviews.compare(session, item)
    return render_template("questionnaires/compare.html", response=item, previous=previous, rows=rows,
                           vendor=session.get(Vendor, item.vendor_id))


@bp.get("/responses/<int:response_id>/file")
@allow(*ALL_ROLES)
def original(response_id):
    """Download the workbook as it was imported."""
    session = get_session()
    item = reviews.get_response(session, response_id)
    return send_stored(session, session.get(StoredFile, item.file_id), item.filename,
                       entity="questionnaire_response", entity_id=item.id)


@bp.post("/proposals/<int:proposal_id>/accept")
@allow("compliance", "procurement")
def accept(proposal_id):
    """Add a listed subcontractor to the chosen arrangement's chain, under the vendor."""
    session = get_session()
    reviews.accept_proposal(session, proposal_id, request.form.get("arrangement_id", type=int) or 0, g.user.id)
    session.commit()
    flash(_("The subcontractor was added to the chain (approval pending)."), "info")
    proposal = session.get(reviews.SubcontractorProposal, proposal_id)
    return redirect(url_for(".response", response_id=proposal.response_id, _anchor="proposals"))


@bp.post("/proposals/<int:proposal_id>/reject")
@allow("compliance", "procurement")
def reject(proposal_id):
    """Decline a listed subcontractor."""
    session = get_session()
    proposal = reviews.reject_proposal(session, proposal_id, g.user.id, request.form.get("note", ""))
    session.commit()
    flash(_("The proposal was rejected."), "info")
    return redirect(url_for(".response", response_id=proposal.response_id, _anchor="proposals"))


def questionnaires_panel(session, vendor) -> str:
    """The vendor page's section: its latest questionnaire responses with score and flags."""
    rows = session.exec(select(QuestionnaireResponse).where(QuestionnaireResponse.vendor_id == vendor.id)
                        .order_by(QuestionnaireResponse.created_at.desc(), QuestionnaireResponse.id.desc())
                        .limit(10)).all()
    return render_template("questionnaires/_panel.html", vendor=vendor, responses=rows)
