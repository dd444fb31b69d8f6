"""Scanned contracts read by OCR (real Tesseract, real PDFs): a text PDF rendered by PDFium and
written back as an image-only PDF (``pdf_writer.scanned_copy``), uploaded (queued, never read in
the request), read by ``vendorrisk contracts ocr`` and checked again on the text read."""
import io
import shutil
from functools import cache

import pytest
from sqlmodel import select

from tests.contracts.pdf_writer import contract_pdf, scanned_copy
from tests.contracts.test_contracts import _arrangement, _upload
from vendorrisk.contracts import ocr_jobs
from vendorrisk.contracts.checker import ocr
from vendorrisk.contracts.models import ContractVersion
from vendorrisk.core.models import AuditEntry


@pytest.fixture(autouse=True)
def _tesseract_installed():
    # real OCR or nothing: `make test` installs Tesseract (make system-deps); a machine without it
    # fails here, saying so, rather than passing these tests unrun
    assert shutil.which("tesseract"), "tesseract-ocr is not installed: run `make system-deps` (or `make test`)"
JA = {"Accept-Language": "ja"}
JA_TEXT = """業務委託契約書
第1条（目的）
委託者は、受託者に対し、システムの運用業務を委託し、受託者はこれを受託する。
第2条（監査）
委託者は、受託者の業務について、事前に通知した上で監査を行うことができる。受託者はこれに協力しなければならない。
第3条（再委託）
受託者は、委託者の事前の書面による承諾を得ない限り、本業務の全部又は一部を第三者に再委託してはならない。"""
EN_TEXT = """Services Agreement
1. Services
The Provider shall provide the hosting services described in the order form to the Customer.
2. Audit
The Customer or an auditor appointed by the Customer may audit the Provider's facilities, records and systems on
reasonable notice, and the Provider shall cooperate with such audit.
3. Subcontracting
The Provider shall not subcontract any of the services to a third party without the prior written consent of the
Customer."""


@cache
def _scan(language: str) -> bytes:
    text = JA_TEXT if language == "ja" else EN_TEXT
    return scanned_copy(contract_pdf(text, language, title=text.splitlines()[0], drawn=True))


def _version(db, version_id: int) -> ContractVersion:
    db.expire_all()
    return db.get(ContractVersion, version_id)


def test_tesseracts_spaces_between_japanese_characters_go_and_english_keeps_its_own():
    assert ocr.join_cjk("委 託 者 は 、 第1 条 ( 再委託 )") == "委託者は、第1条(再委託)"
    assert ocr.join_cjk("The Provider shall audit 2 systems") == "The Provider shall audit 2 systems"
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t監 査\n5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t30\tする\n"
           "5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t-1\t \n")
    text, confidence = ocr.parse_tsv(tsv)
    assert text == "監査する" and confidence == pytest.approx((90 * 3 + 30 * 2) / 5)


def test_a_japanese_scan_is_queued_at_upload_then_read_by_ocr_and_checked(api, client, login, db, runner):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _scan("ja"), "scan.pdf").get_json()
    assert body["extraction_status"] == "scanned" and body["ocr_state"] == "queued"  # not read in the request
    assert all(c["status"] == "needs_review" for c in body["checks"])
    result = runner.invoke(args=["contracts", "ocr", "--version", str(body["version_id"])])
    assert result.exit_code == 0 and "1 contract version(s) read by OCR" in result.output
    version = _version(db, body["version_id"])
    assert (version.ocr_state, version.ocr_pages, version.extraction_status) == ("done", 1, "ocr")
    checks = {c["clause_id"]: c for c in api("auditor").get(f"/api/v1/contract-versions/{version.id}").get_json()["checks"]}
    audit = checks["audit_rights"]
    assert audit["status"] == "found" and audit["location"] == "第2条" and audit["evidence_read_by_ocr"]
    assert "監査を行うことができる" in audit["evidence"].replace(" ", "")
    assert checks["subcontracting"]["status"] == "found"
    assert "check the evidence against the scan" in audit["reason"]
    # the new results are in the audit trail, under the uploader's name
    assert db.exec(select(AuditEntry).where(AuditEntry.entity == "contract_version", AuditEntry.action == "update",
                                            AuditEntry.entity_id == str(version.id))).first() is not None
    login("compliance")
    page = client.get(f"/contracts/versions/{version.id}", headers=JA).get_data(as_text=True)
    assert 'data-state="done"' in page and "OCRで読み取り" in page and "スキャン画像と照合" in page
    assert 'data-test="evidence-ocr"' in page
    english = client.get(f"/contracts/versions/{version.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Read by OCR: 1 page(s) of the scan were read" in english


def test_two_runners_never_read_the_same_version_and_an_english_scan_is_found(app, api, db):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _scan("en"), "scan.pdf").get_json()
    with app.app_context():
        from vendorrisk.core.db import engine_of, transaction
        with transaction(engine=engine_of(app)) as session:
            first = ocr_jobs.claim(session, "a")
        with transaction(engine=engine_of(app)) as session:
            second = ocr_jobs.claim(session, "b")
    assert first == body["version_id"] and second is None  # the second runner finds nothing queued
    assert ocr_jobs.run_pending(app) == 0  # a running version is not read again
    assert ocr_jobs.run(app, first) == "done"
    checks = {c["clause_id"]: c for c in api("auditor").get(f"/api/v1/contract-versions/{first}").get_json()["checks"]}
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["evidence_read_by_ocr"]
    assert checks["subcontracting"]["status"] == "found"
    # nothing was written on an unreadable page: a clause not found is never reported missing
    # on a page read with too little confidence (none here)
    assert _version(db, first).extraction_status == "ocr"


def test_a_scan_over_the_page_limit_fails_and_stays_scanned_saying_why(app, api, client, login, db, runner):
    app.config["CONTRACT_OCR_PAGE_LIMIT"] = 0
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _scan("en"), "scan.pdf").get_json()
    runner.invoke(args=["contracts", "ocr"])
    version = _version(db, body["version_id"])
    assert version.ocr_state == "failed" and "more than the limit of 0" in version.ocr_reason
    assert version.extraction_status == "scanned"
    login("compliance")
    page = client.get(f"/contracts/versions/{version.id}", headers=JA).get_data(as_text=True)
    assert 'data-state="failed"' in page and "OCRに失敗しました" in page and "上限の0ページ" in page
    assert "more than the limit" not in page  # the reason in the reader's language


def test_without_tesseract_a_scan_is_marked_ocr_unavailable_and_nothing_fails(api, client, login, db, monkeypatch,
                                                                              tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on the path
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, _scan("en"), "scan.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["extraction_status"] == "scanned" and body["ocr_state"] == "unavailable"
    assert all(c["status"] == "needs_review" for c in body["checks"])
    login("compliance")
    page = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert 'data-state="unavailable"' in page and "OCRを利用できません" in page


def test_a_page_read_with_low_confidence_stays_unread_and_no_clause_is_reported_missing_for_it():
    from pypdf import PdfReader

    from vendorrisk.contracts import checker
    from vendorrisk.contracts.checker import library
    pdf = contract_pdf(EN_TEXT, "en", title="Services Agreement", lines_per_page=6, drawn=True)
    scan = scanned_copy(pdf, dpi=50)  # the pages' text is given below: no Tesseract needed
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    last = len(texts)
    assert last >= 3
    # the last page read with a confidence under the floor: it stays unread
    pages = [ocr.OcrPage(n, text, 31.0 if n == last else 93.0) for n, text in enumerate(texts, 1)]
    result = checker.check(scan, "scan.pdf", library.library(), ocr_pages=pages)
    assert result.status == "ocr" and result.extracted.scanned_pages == (last,)
    assert "could not be read (OCR confidence too low)" in result.note
    by_id = {r.clause_id: r for r in result.results}
    assert not [r for r in result.results if r.status == "not_found"]  # the clause may be on the unread page
    assert by_id["service_levels"].reason_key == "partly_scanned"
    read = [r for r in result.results if r.evidence and r.reason_params.get("ocr")]
    assert read and all("check the evidence against the scan" in r.reason for r in read)
    confident = checker.check(scan, "scan.pdf", library.library(),
                              ocr_pages=[ocr.OcrPage(n, text, 93.0) for n, text in enumerate(texts, 1)])
    assert confident.extracted.scanned_pages == ()
    assert {r.clause_id: r.status for r in confident.results}["service_levels"] == "not_found"
    # read, but not confidently enough to say a clause is missing (a noisy scan): needs review
    noisy = checker.check(scan, "scan.pdf", library.library(),
                          ocr_pages=[ocr.OcrPage(n, text, 75.0) for n, text in enumerate(texts, 1)])
    by_id = {r.clause_id: r for r in noisy.results}
    assert by_id["service_levels"].status == "needs_review" and by_id["service_levels"].reason_key == "ocr_poor"
    assert not [r for r in noisy.results if r.status == "not_found"]


def test_a_page_fed_upside_down_reads_as_the_others():
    from vendorrisk.contracts.checker import ocr
    scan = scanned_copy(contract_pdf(EN_TEXT, "en", title="Services Agreement", drawn=True), upside_down=(1,))
    page, = ocr.read_pages(scan, [1], timeout=120)
    words = " ".join(page.text.split())
    assert page.confidence >= 80 and "3. Subcontracting" in words and "without the prior written consent" in words
