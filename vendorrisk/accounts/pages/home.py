"""The start page, 「自分のタスク」: what the signed-in person has to do — approvals waiting
for them, reviews due, findings to follow up or verify, certificates and risk acceptances
expiring — gathered from every area's task source, soonest due first; then the areas'
panels (the portfolio's overdue work, for those who oversee it) and the headline figures,
each a link to the list behind it."""

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from vendorrisk.accounts.portfolio import headline_counts
from vendorrisk.core import clock, registry, tasks
from vendorrisk.core.access import ALL_ROLES, allow
from vendorrisk.core.auth import current_user
from vendorrisk.core.db import get_session
from vendorrisk.core.registry import NavItem

bp = Blueprint("main", __name__, template_folder="../templates")
PER_PAGE = 50
NAV = [NavItem("main.home", _l("My tasks"), 1, count=tasks.nav_count)]


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    """My tasks first (a page of them, soonest due first; ``?source=`` one area's), then each
    area's panel, then the portfolio's figures."""
    session, user = get_session(), current_user()
    reg = registry.current()
    source = request.args.get("source")
    source = source if source in reg.task_sources else None
    mine = tasks.page(session, user, request.args.get("page", 1, type=int), PER_PAGE, source=source)
    by_source = [(name, reg.task_labels.get(name, name), n) for name, n in tasks.counts(session, user).items() if n]
    panels = [render(session, user) for _order, render
              in sorted(reg.home_panels.values(), key=lambda p: p[0])]
    today = clock.today()
    return render_template("main/home.html", page=mine, tasks=mine.items, today=today, source=source,
                           by_source=by_source, overdue=overdue(mine, today),
                           counts=headline_counts(session), panels=[p for p in panels if p])


def overdue(page, today) -> tuple[int, bool] | None:
    """How many tasks are overdue and whether that is exact (else: at least that many), or
    None when this page cannot tell. Overdue tasks come first: a page that ends with a task
    not past its date (or the last page) counts them all, one full of them counts a lower bound.
    A task past its date but not chased (``Task.chased``) is not overdue; a later page holding
    one cannot tell how many of the pages before it were."""
    past = [t for t in page.items if t.due is not None and t.due < today]
    late = sum(1 for t in past if t.chased)
    exact = len(past) < len(page.items) or page.page >= page.pages
    if page.page == 1:
        return late, exact
    if not late or late < len(past):
        return None
    return (page.page - 1) * page.per_page + late, exact
