"""The monitoring journey in a real browser: the owner records a due review with a finding,
plans its remediation and resolves it; compliance verifies and closes it with evidence on
the findings board."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.monitoring.factories import gen_chain
from vendorrisk.core import clock
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.vendors.findings import Finding


def test_owner_records_review_compliance_closes_finding(page, live_server, sign_in, app, db):
    from vendorrisk.monitoring.plans import regenerate_plans
    owner = sign_in("vendor_owner")
    _arr, (vendor, final) = gen_chain(db, tiers=2, owner=owner, start=clock.today() - timedelta(days=350))
    db.commit()
    with app.app_context():
        regenerate_plans(db)
        db.commit()
    review_id = db.scalars(select(MonitoringReview.id).where(MonitoringReview.vendor_id == final.id)).one()
    final_id, final_name = final.id, final.name
    db.rollback()  # end the read snapshot before the server writes (and touch no expired object after)

    page.goto(f"{live_server}/reviews/?status=due&mine=1")
    row = page.locator(f"[data-review='{review_id}']")
    assert final_name in row.inner_text()  # the final contractor is due too
    row.locator("a").click()
    form = page.locator("[data-test=review-form]")
    form.locator("select[name=method]").select_option("remote")
    form.locator("select[name=outcome]").select_option("needs_improvement")
    for name in REVIEW_CHECKS:
        form.locator(f"select[name=check_{name}]").select_option("ok")
    form.locator("select[name=check_user_data_handling]").select_option("issue")
    form.locator("input[name=finding_title_0]").fill("利用者データのアクセスログ保管期間が契約と不一致")
    form.locator("select[name=finding_severity_0]").select_option("high")
    page.click("[data-test=complete-review]")
    # the click returns once the answer's page has started: expect waits for what it says
    expect(page.locator("[data-test=review-status]")).to_have_text("完了")
    page.locator("[data-test=review-findings] a").click()
    page.fill("[data-test=remediation-form] textarea[name=action_plan]", "アクセスログの保管期間を契約どおり1年にする")
    page.click("[data-test=remediation-form] button[type=submit]")
    page.locator("[data-test=move-form] select[name=status]").select_option("resolved")
    page.locator("[data-test=move-form] input[name=note]").fill("保管期間を1年に修正")
    page.click("[data-test=move-form] button[type=submit]")
    expect(page.locator(".flash.error")).to_be_visible()  # a high finding is resolved with evidence
    expect(page.locator("[data-test=move-form] input[name=note]")).to_have_value("保管期間を1年に修正")
    page.locator("[data-test=move-form] select[name=status]").select_option("resolved")
    page.fill("[data-test=move-form] textarea[name=evidence]", "保管期間を1年にした設定画面")
    page.click("[data-test=move-form] button[type=submit]")
    expect(page.locator("[data-test=finding-status]")).to_have_text("解決済み")
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")

    sign_in("compliance")
    page.goto(f"{live_server}/findings/")
    finding_id = db.scalars(select(Finding.id).where(Finding.vendor_id == final_id)).one()
    db.rollback()
    card = page.locator(f".column[data-status=resolved] [data-finding='{finding_id}']")
    assert "アクセスログ" in card.inner_text()
    card.click()
    page.locator("[data-test=move-form] select[name=status]").select_option("closed")
    page.fill("[data-test=move-form] textarea[name=evidence]", "修正後の設定画面と契約変更覚書を確認")
    page.click("[data-test=move-form] button[type=submit]")
    expect(page.locator("[data-test=finding-status]")).to_have_text("確認・完了")
    expect(page.locator("[data-test=closure-evidence]")).to_contain_text("契約変更覚書")
    expect(page.locator("[data-test=finding-history]")).to_contain_text("解決済み → 確認・完了")
    page.goto(f"{live_server}/findings/")
    assert page.locator(f".column[data-status=closed] [data-finding='{finding_id}']").count() == 1


def test_procurement_raises_a_finding_from_the_vendor_page(page, live_server, sign_in, db):
    from tests import factories
    me = sign_in("procurement")
    owner = factories.gen_user(db, role="vendor_owner")
    arrangement, (vendor,) = gen_chain(db, tiers=1, owner=owner)
    db.commit()
    vendor_id, title, me_id, owner_id = vendor.id, arrangement.title, me.id, owner.id
    db.rollback()  # no read snapshot open while the server writes

    page.goto(f"{live_server}/vendors/{vendor_id}")
    panel = page.locator("[data-test=monitoring-panel]")
    assert "未完了の指摘事項はありません。" in panel.inner_text()
    panel.locator("[data-test=vendor-raise-finding]").click()
    form = page.locator("[data-test=finding-form]")
    form.locator("select[name=arrangement_id]").select_option(label=title)
    form.locator("input[name=title]").fill("障害報告が契約上の期限（24時間）を超過")
    form.locator("select[name=severity]").select_option("critical")
    form.locator("input[name=due_date]").fill((clock.today() - timedelta(days=1)).isoformat())
    page.click("[data-test=finding-form] button[type=submit]")
    # The browser itself refuses a past due date (the server does too: test_monitoring_findings).
    assert page.locator("[data-test=finding-form] input[name=due_date]").evaluate("e => e.validity.rangeUnderflow")
    assert page.url.endswith(f"/findings/new?vendor_id={vendor_id}")
    page.locator("[data-test=finding-form] input[name=due_date]").fill((clock.today() + timedelta(days=10)).isoformat())
    page.click("[data-test=finding-form] button[type=submit]")
    expect(page.locator("[data-test=finding-status]")).to_have_text("未対応")
    expect(page.locator("[data-test=finding-arrangement]")).to_contain_text(title)
    expect(page.locator("[data-test=finding-history]")).to_contain_text("登録")
    page.goto(f"{live_server}/vendors/{vendor_id}")
    findings = page.locator("[data-test=vendor-findings]").inner_text()
    assert "障害報告が契約上の期限" in findings and "最重要" in findings
    finding = db.scalars(select(Finding).where(Finding.vendor_id == vendor_id)).one()
    assert (finding.raised_by_id, finding.owner_id, finding.severity) == (me_id, owner_id, "critical")
    db.rollback()
