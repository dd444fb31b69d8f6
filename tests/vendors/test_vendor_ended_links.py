"""The vendor page lists the sub-outsourcing links of the vendor that ended in the last 12
months, on the member's clock, both as contractor and as subcontractor (Art. 25(4), 11(6))."""
from datetime import timedelta

from tests import factories
from vendorrisk.core import clock
from vendorrisk.vendors import chain_queries


def _links(db):
    middle = factories.gen_vendor(db, name="中間委託株式会社")
    top, below, above = (factories.gen_vendor(db) for _ in range(3))
    today = clock.today()
    first = factories.gen_arrangement(db, top, title="勘定系")
    factories.gen_link(db, first, top, middle, service="運用")  # current: not listed
    as_contractor = factories.gen_link(db, first, middle, below, service="監視", ended_on=today - timedelta(days=3),
                                       end_reason="業務移管")
    second = factories.gen_arrangement(db, above, title="情報系")
    as_sub = factories.gen_link(db, second, above, middle, service="保守", ended_on=clock.add_months(today, -12)
                                + timedelta(days=1), end_reason="契約満了")
    old = factories.gen_link(db, second, middle, below, service="旧保守", ended_on=clock.add_months(today, -12))
    other = factories.gen_link(db, first, top, below, service="他社", ended_on=today - timedelta(days=1))
    db.commit()
    return middle, as_contractor, as_sub, old, other


def test_the_ended_links_of_a_vendor_in_the_last_12_months_both_directions(db):
    middle, as_contractor, as_sub, old, other = _links(db)
    rows = chain_queries.ended_links_of(db, middle.id, clock.today())
    assert [(r.id, bool(r.as_contractor)) for r in rows] == [(as_contractor.id, True), (as_sub.id, False)]
    assert old.id not in {r.id for r in rows} and other.id not in {r.id for r in rows}
    # five days earlier on the member's clock: the link ended since is not listed yet, the one
    # that ended 12 months before today still is
    assert [r.id for r in chain_queries.ended_links_of(db, middle.id, clock.today() - timedelta(days=5))] == [
        as_sub.id, old.id]


def test_the_vendor_page_shows_them_in_both_languages(db, client, login):
    middle, as_contractor, as_sub, _old, _other = _links(db)
    login("auditor")
    page = client.get(f"/vendors/{middle.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    section = page[page.index('id="ended-links"'):]
    section = section[:section.index("</section>")]
    assert "終了した再委託（過去12か月）" in section
    assert section.count('data-test="vendor-ended-link"') == 2
    assert "業務移管" in section and "契約満了" in section and "旧保守" not in section
    assert "再委託元" in section and "再委託先" in section
    english = client.get(f"/vendors/{middle.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ended links (last 12 months)" in english and f'href="/arrangements/{as_contractor.arrangement_id}#link-{as_contractor.id}"' in english
