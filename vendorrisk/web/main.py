"""The home page: where each area of the product starts."""
from flask import Blueprint, render_template
from sqlmodel import func, select

from ..access import ALL_ROLES, allow
from ..db import get_session
from ..models.findings import Finding
from ..models.vendors import Arrangement, OutsourcingLink, Vendor

bp = Blueprint("main", __name__)


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """Key counts of the portfolio and links to each area."""
    db = get_session()
    counts = {
        "vendors": db.exec(select(func.count()).select_from(Vendor)).one(),
        "arrangements": db.exec(select(func.count()).select_from(Arrangement)).one(),
        "links": db.exec(select(func.count()).select_from(OutsourcingLink)).one(),
        "unapproved": db.exec(select(func.count()).select_from(OutsourcingLink)
                              .where(OutsourcingLink.approval_status != "approved")).one(),
        "open_findings": db.exec(select(func.count()).select_from(Finding)
                                 .where(Finding.status != "closed")).one(),
    }
    return render_template("main/home.html", counts=counts)
