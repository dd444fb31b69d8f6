"""The inspector's journey in a real browser: dashboard -> list -> matrix filtered to gaps ->
vendor -> evidence pack downloaded and checked."""
import hashlib
import json
import threading
import zipfile

import pytest

from tests.compliance.factories import gen_matrix_portfolio, install_test_obligations
from vendorrisk.compliance import maintain
from vendorrisk.compliance.jobs import run_pending


@pytest.fixture
def portfolio(app, db):
    install_test_obligations(app)
    ids = gen_matrix_portfolio(db)
    maintain.rebuild(db)  # factories publish no event
    db.commit()
    return ids


@pytest.fixture
def export_runner(app):
    """The scheduler's part: build queued export jobs while the test runs."""
    stop = threading.Event()

    def run():
        while not stop.is_set():
            run_pending(app)
            stop.wait(0.3)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    # a build may be under way: wait for it (a loaded machine takes its time) rather than let
    # it go on into the next test, with this test's app taken down under it
    thread.join(timeout=120)
    assert not thread.is_alive(), "the export runner was still building 120 s after the test"


def test_auditor_walks_from_dashboard_to_evidence_pack(page, live_server, sign_in, portfolio, export_runner, tmp_path):
    sign_in("auditor")
    page.click("nav.mainnav a[href='/dashboard/']")
    page.wait_for_url(f"{live_server}/dashboard/")
    assert page.locator("svg.chart").count() >= 3
    tile = page.locator("[data-figure=unapproved_links]")
    assert tile.locator("b").inner_text() == "1"
    tile.click()
    page.wait_for_url(f"{live_server}/dashboard/lists/unapproved_links")
    assert page.locator("h1").inner_text() == "未承認の再委託"
    assert "ベンダー3" in page.locator("[data-test=figure-list]").inner_text()

    page.click("nav.mainnav a[href='/compliance/']")
    page.wait_for_url(f"{live_server}/compliance/")
    assert page.locator("[data-test=matrix] tbody tr").count() == 5
    page.select_option("select[name=status]", "gap")
    page.click("[data-test=matrix-filters] button[type=submit]")
    page.wait_for_url("**/compliance/?*status=gap*")
    rows = page.locator("[data-test=matrix] tbody tr")
    assert rows.count() == 3
    assert "ベンダー5" not in page.locator("[data-test=matrix]").inner_text()

    page.click("[data-test=matrix] a:has-text('ベンダー3')")
    page.wait_for_url(f"{live_server}/compliance/vendors/{portfolio['3']}")
    cell = page.locator("[data-test=vendor-matrix] tr[data-obligation='90-1']")
    assert cell.locator("[data-status=gap]").count() == 1
    assert "A sub-outsourcing link to this vendor is not approved." in cell.inner_text()
    with page.expect_download() as info:
        page.click("[data-test=evidence-pack]")
    assert page.locator("[data-test=export-job] progress").count() == 1  # the job's page, then its file
    target = tmp_path / "pack.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["vendor_id"] == portfolio["3"]
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]


def test_export_page_waits_in_japanese_and_keeps_the_jobs_address(page, live_server, sign_in, db):
    """While the job waits, the polled status is shown in the reader's language (not the
    code "queued"), and the address bar holds the job's URL: reloading follows that job
    instead of queueing another export."""
    from sqlmodel import func, select

    from vendorrisk.compliance.models import ExportJob
    sign_in("compliance")
    with page.expect_request(lambda asked: "?status" in asked.url):
        page.goto(f"{live_server}/compliance/export/register.xlsx")
    with page.expect_request(lambda asked: "?status" in asked.url):
        pass  # the second poll is asked once the first answer is on the page
    assert page.locator("[data-test=export-count]").inner_text() == "開始待ち"
    job_id = db.exec(select(func.max(ExportJob.id))).one()
    assert page.url == f"{live_server}/compliance/jobs/{job_id}"
    page.reload()
    db.rollback()
    assert db.exec(select(func.count()).select_from(ExportJob)).one() == 1
