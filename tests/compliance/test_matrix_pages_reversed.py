"""The matrix's pages past the middle, read from the other end of the name order, hold the
same vendors in the same order as the plain ``OFFSET`` query, with and without filters."""
import pytest

from tests import factories
from tests.compliance.factories import gen_matrix_portfolio
from vendorrisk.compliance import maintain, store
from vendorrisk.compliance.matrix import MatrixFilters, select_obligations

PER_PAGE = 4


def _plain(db, query, page: int) -> list:
    return list(db.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))


def _pages(total: int) -> range:
    return range(1, -(-total // PER_PAGE) + 2)  # every page and one past the last


@pytest.fixture
def matrix(db, obligations):
    """The matrix portfolio and 18 more vendors (names repeating), rebuilt."""
    gen_matrix_portfolio(db)
    for n in range(18):
        factories.gen_vendor(db, name=f"ベンダー{n % 4}", is_cloud=n % 3 == 0, risk_tier="low" if n % 2 else None)
    maintain.rebuild(db)
    db.commit()


@pytest.mark.parametrize("filters", [
    MatrixFilters(), MatrixFilters(cloud=True), MatrixFilters(status="gap"), MatrixFilters(status="met"),
    MatrixFilters(article="90-2", status="gap"), MatrixFilters(risk_tier="low"), MatrixFilters(q="ベンダー"),
    MatrixFilters(important=False),
])
def test_matrix_pages_from_either_end_are_the_plain_pages(db, matrix, filters):
    query = store.vendors_query(filters, select_obligations(filters.article))
    plain_all = [r.id for r in db.execute(query).all()]
    total = len(plain_all)
    assert total
    seen = []
    for page in _pages(total):
        got = store.matrix_page(db, filters, page, PER_PAGE)
        ids = [row.vendor.id for row in got.rows]
        assert ids == [r.id for r in _plain(db, query, page)], (filters, page)
        assert got.total == total and got.has_next == (page * PER_PAGE < total)
        seen += ids
    assert seen == plain_all
