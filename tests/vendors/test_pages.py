"""Vendor and arrangement pages: forms, refusals shown on the page, access by role."""
from sqlmodel import select

from tests import factories
from tests.vendors.factories import deep_chain
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, VendorContact


def test_register_vendor_then_arrangement_then_links(client, login, db):
    login("procurement")
    response = client.post("/vendors/new", data={"name": "株式会社ページ", "corporate_number": "1010001000006",
                                                 "country": "JP", "is_cloud": "on"})
    assert response.status_code == 302
    vendor = db.exec(select(Vendor).where(Vendor.name == "株式会社ページ")).one()
    assert vendor.is_cloud and vendor.name_normalized == "ページ"
    bad = client.post("/vendors/new", data={"name": "番号違い", "corporate_number": "2010001000006", "country": "JP"})
    assert bad.status_code == 422 and "check digit" in bad.get_data(as_text=True)  # refused, form shown again
    dup = client.post("/vendors/new", data={"name": "(株)ページ", "country": "JP"})
    assert 'data-test="duplicate-warning"' in dup.get_data(as_text=True)
    sub = factories.gen_vendor(db, name="再委託先株式会社")
    db.commit()
    created = client.post("/arrangements/new", data={"vendor": "1010001000006", "title": "決済基盤",
                                                     "handles_user_data": "on"})
    assert created.status_code == 302
    arrangement = db.exec(select(Arrangement).where(Arrangement.vendor_id == vendor.id)).one()
    added = client.post(f"/arrangements/{arrangement.id}/links", data={"parent_vendor_id": vendor.id,
                                                                       "vendor": "再委託先株式会社", "service": "保守"})
    assert added.status_code == 302
    cycle = client.post(f"/arrangements/{arrangement.id}/links", data={"parent_vendor_id": sub.id,
                                                                       "vendor": "株式会社ページ"}, follow_redirects=True)
    assert "cycle" in cycle.get_data(as_text=True)
    page = client.get(f"/arrangements/{arrangement.id}").get_data(as_text=True)
    assert 'data-test="chain-tree"' in page and "再委託先株式会社" in page and "T2" in page
    db.rollback()
    assert len(db.exec(select(OutsourcingLink)).all()) == 1


def test_vendor_page_shows_tier_one_and_exposure(client, login, db):
    arrangement, vendors = deep_chain(db, tiers=3, title="深い委託")
    db.commit()
    login("auditor")
    top = client.get(f"/vendors/{vendors[0].id}").get_data(as_text=True)
    assert "深い委託" in top.split('id="arrangements"')[1].split('id="exposure"')[0]
    bottom = client.get(f"/vendors/{vendors[2].id}").get_data(as_text=True)
    exposure = bottom.split('data-test="exposure"')[1]
    assert "深い委託" in exposure and "<td>3</td>" in exposure
    assert client.get("/concentration/").status_code == 200
    assert "深い委託" in client.get("/arrangements/gaps").get_data(as_text=True)
    assert client.post("/vendors/new", data={"name": "x"}).status_code == 403


def test_vendor_owner_changes_only_own_vendors(client, login, db):
    mine, theirs = factories.gen_vendor(db), factories.gen_vendor(db)
    user = login("vendor_owner")
    factories.gen_owner(db, mine, user)
    db.commit()
    assert client.post(f"/vendors/{mine.id}/contacts", data={"name": "担当者"}).status_code == 302
    assert client.post(f"/vendors/{theirs.id}/contacts", data={"name": "担当者"}).status_code == 403
    assert client.post(f"/vendors/{theirs.id}/edit", data={"name": "乗っ取り"}).status_code == 403
    db.rollback()
    assert [c.vendor_id for c in db.exec(select(VendorContact)).all()] == [mine.id]


def test_vendor_list_search_and_filters(client, login, db):
    factories.gen_vendor(db, name="株式会社クラウド基盤", name_en="Cloud Base K.K.", is_cloud=True)
    factories.gen_vendor(db, name="印刷株式会社", name_en="Printing Co., Ltd.")
    db.commit()
    login("compliance")

    def names(query):
        page = client.get(f"/vendors/?{query}").get_data(as_text=True)
        return page.split('data-test="vendor-list"')[1]
    assert "クラウド基盤" in names("q=(株)クラウド") and "印刷" not in names("q=(株)クラウド")
    assert "クラウド基盤" in names("q=cloud+base") and "印刷" in names("q=PRINTING")
    assert "印刷" not in names("cloud=1")
    assert "クラウド基盤" in names("position=none")


def test_vendor_list_filters_the_vendors_that_reach_users_data(client, login, db, api):
    """The inspector's question, "every vendor down to the last subcontractor that touches user
    data": the tier-1 vendor of an arrangement in force that handles it and a subcontractor whose
    current link touches it; not one whose link ended, nor one of a terminated arrangement."""
    from datetime import date
    tier1 = factories.gen_vendor(db, name="決済基盤株式会社")
    held = factories.gen_arrangement(db, tier1, handles_user_data=True)
    touching = factories.gen_vendor(db, name="データセンター株式会社")
    factories.gen_link(db, held, tier1, touching, touches_user_data=True)
    printer = factories.gen_vendor(db, name="印刷株式会社")
    factories.gen_link(db, held, tier1, printer, touches_user_data=False)
    gone = factories.gen_vendor(db, name="旧保守株式会社")
    factories.gen_link(db, held, tier1, gone, touches_user_data=True, ended_on=date(2026, 1, 31))
    ended = factories.gen_vendor(db, name="解約済株式会社")
    ended_arrangement = factories.gen_arrangement(db, ended, handles_user_data=True, status="terminated")
    factories.gen_link(db, ended_arrangement, ended, factories.gen_vendor(db, name="旧委託先株式会社"),
                       touches_user_data=True)
    factories.gen_vendor(db, name="未使用株式会社")
    db.commit()
    login("auditor")
    page = client.get("/vendors/?user_data=1").get_data(as_text=True)
    listed = page.split('data-test="vendor-list"')[1]
    assert "決済基盤" in listed and "データセンター" in listed
    for name in ("印刷", "旧保守", "解約済", "旧委託先", "未使用"):
        assert name not in listed, name
    assert 'data-test="user-data-filter" checked' in page
    answer = api("auditor").get("/api/v1/vendors?user_data=true").get_json()
    assert sorted(v["name"] for v in answer["items"]) == ["データセンター株式会社", "決済基盤株式会社"]
    assert answer["total"] == 2


def test_vendor_list_is_paginated(client, login, db):
    for n in range(51):
        factories.gen_vendor(db, name=f"頁送り株式会社{n:02d}")
    db.commit()
    login("auditor")
    first = client.get("/vendors/?q=頁送り").get_data(as_text=True)
    assert 'rel="next"' in first and "頁送り株式会社49" in first and "頁送り株式会社50" not in first
    second = client.get("/vendors/?q=頁送り&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and "頁送り株式会社50" in second


def test_new_arrangement_from_a_vendor_starts_with_its_name(client, login, db):
    """「この外部委託先との委託業務を登録」 opens the form with the vendor's name in the vendor
    field (it showed the vendor's internal number), and saving it records the arrangement."""
    vendor = factories.gen_vendor(db, name="株式会社起点")
    twin_a = factories.gen_vendor(db, name="株式会社同名", corporate_number="1010001000006")
    factories.gen_vendor(db, name="株式会社同名")
    db.commit()
    login("procurement")
    page = client.get(f"/arrangements/new?vendor_id={vendor.id}").get_data(as_text=True)
    assert 'name="vendor" required autofocus value="株式会社起点"' in page
    twin = client.get(f"/arrangements/new?vendor_id={twin_a.id}").get_data(as_text=True)
    assert 'value="1010001000006"' in twin  # a name two vendors share would match neither
    saved = client.post("/arrangements/new", data={"vendor": "株式会社起点", "title": "帳票発送"})
    assert saved.status_code == 302
    assert db.exec(select(Arrangement).where(Arrangement.vendor_id == vendor.id)).one().title == "帳票発送"


def test_a_data_location_purpose_reads_in_words_in_either_language(client, login, db):
    """An English reader saw the purpose "both" (the stored code); a Japanese one 保存・処理."""
    from vendorrisk.vendors.models import DataLocation
    arrangement = factories.gen_arrangement(db, handles_user_data=True)
    db.add(DataLocation(arrangement_id=arrangement.id, country="JP", region="東京", purpose="both"))
    db.commit()
    login("auditor")
    english = client.get(f"/arrangements/{arrangement.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<td>storage and processing</td>" in english and "<td>both</td>" not in english
    assert 'title="storage and processing"' in english
    japanese = client.get(f"/arrangements/{arrangement.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "<td>保存・処理</td>" in japanese


def test_the_vendor_page_says_which_of_its_arrangements_ended(client, login, db):
    """An arrangement terminated (the exit) stays listed on its tier-1 vendor's page, marked as
    ended, after the ones in force: not shown as if the vendor still served it."""
    import re

    from tests import factories
    vendor = factories.gen_vendor(db, name="株式会社ツバメ配信")
    factories.gen_arrangement(db, vendor, title="お知らせ配信（旧契約）", status="terminated")
    factories.gen_arrangement(db, vendor, title="取引通知メール配信")
    db.commit()
    login("auditor")
    page = client.get(f"/vendors/{vendor.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    listed = re.search(r'<ul data-test="direct-arrangements">(.*?)</ul>', page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert "取引通知メール配信" in items[0] and "契約終了" not in items[0]
    assert "お知らせ配信（旧契約）" in items[1] and "契約終了" in items[1]


def test_an_arrangement_in_force_past_its_end_date_says_so(client, login, db):
    """An arrangement still recorded in force after its end date (renewed without the new date,
    or ended without the exit recorded) is marked on the list and on its page, with what to do:
    the matrix still treats its contract as in force."""
    import re
    from datetime import timedelta

    from vendorrisk.core import clock
    vendor = factories.gen_vendor(db, name="株式会社ミトメル本人確認")
    lapsed = factories.gen_arrangement(db, vendor, title="オンライン本人確認", end_date=clock.today() - timedelta(days=9))
    factories.gen_arrangement(db, vendor, title="ずっと有効な委託", end_date=clock.today() + timedelta(days=9))
    factories.gen_arrangement(db, vendor, title="終了済みの委託", end_date=clock.today() - timedelta(days=90),
                              status="terminated")
    db.commit()
    login("procurement")
    listing = client.get("/arrangements/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    rows = {re.search(r">([^<]+)</a>", r).group(1): r for r in re.findall(r"<tr><td>(.*?)</tr>", listing, re.S)}
    assert 'data-test="past-end-date"' in rows["オンライン本人確認"]
    assert 'data-test="past-end-date"' not in rows["ずっと有効な委託"]
    assert 'data-test="past-end-date"' not in rows["終了済みの委託"]
    page = client.get(f"/arrangements/{lapsed.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    note = re.search(r'<p[^>]*data-test="past-end-date-note"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "終了日" in note and f'href="/arrangements/{lapsed.id}/edit"' in note
