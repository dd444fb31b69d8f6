"""The start page, 「自分のタスク」: what the signed-in person has to do — approvals waiting
for them, reviews due, findings to follow up or verify, certificates and risk acceptances
expiring — gathered from every area's task source, soonest due first; then the areas'
panels (the portfolio's overdue work, for those who oversee it) and the headline figures,
each a link to the list behind it."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.core import clock, registry, tasks
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.registry import NavItem

bp = Blueprint("main", __name__, template_folder="../templates")
NAV = [NavItem("main.home", _l("My tasks"), 1, count=tasks.nav_count)]


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """My tasks first, then each area's panel, then the portfolio's figures."""
    session, user = get_session(), current_user()
    mine = tasks.for_request(session, user)
    panels = [render(session, user) for _order, render
              in sorted(registry.current().home_panels.values(), key=lambda p: p[0])]
    today = clock.today()
    return render_template("main/home.html", tasks=mine, today=today,
                           overdue=sum(1 for t in mine if t.due is not None and t.due < today),
                           counts=headline_counts(session), panels=[p for p in panels if p])
