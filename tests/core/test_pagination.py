"""Pages past the middle read from the other end (``pagination.window``) hold the same rows,
in the same order, as the plain ``OFFSET`` query: the vendor register with and without
filters, and orders with nulls and descending keys, on both engines."""
import pytest
from sqlalchemy import nulls_first, select

from tests import factories
from vendorrisk.core.pagination import paginate, window
from vendorrisk.vendors import listing
from vendorrisk.vendors.models import Vendor

PER_PAGE = 4


@pytest.fixture
def register(db):
    """23 vendors: repeated names and フリガナ (the tie-breaker decides), some without a
    フリガナ, some without a risk tier."""
    tiers = ("high", None, "low", "medium", None)
    for n in range(23):
        factories.gen_vendor(db, name=f"同名{n % 3}", name_kana=("ドウメイ" if n % 4 else None),
                             risk_tier=tiers[n % 5], is_cloud=n % 2 == 0)
    db.commit()


def _plain(db, query, page: int, scalars: bool = True) -> list:
    sliced = query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    return list(db.scalars(sliced)) if scalars else list(db.execute(sliced))


def _pages(total: int) -> range:
    return range(1, -(-total // PER_PAGE) + 2)  # every page and one past the last


@pytest.mark.parametrize("filters", [{}, {"risk_tier": "high"}, {"cloud": True}, {"q": "同名1"}])
def test_register_pages_from_either_end_are_the_plain_pages(db, register, filters):
    query = listing.vendor_query(**filters)
    total = len(db.scalars(query).all())
    assert total > PER_PAGE  # 23 unfiltered: a partial last page
    for page in _pages(total):
        got = paginate(db, query, page, PER_PAGE, total_order=True)
        assert [v.id for v in got.items] == [v.id for v in _plain(db, query, page)], (filters, page)
        assert got.total == total


@pytest.mark.parametrize("keys", ["desc_nulls", "explicit_nulls"])
def test_orders_with_nulls_and_descending_keys_reverse_exactly(db, register, keys):
    order = ((Vendor.risk_tier.desc(), Vendor.name, Vendor.id.desc()) if keys == "desc_nulls" else
             (nulls_first(Vendor.risk_tier.asc()), Vendor.name_kana.desc().nulls_last(), Vendor.id))
    query = select(Vendor.id, Vendor.risk_tier).order_by(*order)
    total = len(db.execute(query).all())
    for page in _pages(total):
        got = paginate(db, query, page, PER_PAGE, scalars=False, total_order=True)
        assert [tuple(r) for r in got.items] == [tuple(r) for r in _plain(db, query, page, scalars=False)], page


def test_window_reads_the_nearer_end():
    query = select(Vendor.id).order_by(Vendor.name, Vendor.id)
    assert window(query, 0, 50, 1000)[1] is False
    assert window(query, 450, 50, 1000)[1] is False
    assert window(query, 550, 50, 1000)[1] is True
    sliced, backwards = window(query, 980, 50, 1000)  # a partial last page: 20 rows, none skipped
    assert backwards and sliced._limit_clause.value == 20 and sliced._offset_clause.value == 0
    assert window(query, 950, 50, 1000, total_order=False)[1] is False
