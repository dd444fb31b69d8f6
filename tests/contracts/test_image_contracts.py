"""Contracts uploaded as scanned images (real Tesseract, real image files written by hand from a
text PDF rendered by PDFium, ``image_writer``): a PNG page and a two-page bilevel TIFF are stored
as scans, read by ``vendorrisk contracts ocr`` page by page, each passage naming the page it starts on (as a
PDF's do); broken or hostile images are refused before anything is stored."""
import struct
import zlib
from functools import cache

import pytest
from sqlmodel import func, select

from tests.contracts.image_writer import page_bitmaps, png, tiff
from tests.contracts.pdf_writer import contract_pdf
from tests.contracts.test_contracts import _arrangement, _upload
from tests.contracts.test_ocr import EN_TEXT, JA_TEXT
from vendorrisk.core import images
from vendorrisk.core.models import StoredFile

JA = {"Accept-Language": "ja"}


@cache
def _pages(language: str, dpi: int, lines_per_page: int = 48) -> list:
    text = JA_TEXT if language == "ja" else EN_TEXT
    return page_bitmaps(contract_pdf(text, language, title=text.splitlines()[0], lines_per_page=lines_per_page,
                                     drawn=True), dpi)


def _checks(api, version_id: int) -> dict:
    body = api("auditor").get(f"/api/v1/contract-versions/{version_id}").get_json()
    return body, {c["clause_id"]: c for c in body["checks"]}


def test_a_two_page_tiff_scan_is_stored_as_a_scan_then_read_page_by_page(api, client, login, db, runner):
    # a scanner's bilevel TIFF at 300 dpi of the contract's last two pages (five lines a page):
    # 第2条（監査） on the first, 第3条（再委託） on the second
    pages = _pages("ja", 300, lines_per_page=5)
    assert len(pages) == 3
    scan = tiff(pages[1:], dpi=300)
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, scan, "署名済み契約書.tif").get_json()
    assert (body["extraction_status"], body["ocr_state"]) == ("scanned", "queued")
    assert _checks(api, body["version_id"])[0]["file_kind"] == "tiff"
    assert all(c["status"] == "needs_review" for c in body["checks"])
    login("compliance")
    page = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert "ファイルは画像（スキャンまたは写真）です" in page and 'data-state="queued"' in page
    download = client.get(f"/contracts/versions/{body['version_id']}/file")
    assert download.mimetype == "image/tiff" and download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == scan

    result = runner.invoke(args=["contracts", "ocr", "--version", str(body["version_id"])])
    assert result.exit_code == 0 and "1 contract version(s) read by OCR" in result.output
    version, checks = _checks(api, body["version_id"])
    assert (version["extraction_status"], version["ocr_state"], version["ocr_pages"]) == ("ocr", "done", 2)
    audit, subcontracting = checks["audit_rights"], checks["subcontracting"]
    assert audit["status"] == "found" and audit["evidence_read_by_ocr"] and audit["evidence_page"] == 1
    assert "監査を行うことができる" in audit["evidence"].replace(" ", "")
    assert subcontracting["status"] == "found" and subcontracting["evidence_page"] == 2
    page = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert 'data-test="evidence-page">2ページ<' in page and 'data-state="done"' in page and "OCRで読み取り" in page


def test_an_english_png_photo_without_a_resolution_is_read_at_300_dpi(api, db, runner):
    width, height, pixels = _pages("en", 300)[0]
    photo = png(width, height, pixels)  # no pHYs chunk: Tesseract is told 300 dpi
    assert images.read_header(photo).pages[0].dpi is None
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, photo, "contract.png").get_json()
    assert (body["extraction_status"], body["ocr_state"]) == ("scanned", "queued")
    runner.invoke(args=["contracts", "ocr"])
    version, checks = _checks(api, body["version_id"])
    assert version["extraction_status"] == "ocr" and version["ocr_pages"] == 1
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["evidence_page"] == 1
    assert checks["subcontracting"]["status"] == "found"


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def _small_page():
    return (64, 32, bytes(range(256)) * 8)


@pytest.mark.parametrize("name, data, message", [
    ("loop.tif", tiff([_small_page(), _small_page()], loop=True), "chain of its pages loops"),
    ("bomb.png", _png_declaring(100000, 100000), "100000 × 100000 pixels, more than the limit of 80 megapixels"),
    ("cut.png", png(*_small_page())[:-20], "it is truncated"),
    ("scan.png", contract_pdf(EN_TEXT, "en"), "The file's content is a PDF document, which does not match"),
])
def test_broken_or_hostile_images_are_refused_and_nothing_is_stored(api, db, name, data, message):
    arrangement = _arrangement(db)
    before = db.exec(select(func.count()).select_from(StoredFile)).one()
    response = _upload(api("compliance"), arrangement.id, data, name)
    assert response.status_code == 422 and message in response.get_json()["error"]["message"]
    assert db.exec(select(func.count()).select_from(StoredFile)).one() == before


def test_a_refused_image_is_explained_in_japanese(app, api, db):
    arrangement = _arrangement(db)
    client = api("compliance")
    client.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ja"
    message = _upload(client, arrangement.id, _png_declaring(100000, 100000), "bomb.png").get_json()["error"]["message"]
    assert "上限の80メガピクセル" in message
    message = _upload(client, arrangement.id, tiff([_small_page()] * 2, loop=True), "loop.tif").get_json()["error"]["message"]
    assert "ページのつながりがループしています" in message
