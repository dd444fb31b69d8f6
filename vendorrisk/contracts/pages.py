"""Contract pages: contracts of an arrangement, upload of versions, clause check results
with evidence, review (confirm / override with a comment), diff and Word checklist."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.contracts import documents as contract_documents
from vendorrisk.contracts import reasons, service, set_service
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.core import conflicts
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import DOCX, send_download, send_stored
from vendorrisk.core.errors import Conflict, ValidationFailed, too_large_advice
from vendorrisk.core.i18n import language
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.models import READING_ORDER, Arrangement, Vendor
from vendorrisk.vendors.need_to_know import may_read_files, require_file_access

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
bp.app_context_processor(reasons.helpers)
NAV = [NavItem("contracts.index", _l("Contracts"), 30)]
UPLOADERS = ("compliance", "procurement", "vendor_owner")


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Arrangements with every document of their contract sets, each with its latest
    version's check counts."""
    db = get_session()
    query = select(Arrangement, Vendor).join(Vendor, Vendor.id == Arrangement.vendor_id) \
        .order_by(*READING_ORDER, Arrangement.title, Arrangement.id)
    page = paginate(db, query, request.args.get("page", 1, type=int), 50, scalars=False)
    documents = contract_documents.documents_of(db, [row[0].id for row in page.items])
    return render_template("contracts/index.html", page=page, documents=documents)


@bp.get("/arrangements/<int:arrangement_id>")
@allow(*ALL_ROLES)
def arrangement(arrangement_id: int, values: dict | None = None, errors=(), status: int = 200, conflict=None):
    """The contracts of one arrangement, their versions and the upload form (after a refused
    upload: what was typed, and the errors next to their fields, or ``conflict`` above)."""
    db = get_session()
    arr = service.get_arrangement(db, arrangement_id)
    contracts = service.contracts_of_arrangement(db, arr.id)
    counts = service.status_counts(db, [v.id for _c, vs in contracts for v in vs])
    return render_template("contracts/arrangement.html", arrangement=arr, vendor=db.get(Vendor, arr.vendor_id),
                           contracts=contracts, counts=counts, values=values or {}, errors=list(errors),
                           clauses=service.applicable_clauses(arr), lang=language(),
                           contract_set=set_service.overview(db, arr),
                           max_set_files=set_service.MAX_SET_FILES,
                           several_uploads=set_service.SEVERAL_UPLOADS, conflict=conflict), status


@bp.post("/arrangements/<int:arrangement_id>/upload")
@allow(*UPLOADERS)
def upload(arrangement_id: int):
    """Upload a contract version; it is checked at once."""
    db = get_session()
    file = request.files.get("file")
    contract_id = request.form.get("contract_id", type=int)
    values = {"title": request.form.get("title", ""), "contract_id": contract_id,
              "document_kind": request.form.get("document_kind", "")}
    try:
        if file is None or not file.filename:
            raise ValidationFailed(_("Choose a contract file to upload."),
                                   [{"field": "file", "message": _("Choose a contract file to upload.")}])
        with reading(db):  # the installation's reviewer examples, read without the write lock
            examples = service.reviewer_examples(db)
        prepared = service.prepare_version(file.read(), file.filename,  # outside the write transaction
                                           examples)
        version = service.upload_version(db, arrangement_id=arrangement_id, prepared=prepared,
                                         user=g.user, contract_id=contract_id, title=values["title"],
                                         document_kind=values["document_kind"])
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        return arrangement(arrangement_id, values, exc.details, exc.status)
    except Conflict as exc:  # a version for a contract of another arrangement (a page of another tab)
        conflicts.for_page(exc)
        db.rollback()
        return arrangement(arrangement_id, {**values, "contract_id": None}, (), 409, _elsewhere(exc, contract_id))
    db.commit()
    flash(_("Version %(n)s uploaded and checked.", n=version.number), "success")
    return redirect(url_for("contracts.version", version_id=version.id))


def _elsewhere(exc: Conflict, contract_id: int) -> conflicts.ConflictNotice:
    """The words for a version sent for another arrangement's contract: the file is asked
    for again in the new document form below, the title typed kept; the contract's own
    arrangement is linked for those who may read its files (the message names it to them)."""
    db = get_session()
    notice = conflicts.notice(exc, advice=_(
        "Nothing was uploaded. To add the file to this arrangement, upload it below as a new document; to "
        "add it as a version of that contract, upload it from the contract's own arrangement."))
    other = db.get(Arrangement, service.get_contract(db, contract_id).arrangement_id)
    if other is not None and may_read_files(db, g.user, other.vendor_id):
        notice.link = (_("Open the arrangement “%(title)s”", title=other.title),
                       url_for("contracts.arrangement", arrangement_id=other.id))
    return notice


@bp.post("/arrangements/<int:arrangement_id>/upload-set")
@allow(*UPLOADERS)
@too_large_advice(set_service.SEVERAL_UPLOADS)
def upload_set(arrangement_id: int):
    """Upload several documents of the contract set at once: each is checked, and all are
    stored or none (the page names each refused file and why)."""
    db = get_session()
    files = [f for f in request.files.getlist("files") if f and f.filename]
    try:
        versions = set_service.receive_set(db, arrangement_id, files, g.user)
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        return arrangement(arrangement_id, {"set": True}, exc.details, exc.status)
    db.commit()
    flash(_("%(n)s documents uploaded and checked as one set.", n=len(versions)), "success")
    return redirect(url_for("contracts.arrangement", arrangement_id=arrangement_id) + "#contract-set")


@bp.post("/documents/<int:contract_id>/kind")
@allow(*UPLOADERS)
def document_kind(contract_id: int):
    """Say which document of the set a contract is (master agreement, DPA, SLA...)."""
    db = get_session()
    kind = request.form.get("document_kind", "")
    try:
        contract = set_service.set_document_kind(db, contract_id=contract_id, kind=kind, user=g.user)
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        refused = service.get_contract(db, contract_id)
        return arrangement(refused.arrangement_id, {"kind_of": contract_id}, exc.details, exc.status)
    db.commit()
    flash(_("Document kind saved."), "success")
    return redirect(url_for("contracts.arrangement", arrangement_id=contract.arrangement_id) + "#contract-set")


@bp.get("/arrangements/<int:arrangement_id>/set-checklist.docx")
@allow(*ALL_ROLES)
def set_checklist(arrangement_id: int):
    """Download the Word checklist of the arrangement's contract set."""
    db = get_session()
    filename, data = set_service.checklist_document(db, arrangement_id, language(), g.user)
    return send_download(db, data, filename, DOCX, entity=None)  # the service recorded the export


@bp.get("/versions/<int:version_id>")
@allow(*ALL_ROLES)
def version(version_id: int, values: dict | None = None, errors=(), status: int = 200):
    """A version's check results with evidence, review forms and changes since the previous
    (after a refused review: its form as typed, with the errors)."""
    db = get_session()
    context = service.version_context(db, version_id)
    previous, changes = service.compare_with_previous(db, context["version"])
    return render_template("contracts/version.html", previous=previous, changes=changes, values=values or {},
                           errors=list(errors), lang=language(), **context), status


@bp.post("/checks/<int:check_id>/review")
@allow("compliance")
def review(check_id: int):
    """Confirm or override one clause result with a comment."""
    db = get_session()
    values = {"check_id": check_id, "status": request.form.get("status", ""), "comment": request.form.get("comment", "")}
    try:
        check = service.review_check(db, check_id=check_id, status=values["status"], comment=values["comment"],
                                     user=g.user)
    except ValidationFailed as exc:
        db.rollback()
        flash(exc.message, "error")
        refused = db.get(ClauseCheck, check_id)
        return version(refused.version_id, values, exc.details, exc.status)
    db.commit()
    flash(_("Review recorded."), "success")
    return redirect(url_for("contracts.version", version_id=check.version_id) + f"#clause-{check.clause_id}")


@bp.get("/versions/<int:version_id>/checklist.docx")
@allow(*ALL_ROLES)
def checklist(version_id: int):
    """Download the Word checklist of a version."""
    db = get_session()
    filename, data = service.checklist_document(db, version_id, language(), g.user)
    return send_download(db, data, filename, DOCX, entity=None)  # the service recorded the export


@bp.get("/versions/<int:version_id>/file")
@allow(*ALL_ROLES)
def original(version_id: int):
    """Download the uploaded contract file of a version."""
    db = get_session()
    version = service.get_version(db, version_id)
    require_file_access(db, g.user, service.vendor_of_version(db, version_id))
    return send_stored(db, db.get(StoredFile, version.file_id), version.filename, entity="contract_version",
                       entity_id=version.id)
