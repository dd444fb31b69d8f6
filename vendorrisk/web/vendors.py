"""Vendor pages."""
from flask import Blueprint, render_template, request
from sqlmodel import or_, select

from ..access import ALL_ROLES, allow
from ..db import get_session
from ..models.vendors import RISK_TIERS, VENDOR_STATUSES, Vendor
from ..pagination import paginate
from . import NavItem, lazy_gettext as _l

bp = Blueprint("vendors", __name__, url_prefix="/vendors")
NAV = [NavItem("vendors.index", _l("Vendors"), 10)]


@bp.get("/")
@allow(*ALL_ROLES)
def index():
    """The vendor register: search in Japanese or English, filter, paginate."""
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    tier = request.args.get("tier", "")
    query = select(Vendor).order_by(Vendor.name)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Vendor.name.ilike(like), Vendor.name_en.ilike(like),
                                Vendor.corporate_number == q))
    if status in VENDOR_STATUSES:
        query = query.where(Vendor.status == status)
    if tier in RISK_TIERS:
        query = query.where(Vendor.risk_tier == tier)
    page = paginate(get_session(), query, request.args.get("page", 1, type=int), 50)
    return render_template("vendors/index.html", page=page, q=q, status=status, tier=tier,
                           statuses=VENDOR_STATUSES, tiers=RISK_TIERS)
