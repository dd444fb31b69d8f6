"""The home page: where each area of the product starts."""
from flask import Blueprint, render_template

from ..access import ALL_ROLES, allow
from ..db import get_session
from ..services.portfolio import headline_counts

bp = Blueprint("main", __name__)


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """Key counts of the portfolio and links to each area."""
    return render_template("main/home.html", counts=headline_counts(get_session()))
