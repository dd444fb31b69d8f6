"""What a compliance team meets in its first hour on the vendor pages: the tier is computed,
not typed; manual overrides are compliance's, with a reason, shown beside the computed
tier; nothing risky is chosen in advance and removals ask once more."""
import re

from sqlmodel import select

from tests import factories
from vendorrisk.vendors.models import Vendor

JA = {"Accept-Language": "ja"}


def _tiers(page: str) -> tuple[str, str, str]:
    header = re.search(r'data-test="header-tier">([^<]+)<', page).group(1)
    effective = re.search(r'data-test="tier">([^<]+)<', page).group(1)
    computed = re.search(r'data-test="tier-computed">([^<]+)<', page).group(1)
    return header, effective, computed


def test_registration_form_does_not_set_the_tier_and_header_agrees_with_panel(client, login, db):
    login("procurement")
    form = client.get("/vendors/new", headers=JA).get_data(as_text=True)
    assert 'name="risk_tier"' not in form and "自動で算定されます" in form
    crafted = client.post("/vendors/new", data={"name": "株式会社区分テスト", "country": "JP", "risk_tier": "medium"})
    assert crafted.status_code == 422  # a tier sent anyway is refused, not taken
    response = client.post("/vendors/new", data={"name": "株式会社区分テスト", "country": "JP"})
    assert response.status_code == 302
    vendor = db.exec(select(Vendor).where(Vendor.name == "株式会社区分テスト")).one()
    assert vendor.risk_tier == "low"  # computed at once: in no chain, no factor
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert _tiers(page) == ("低", "低", "低")
    client.post("/arrangements/new", data={"vendor": str(vendor.id), "title": "勘定系の運用", "is_important": "on",
                                           "handles_user_data": "on", "substitutability": "hard"})
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert _tiers(page) == ("高", "高", "高")  # 3 + 2 + 2 points
    assert "なし（算定結果を適用）" in page


def test_manual_tier_is_compliances_override_with_a_reason_beside_the_computed_one(client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    login("procurement")
    assert client.post(f"/selection/vendors/{vendor.id}/tier-override",
                       data={"tier": "critical", "reason": "決済の中核"}).status_code == 403
    login("compliance")
    refused = client.post(f"/selection/vendors/{vendor.id}/tier-override", data={"tier": "critical", "reason": "要"},
                          headers=JA)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="要"' in page
    assert re.search(r'<option value="critical" selected>', page)
    assert "5文字" in page  # the reason's rule, next to the field
    client.post(f"/selection/vendors/{vendor.id}/tier-override", data={"tier": "critical", "reason": "決済の中核を担うため"})
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    assert _tiers(page) == ("最重要", "最重要", "低")
    manual = re.search(r'data-test="tier-manual">(.*?)</dd>', page, re.S).group(1)
    assert "最重要" in manual and "決済の中核を担うため" in manual
    # the override stays when the chain changes, until compliance removes it
    factories.gen_arrangement(db, db.get(Vendor, vendor.id))
    db.commit()
    client.post(f"/vendors/{vendor.id}/edit", data={"name": vendor.name, "country": "JP", "is_cloud": "on"})
    assert _tiers(client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True))[0] == "最重要"
    client.post(f"/selection/vendors/{vendor.id}/tier-override", data={"tier": "", "reason": "算定結果に戻す"})
    header, _effective, computed = _tiers(client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True))
    assert header == computed


def test_status_change_chooses_nothing_in_advance_and_removals_ask_again(client, login, db):
    vendor = factories.gen_vendor(db, status="prospect")
    factories.gen_owner(db, vendor, factories.gen_user(db, role="vendor_owner"))
    db.commit()
    login("compliance")
    client.post(f"/vendors/{vendor.id}/contacts", data={"name": "山田 太郎", "title": "営業部長"})
    page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    select_html = re.search(r'<select name="status".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected disabled>新しいステータスを選択</option>', select_html)
    assert select_html.count("selected") == 1
    assert "<th>役職</th>" in page and "件名" not in page
    for action in ("contacts", "owners"):
        form = re.search(rf'<details class="confirm"><summary class="danger">削除</summary>\s*'
                         rf'<form method="post" action="/vendors/{vendor.id}/{action}/\d+/delete">', page)
        assert form, action


def test_arrangement_form_shows_every_error_at_once_and_keeps_input(client, login, db):
    login("compliance")
    response = client.post("/arrangements/new", data={"vendor": "どこにもない会社", "title": "",
                                                      "service": "夜間バッチ", "notice_period_days": "99999"},
                           headers=JA)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="どこにもない会社"' in page and 'value="夜間バッチ"' in page
    errors = re.findall(r'<p class="field-error">(.*?)</p>', page)
    # the vendor, the title and the notice period: all three at once, each in Japanese
    assert len(errors) == 3, errors
    assert not any(re.search(r"[A-Za-z]{4,}", e) for e in errors), errors


def test_vendor_and_arrangement_pages_link_to_their_contract_checks_and_compliance_rows(client, login, db):
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor)
    db.commit()
    login("procurement")
    vendor_page = client.get(f"/vendors/{vendor.id}", headers=JA).get_data(as_text=True)
    jump = re.search(r'data-test="vendor-jump">(.*?)</nav>', vendor_page, re.S).group(1)
    assert f'href="/contracts/arrangements/{arrangement.id}"' in jump and f'href="/compliance/vendors/{vendor.id}"' in jump
    page = client.get(f"/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    jump = re.search(r'data-test="arrangement-jump">(.*?)</nav>', page, re.S).group(1)
    assert f'href="/contracts/arrangements/{arrangement.id}"' in jump and f'href="/compliance/vendors/{vendor.id}"' in jump
    for href in re.findall(r'href="(/[^"#]+)"', jump):
        assert client.get(href).status_code == 200, href


def test_the_chain_tree_says_what_the_number_beside_a_vendor_counts(client, login, db):
    # the tree showed a bare "(2)" beside a vendor with subcontractors; nothing said of what
    head, first, second, deeper = (factories.gen_vendor(db, name=n) for n in ("株式会社一次", "株式会社二次A", "株式会社二次B", "株式会社三次"))
    arrangement = factories.gen_arrangement(db, vendor=head)
    factories.gen_link(db, arrangement, head, first)
    factories.gen_link(db, arrangement, head, second)
    factories.gen_link(db, arrangement, first, deeper)
    db.commit()
    login("compliance")
    page = client.get(f"/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    counts = re.findall(r'data-test="subcontractor-count">([^<]+)<', page)
    assert counts == ["(直接の再委託先： 2)", "(直接の再委託先： 1)"]
