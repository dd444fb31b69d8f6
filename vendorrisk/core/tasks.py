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

The start page shows the list a page at a time (``page``): each source with a ``task_pages``
reader answers its first tasks with ORDER BY … LIMIT (``first_of`` helps), and the sources'
first tasks are merged, so the page costs the same at 1,000 or 50,000 vendors. A source
without one is gathered whole: those are bounded by the work waiting, not the portfolio.
"""
import heapq
from datetime import date, timedelta
from itertools import islice
from typing import Callable

from flask import Flask, current_app, g, has_request_context
from sqlmodel import Session

from vendorrisk.core import business_days, clock, registry
from vendorrisk.core.pagination import Page
from vendorrisk.core.registry import Task

MEMO = "vendorrisk_tasks"


def approval_due(asked_on: date | None) -> date | None:
    """When an approval asked for on ``asked_on`` is due: ``APPROVAL_DUE_BUSINESS_DAYS``
    business days later."""
    if asked_on is None:
        return None
    return business_days.current().add_business_days(asked_on, current_app.config["APPROVAL_DUE_BUSINESS_DAYS"])


def order(task: Task) -> tuple:
    """The list's order: soonest due first, undated last, then kind, subject and link."""
    return (task.due is None, task.due or date.min, task.kind, task.subject, task.url)


def gather(session: Session, user, today: date | None = None) -> list[Task]:
    """Every task of ``user`` from every area, soonest due first (undated last)."""
    today = today or clock.today()
    found: list[Task] = []
    sources = registry.current().task_sources
    for name in sorted(sources):
        found.extend(sources[name](session, user, today))
    return sorted(found, key=order)


def first_of(fetch: Callable[[int], list[Task]], limit: int, depth: int = 2) -> list[Task]:
    """For a source's ``task_pages`` reader: every task among the first ``limit``, from
    ``fetch(n)``, the first ``n`` tasks of one query in an ORDER BY that never goes back on
    the first ``depth`` parts of ``order`` (2: the due date; 4: due date, kind, subject).
    Ties on those parts are read on (``n`` doubled) until a task sorts strictly after the
    ``limit``-th, so a tie at the page's end never drops a task that sorts before it."""
    n = limit + 1  # one more: a task past the limit-th shows that no tie is cut
    while True:
        found = fetch(n)
        if len(found) < n or not limit:
            return found
        kth = sorted(order(t)[:depth] for t in found)[limit - 1]
        if order(found[-1])[:depth] > kth:
            return found
        n *= 2


def first_approvals(fetch: Callable[[int, tuple[date, date] | None], list[tuple[date, Task]]],
                    limit: int) -> list[Task]:
    """``first_of`` for a source whose tasks fall due ``approval_due`` of the day something
    was recorded: ``fetch(n, None)`` answers the first ``n`` (day, task) by day, and
    ``fetch(n, (first, last))`` those recorded between two days by subject. The tasks due
    before the ``limit``-th's due date are among the first ``limit`` by day; those due on it
    are read by subject from the days falling due then — few queries even when a whole
    register imported in one day shares the date."""
    if limit <= 0:
        return []
    rows = fetch(limit + 1, None)
    if len(rows) <= limit or rows[limit][1].due != rows[limit - 1][1].due:
        return [task for _day, task in rows]
    day, due = rows[limit - 1][0], rows[limit - 1][1].due
    before = [task for _day, task in rows if task.due != due]
    first_day, last_day, step = day, day, timedelta(days=1)
    while approval_due(first_day - step) == due:
        first_day -= step
    while approval_due(last_day + step) == due:
        last_day += step
    return before + first_of(lambda n: [task for _day, task in fetch(n, (first_day, last_day))],
                             limit - len(before), depth=4)


def first(session: Session, user, limit: int, today: date | None = None,
          source: str | None = None) -> list[Task]:
    """The first ``limit`` tasks of ``gather`` (of one source when ``source`` is given),
    merged from each source's first ``limit``."""
    today = today or clock.today()
    reg = registry.current()
    gathered = _memo(user)[1] if _memo(user) else {}
    heads = []
    for name in sorted(reg.task_sources):
        if source is not None and name != source:
            continue
        reader = reg.task_pages.get(name)
        found = (reader(session, user, today, limit) if reader
                 else gathered[name] if name in gathered else reg.task_sources[name](session, user, today))
        heads.append(sorted(found, key=order)[:limit])
    return list(islice(heapq.merge(*heads, key=order), limit))


def _memo(user):
    memo = g.get(MEMO) if has_request_context() else None
    return memo[1:] if memo is not None and memo[0] == user.id else None


def counts(session: Session, user, today: date | None = None) -> dict[str, int]:
    """How many tasks each source has for ``user`` (its counter, else its list's length),
    worked out once per request (the page and the navigation); the lists gathered to count
    are kept for ``first``."""
    if _memo(user):
        return _memo(user)[0]
    today = today or clock.today()
    reg = registry.current()
    found, gathered = {}, {}
    for name, source in sorted(reg.task_sources.items()):
        counter = reg.task_counts.get(name)
        if counter:
            found[name] = counter(session, user, today)
        else:
            gathered[name] = list(source(session, user, today))
            found[name] = len(gathered[name])
    if has_request_context():
        setattr(g, MEMO, (user.id, found, gathered))
    return found


def count(session: Session, user, today: date | None = None) -> int:
    """How many tasks ``user`` has: the sum of ``counts``."""
    return sum(counts(session, user, today).values())


def page(session: Session, user, number: int = 1, per_page: int = 50, today: date | None = None,
         source: str | None = None) -> Page:
    """Page ``number`` of the user's tasks (of one source when ``source`` is given): the
    first ``number × per_page`` merged and the page's slice kept, the total from ``counts``."""
    number, per_page = max(1, number), max(1, min(per_page, 500))
    known = counts(session, user, today)
    total = known.get(source, 0) if source is not None else sum(known.values())
    if (number - 1) * per_page >= max(total, 1):
        return Page(items=[], page=number, per_page=per_page, total=total)
    head = first(session, user, number * per_page, today, source)
    return Page(items=head[(number - 1) * per_page:], page=number, per_page=per_page, total=total)


def init_app(app: Flask) -> None:
    """Forget the counts of the previous request (``g`` can outlive a request when an
    application context was pushed around several, as in tests and jobs)."""
    @app.before_request
    def _forget() -> None:
        g.pop(MEMO, None)


def nav_count() -> int:
    """The number shown beside 「自分のタスク」 in the navigation."""
    from vendorrisk.core.db import get_session
    user = g.get("user")
    return count(get_session(), user) if user is not None else 0
