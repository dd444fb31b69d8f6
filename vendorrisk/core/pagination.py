"""Page through a query with one count and one slice.

A page past the middle is read from the other end when the caller says that its order is
total (it ends with a unique key): the ORDER BY reversed, every key and the tie-breaker too,
``OFFSET`` = total − the page's end, and the rows turned back in Python. The database then
skips at most half of the rows instead of all those before the page.
"""
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlmodel import Session

_FLIPPED = {operators.asc_op: operators.desc_op, operators.desc_op: operators.asc_op,
            operators.nulls_first_op: operators.nulls_last_op, operators.nulls_last_op: operators.nulls_first_op}


@dataclass
class Page:
    """A page of results and what is needed to draw the pager."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages


def reversed_key(clause):
    """One ORDER BY key in the opposite direction: ``x`` → ``x DESC``, ``x DESC`` → ``x ASC``,
    and an explicit ``NULLS FIRST`` ↔ ``NULLS LAST`` (the engines' defaults already reverse
    with the direction: PostgreSQL sorts nulls last ascending and first descending, SQLite
    first ascending and last descending)."""
    if isinstance(clause, UnaryExpression) and clause.modifier in _FLIPPED:
        inner = clause.element
        if clause.modifier in (operators.nulls_first_op, operators.nulls_last_op):
            inner = reversed_key(inner)
        return UnaryExpression(inner, modifier=_FLIPPED[clause.modifier], wraps_column_expression=False)
    return clause.desc()


def reverse_order(query):
    """``query`` with its whole ORDER BY reversed."""
    keys = list(query._order_by_clauses)
    if not keys:
        raise ValueError("a query without ORDER BY has no other end to read from")
    return query.order_by(None).order_by(*(reversed_key(k) for k in keys))


def window(query, offset: int, limit: int, total: int, total_order: bool = True):
    """The statement for rows ``offset`` … ``offset + limit`` of ``query`` among ``total``
    rows, and whether its rows come reversed. From the other end when fewer rows are skipped
    that way and ``total_order`` (the ORDER BY ends with a unique key, so that both ends see
    the same sequence)."""
    stop = min(offset + limit, total)
    if total_order and offset > 0 and total - stop < offset:
        return reverse_order(query).limit(stop - offset).offset(total - stop), True
    return query.limit(limit).offset(offset), False


def paginate(session: Session, query, page: int = 1, per_page: int = 50, scalars: bool = True,
             total: int | None = None, total_order: bool = False) -> Page:
    """Return one page of ``query`` and the total count of its rows (a page past the last
    is empty: it is not asked of the database, whose offsets stop at 2^63); ``total``: that
    count when the caller knows it (a maintained count), else counted here; ``total_order``:
    the query's ORDER BY ends with a unique key, so a page past the middle may be read from
    the other end (see ``window``)."""
    page = max(1, page)
    per_page = max(1, min(per_page, 500))
    if total is None:
        total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    if (page - 1) * per_page >= max(total, 1):
        return Page(items=[], page=page, per_page=per_page, total=total)
    sliced, backwards = window(query, (page - 1) * per_page, per_page, total, total_order)
    items = list(session.scalars(sliced)) if scalars else list(session.execute(sliced))
    if backwards:
        items.reverse()
    return Page(items=items, page=page, per_page=per_page, total=total)
