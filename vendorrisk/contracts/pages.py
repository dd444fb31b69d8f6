"""Contract pages: contracts of an arrangement, upload of versions, clause check results
with evidence, review (confirm / override with a comment), diff and Word checklist."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from vendorrisk.contracts import service
from vendorrisk.contracts.models import Contract, ContractVersion
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import DOCX, send_download, send_stored
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.i18n import language
from vendorrisk.core.models import StoredFile
from vendorrisk.core.pagination import paginate
from vendorrisk.core.registry import NavItem
from vendorrisk.vendors.models import Arrangement, Vendor

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
NAV = [NavItem("contracts.index", _l("Contracts"), 30)]
UPLOADERS = ("compliance", "procurement", "vendor_owner")


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """Arrangements with their contracts and the latest check's counts."""
    db = get_session()
    query = select(Arrangement, Vendor).join(Vendor, Vendor.id == Arrangement.vendor_id) \
        .order_by(Vendor.name, Arrangement.title)
    page = paginate(db, query, request.args.get("page", 1, type=int), 50, scalars=False)
    ids = [row[0].id for row in page.items]
    versions = db.exec(select(ContractVersion, Contract).join(Contract, Contract.id == ContractVersion.contract_id)
                       .where(Contract.arrangement_id.in_(ids or [0]))
                       .order_by(ContractVersion.number.desc())).all()
    latest = {}
    for version, contract in versions:
        latest.setdefault(contract.arrangement_id, (version, contract))
    counts = service.status_counts(db, [v.id for v, _c in latest.values()])
    return render_template("contracts/index.html", page=page, latest=latest, counts=counts)


@bp.get("/arrangements/<int:arrangement_id>")
@allow(*ALL_ROLES)
def arrangement(arrangement_id: int):
    """The contracts of one arrangement, their versions and the upload form."""
    db = get_session()
    arr = service.get_arrangement(db, arrangement_id)
    contracts = service.contracts_of_arrangement(db, arr.id)
    counts = service.status_counts(db, [v.id for _c, vs in contracts for v in vs])
    return render_template("contracts/arrangement.html", arrangement=arr, vendor=db.get(Vendor, arr.vendor_id),
                           contracts=contracts, counts=counts,
                           clauses=service.applicable_clauses(arr), lang=language())


@bp.post("/arrangements/<int:arrangement_id>/upload")
@allow(*UPLOADERS)
def upload(arrangement_id: int):
    """Upload a contract version; it is checked at once."""
    db = get_session()
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed(_("Choose a contract file to upload."),
                               [{"field": "file", "message": _("Choose a contract file to upload.")}])
    contract_id = request.form.get("contract_id", type=int)
    with reading(db):  # the installation's reviewer examples, read without the write lock
        examples = service.reviewer_examples(db)
    prepared = service.prepare_version(file.read(), file.filename,  # outside the write transaction
                                       examples)
    version = service.upload_version(db, arrangement_id=arrangement_id, prepared=prepared,
                                     user=g.user, contract_id=contract_id,
                                     title=request.form.get("title", ""),
                                     document_kind=request.form.get("document_kind", ""))
    db.commit()
    flash(_("Version %(n)s uploaded and checked.", n=version.number), "success")
    return redirect(url_for("contracts.version", version_id=version.id))


@bp.get("/versions/<int:version_id>")
@allow(*ALL_ROLES)
def version(version_id: int):
    """A version's check results with evidence, review forms and changes since the previous."""
    db = get_session()
    context = service.version_context(db, version_id)
    previous, changes = service.compare_with_previous(db, context["version"])
    return render_template("contracts/version.html", previous=previous, changes=changes,
                           lang=language(), **context)


@bp.post("/checks/<int:check_id>/review")
@allow("compliance")
def review(check_id: int):
    """Confirm or override one clause result with a comment."""
    db = get_session()
    check = service.review_check(db, check_id=check_id, status=request.form.get("status", ""),
                                 comment=request.form.get("comment", ""), user=g.user)
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
    return send_stored(db, db.get(StoredFile, version.file_id), version.filename, entity="contract_version",
                       entity_id=version.id)
