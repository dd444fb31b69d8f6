"""An empty installation's first page says where to start (walk of a first week: it said only
「対応待ちの作業はありません。」 and five zeros)."""
from tests import factories

JA = {"Accept-Language": "ja"}


def test_an_administrator_of_an_empty_installation_is_shown_the_first_steps(client, login):
    login("admin")
    page = client.get("/", headers=JA).get_data(as_text=True)
    card = page.split('data-test="getting-started"', 1)[1].split("</section>", 1)[0]
    for href in ('href="/admin/users"', 'href="/reviews/settings/"', 'href="/arrangements/import"', 'href="/vendors/new"'):
        assert href in card, href


def test_a_reader_is_told_who_records_and_nobody_once_records_exist(client, login, db):
    login("vendor_owner")
    page = client.get("/", headers=JA).get_data(as_text=True)
    card = page.split('data-test="getting-started"', 1)[1].split("</section>", 1)[0]
    assert "調達担当者とコンプライアンス担当者が登録します" in card and "<a " not in card
    vendor = factories.gen_vendor(db)
    factories.gen_arrangement(db, vendor=vendor)
    db.commit()
    assert 'data-test="getting-started"' not in client.get("/", headers=JA).get_data(as_text=True)
