"""Speed of work, in a real Chromium: procurement builds a three-tier chain of vendors that do
not exist yet in at most 8 clicks (counted here; typing is not clicking), and compliance
approves three links at once — mutual checks still hold: a link the approver recorded stays
out of the batch."""
from playwright.sync_api import expect
from sqlmodel import select

from tests import factories
from vendorrisk.vendors.models import OutsourcingLink, Vendor

MAX_CLICKS = 8


class Clicks:
    """Clicks through this, so that the test can count them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).click()


def test_three_tier_chain_of_new_vendors_in_eight_clicks_then_three_approved_at_once(page, live_server, sign_in, db):
    sign_in("procurement")
    click = Clicks(page)
    click("nav.mainnav a[href='/arrangements/']")
    click("[data-test=new-arrangement]")
    # the first field has the focus (given on "load": the context's timeout, not a shorter one,
    # for a machine at load 8 where the page takes seconds to arrive)
    page.wait_for_function("() => document.activeElement?.name === 'vendor'")
    page.fill("input[name=vendor]", "株式会社ハヤテ決済")
    page.fill("input[name=title]", "決済基盤の運用")
    click("[data-test=save-with-new-vendor]")
    expect(page.locator("h1")).to_have_text("決済基盤の運用")

    form = page.locator("[data-test=add-link]")
    form.locator("input[name=vendor]").fill("株式会社ツムジ運用")
    form.locator("input[name=service]").fill("システム運用")
    click("[data-test=add-with-new-vendor]")
    page.wait_for_selector(".flash.info")
    # the next link goes under the vendor just added, and the subcontractor field has the focus
    # (expect waits: until the selected option is read, the first one is the checked one)
    parent = page.locator("[data-test=add-link] select[name=parent_vendor_id] option:checked")
    expect(parent).to_have_text("株式会社ツムジ運用")
    page.wait_for_function("() => document.activeElement?.name === 'vendor'")
    page.keyboard.type("株式会社カザミデータセンター")
    click("[data-test=add-with-new-vendor]")
    page.wait_for_selector(".flash.info")

    # the flash heads the answer: the tree below it may not have been read yet (expect waits)
    tree = page.locator("[data-test=chain-tree]")
    expect(tree.locator("li.node[data-tier='2']").first).to_contain_text("株式会社ツムジ運用")
    deepest = tree.locator("li.node[data-tier='3']")
    expect(deepest).to_have_count(1)
    expect(deepest).to_contain_text("株式会社カザミデータセンター")
    assert click.count <= MAX_CLICKS, click.count

    # a third link, under tier 1, typed and sent with Enter (keyboard only: no click)
    form = page.locator("[data-test=add-link]")
    form.locator("select[name=parent_vendor_id]").select_option(label="株式会社ハヤテ決済")
    db.rollback()
    existing = db.exec(select(Vendor.name).where(Vendor.name == "株式会社カザミデータセンター")).one()
    form.locator("input[name=vendor]").fill(existing)
    form.locator("input[name=vendor]").press("Enter")
    page.wait_for_selector(".flash.info")
    expect(tree.locator("li.node[data-tier='2']")).to_have_count(2)
    assert click.count <= MAX_CLICKS, click.count
    db.rollback()
    chain_links = db.exec(select(OutsourcingLink)).all()
    assert len(chain_links) == 3 and {v.status for v in db.exec(select(Vendor))} == {"prospect"}

    # compliance approves the three at once; a link the approver recorded is not theirs to approve
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")
    db.rollback()  # end the read snapshot before writing
    approver = factories.gen_user(db, role="compliance")
    own = OutsourcingLink(arrangement_id=chain_links[0].arrangement_id, parent_vendor_id=chain_links[0].vendor_id,
                          vendor_id=factories.gen_vendor(db, name="株式会社自己登録").id,
                          recorded_by_id=approver.id, approval_status="pending")
    db.add(own)
    db.commit()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", approver.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/arrangements/approvals")
    assert page.locator(f"input[name=link_ids][value='{own.id}']").is_disabled()
    approvals = Clicks(page)
    approvals("[data-test=select-all]")
    assert page.locator("input[name=link_ids]:checked").count() == 3
    approvals("[data-test=approve-selected]")
    page.wait_for_selector(".flash.info")
    assert approvals.count == 2
    db.rollback()
    db.expire_all()
    statuses = {link.id: link.approval_status for link in db.exec(select(OutsourcingLink))}
    assert [statuses[link.id] for link in chain_links] == ["approved"] * 3 and statuses[own.id] == "pending"
    expect(page.locator("input[name=link_ids]")).to_have_count(1)  # only the approver's own link still waits
