"""Page through a query with one count and one slice."""
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session


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


def paginate(session: Session, query, page: int = 1, per_page: int = 50, scalars: bool = True,
             total: int | None = None) -> Page:
    """Return one page of ``query`` and the total count of its rows (a page past the last
    is empty: it is not asked of the database, whose offsets stop at 2^63); ``total``: that
    count when the caller knows it (a maintained count), else counted here."""
    page = max(1, page)
    per_page = max(1, min(per_page, 500))
    if total is None:
        total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    if (page - 1) * per_page >= max(total, 1):
        return Page(items=[], page=page, per_page=per_page, total=total)
    sliced = query.limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(sliced)) if scalars else list(session.execute(sliced))
    return Page(items=items, page=page, per_page=per_page, total=total)
