"""An empty installation's first day: the empty lists say what to do next."""
from tests import factories


def test_an_empty_register_points_to_registering_or_importing(client, login, db):
    """Walk of a first week: an empty vendor list said only 「該当する外部委託先はありません。」
    and the arrangements list the same, with the Excel import two pages away."""
    login("procurement")
    for path, marker in (("/vendors/", "no-vendor-yet"), ("/arrangements/", "no-arrangement-yet")):
        page = client.get(path, headers={"Accept-Language": "ja"}).get_data(as_text=True)
        assert f'data-test="{marker}"' in page, path
        assert "既存の台帳をExcelから取り込む" in page and 'href="/arrangements/import"' in page
    vendors = client.get("/vendors/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "外部委託先はまだ登録されていません。" in vendors and 'href="/vendors/new"' in vendors


def test_a_filter_that_finds_nothing_still_says_no_match_and_readers_get_no_links(client, login, db):
    factories.gen_vendor(db, name="株式会社ある")
    db.commit()
    login("procurement")
    page = client.get("/vendors/?q=存在しない", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "該当する外部委託先はありません。" in page and "no-vendor-yet" not in page
    client.post("/logout")
    login("auditor")
    page = client.get("/arrangements/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'data-test="no-arrangement-yet"' in page and 'href="/arrangements/import"' not in page
