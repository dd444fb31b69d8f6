"""Compliance uploads a SOC 2 Type II report with a Japanese filename, reviews it, finds it in
the expiry view and downloads it under its original name — in a real Chromium."""
from datetime import timedelta

from playwright.sync_api import expect

from tests import factories
from tests.certificates.factories import pdf_bytes
from vendorrisk.core import clock
from vendorrisk.core.clock import add_months

JP_NAME = "SOC2タイプ2報告書_2025年度.pdf"


def test_upload_review_expiry_view_and_download(page, live_server, sign_in, db):
    vendor = factories.gen_vendor(db, name="株式会社ブラウザ監査", name_en="Browser Audit K.K.")
    factories.gen_arrangement(db, vendor, is_important=True, title="勘定系システム")
    db.commit()
    today = clock.today()
    # issued after its period, as SOC reports are: it counts three months after the period's
    # end, so about 40 days from today — in the expiry view as nearing its end
    period_end = today - timedelta(days=50)
    data = pdf_bytes()
    sign_in("compliance")

    page.click("nav.mainnav a[href='/certificates/']")
    page.click("a[href='/certificates/coverage']")
    row = page.locator(f"[data-test=coverage-list] tr[data-vendor='{vendor.id}']")
    expect(row).to_contain_text("不備")  # a gap (不備): no evidence yet (expect: the row may be arriving)
    row.locator("a").first.click()
    page.click("[data-test=upload-link]")

    form = page.locator("[data-test=upload-form]")
    form.locator("input[name=file]").set_input_files(
        {"name": JP_NAME, "mimeType": "application/pdf", "buffer": data})
    form.locator("select[name=type]").select_option("soc2_type2")
    form.locator("input[name=issuer]").fill("有限責任監査法人サンプル")
    form.locator("input[name=period_start]").fill((period_end - timedelta(days=364)).isoformat())
    form.locator("input[name=period_end]").fill(period_end.isoformat())
    form.locator("select[name=opinion]").select_option("qualified")
    form.locator("textarea[name=exceptions_noted]").fill("アクセス権の棚卸しが一部未実施")
    form.locator("textarea[name=cuecs]").fill("利用者側でのアクセス権レビュー")
    form.locator("button[type=submit]").click()

    page.wait_for_url(f"{live_server}/certificates/*")
    facts = page.locator("[data-test=certificate-facts]").inner_text()
    assert JP_NAME in facts and "有限責任監査法人サンプル" in facts

    page.click("[data-test=review-link]")
    review = page.locator("[data-test=review-form]")
    review.locator("input[name=covers_services]").check()
    review.locator("textarea[name=conclusion]").fill("対象範囲に勘定系システムの運用が含まれることを確認した。")
    review.locator("textarea[name=exceptions_follow_up]").fill("次回報告書で是正状況を確認する。")
    review.locator("input[name=raise_finding]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/certificates/*")
    reviews = page.locator("[data-test=reviews]").inner_text()
    assert "対象範囲に勘定系システムの運用が含まれることを確認した。" in reviews and "指摘事項" in reviews

    page.goto(f"{live_server}/certificates/coverage")
    assert "充足" in page.locator(f"[data-test=coverage-list] tr[data-vendor='{vendor.id}']").inner_text()

    page.click("nav.mainnav a[href='/certificates/']")
    page.wait_for_load_state()  # the whole list, not the part read when the click returned
    expiry = page.locator("[data-test=expiry-list]").inner_text()
    assert "株式会社ブラウザ監査" in expiry and period_end.isoformat() in expiry and "期限間近" in expiry
    assert add_months(period_end, 3).isoformat() in expiry  # the day it stops counting

    page.locator("[data-test=expiry-list] a", has_text="SOC 2 タイプ2報告書").click()  # the type in Japanese
    with page.expect_download() as info:
        page.click("[data-test=download]")
    download = info.value
    assert download.suggested_filename == JP_NAME
    with open(download.path(), "rb") as fh:
        assert fh.read() == data
