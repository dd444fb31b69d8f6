"""Demo certificates and reports: valid, expiring within 60 days, expired, an uncovered SOC 2
period, one never reviewed, and a SOC 2 report with a carved-out subservice organisation."""
import io
import struct
import zlib
from datetime import date, timedelta

from pypdf import PdfWriter
from sqlmodel import Session

from vendorrisk.certificates.models import TYPE_LABELS, Certificate, CertificateReview, SubserviceOrganisation
from vendorrisk.core import storage, uploads

# vendor, type, issuer, filename, (start, end) offsets in days from today, reviewed, extra fields
CERTIFICATES = [
    ("fjsys", "soc2_type2", "有限責任監査法人ひかり野", "SOC2タイプ2報告書_ハヤセ情報システム_2025.pdf",
     (-425, -60), True, {"exceptions_noted": "変更管理の承認記録が 2 件欠落していた。",
                         "cuecs": "利用者アカウントの定期的な棚卸し\n本番データへのアクセス申請の承認",
                         "scope": "勘定系システムの開発・運用サービス"}),
    ("sakura_dc", "iso27001", "一般財団法人 認証機構アオイ", "ISO27001登録証_常磐台DC.pdf", (-700, 400), True, {}),
    ("aws", "iso27017", "株式会社ホシゾラ審査登録", "ISO27017登録証_雲海クラウド.pdf", (-1050, 45), True, {}),
    ("aws", "ismap", "ISMAP運営委員会", "ISMAP登録_雲海クラウド.png", (-300, 430), True, {}),
    ("kyc", "iso27001", "一般財団法人 認証機構アオイ", "ISO27001登録証_ミトメル本人確認.pdf", (-1115, -20), True, {}),
    ("azure", "soc2_type2", "有限責任監査法人ひかり野", "SOC2タイプ2報告書_ソラノ基盤.pdf", (-565, -200), True, {}),
    ("wallet", "privacymark", "JIPDEC", "プライバシーマーク登録証.pdf", (-705, 25), False, {}),
    ("hsm", "pci_dss", "カード情報監査合同会社", "PCI_DSS準拠証明_テムズ鍵管理.pdf", (-90, 275), True, {}),
    ("soc", "onsite_audit", "内部監査室", "実地監査報告書_ヨミチ監視センター.pdf", (-100, None), True, {}),
]
SUBSERVICES = [("fjsys", "株式会社トオノ遠隔地保管", "遠隔地バックアップ", "carved_out"),
               ("fjsys", "常磐台データセンター株式会社", "データセンター運用", "inclusive")]


def _file(name: str, text: str) -> bytes:
    if name.endswith(".png"):
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                + chunk(b"tEXt", b"Title\x00" + text.encode()) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
                + chunk(b"IEND", b""))
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def load(session: Session, ctx: dict) -> None:
    """Record the demo certificates with their files, reviews and subservice organisations."""
    today: date = ctx["today"]
    reviewer = ctx["users"]["compliance"]
    by_vendor = {}
    for vendor_key, kind, issuer, filename, (start, end), reviewed, extra in CERTIFICATES:
        data = _file(filename, f"{TYPE_LABELS[kind]} {issuer} {filename}")
        upload = uploads.inspect_upload(data, filename, {"pdf", "png"})
        stored, _duplicate = storage.store(session, upload, reviewer.id)
        dates = ({"period_start": today + timedelta(days=start), "period_end": today + timedelta(days=end)}
                 if kind == "soc2_type2" else
                 {"issue_date": today + timedelta(days=start),
                  "expiry_date": today + timedelta(days=end) if end is not None else None})
        certificate = Certificate(vendor_id=ctx["vendors"][vendor_key].id, type=kind, issuer=issuer,
                                  file_id=stored.id, original_filename=filename,
                                  uploaded_by_id=reviewer.id, opinion="qualified" if extra.get("exceptions_noted")
                                  else ("unqualified" if kind == "soc2_type2" else None), **dates, **extra)
        session.add(certificate)
        session.flush()
        by_vendor.setdefault(vendor_key, certificate)
        if reviewed:
            session.add(CertificateReview(
                certificate_id=certificate.id, reviewer_id=reviewer.id,
                reviewed_on=today - timedelta(days=10), covers_services=True,
                conclusion="対象範囲に当社への提供サービスが含まれていることを確認した。",
                cuecs_follow_up="CUEC は当社の四半期アクセスレビューで運用している。" if extra.get("cuecs") else ""))
    for vendor_key, name, services, treatment in SUBSERVICES:
        session.add(SubserviceOrganisation(certificate_id=by_vendor[vendor_key].id, name=name,
                                           services=services, treatment=treatment))
    session.flush()
