"""The selection journey in a real browser: procurement prepares and submits, compliance approves."""
from playwright.sync_api import expect

from tests import factories


def test_prepare_submit_and_approve_with_four_eyes(page, live_server, sign_in, db):
    vendor = factories.gen_vendor(db, name="株式会社ブラウザ選定", name_en="Browser Selection K.K.")
    factories.gen_check(db, vendor)  # approval needs a current clear 反社会的勢力チェック
    db.commit()
    sign_in("procurement")
    page.click("nav.mainnav a[href='/selection/']")
    page.click("[data-test=new-assessment]")
    page.select_option("select[name=vendor_id]", str(vendor.id))
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-test=criteria]")
    criteria = page.locator("tr[data-criterion]").evaluate_all("rows => rows.map(r => r.dataset.criterion)")
    assert "GEN-FIN" in criteria and "C27-1" not in criteria
    # an incomplete draft cannot be submitted: the refusal names the missing criteria
    page.click("[data-test=submit]")
    expect(page.locator("[data-test=refusal]")).to_be_visible()
    expect(page.locator("tr[data-criterion='GEN-FIN'] .field-error")).to_contain_text("GEN-FIN")
    page.go_back()
    for criterion in criteria:
        page.check(f"input[name='score-{criterion}'][value='3']")
    page.fill("textarea[name='comment-GEN-FIN']", "直近3期の決算書を確認")
    page.click("[data-test=save]")
    page.wait_for_selector(".flash.success")
    # the flash heads the answer: what follows it may not have been read yet (expect waits)
    expect(page.locator("[data-test=total]")).to_have_text("100.0%")
    page.click("[data-test=submit]")
    page.wait_for_selector(".flash.success")
    expect(page.locator("[data-test=assessment-status]")).to_have_text("承認待ち")
    # the preparer is told another user must approve, and offered no decision (where it would be)
    expect(page.locator("[data-test=awaiting]")).to_be_visible()
    assert page.locator("[data-test=decide]").count() == 0
    assessment_url = page.url
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")

    sign_in("compliance")
    page.goto(assessment_url)
    page.fill("[data-test=decide] textarea[name=note]", "相互牽制により確認")
    page.click("[data-test=approve]")
    page.wait_for_selector(".flash.success")
    expect(page.locator("[data-test=assessment-status]")).to_have_text("承認済み")
    expect(page.locator("[data-test=decision]")).to_have_text("承認")
    page.click(f"a[href='/selection/vendors/{vendor.id}']")
    expect(page.locator("[data-test=vendor-status]")).to_have_text("承認済み")
    page.wait_for_load_state()  # the whole list, before counting its rows
    assert page.locator("[data-test=assessment-history] tbody tr").count() == 1


def test_a_late_decision_shows_who_decided_first_and_keeps_the_note(page, live_server, sign_in, db):
    from tests.selection.factories import gen_assessment
    from vendorrisk.selection import service as selection

    preparer, first = factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社同時判断")
    factories.gen_check(db, vendor)
    assessment = gen_assessment(db, vendor, preparer, "submitted")
    db.commit()
    sign_in("compliance")
    page.goto(f"{live_server}/selection/{assessment.id}")
    page.fill("[data-test=decide] textarea[name=note]", "財務資料が古いため否認する")
    selection.approve(db, db.merge(assessment), user=first)  # another approver, a moment earlier
    db.commit()
    page.click("[data-test=reject]")
    notice = page.locator("[data-test=conflict]")
    notice.wait_for()
    expect(notice.locator("[data-test=conflict-by]")).to_contain_text(first.display_name)
    expect(page.locator("[data-test=conflict-kept] textarea")).to_have_value("財務資料が古いため否認する")
    expect(page.locator("[data-test=assessment-status]")).to_have_text("承認済み")
    page.wait_for_load_state()  # the whole page, before measuring its width
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
