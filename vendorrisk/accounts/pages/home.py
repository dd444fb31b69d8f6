"""The home page: where each area of the product starts."""
from flask import Blueprint, render_template

from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.db import get_session

bp = Blueprint("main", __name__, template_folder="../templates")


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """Key counts of the portfolio and links to each area."""
    return render_template("main/home.html", counts=headline_counts(get_session()))
