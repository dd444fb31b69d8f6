"""Compliance checks a contract in a real browser: upload, see evidence, override, download;
a contract set of two documents uploaded in one submit and its combined result."""
import io

import docx
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.contracts.factories import CORPUS


@pytest.fixture
def app_config():
    """A small upload limit (1 MB a file, 2 MB a request), so that a set too large to send is cheap to make."""
    return {"WTF_CSRF_ENABLED": True, "MAX_UPLOAD_MB": 1}


def test_compliance_checks_a_contract_overrides_a_result_and_downloads_the_checklist(page, live_server, sign_in, db, tmp_path):
    vendor = factories.gen_vendor(db, name="株式会社ブラウザ委託先", name_en="Browser Vendor K.K.")
    arrangement = factories.gen_arrangement(db, vendor=vendor, title="勘定系システム運用", is_important=True)
    db.commit()
    sign_in("compliance", language="en")
    page.click("nav.mainnav a[href='/contracts/']")
    page.click(f"a[href='/contracts/arrangements/{arrangement.id}']")
    contract = tmp_path / "業務委託契約.txt"
    contract.write_bytes((CORPUS / "ja_missing_si.txt").read_bytes())
    form = page.locator("[data-test=new-contract]")
    form.locator("input[name=title]").fill("システム開発委託契約")
    form.locator("input[type=file]").set_input_files(str(contract))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/contracts/versions/*")

    confidentiality = page.locator("tr[data-clause=confidentiality]")
    assert confidentiality.locator("[data-test=status]").inner_text() == "found"
    assert "第三者に開示してはならない" in confidentiality.locator("[data-test=evidence]").inner_text()
    assert confidentiality.locator("[data-test=location]").inner_text().startswith("第3条")
    audit = page.locator("tr[data-clause=audit_rights]")
    assert audit.locator("[data-test=status]").inner_text() in ("not found", "needs review")

    # The reviewer reads Annex 2 and overrides the automatic result with a comment.
    audit.locator("select[name=status]").select_option("found")
    audit.locator("input[name=comment]").fill("Audit rights are in Annex 2, clause 4.")
    audit.locator("button[type=submit]").click()
    page.wait_for_load_state()
    audit = page.locator("tr[data-clause=audit_rights]")
    assert audit.locator("[data-test=status]").inner_text() == "found"
    assert "Audit rights are in Annex 2, clause 4." in audit.inner_text()

    with page.expect_download() as download_info:
        page.click("[data-test=checklist]")
    download = download_info.value
    assert download.suggested_filename.endswith("_v1.docx")
    with open(download.path(), "rb") as fh:
        document = docx.Document(io.BytesIO(fh.read()))
    rows = {r.cells[0].text: r for r in document.tables[1].rows[1:]}
    assert rows["Audit and inspection rights"].cells[4].text == "Audit rights are in Annex 2, clause 4."
    assert "株式会社ブラウザ委託先" in document.tables[0].rows[0].cells[1].text


def test_compliance_uploads_a_contract_set_at_once_and_sees_the_combined_result(page, live_server, sign_in, db,
                                                                                tmp_path):
    from tests.contracts.test_sets import MASTER, SLA

    arrangement = factories.gen_arrangement(db, title="ウォレット運用", is_cloud=False, is_important=False,
                                            handles_user_data=False)
    db.commit()
    sign_in("compliance", language="ja")
    page.goto(f"{live_server}/contracts/arrangements/{arrangement.id}")
    master, sla = tmp_path / "業務委託基本契約.txt", tmp_path / "サービスレベル合意書.txt"
    master.write_bytes(MASTER)
    sla.write_bytes(SLA)
    form = page.locator("[data-test=upload-set]")

    # three files of 0.8 MB: each within the limit, together more than one request may carry
    bulky = [tmp_path / f"別紙{n}.txt" for n in range(3)]
    for path in bulky:
        path.write_bytes(MASTER + b"\n" * 800_000)
    form.locator("input[type=file]").set_input_files([str(p) for p in bulky])
    form.locator("button[type=submit]").click()
    expect(form.locator(".upload-too-large")).to_contain_text("後からアップロードしたファイルも同じ一式に加わり")  # refused before sending
    expect(page.locator("[data-test=set-documents]")).to_have_count(0)

    form.locator("input[type=file]").set_input_files([str(master), str(sla)])
    form.locator("button[type=submit]").click()

    expect(page.locator(".flash.success")).to_contain_text("2件の文書")  # waits for the answer
    expect(page.locator("[data-test=set-documents] tbody tr")).to_have_count(2)
    levels = page.locator("tr[data-set-clause=service_levels]")
    expect(levels.locator("[data-test=set-status]")).to_have_text("あり")
    expect(levels.locator("[data-test=set-document]")).to_have_text("サービスレベル合意書")
    expect(levels.locator("[data-test=set-evidence]")).to_contain_text("稼働率")
    subcontracting = page.locator("tr[data-set-clause=subcontracting]")
    expect(subcontracting.locator("[data-test=set-document]")).to_have_text("業務委託基本契約")
    expect(subcontracting.locator("[data-test=set-location]")).to_have_text("第2条")
    expect(subcontracting.locator("[data-test=set-reason]")).to_contain_text("第2条で見つかりました")

    with page.expect_download() as download_info:
        page.click("[data-test=set-checklist]")
    with open(download_info.value.path(), "rb") as fh:
        document = docx.Document(io.BytesIO(fh.read()))
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert rows["サービス水準（SLA）"][3].startswith("サービスレベル合意書")
