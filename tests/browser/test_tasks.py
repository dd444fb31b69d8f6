"""「自分のタスク」 in a real browser: the owner finds their finding on the start page with its
due date and the count in the menu, plans its remediation and asks for the risk to be
accepted; compliance finds the approval waiting, approves it, and the task leaves."""
from datetime import timedelta

from playwright.sync_api import expect

from tests import factories
from vendorrisk.core import clock
from vendorrisk.core.business_days import business_day
from vendorrisk.vendors.findings import raise_finding


def test_owner_and_compliance_work_from_their_task_lists(page, live_server, sign_in, app, db):
    owner = sign_in("vendor_owner")
    vendor = factories.gen_vendor(db, name="株式会社タスク先")
    factories.gen_owner(db, vendor, owner)
    with app.test_request_context():
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="監査ログの保管期間不足",
                                   owner_id=owner.id, due_date=clock.today() + timedelta(days=20))
        due = business_day(clock.today() + timedelta(days=20)).isoformat()
        expires = (clock.today() + timedelta(days=90)).isoformat()
    db.commit()
    finding_id = finding.id
    db.rollback()

    page.goto(f"{live_server}/")
    count = page.locator("[data-test='nav-count-main.home']")
    expect(count).to_have_text("1")
    task = page.locator("[data-test=task][data-kind=remediate_finding]")
    expect(task.locator("[data-test=task-due]")).to_contain_text(due)
    task.locator("a").click()
    page.wait_for_url(f"{live_server}/findings/{finding_id}")
    page.fill("[data-test=remediation-form] textarea[name=action_plan]", "保管期間を1年に延長し設定を確認する")
    page.click("[data-test=remediation-form] button[type=submit]")
    page.fill("[data-test=acceptance-request] textarea[name=rationale]", "次期契約更新まで代替のログ転送で補う")
    page.fill("[data-test=acceptance-request] input[name=expires_on]", expires)
    page.click("[data-test=acceptance-request] button[type=submit]")
    expect(page.locator("[data-test=acceptance-row]")).to_contain_text("申請中")
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")

    sign_in("compliance")
    page.goto(f"{live_server}/")
    waiting = page.locator("[data-test=task][data-kind=decide_acceptance]")
    expect(waiting).to_contain_text("監査ログの保管期間不足")
    expect(page.locator("[data-test='nav-count-main.home']")).to_have_text("1")
    waiting.locator("a").click()
    page.click("[data-test=acceptance-decision] button[value=approve]")
    expect(page.locator("[data-test=finding-status]")).to_have_text("リスク受容中")
    page.goto(f"{live_server}/")
    expect(page.locator("[data-test=task][data-kind=decide_acceptance]")).to_have_count(0)
    expect(page.locator("[data-test='nav-count-main.home']")).to_have_count(0)  # done: nothing left
    expect(page.locator("[data-test=no-tasks]")).to_be_visible()
