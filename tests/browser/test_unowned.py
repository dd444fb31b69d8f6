"""The pages of what nobody owns, walked by compliance in a real browser, in Japanese and in
English, on a desktop and at phone width: the findings board filtered to the findings with no
owner (``/findings/?owner=none``), the vendor list filtered to the vendors with no active
assigned staff (``/vendors/?owner=none``, reached by ticking the filter), and the start page's
count of findings with no owner, whose link opens the filtered board."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import VIEWPORTS
from vendorrisk.vendors.findings import raise_finding

TEXTS = {
    "ja": {"board_filter": "担当者未設定（是正待ち 2 件）", "home": "担当者未設定の是正待ち指摘事項：2 件",
           "vendor_filter": "有効な配置要員なし", "no_owner": "担当者未設定"},
    "en": {"board_filter": "No owner (2 to remediate)", "home": "Findings to remediate with no owner: 2",
           "vendor_filter": "No active assigned staff", "no_owner": "No owner assigned"},
}


def _portfolio(app, db) -> dict:
    """Three vendors: nobody assigned, only a deactivated person assigned, an active person
    assigned; a finding to remediate on each (the first two have no owner) and a closed one
    nobody owns (listed on the board, not counted as to remediate)."""
    gone, staying = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    nobody = factories.gen_vendor(db, name="無担当物産", name_en="Nobody Trading")
    left = factories.gen_vendor(db, name="退職物産", name_en="Left Trading")
    owned = factories.gen_vendor(db, name="担当物産", name_en="Owned Trading")
    factories.gen_owner(db, left, gone)
    factories.gen_owner(db, owned, staying)
    gone.is_active = False
    db.flush()
    with app.app_context():
        rows = {ref: raise_finding(db, vendor_id=vendor.id, source="manual", source_ref=ref, title=title)[0]
                for ref, vendor, title in (("open", nobody, "鍵管理の記録がない"), ("left", left, "委託先監査の未実施"),
                                           ("owned", owned, "担当者のいる指摘"),
                                           ("closed", nobody, "完了した指摘"))}
    rows["left"].status, rows["closed"].status = "in_progress", "closed"
    db.commit()
    ids = {ref: finding.id for ref, finding in rows.items()}
    vendors = {"nobody": nobody.id, "left": left.id, "owned": owned.id}
    assert rows["open"].owner_id is None and rows["left"].owner_id is None and rows["owned"].owner_id == staying.id
    db.rollback()  # end the read snapshot before the server reads
    return {"findings": ids, "vendors": vendors}


def _no_sideways_scrolling(page):
    page.wait_for_load_state()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_compliance_walks_what_nobody_owns(page, live_server, sign_in, app, db, language, viewport):
    made = _portfolio(app, db)
    texts = TEXTS[language]
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in("compliance", language=language)

    # the start page counts the findings to remediate nobody owns; its link opens them
    link = page.locator("[data-test=home-unowned-findings] a")
    expect(link).to_have_text(texts["home"])
    link.click()
    page.wait_for_url(f"{live_server}/findings/?owner=none")
    board_filter = page.locator("[data-test=unowned-filter]")
    expect(board_filter).to_be_checked()
    expect(page.locator("label", has=board_filter)).to_have_text(texts["board_filter"])
    expect(page.locator("[data-test=unowned-note]")).to_be_visible()
    cards = page.locator("[data-test=board] [data-finding]")
    unowned = {made["findings"][ref] for ref in ("open", "left", "closed")}
    expect(cards).to_have_count(len(unowned))
    assert {int(card.get_attribute("data-finding")) for card in cards.all()} == unowned
    for ref, status in (("open", "open"), ("left", "in_progress"), ("closed", "closed")):
        card = page.locator(f"[data-status={status}] [data-finding='{made['findings'][ref]}']")
        expect(card).to_contain_text(texts["no_owner"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    _no_sideways_scrolling(page)

    # the whole board has the owned finding too, and the filter unticked
    page.goto(f"{live_server}/findings/")
    expect(page.locator("[data-test=unowned-filter]")).not_to_be_checked()
    expect(page.locator("[data-test=board] [data-finding]")).to_have_count(len(unowned) + 1)

    # the vendor list: every vendor, then ticking the filter leaves those nobody active is assigned to
    page.goto(f"{live_server}/vendors/")
    vendor_filter = page.locator("[data-test=unowned-filter]")
    expect(vendor_filter).not_to_be_checked()
    rows = page.locator("[data-test=vendor-list] tbody tr[data-vendor]")
    expect(rows).to_have_count(3)
    expect(page.locator("label", has=vendor_filter)).to_have_text(texts["vendor_filter"])
    vendor_filter.check()
    vendor_filter.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_url("**/vendors/?*owner=none*")
    expect(page.locator("[data-test=unowned-filter]")).to_be_checked()
    expect(page.locator("[data-test=unowned-note]")).to_be_visible()
    expect(rows).to_have_count(2)
    assert {int(row.get_attribute("data-vendor")) for row in rows.all()} == {made["vendors"]["nobody"],
                                                                           made["vendors"]["left"]}
    _no_sideways_scrolling(page)
