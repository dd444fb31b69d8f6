"""PDFs whose text layer is glyph numbers (fonts without a character map) but which draw fine
(``pdf_writer``'s ``garbled_pages`` with ``drawn``: Type 3 fonts without a character map), read
by OCR as scans are; and the OCR as a product: its failures said in the reader's language, a
version deleted while its OCR runs passed over, the Word checklist marking evidence read by OCR."""
import io
from functools import cache

import docx
from pypdf import PdfReader
from sqlmodel import select

from tests.contracts.pdf_writer import contract_pdf
from tests.contracts.test_contracts import _arrangement, _upload
from tests.contracts.test_ocr import EN_TEXT, _scan, _tesseract_installed, _version  # noqa: F401
from vendorrisk.contracts import ocr_jobs
from vendorrisk.contracts.checker import ocr
from vendorrisk.contracts.models import ClauseCheck, ContractVersion
from vendorrisk.core.db import engine_of, transaction

JA = {"Accept-Language": "ja"}
FILLER = ("The Provider shall perform the services with reasonable skill and care, in accordance with good industry "
          "practice and the documentation, and shall keep the Customer informed of the progress of the services.")
# three pages of ten lines, the audit clause on the second
LONG = EN_TEXT.replace("2. Audit", FILLER + "\n2. Audit").replace("3. Subcontracting", FILLER + "\n3. Subcontracting")


@cache
def _glyphs(pages: tuple[int, ...] = (1,), long: bool = False) -> bytes:
    return contract_pdf(LONG if long else EN_TEXT, "en", title="Services Agreement", lines_per_page=10 if long else 48,
                        drawn=True, garbled_pages=pages)


def _texts() -> list[str]:
    """The pages' text of the long contract as its PDF with a character map reads (what OCR reads)."""
    plain = contract_pdf(LONG, "en", title="Services Agreement", lines_per_page=10, drawn=True)
    return [page.extract_text() for page in PdfReader(io.BytesIO(plain)).pages]


def test_a_pdf_of_glyph_numbers_is_queued_read_by_ocr_and_its_clauses_found(api, client, login, db, runner):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _glyphs(), "old-tool.pdf").get_json()
    assert body["extraction_status"] == "unreadable_text" and body["ocr_state"] == "queued"
    login("compliance")
    queued = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert "グリフ番号になっている" in queued and 'data-state="queued"' in queued
    result = runner.invoke(args=["contracts", "ocr", "--version", str(body["version_id"])])
    assert result.exit_code == 0 and "1 contract version(s) read by OCR" in result.output
    version = _version(db, body["version_id"])
    assert (version.ocr_state, version.ocr_pages, version.extraction_status) == ("done", 1, "ocr")
    assert version.extraction_note.startswith("Read by OCR from the drawn pages (pages 1)")
    checks = {c["clause_id"]: c for c in api("auditor").get(f"/api/v1/contract-versions/{version.id}").get_json()["checks"]}
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["evidence_read_by_ocr"]
    assert "auditor appointed by the Customer" in checks["audit_rights"]["evidence"]
    assert checks["subcontracting"]["status"] == "found"
    page = client.get(f"/contracts/versions/{version.id}", headers=JA).get_data(as_text=True)
    assert "グリフ番号になっていた1ページを読み取り" in page and "PDFのページと照合" in page
    assert 'data-test="evidence-ocr"' in page
    # the Word checklist marks the evidence read by OCR, in its own language
    for lang, mark in (("ja", "【OCRで読み取り：原本と照合してください】"), ("en", "[Read by OCR: check it against the original]")):
        response = api("auditor").get(f"/api/v1/contracts/{version.contract_id}/checklist.docx?lang={lang}")
        cells = [cell.text for table in docx.Document(io.BytesIO(response.data)).tables
                 for row in table.rows for cell in row.cells]
        marked = [cell for cell in cells if cell.startswith(mark)]
        assert marked and any("auditor appointed by the Customer" in cell for cell in marked)


def test_only_the_pages_of_glyph_numbers_are_read_and_the_clause_on_them_found(app, api, db, monkeypatch):
    data = _glyphs((2,), long=True)
    texts = _texts()
    assert len(texts) == 3 and "2. Audit" in texts[1]  # the audit clause is on the page of glyph numbers
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, data, "partly.pdf").get_json()
    assert body["extraction_status"] == "partly_unreadable" and body["ocr_state"] == "queued"
    asked, read_pages = [], ocr.read_pages

    def reading(pdf, numbers, timeout):
        asked.append(list(numbers))
        return read_pages(pdf, numbers, timeout)
    monkeypatch.setattr(ocr, "read_pages", reading)
    assert ocr_jobs.run_pending(app, body["version_id"]) == 1
    assert asked == [[2]]  # that page alone, never the pages read from the text layer
    version = _version(db, body["version_id"])
    assert (version.ocr_state, version.extraction_status, version.ocr_pages) == ("done", "ocr", 1)
    checks = {c.clause_id: c for c in db.exec(select(ClauseCheck).where(ClauseCheck.version_id == version.id))}
    assert checks["audit_rights"].auto_status == "found" and checks["audit_rights"].reason_params.get("ocr")


def test_a_page_of_glyph_numbers_ocr_could_not_read_stays_unread_and_named():
    from vendorrisk.contracts import checker
    from vendorrisk.contracts.checker import library
    texts = _texts()
    last = len(texts)
    data = _glyphs((2, last), long=True)
    # the pages' text is given: page 2 read, the last page read with too little confidence
    pages = [ocr.OcrPage(2, texts[1], 93.0), ocr.OcrPage(last, texts[-1], 31.0)]
    result = checker.check(data, "partly.pdf", library.library(), ocr_pages=pages)
    assert result.status == "ocr" and result.extracted.unreadable_pages == (last,)
    assert result.note.startswith("Read by OCR from the drawn pages (pages 2)")
    assert f"Pages {last} of {last} could not be read" in result.note
    assert not any(ord(c) < 32 for c in result.extracted.text if c != "\n")  # no glyph numbers read as text
    assert not [r for r in result.results if r.status == "not_found"]  # the clause may be on the unread page
    # the last page is too short to be judged glyph numbers alone (the document is, as a whole):
    # OCR could not read it, so it is not read as text either
    from vendorrisk.contracts.checker.pdf import read_pdf
    assert read_pdf(data, {2: texts[1]}).unreadable_pages == ()
    assert read_pdf(data, {2: texts[1]}, unread=(last,)).unreadable_pages == (last,)


def test_a_version_deleted_while_its_ocr_runs_is_passed_over_and_not_written_again(app, api, db, monkeypatch):
    arrangement = _arrangement(db)
    first = _upload(api("compliance"), arrangement.id, _glyphs(), "one.pdf").get_json()["version_id"]
    second = _upload(api("compliance"), arrangement.id, _glyphs(), "two.pdf").get_json()["version_id"]
    engine = engine_of(app)

    def delete(version_id):
        with transaction(engine=engine) as session:
            for check in session.exec(select(ClauseCheck).where(ClauseCheck.version_id == version_id)):
                session.delete(check)
            session.flush()
            session.delete(session.get(ContractVersion, version_id))

    def read_then_deleted(pdf, numbers, timeout):  # the version is deleted between claim and store
        delete(first)
        return [ocr.OcrPage(n, EN_TEXT, 95.0) for n in numbers]
    monkeypatch.setattr(ocr, "read_pages", read_then_deleted)
    with app.app_context():
        with transaction(engine=engine) as session:
            assert ocr_jobs.claim(session, "test", first) == first
        assert ocr_jobs.run(app, first) == "gone"
    with app.app_context():
        with transaction(engine=engine) as session:
            assert ocr_jobs.claim(session, "test", second) == second
        delete(second)  # deleted before its pages are read
        assert ocr_jobs.run(app, second) == "gone"
    db.expire_all()
    assert db.get(ContractVersion, first) is None and db.get(ContractVersion, second) is None
    assert not db.exec(select(ClauseCheck).where(ClauseCheck.version_id.in_((first, second)))).all()
    assert ocr_jobs.run_pending(app) == 0  # nothing left to read, nothing crashed


def test_an_ocr_failure_is_said_in_the_readers_language_its_detail_kept(app, api, client, login, db, monkeypatch):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _glyphs(), "old-tool.pdf").get_json()

    def failing(pdf, numbers, timeout):
        raise RuntimeError("Error in pixReadMemPnm: unknown format")
    monkeypatch.setattr(ocr, "read_pages", failing)
    assert ocr_jobs.run_pending(app) == 1
    version = _version(db, body["version_id"])
    assert version.ocr_state == "failed" and "pixReadMemPnm" in version.ocr_reason  # the detail, for the admin
    assert version.extraction_status == "unreadable_text"
    reader = api("auditor")
    ja = reader.get(f"/api/v1/contract-versions/{version.id}", headers=JA).get_json()
    assert ja["ocr_reason_key"] == "engine_error" and "OCRエンジンがこのファイルを読み取れませんでした" in ja["ocr_reason"]
    assert "pixReadMemPnm" in ja["ocr_reason_detail"] and "pixReadMemPnm" not in ja["ocr_reason"]
    en = reader.get(f"/api/v1/contract-versions/{version.id}", headers={"Accept-Language": "en"}).get_json()
    assert en["ocr_reason"].startswith("The OCR engine could not read the file")
    login("compliance")
    page = client.get(f"/contracts/versions/{version.id}", headers=JA).get_data(as_text=True)
    assert "OCRに失敗しました" in page and "該当ページは未読" in page and "OCRエンジンが" in page
    assert "pixReadMemPnm" not in page
    # a known reason, by its key, in the reader's language through the API too
    app.config["CONTRACT_OCR_PAGE_LIMIT"] = 0
    scan = _upload(api("compliance"), arrangement.id, _scan("en"), "scan.pdf").get_json()
    monkeypatch.setattr(ocr, "read_pages", failing)
    assert ocr_jobs.run_pending(app) == 1
    limit = reader.get(f"/api/v1/contract-versions/{scan['version_id']}", headers=JA).get_json()
    assert limit["ocr_reason_key"] == "page_limit" and "上限の0ページ" in limit["ocr_reason"]


def test_a_stored_file_gone_missing_fails_the_ocr_at_once(app, api, db):
    """The file read before the pages were: a missing file failed outside the runner's guard, so
    the version stayed *running* until its claim went stale."""
    from vendorrisk.core import storage
    from vendorrisk.core.models import StoredFile
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _glyphs(), "old-tool.pdf").get_json()
    stored = db.get(StoredFile, _version(db, body["version_id"]).file_id)
    db.commit()  # end this session's read snapshot: the runner's writes are read after it
    with app.app_context():
        storage.backend().delete(stored.sha256)
    assert ocr_jobs.run_pending(app) == 1
    version = _version(db, body["version_id"])
    assert version.ocr_state == "failed" and version.extraction_status == "unreadable_text"
    assert api("auditor").get(f"/api/v1/contract-versions/{version.id}").get_json()["ocr_reason_key"] == "engine_error"
