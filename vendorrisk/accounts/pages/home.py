"""The start page: the signed-in person's work, gathered from what each area registered
(reviews due, findings to follow up, approvals waiting), above the portfolio's headline
figures, each a link to the list behind it."""
from flask import Blueprint, render_template

from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.core import registry
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session

bp = Blueprint("main", __name__, template_folder="../templates")


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """My work first (each area's panel), then the portfolio's figures."""
    session, user = get_session(), current_user()
    panels = [render(session, user) for _order, render
              in sorted(registry.current().home_panels.values(), key=lambda p: p[0])]
    return render_template("main/home.html", counts=headline_counts(session), panels=[p for p in panels if p])
