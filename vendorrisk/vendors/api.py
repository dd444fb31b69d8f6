"""JSON API for vendors, arrangements, sub-outsourcing links, chains, exposure, concentration,
gaps and the Excel register. The shapes it answers and accepts are in ``api_shapes.py``."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from vendorrisk.core import audit
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.api import Binary, flag_arg, json_body, operation
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.db_phases import reading
from vendorrisk.core.downloads import XLSX, send_download
from vendorrisk.core.errors import Forbidden, ValidationFailed
from vendorrisk.core.pagination import paginate
from vendorrisk.vendors import api_shapes as shapes
from vendorrisk.vendors import arrangements as arrangement_service
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors import exits, listing
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.arrangements import ArrangementCreate, ArrangementUpdate
from vendorrisk.vendors.chains import LinkCreate
from vendorrisk.vendors.exits import ExitRecord
from vendorrisk.vendors.models import Arrangement
from vendorrisk.vendors.register_check import check_register
from vendorrisk.vendors.register_export import register_workbook
from vendorrisk.vendors.register_reader import read_register
from vendorrisk.vendors.register_store import apply_register
from vendorrisk.vendors.service import VendorCreate

bp = Blueprint("api_chains", __name__, url_prefix="/api/v1")
WRITERS = ("compliance", "procurement", "vendor_owner")
STAFF = ("compliance", "procurement")


def _page_args():
    return request.args.get("page", 1, type=int), request.args.get("per_page", 50, type=int)


@bp.get("/vendors")
@allow(*ALL_ROLES)
@operation("listVendors", "Vendors, searched and filtered", ok=shapes.VendorPage, query=shapes.VendorQuery)
def list_vendors():
    """Vendors, searched and filtered like the register page."""
    args = request.args
    filters = {"q": args.get("q", "").strip(), "status": args.get("status", ""),
               "risk_tier": args.get("risk_tier", ""), "position": args.get("position", ""),
               "cloud": bool(flag_arg(args, "cloud")), "subsidiary": bool(flag_arg(args, "subsidiary")),
               "unowned": bool(flag_arg(args, "unowned")), "user_data": bool(flag_arg(args, "user_data"))}
    query = listing.vendor_query(**filters)
    total = listing.register_total(get_session(), **filters)
    return jsonify(shapes.VendorPage.dump(paginate(get_session(), query, *_page_args(), total=total,
                                                           total_order=True)))


@bp.post("/vendors")
@allow(*STAFF)
@operation("createVendor", "Register a vendor", ok=shapes.VendorPublic, status=201, body=VendorCreate,
           errors=(409,))
def create_vendor():
    """Register a vendor."""
    db = get_session()
    vendor = vendor_service.create_vendor(db, json_body())
    db.commit()
    return jsonify(shapes.VendorPublic.dump(vendor)), 201


@bp.get("/vendors/<int:vendor_id>")
@allow(*ALL_ROLES)
@operation("getVendor", "One vendor", ok=shapes.VendorPublic, errors=(404,))
def get_vendor(vendor_id: int):
    """One vendor."""
    return jsonify(shapes.VendorPublic.dump(vendor_service.get_vendor(get_session(), vendor_id)))


@bp.patch("/vendors/<int:vendor_id>")
@allow(*WRITERS)
@operation("updateVendor", "Change a vendor (and its lifecycle status)", ok=shapes.VendorPublic,
           body=shapes.VendorPatch, errors=(404, 409))
def update_vendor(vendor_id: int):
    """Change a vendor's fields, and its lifecycle ``status`` (staff only)."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    user = current_user()
    vendor_service.require_edit(db, user, vendor.id)
    body = json_body()
    status = body.pop("status", None)
    if body:
        vendor_service.update_vendor(db, vendor, body)
    if status is not None:
        if user.role not in vendor_service.EDITORS:
            raise Forbidden(_("Only compliance and procurement staff change a vendor's status."))
        vendor_service.change_status(db, vendor, status, user)
    db.commit()
    return jsonify(shapes.VendorPublic.dump(vendor))


@bp.get("/vendors/<int:vendor_id>/exposure")
@allow(*ALL_ROLES)
@operation("getVendorExposure", "Arrangements whose chains contain the vendor, with tiers", ok=shapes.Exposure,
           errors=(404,))
def vendor_exposure(vendor_id: int):
    """Every arrangement whose chain contains the vendor, with its tiers there."""
    db = get_session()
    vendor = vendor_service.get_vendor(db, vendor_id)
    return jsonify(shapes.Exposure.dump(vendor_id=vendor.id, arrangements=chains_queries.exposure(db, vendor.id)))


@bp.get("/arrangements")
@allow(*ALL_ROLES)
@operation("listArrangements", "Outsourcing arrangements", ok=shapes.ArrangementPage, query=shapes.ArrangementQuery)
def list_arrangements():
    """Arrangements, optionally of one tier-1 vendor."""
    from sqlmodel import select
    query = select(Arrangement).order_by(Arrangement.id)
    vendor_id = request.args.get("vendor_id", type=int)
    if vendor_id is not None:
        query = query.where(Arrangement.vendor_id == vendor_id)
    return jsonify(shapes.ArrangementPage.dump(paginate(get_session(), query, *_page_args())))


@bp.post("/arrangements")
@allow(*STAFF)
@operation("createArrangement", "Record an arrangement (its vendor is tier 1)", ok=shapes.ArrangementPublic,
           status=201, body=ArrangementCreate)
def create_arrangement():
    """Record an arrangement; its vendor is tier 1."""
    db = get_session()
    arrangement = arrangement_service.create_arrangement(db, json_body())
    db.commit()
    return jsonify(shapes.ArrangementPublic.dump(arrangement, data_locations=[])), 201


@bp.get("/arrangements/<int:arrangement_id>")
@allow(*ALL_ROLES)
@operation("getArrangement", "One arrangement", ok=shapes.ArrangementPublic, errors=(404,))
def get_arrangement(arrangement_id: int):
    """One arrangement with its data locations."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    locations = arrangement_service.locations_by_owner(db, [arrangement.id])
    return jsonify(shapes.ArrangementPublic.dump(
        arrangement, data_locations=locations.get(("arrangement", arrangement.id), [])))


@bp.patch("/arrangements/<int:arrangement_id>")
@allow(*WRITERS)
@operation("updateArrangement", "Change an arrangement", ok=shapes.ArrangementPublic, body=ArrangementUpdate,
           errors=(404,))
def update_arrangement(arrangement_id: int):
    """Change an arrangement's fields."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    arrangement_service.update_arrangement(db, arrangement, json_body())
    db.commit()
    return jsonify(shapes.ArrangementPublic.dump(arrangement))


@bp.post("/arrangements/<int:arrangement_id>/exit")
@allow(*WRITERS)
@operation("recordArrangementExit", "Terminate an arrangement recording its exit, or complete that record",
           ok=shapes.ArrangementPublic, body=ExitRecord, errors=(404,),
           description="An arrangement in force is terminated (`terminated_on` defaults to today; never after "
                       "today); for one terminated, the record (data disposition, its confirmation date, the "
                       "note) is replaced by the body. Art. 27(3): what became of the data at contract end.")
def record_arrangement_exit(arrangement_id: int):
    """Terminate an arrangement with its exit record, or save the record of one ended."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    exits.record_exit(db, arrangement, json_body())
    db.commit()
    return jsonify(shapes.ArrangementPublic.dump(arrangement))


@bp.get("/arrangements/<int:arrangement_id>/chain")
@allow(*ALL_ROLES)
@operation("getArrangementChain", "The chain: every node with tier, path and final contractors", ok=shapes.Chain,
           query=shapes.ChainQuery, errors=(404,))
def arrangement_chain(arrangement_id: int):
    """Every node of the chain with tier, path and whether it is a final contractor; with
    ``as_of``, the chain as it stood on that day (422 for a day not written YYYY-MM-DD)."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    day = chain_service.as_of_day(request.args.get("as_of", ""))
    nodes = chains_queries.chain_nodes(db, [arrangement.id], as_of=day)
    return jsonify(shapes.Chain.dump(
        arrangement_id=arrangement.id, as_of=day, tier1_vendor_id=arrangement.vendor_id,
        depth=max((n.tier for n in nodes), default=1),
        final_contractor_ids=sorted({n.vendor_id for n in nodes if n.is_final}),
        nodes=[shapes.ChainNode.dump(n, path=n.path_ids) for n in nodes]))


@bp.post("/arrangements/<int:arrangement_id>/links")
@allow(*WRITERS)
@operation("addLink", "Add a sub-outsourcing link", ok=shapes.LinkPublic, status=201, body=LinkCreate,
           errors=(404, 409), description="409 when the link would link a vendor to itself or close a cycle; "
                                          "422 when the parent is not in this arrangement's chain. Nothing "
                                          "changes on refusal.")
def add_link(arrangement_id: int):
    """Add a sub-outsourcing link (409 self-link or cycle, 422 parent outside the chain)."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    link = chain_service.add_link(db, arrangement, json_body())
    db.commit()
    return jsonify(shapes.LinkPublic.dump(link)), 201


@bp.post("/arrangements/<int:arrangement_id>/locations")
@allow(*WRITERS)
@operation("addDataLocation", "Record where user data is stored or processed", ok=shapes.DataLocationPublic,
           status=201, body=shapes.DataLocationCreate, errors=(404,))
def add_location(arrangement_id: int):
    """Record a data location of the arrangement, or of one of its links (``link_id``)."""
    db = get_session()
    arrangement = arrangement_service.get_arrangement(db, arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    body = json_body()
    link_id = body.pop("link_id", None)
    link = chain_service.get_link(db, int(link_id), arrangement.id) if link_id is not None else None
    location = arrangement_service.add_location(db, body, arrangement=None if link else arrangement, link=link)
    db.commit()
    return jsonify(shapes.DataLocationPublic.dump(location)), 201


@bp.get("/links/<int:link_id>")
@allow(*ALL_ROLES)
@operation("getLink", "One sub-outsourcing link", ok=shapes.LinkPublic, errors=(404,))
def get_link(link_id: int):
    """One sub-outsourcing link."""
    return jsonify(shapes.LinkPublic.dump(chain_service.get_link(get_session(), link_id)))


@bp.patch("/links/<int:link_id>")
@allow(*WRITERS)
@operation("updateLink", "Change a link or record its approval (compliance)", ok=shapes.LinkPublic,
           body=shapes.LinkPatch, errors=(404, 409))
def update_link(link_id: int):
    """Change a link's service or user-data flag; record its approval (compliance only)."""
    db = get_session()
    link = chain_service.get_link(db, link_id)
    user = current_user()
    arrangement = arrangement_service.get_arrangement(db, link.arrangement_id)
    vendor_service.require_edit(db, user, arrangement.vendor_id)
    body = json_body()
    decision = {k: body.pop(k) for k in ("approval_status", "approval_basis", "approved_on", "approval_note")
                if k in body}
    if body:
        chain_service.update_link(db, link, body)
    if decision:
        if user.role not in chain_service.APPROVERS:
            raise Forbidden(_("Only compliance staff approve sub-outsourcing."))
        chain_service.decide_link(db, link, decision, user)
    db.commit()
    return jsonify(shapes.LinkPublic.dump(link))


@bp.delete("/links/<int:link_id>")
@allow(*WRITERS)
@operation("deleteLink", "End a link (kept, ended today)", status=204, query=shapes.LinkEndQuery,
           errors=(404, 409),
           description="The sub-outsourcing ends on the member's day and stays in the chain's history "
                       "(`GET /arrangements/{id}/chain?as_of=`); 409 while its vendor has subcontractors of "
                       "its own there, or when it has already ended.")
def delete_link(link_id: int):
    """End a link, with an optional ``reason`` (409 while its vendor has subcontractors of its
    own there, or once it has ended)."""
    db = get_session()
    link = chain_service.get_link(db, link_id)
    arrangement = arrangement_service.get_arrangement(db, link.arrangement_id)
    vendor_service.require_edit(db, current_user(), arrangement.vendor_id)
    chain_service.end_link(db, link, request.args.get("reason", ""))
    db.commit()
    return "", 204


@bp.get("/concentration")
@allow(*ALL_ROLES)
@operation("getConcentration", "Vendors most depended on, at any tier", ok=shapes.Concentration,
           query=shapes.ConcentrationQuery)
def concentration():
    """Vendors most depended on by active arrangements at any tier, most first."""
    limit = max(1, min(request.args.get("limit", 50, type=int), 500))
    offset = max(0, request.args.get("offset", 0, type=int))
    return jsonify(shapes.Concentration.dump(
        vendors=chains_queries.concentration(get_session(), limit=limit, offset=offset), limit=limit, offset=offset))


@bp.get("/gaps")
@allow(*ALL_ROLES)
@operation("getGaps", "Arrangements with unapproved links or unrecorded user-data locations", ok=shapes.Gaps)
def gaps():
    """Arrangements whose chains hold unapproved links or user data in no recorded location."""
    return jsonify(shapes.Gaps.dump(arrangements=chains_queries.gaps(get_session())))


@bp.get("/register.xlsx")
@allow(*ALL_ROLES)
@operation("exportRegister", "The register as an Excel workbook", ok=Binary(XLSX, "The workbook"))
def export_register():
    """The register workbook (one row per chain node, plus importable sheets)."""
    db = get_session()
    data = register_workbook(db)
    return send_download(db, data, "outsourcing-register.xlsx", XLSX, action="export", entity="register",
                         after={"bytes": len(data)})


@bp.post("/register/import")
@allow(*STAFF)
@operation("importRegister", "Import vendors, arrangements and links from a workbook (all or nothing)",
           ok=shapes.ImportReport, query=shapes.ImportQuery, upload=Binary(XLSX, "The register workbook"))
def import_workbook():
    """Import a register workbook (the request body); ``?dry_run=true`` stores nothing."""
    db = get_session()
    dry_run = bool(flag_arg(request.args, "dry_run"))
    data = request.get_data()
    if not data:
        raise ValidationFailed(_("Send the .xlsx workbook as the request body."))
    # Read and check without SQLite's write lock (a dry run takes none); store briefly.
    sheets = read_register(data, request.args.get("filename", "register.xlsx"))
    with reading(db):
        report = check_register(db, sheets)
    if not dry_run:
        report = apply_register(db, sheets, current_user())
        audit.add_event(db, action="import", entity="register",
                        after={"vendors": report.vendors, "arrangements": report.arrangements, "links": report.links})
        db.commit()
    return jsonify(shapes.ImportReport.dump(report, dry_run=dry_run))
