"""Compliance sends a questionnaire workbook, imports the vendor's answers, sees score and
flags; a badly filled workbook is refused with row-level errors — in a real Chromium."""
from tests import factories
from tests.questionnaires import factories as fq


def test_download_fill_upload_and_see_score_flags_and_errors(page, live_server, sign_in, db, tmp_path):
    vendor = factories.gen_vendor(db, name="株式会社ブラウザ委託先")
    db.commit()
    sign_in("compliance")
    page.click("nav.mainnav a[href='/questionnaires/']")
    page.wait_for_url(f"{live_server}/questionnaires/")
    form = page.locator("[data-test=workbook-form-general_outsourcing]")
    form.locator("select[name=vendor_id]").select_option(str(vendor.id))
    with page.expect_download() as download_info:
        form.locator("button[type=submit]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    blank = (tmp_path / "blank.xlsx")
    download.save_as(blank)

    filled = tmp_path / "回答.xlsx"
    filled.write_bytes(fq.fill(blank.read_bytes(), {"GEN-02": "いいえ / No", "ASR-03": "はい / Yes"},
                               subcontractors=[("株式会社夜間監視", "", "JP", "夜間監視", "はい / Yes", "JP Tokyo")]))
    page.click("[data-test=upload-link]")
    page.select_option("[data-test=upload-form] select[name=vendor_id]", str(vendor.id))
    page.set_input_files("[data-test=upload-form] input[type=file]", str(filled))
    page.click("[data-test=upload-form] button[type=submit]")
    page.wait_for_url(f"{live_server}/questionnaires/responses/*")
    assert page.locator("[data-test=flags]").inner_text().strip() == "2"
    score = float(page.locator("[data-test=score]").inner_text())
    assert 0 < score < 100
    assert page.locator("[data-test=flag]").count() == 2
    assert "株式会社夜間監視" in page.locator("[data-test=proposals]").inner_text()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fq.fill(blank.read_bytes(), {"GEN-01": "たぶん", "GEN-04": None}))
    page.goto(f"{live_server}/questionnaires/import?vendor_id={vendor.id}")
    page.set_input_files("[data-test=upload-form] input[type=file]", str(bad))
    page.click("[data-test=upload-form] button[type=submit]")
    errors = page.locator("[data-test=import-errors]")
    errors.wait_for()
    page.wait_for_load_state()  # every row of the list, not those read when it appeared
    text = errors.inner_text()
    assert "G5" in text and "たぶん" in text
    assert "G8" in text and "GEN-04" in text
    assert "2" in page.locator("[data-test=import-errors-message]").inner_text()
