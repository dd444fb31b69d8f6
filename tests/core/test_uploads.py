"""Uploads are size-limited, typed by their content, and stored once by SHA-256."""
import hashlib
import io
import zipfile

import pytest
from docx import Document
from sqlmodel import select

from vendorrisk.core import downloads, storage
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import AuditEntry
from vendorrisk.core.uploads import inspect_upload, sniff


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("第1条 目的")
    document.save(buffer)
    return buffer.getvalue()


def test_sniffing_recognises_real_files():
    assert sniff(_docx_bytes()) == "docx"
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff("契約書".encode()) == "text"
    assert sniff(b"MZ\x90\x00") == "exe"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest") == "ole"


@pytest.mark.parametrize("data, name, message", [
    (b"", "a.txt", "empty"),
    (b"MZ\x90\x00" + b"\x00" * 100, "a.pdf", "Executable"),
    (b"%PDF-1.7 fake", "contract.docx", "does not match"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.docx", "password-protected"),
    (b"hello", "macro.xlsm", ".xlsm files are not accepted"),
    (b"hello", "a.exe", "not accepted"),
])
def test_bad_uploads_are_refused_with_a_clear_message(app, data, name, message):
    with app.app_context(), pytest.raises(ValidationFailed) as caught:
        inspect_upload(data, name, {"docx", "pdf", "txt", "md", "xlsx"})
    assert message in caught.value.message


@pytest.mark.parametrize("data, name, kind", [
    ("第1条（監査）乙は協力する。".encode("cp932"), "契約.txt", "txt"),  # Shift_JIS, as Japanese Windows saves it
    ("質問,回答\n監査,はい\n".encode("utf-16"), "answers.csv", "csv"),  # Notepad's and Excel's "Unicode"
    ("The \u201cProvider\u201d shall permit audits.".encode("cp1252"), "terms.txt", "txt"),  # English Windows
])
def test_text_in_the_encodings_people_save_passes_and_is_kept_as_it_came(app, data, name, kind):
    with app.test_request_context():
        upload = inspect_upload(data, name, {"txt", "csv"})
    assert (upload.kind, upload.data) == (kind, data)


def test_japanese_headers_of_an_ascii_form_are_not_read_as_windows_1252():
    from vendorrisk.core.encodings import decode_text
    # kanji alone (no kana) over English rows: few non-ASCII bytes, which Windows-1252 also decodes
    form = "区分,質問,回答,評価,対応,結果\n" + "\n".join(f"A&A-{i:02d},Are audit policies reviewed?,Yes,None"
                                                 for i in range(30))
    assert decode_text(form.encode("cp932")) == form
    english = "The Provider\u2019s staff and the Customer\u2019s \u201cauditors\u201d may inspect records."
    assert decode_text(english.encode("cp1252")) == english


def test_bytes_no_encoding_reads_are_not_text(app):
    with app.test_request_context(), pytest.raises(ValidationFailed, match="not recognised as .txt"):
        inspect_upload(b"\x80\x81\x8d\xa0" * 10, "contract.txt", {"txt"})


def test_oversize_upload_is_refused(app):
    app.config["MAX_UPLOAD_MB"] = 1
    with app.app_context(), pytest.raises(ValidationFailed, match="limit"):
        inspect_upload(b"x" * (1024 * 1024 + 1), "big.txt", {"txt"})


def test_decompression_bomb_is_refused(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/bomb.xml", b"\x00" * (300 * 1024 * 1024))
    with app.app_context(), pytest.raises(ValidationFailed, match="decompression bomb|expand"):
        inspect_upload(buffer.getvalue(), "bomb.docx", {"docx"})


def test_store_is_content_addressed_and_recognises_duplicates(app, db):
    data = _docx_bytes()
    with app.test_request_context():
        upload = inspect_upload(data, "契約書.docx", {"docx"})
        first, duplicate = storage.store(db, upload)
        again, duplicate_again = storage.store(db, upload)
        assert (duplicate, duplicate_again) == (False, True) and first.id == again.id
        assert first.sha256 == hashlib.sha256(data).hexdigest()
        assert storage.read(first) == data
        response = downloads.send_stored(db, first)
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=.docx; filename*=UTF-8''%E5%A5%91%E7%B4%84%E6%9B%B8.docx")
        assert response.headers["Cache-Control"] == "private, no-store"
        db.rollback()
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "download")).one()
        assert (entry.entity, entry.entity_id) == ("stored_file", str(first.id))
