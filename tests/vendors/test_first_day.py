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


def test_a_recorded_link_is_announced_with_the_status_it_has(client, login, db):
    """Walk of a first week: a new link was announced 「承認待ちです」, the name of the status
    pending approval, while the chain showed it 「未承認」 (unapproved), the status it has."""
    vendor = factories.gen_vendor(db, name="株式会社ツクモ会計クラウド")
    factories.gen_vendor(db, name="ヒムロ・クラウド株式会社")
    arrangement = factories.gen_arrangement(db, vendor=vendor, title="会計SaaSの利用")
    db.commit()
    login("procurement")
    page = client.post(f"/arrangements/{arrangement.id}/links", headers={"Accept-Language": "ja"},
                       data={"parent_vendor_id": vendor.id, "vendor": "ヒムロ・クラウド株式会社", "service": "IaaS"},
                       follow_redirects=True).get_data(as_text=True)
    flash = page.split('class="flash', 1)[1].split("</div>", 1)[0]
    assert "「未承認」として記録しました" in flash and "承認待ち" not in flash
    assert "未承認" in page.split('data-test="chain-tree"', 1)[1]
