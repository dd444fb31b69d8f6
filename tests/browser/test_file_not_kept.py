"""A refused upload form asks for its file again, by name, in a real Chromium: the browser has
emptied the file field of the page that came back, so the hint is what tells the officer who
only mistyped a date that pressing the button again would send no evidence."""
from datetime import timedelta

from tests import factories
from tests.certificates.factories import pdf_bytes
from vendorrisk.core import clock

EVIDENCE = "反社チェック結果_2026.pdf"


def test_a_refused_check_keeps_the_text_and_names_the_evidence_file_to_choose_again(page, live_server, sign_in, db):
    vendor = factories.gen_vendor(db, name="株式会社ファイル確認")
    db.commit()
    sign_in("compliance", language="ja")
    page.goto(f"{live_server}/vendors/{vendor.id}")
    form = page.locator("[data-test=record-check]")
    form.locator("input[name=checked_on]").fill((clock.today() + timedelta(days=3)).isoformat())  # the future
    form.locator("textarea[name=evidence_text]").fill("日経テレコンで社名と代表者名を検索、該当なし")
    form.locator("input[name=evidence]").set_input_files(
        {"name": EVIDENCE, "mimeType": "application/pdf", "buffer": pdf_bytes()})
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    form = page.locator("[data-test=record-check]")
    assert "チェック日に未来の日付は入力できません。" in form.inner_text()  # the date's own error
    assert form.locator("textarea[name=evidence_text]").input_value() == "日経テレコンで社名と代表者名を検索、該当なし"
    assert form.locator("input[name=evidence]").evaluate("el => el.files.length") == 0  # the browser emptied it
    hint = form.locator("[data-test=choose-file-again]")
    assert hint.inner_text() == (f"ファイル（{EVIDENCE}）をもう一度選んでください。入力に誤りがあって戻された画面では、"
                                 "ブラウザは選んだファイルを保持しません。")

    form.locator("input[name=checked_on]").fill(clock.today().isoformat())
    form.locator("input[name=evidence]").set_input_files(
        {"name": EVIDENCE, "mimeType": "application/pdf", "buffer": pdf_bytes()})
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/vendors/{vendor.id}#antisocial")
    assert EVIDENCE in page.locator("#antisocial").inner_text()
    assert page.locator("[data-test=choose-file-again]").count() == 0
