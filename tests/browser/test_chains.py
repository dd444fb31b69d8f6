"""Procurement registers a vendor, records an arrangement and a chain two tiers deep, sees the
tree; compliance approves the sub-outsourcing, then ends the deepest one, which stays greyed in
the links table and in the chain as of the day before — in a real Chromium."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from vendorrisk.core import clock
from vendorrisk.vendors.models import OutsourcingLink


def test_register_vendor_build_chain_and_approve(page, live_server, sign_in, db):
    factories.gen_vendor(db, name="さくらデータ株式会社", name_en="Sakura Data K.K.")
    factories.gen_vendor(db, name="印刷センター株式会社", name_en="Print Center K.K.")
    db.commit()
    sign_in("procurement")

    page.click("nav.mainnav a[href='/vendors/']")
    page.click("[data-test=new-vendor]")
    page.fill("input[name=name]", "株式会社フジシステムズ")
    page.fill("input[name=name_en]", "Fuji Systems Co., Ltd.")
    page.fill("input[name=corporate_number]", "1010001000006")
    page.check("input[name=is_system_subsidiary]")
    page.click("[data-test=vendor-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text(re.compile("^株式会社フジシステムズ"))

    page.click("a[href^='/arrangements/new?vendor_id=']")
    page.fill("input[name=title]", "勘定系システムの運用")
    page.check("input[name=is_important]")
    page.check("input[name=handles_user_data]")
    page.click("[data-test=arrangement-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text("勘定系システムの運用")

    form = page.locator("[data-test=add-link]")
    form.locator("select[name=parent_vendor_id]").select_option(label="株式会社フジシステムズ")
    form.locator("input[name=vendor]").fill("さくらデータ株式会社")
    form.locator("input[name=service]").fill("データセンター運用")
    form.locator("input[name=touches_user_data]").check()
    form.locator("button[type=submit].primary").click()
    page.wait_for_selector(".flash.info")
    page.wait_for_load_state()  # the whole answer: its form, not the one the flash heads
    form = page.locator("[data-test=add-link]")
    form.locator("select[name=parent_vendor_id]").select_option(label="さくらデータ株式会社")
    form.locator("input[name=vendor]").fill("印刷センター株式会社")
    form.locator("input[name=service]").fill("帳票印刷")
    form.locator("button[type=submit].primary").click()
    page.wait_for_selector(".flash.info")

    # the flash heads the answer: the tree below it may not have been read yet (expect waits)
    tree = page.locator("[data-test=chain-tree]")
    deepest = tree.locator("li.node[data-tier='3']")
    expect(deepest).to_have_count(1)
    expect(deepest).to_contain_text("印刷センター株式会社")
    expect(deepest).to_contain_text("最終受託者")
    expect(tree.locator("li.node[data-tier='2']").first).to_contain_text("さくらデータ株式会社")
    # the tier-2 branch folds away and opens again
    tree.locator("li.node[data-tier='2'] > details > summary").first.click()
    assert not deepest.is_visible()
    tree.locator("li.node[data-tier='2'] > details > summary").first.click()
    assert deepest.is_visible()
    assert page.locator("details.decide").count() == 0  # procurement records, compliance approves

    arrangement_url = page.url.split("#")[0]
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")
    sign_in("compliance")
    page.goto(arrangement_url)
    link_id = db.exec(select(OutsourcingLink.id).where(OutsourcingLink.service == "帳票印刷")).one()
    row = page.locator(f"tr[data-link='{link_id}']")
    row.locator("details.decide > summary").click()
    row.locator("select[name=approval_basis]").select_option("prior_consent")
    row.locator("input[name=approved_on]").fill("2026-03-01")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.info")
    badge = page.locator(f"tr[data-link='{link_id}'] [data-test=approval]")
    expect(badge).to_have_class(re.compile(r"(^|\s)approval-approved$"))
    expect(page.locator(f"tr[data-link='{link_id}']")).to_contain_text("2026-03-01")
    db.rollback()
    link = db.get(OutsourcingLink, link_id)
    assert (link.approval_status, link.approval_basis) == ("approved", "prior_consent")

    # the printing stops: ended, not deleted
    row = page.locator(f"tr[data-link='{link_id}']")
    row.locator(f"[data-test=remove-link-{link_id}]").click()
    page.fill("[data-test=remove-link-form] textarea[name=reason]", "帳票の電子化により終了")
    page.click("[data-test=remove-link-form] button[type=submit]")
    page.wait_for_selector(".flash.info")
    expect(page.locator("[data-test=chain-tree] li.node[data-tier='3']")).to_have_count(0)
    ended = page.locator(f"tr[data-link='{link_id}'][data-test=ended-link]")
    expect(ended).to_have_class(re.compile(r"(^|\s)ended(\s|$)"))
    expect(ended).to_contain_text(f"{clock.today().isoformat()}終了")
    expect(ended).to_contain_text("帳票の電子化により終了")
    assert ended.locator("a, form").count() == 0
    db.rollback()
    for recorded in db.exec(select(OutsourcingLink)).all():
        recorded.created_at -= timedelta(days=30)  # recorded a month ago: the day before today had the chain
        db.add(recorded)
    db.commit()
    page.fill("[data-test=chain-as-of] input[name=as_of]", (clock.today() - timedelta(days=1)).isoformat())
    page.click("[data-test=chain-as-of] button[type=submit]")
    expect(page.locator("[data-test=as-of-note]")).to_be_visible()
    expect(page.locator("[data-test=chain-tree] li.node[data-tier='3']")).to_contain_text("印刷センター株式会社")
    expect(page.locator("[data-test=add-link]")).to_have_count(0)
