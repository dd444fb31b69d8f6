"""「自分のタスク」: what the signed-in person has to do, gathered from the areas' task sources.

Each area registers ``source(session, user, today) -> Iterable[Task]`` in its ``init_app``
(``registry.of(app).task_sources["selection"] = tasks.tasks_for``). A source answers with a
few set queries whatever the number of records — never one query per item — and only for
the things still to do: an approved assessment, a completed review or a renewed
certificate is simply not yielded any more. Many alike records that are acted on in one
place (the links of one chain) make one task.

The start page lists the tasks by due date; the navigation shows their number on every
page. A source whose tasks grow with the portfolio (a check due for every vendor) also
registers a counter (``task_counts``, same name) answering that number with count queries,
so that a page other than the list does not build thousands of tasks to show one number.
"""
from datetime import date

from flask import Flask, current_app, g, has_request_context
from sqlmodel import Session

from vendorrisk.core import business_days, clock, registry
from vendorrisk.core.registry import Task

MEMO = "vendorrisk_tasks"


def approval_due(asked_on: date | None) -> date | None:
    """When an approval asked for on ``asked_on`` is due: ``APPROVAL_DUE_BUSINESS_DAYS``
    business days later."""
    if asked_on is None:
        return None
    return business_days.current().add_business_days(asked_on, current_app.config["APPROVAL_DUE_BUSINESS_DAYS"])


def gather(session: Session, user, today: date | None = None) -> list[Task]:
    """Every task of ``user`` from every area, soonest due first (undated last)."""
    today = today or clock.today()
    found: list[Task] = []
    sources = registry.current().task_sources
    for name in sorted(sources):
        found.extend(sources[name](session, user, today))
    return sorted(found, key=lambda t: (t.due is None, t.due or today, t.kind, t.subject, t.url))


def for_request(session: Session, user) -> list[Task]:
    """The user's tasks, gathered at most once per request (the page and the navigation)."""
    if not has_request_context():
        return gather(session, user)
    memo = g.get(MEMO)
    if memo is None or memo[0] != user.id:
        memo = (user.id, gather(session, user))
        setattr(g, MEMO, memo)
    return memo[1]


def init_app(app: Flask) -> None:
    """Forget the tasks gathered by the previous request (``g`` can outlive a request when
    an application context was pushed around several, as in tests and jobs)."""
    @app.before_request
    def _forget() -> None:
        g.pop(MEMO, None)


def count(session: Session, user, today: date | None = None) -> int:
    """How many tasks ``user`` has: the length of the list when this request gathered it,
    else each source's counter (a source without one is gathered and counted)."""
    memo = g.get(MEMO) if has_request_context() else None
    if memo is not None and memo[0] == user.id:
        return len(memo[1])
    today = today or clock.today()
    reg = registry.current()
    total = 0
    for name, source in reg.task_sources.items():
        counter = reg.task_counts.get(name)
        total += counter(session, user, today) if counter else sum(1 for _task in source(session, user, today))
    return total


def nav_count() -> int:
    """The number shown beside 「自分のタスク」 in the navigation."""
    from vendorrisk.core.db import get_session
    user = g.get("user")
    return count(get_session(), user) if user is not None else 0
