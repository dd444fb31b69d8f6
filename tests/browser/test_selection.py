"""The selection journey in a real browser: procurement prepares and submits, compliance approves."""
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
    assert "GEN-FIN" in page.content()
    page.go_back()
    for criterion in criteria:
        page.check(f"input[name='score-{criterion}'][value='3']")
    page.fill("textarea[name='comment-GEN-FIN']", "直近3期の決算書を確認")
    page.click("[data-test=save]")
    page.wait_for_selector(".flash.success")
    assert page.locator("[data-test=total]").inner_text() == "100.0%"
    page.click("[data-test=submit]")
    page.wait_for_selector(".flash.success")
    assert page.locator("[data-test=assessment-status]").inner_text() == "承認待ち"
    # the preparer is offered no decision and is told another user must approve
    assert page.locator("[data-test=decide]").count() == 0
    assert page.locator("[data-test=awaiting]").is_visible()
    assessment_url = page.url
    page.click("[data-test=logout]")
    page.wait_for_url(f"{live_server}/login")

    sign_in("compliance")
    page.goto(assessment_url)
    page.fill("[data-test=decide] textarea[name=note]", "相互牽制により確認")
    page.click("[data-test=approve]")
    page.wait_for_selector(".flash.success")
    assert page.locator("[data-test=assessment-status]").inner_text() == "承認済み"
    assert page.locator("[data-test=decision]").inner_text() == "承認"
    page.click(f"a[href='/selection/vendors/{vendor.id}']")
    assert page.locator("[data-test=vendor-status]").inner_text() == "承認済み"
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
    assert first.display_name in notice.locator("[data-test=conflict-by]").inner_text()
    assert page.locator("[data-test=conflict-kept] textarea").input_value() == "財務資料が古いため否認する"
    assert page.locator("[data-test=assessment-status]").inner_text() == "承認済み"
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
