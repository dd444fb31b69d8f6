"""Builders for certificate tests: real PDF/PNG/DOCX bytes and certificate records."""
import io
import itertools
import struct
import zlib
from datetime import date

from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from vendorrisk.certificates.models import Certificate, CertificateReview
from vendorrisk.core.models import StoredFile

_seq = itertools.count(1)


def pdf_bytes(title: str = "SOC 2 Type II report") -> bytes:
    """A real one-page PDF (unique per call through its metadata)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"{title} {next(_seq)}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def gen_certificate(session, vendor, type="iso27001", **fields):
    """A certificate record with its own stored-file row (no bytes written: for coverage tests)."""
    n = next(_seq)
    stored = StoredFile(sha256=f"{n:064x}", size=1, media_type="application/pdf",
                        original_filename=f"cert{n}.pdf")
    session.add(stored)
    session.flush()
    if type in ("soc1", "soc2_type1", "soc2_type2", "soc3", "bridge_letter"):
        fields.setdefault("period_start", date(2025, 1, 1))
        fields.setdefault("period_end", date(2025, 12, 31))
    else:
        fields.setdefault("issue_date", date(2025, 1, 1))
        if type not in ("onsite_audit", "pentest_summary", "other"):
            fields.setdefault("expiry_date", date(2028, 1, 1))
    certificate = Certificate(vendor_id=vendor.id, type=type, file_id=stored.id,
                              original_filename=stored.original_filename, **fields)
    session.add(certificate)
    session.flush()
    return certificate


def gen_review(session, certificate, reviewer, covers_services=True, reviewed_on=date(2026, 1, 15)):
    """A review of ``certificate`` by ``reviewer``."""
    review = CertificateReview(certificate_id=certificate.id, reviewer_id=reviewer.id,
                               reviewed_on=reviewed_on, covers_services=covers_services,
                               conclusion="Read; no concerns.")
    session.add(review)
    session.flush()
    return review


JP_NAME = "SOC2報告書_2025年度.pdf"


def upload_certificate(api_client, vendor_id, data=None, filename=JP_NAME, **fields):
    """POST a certificate through the API as a multipart form; returns the response."""
    form = {"type": "soc2_type2", "issuer": "監査法人トーマツ", "period_start": "2025-04-01",
            "period_end": "2026-03-31", **fields}
    form["file"] = FileStorage(io.BytesIO(pdf_bytes() if data is None else data), filename)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return api_client.post(f"/api/v1/vendors/{vendor_id}/certificates", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
