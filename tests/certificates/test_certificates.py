"""Certificates: upload (API and form), bad input stores nothing, duplicates, download, access."""
import hashlib
import io
import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlmodel import func, select

from tests import factories
from tests.certificates.factories import JP_NAME, pdf_bytes, png_bytes, upload_certificate
from vendorrisk.certificates.models import Certificate, CertificateReview, SubserviceOrganisation
from vendorrisk.core import clock
from vendorrisk.core.models import AuditEntry, StoredFile, User
from vendorrisk.vendors.findings import Finding


def _counts(db):
    db.rollback()
    return (db.exec(select(func.count()).select_from(Certificate)).one(),
            db.exec(select(func.count()).select_from(StoredFile)).one())


def _stored_files(app):
    from pathlib import Path
    root = Path(app.instance_path) / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_api_upload_returns_id_and_sha256_and_download_returns_the_japanese_name(app, api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    data = pdf_bytes()
    response = upload_certificate(client, vendor.id, data=data,
                       subservice_organisations=json.dumps([{"name": "AWS", "services": "hosting"}]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["duplicate"] is False and body["original_filename"] == JP_NAME
    assert body["subservice_organisations"] == [
        {"name": "AWS", "services": "hosting", "treatment": "carved_out", "vendor_id": None}]

    one = client.get(f"/api/v1/certificates/{body['id']}").get_json()
    assert one["type"] == "soc2_type2" and one["ends_on"] == "2026-03-31" and one["latest_review"] is None

    download = client.get(f"/api/v1/certificates/{body['id']}/file")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "application/pdf"
    assert f"filename*=UTF-8''{quote(JP_NAME, safe='')}" in download.headers["Content-Disposition"]
    db.rollback()
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "download",
                                             AuditEntry.entity == "certificate")).one()
    assert entry.entity_id == str(body["id"]) and JP_NAME in entry.after


def test_same_file_twice_is_recognised(app, api, db):
    first, second = factories.gen_vendor(db), factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    data = pdf_bytes()
    one = upload_certificate(client, first.id, data=data).get_json()
    again = upload_certificate(client, first.id, data=data, filename="別名.pdf")
    assert again.status_code == 409
    assert again.get_json()["error"]["details"][0]["certificate_id"] == one["id"]
    message = again.get_json()["error"]["message"]  # names the certificate by its file, not its id
    assert f"“{JP_NAME}”" in message and "SOC 2 Type II" in message and f"certificate {one['id']}" not in message, message
    other = upload_certificate(client, second.id, data=data, filename="グループ報告書.pdf")
    assert other.status_code == 201
    body = other.get_json()
    assert body["duplicate"] is True and body["same_file_certificates"] == [one["id"]]
    assert body["sha256"] == one["sha256"] and body["original_filename"] == "グループ報告書.pdf"
    assert _counts(db) == (2, 1)  # one stored file, two records with their own names


@pytest.fixture
def app_config():
    return {"MAX_UPLOAD_MB": 1}


@pytest.mark.parametrize("data, filename, fields, field, words", [
    (b"MZ\x90\x00" + b"\x00" * 200, "report.pdf", {}, "file", "Executable"),
    (png_bytes(), "report.pdf", {}, "file", "does not match"),
    (b"", "report.pdf", {}, "file", "empty"),
    (b"%PDF-1.4\n" + b"0" * (1536 * 1024), "big.pdf", {}, "file", "limit"),
    (b"plain text", "notes.txt", {}, "file", "not accepted"),
    (None, "report.pdf", {"period_start": "2026-03-31", "period_end": "2025-04-01"}, "period_end", "ends before"),
    (None, "cert.pdf", {"type": "iso27001", "issue_date": "2026-01-01", "expiry_date": "2025-01-01"},
     "expiry_date", "before the issue"),
    (None, "cert.pdf", {"type": "iso27001", "issue_date": "2026-01-01"}, "expiry_date", "expiry"),
    (None, "report.pdf", {"period_end": "31/03/2026"}, "period_end", "not a date"),
    (None, "report.pdf", {"type": "soc4"}, "type", "type"),
])
def test_bad_input_is_refused_and_nothing_is_stored(app, api, db, data, filename, fields, field, words):
    vendor = factories.gen_vendor(db)
    db.commit()
    response = upload_certificate(api("procurement"), vendor.id, data=data, filename=filename, **fields)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert any(d["field"] == field for d in error["details"])
    assert words.lower() in json.dumps(error, ensure_ascii=False).lower()
    assert _counts(db) == (0, 0)
    assert _stored_files(app) == []


def test_request_over_the_transport_limit_is_refused_before_reading(app, api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    response = upload_certificate(api("compliance"), vendor.id, data=b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "request_entity_too_large"
    assert _counts(db) == (0, 0) and _stored_files(app) == []


def test_listing_expiring_within_days_excludes_renewed_and_expired(app, api, db):
    from tests.certificates.factories import gen_certificate
    vendor = factories.gen_vendor(db)
    today = clock.today()
    soon = gen_certificate(db, vendor, "iso27001", issue_date=today - timedelta(days=900),
                           expiry_date=today + timedelta(days=20))
    gen_certificate(db, vendor, "iso27017", issue_date=today - timedelta(days=900),
                    expiry_date=today + timedelta(days=200))
    gen_certificate(db, vendor, "privacymark", issue_date=today - timedelta(days=900),
                    expiry_date=today - timedelta(days=3))
    old = gen_certificate(db, vendor, "ismap", issue_date=today - timedelta(days=900),
                          expiry_date=today + timedelta(days=10))
    gen_certificate(db, vendor, "ismap", issue_date=today, expiry_date=today + timedelta(days=700))
    db.commit()
    client = api("auditor")
    body = client.get("/api/v1/certificates?expiring_within_days=30").get_json()
    assert [c["id"] for c in body["items"]] == [soon.id] and body["total"] == 1
    assert old.id not in [c["id"] for c in client.get("/api/v1/certificates?expiring_within_days=60").get_json()["items"]]
    assert client.get("/api/v1/certificates").get_json()["total"] == 5
    bad = client.get("/api/v1/certificates?expiring_within_days=soon")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "expiring_within_days"


def test_auditor_reads_but_cannot_upload_and_owner_only_for_own_vendor(app, api, db):
    owned, other = factories.gen_vendor(db), factories.gen_vendor(db)
    db.commit()
    assert upload_certificate(api("auditor"), owned.id).status_code == 403
    owner_client = api("vendor_owner", email="owner-cert@test.example")
    owner = db.exec(select(User).where(
        User.email == "owner-cert@test.example")).one()
    factories.gen_owner(db, owned, owner)
    db.commit()
    refused = upload_certificate(owner_client, other.id)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert upload_certificate(owner_client, owned.id).status_code == 201
    assert upload_certificate(api("compliance"), 999999).status_code == 404


def test_a_refused_upload_asks_for_the_file_again_by_name(client, login, db):
    # the browser empties the file field of a refused form; the officer who only mistyped the
    # period would otherwise press Upload again and meet the browser's "select a file"
    vendor = factories.gen_vendor(db)
    db.commit()
    login("compliance")
    assert 'data-test="choose-file-again"' not in client.get(f"/certificates/vendor/{vendor.id}/new").get_data(as_text=True)
    refused = client.post(f"/certificates/vendor/{vendor.id}/new", content_type="multipart/form-data",
                          headers={"Accept-Language": "ja"},
                          data={"type": "soc2_type1", "issuer": "あずさ監査法人", "period_start": "2025-10-01",
                                "period_end": "2025-09-30", "file": (io.BytesIO(pdf_bytes()), "SOC2報告書.pdf")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="あずさ監査法人"' in html
    hint = html.split('data-test="choose-file-again">', 1)[1].split("</small>", 1)[0]
    assert hint == "ファイル（SOC2報告書.pdf）をもう一度選んでください。入力に誤りがあって戻された画面では、ブラウザは選んだファイルを保持しません。"


def test_upload_form_review_and_finding(app, client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    user = login("compliance")
    page = client.get(f"/certificates/vendor/{vendor.id}/new")
    assert page.status_code == 200 and b'name="file"' in page.data
    bad = client.post(f"/certificates/vendor/{vendor.id}/new", content_type="multipart/form-data",
                      data={"type": "iso27001", "issue_date": "2026-02-01", "expiry_date": "2026-01-01",
                            "file": (io.BytesIO(pdf_bytes()), "証明書.pdf")})
    assert bad.status_code == 422 and "The expiry date is before the issue date." in bad.get_data(as_text=True)
    assert _counts(db) == (0, 0)
    response = client.post(f"/certificates/vendor/{vendor.id}/new", content_type="multipart/form-data", data={
        "type": "soc2_type2", "issuer": "Audit LLC", "period_start": "2025-04-01", "period_end": "2026-03-31",
        "exceptions_noted": "Access reviews were late in Q3.", "cuecs": "Review user access quarterly.",
        "subservice_organisations": "データセンター株式会社 | hosting | carved_out",
        "file": (io.BytesIO(pdf_bytes()), JP_NAME)})
    assert response.status_code == 302
    db.rollback()
    certificate = db.exec(select(Certificate)).one()
    assert response.headers["Location"].endswith(f"/certificates/{certificate.id}")
    record = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert JP_NAME in record and "データセンター株式会社" in record

    refused = client.post(f"/certificates/{certificate.id}/review", data={"covers_services": "1"})
    assert refused.status_code == 422
    done = client.post(f"/certificates/{certificate.id}/review", data={
        "reviewed_on": clock.today().isoformat(), "covers_services": "1", "conclusion": "Scope covers the ledger.",
        "exceptions_follow_up": "Asked for the Q4 access review.", "cuecs_follow_up": "We review access quarterly.",
        "raise_finding": "1", "finding_severity": "high"})
    assert done.status_code == 302
    db.rollback()
    review = db.exec(select(CertificateReview)).one()
    assert review.reviewer_id == user.id and review.covers_services and review.finding_id
    finding = db.get(Finding, review.finding_id)
    assert finding.source == "certificate" and finding.severity == "high" and finding.vendor_id == vendor.id
    assert "Access reviews were late" in finding.description
    assert "Scope covers the ledger." in client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    evidence = client.get(f"/certificates/vendor/{vendor.id}").get_data(as_text=True)
    assert JP_NAME in evidence


def test_carved_out_organisations_join_the_chains_once(app, client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社フジシステムズ")
    elsewhere_parent = factories.gen_vendor(db)
    known = factories.gen_vendor(db, name="さくらデータセンター株式会社")
    own = factories.gen_arrangement(db, vendor, is_important=True)
    as_sub = factories.gen_arrangement(db, elsewhere_parent)
    factories.gen_link(db, as_sub, elsewhere_parent, vendor)
    factories.gen_arrangement(db)  # an arrangement the vendor is not part of
    from tests.certificates.factories import gen_certificate
    certificate = gen_certificate(db, vendor, "soc2_type2")
    for name, treatment in (("ＡＷＳ ジャパン", "carved_out"), ("さくらデータセンター 株式会社", "carved_out"),
                            ("株式会社フジシステムズ", "carved_out"), ("Inclusive Co", "inclusive")):
        db.add(SubserviceOrganisation(certificate_id=certificate.id, name=name, treatment=treatment))
    db.commit()
    login("procurement")
    response = client.post(f"/certificates/{certificate.id}/add-to-chains", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "株式会社フジシステムズ" in text  # refused self-link is named
    from vendorrisk.vendors.models import OutsourcingLink, Vendor
    db.rollback()
    links = db.exec(select(OutsourcingLink).where(OutsourcingLink.parent_vendor_id == vendor.id)).all()
    created = db.exec(select(Vendor).where(Vendor.name == "ＡＷＳ ジャパン")).one()
    assert sorted((link.arrangement_id, link.vendor_id) for link in links) == sorted(
        [(own.id, created.id), (own.id, known.id), (as_sub.id, created.id), (as_sub.id, known.id)])
    assert all(link.approval_status == "unapproved" for link in links)
    client.post(f"/certificates/{certificate.id}/add-to-chains")
    db.rollback()
    assert db.exec(select(func.count()).select_from(OutsourcingLink)
                   .where(OutsourcingLink.parent_vendor_id == vendor.id)).one() == 4
    assert db.exec(select(func.count()).select_from(Vendor).where(Vendor.name == "ＡＷＳ ジャパン")).one() == 1


def test_pages_render_for_auditor(app, client, login, db):
    from tests.certificates.factories import gen_certificate
    vendor = factories.gen_vendor(db, name="株式会社期限切れ", name_en="")
    factories.gen_arrangement(db, vendor, is_important=True)
    today = clock.today()
    gen_certificate(db, vendor, "iso27001", issue_date=today - timedelta(days=1000),
                    expiry_date=today + timedelta(days=15))
    db.commit()
    login("auditor")
    index = client.get("/certificates/?within=30").get_data(as_text=True)
    assert "株式会社期限切れ" in index and "ISO/IEC 27001" in index
    coverage = client.get("/certificates/coverage").get_data(as_text=True)
    assert "株式会社期限切れ" in coverage and "not reviewed" in coverage
    assert client.get(f"/certificates/vendor/{vendor.id}/new").status_code == 403
    assert client.get("/certificates/424242").status_code == 404


def test_evidence_source_and_vendor_panel(app, api, db, contributions):
    vendor = factories.gen_vendor(db)
    db.commit()
    data = pdf_bytes()
    assert upload_certificate(api("compliance"), vendor.id, data=data).status_code == 201
    with app.test_request_context("/"):
        db.rollback()
        files = list(contributions.evidence_sources["certificates"](db, vendor.id))
        assert len(files) == 1 and files[0].path.endswith(JP_NAME) and files[0].data == data
        html = contributions.vendor_panels["certificates"][1](db, vendor)
    assert JP_NAME in html and 'data-test="certificates-panel"' in html


def test_openapi_lists_the_certificate_routes_and_is_valid(client):
    from openapi_spec_validator import validate
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in ("/api/v1/vendors/{vendor_id}/certificates", "/api/v1/certificates",
                 "/api/v1/certificates/{certificate_id}", "/api/v1/certificates/{certificate_id}/file"):
        assert path in document["paths"]


def test_s3_backend_is_chosen_lazily_and_explains_missing_settings(app):
    """The S3 backend is loaded only when configured; without a bucket it says what to set."""
    from vendorrisk.core import storage
    app.config.update(STORAGE_BACKEND="s3", S3_BUCKET="")
    with app.app_context():
        app.extensions.pop("vendorrisk.storage", None)
        with pytest.raises(RuntimeError, match="VENDORRISK_S3_BUCKET"):
            storage.backend()


def test_review_is_for_compliance_and_the_vendors_own_owner(app, client, login, db):
    from tests.certificates.factories import gen_certificate
    vendor = factories.gen_vendor(db)
    certificate = gen_certificate(db, vendor, "iso27001")
    db.commit()
    form = {"conclusion": "Read.", "covers_services": "1"}
    login("vendor_owner", email="not-owner@test.example")
    assert client.post(f"/certificates/{certificate.id}/review", data=form).status_code == 403
    owner = db.exec(select(User).where(
        User.email == "not-owner@test.example")).one()
    factories.gen_owner(db, vendor, owner)
    db.commit()
    assert client.post(f"/certificates/{certificate.id}/review", data=form).status_code == 302
    login("procurement")
    assert client.post(f"/certificates/{certificate.id}/review", data=form).status_code == 403
    db.rollback()
    assert [r.reviewer_id for r in db.exec(select(CertificateReview)).all()] == [owner.id]
    login("auditor")
    assert client.post(f"/certificates/{certificate.id}/add-to-chains").status_code == 403
    expired_only = client.get("/certificates/?show=expired")
    assert expired_only.status_code == 200


def test_a_vendor_owner_is_offered_links_only_for_the_vendors_assigned_to_them(app, client, login, db):
    """Another vendor's evidence is listed to a vendor owner, but its upload and review links
    and its files (need-to-know) are not offered: following them would only answer 403 and
    record a refusal in the audit trail."""
    from tests.certificates.factories import gen_certificate
    mine, other = factories.gen_vendor(db, name="株式会社担当先"), factories.gen_vendor(db, name="株式会社担当外")
    certificates = {vendor.id: gen_certificate(db, vendor).id for vendor in (mine, other)}
    db.commit()
    owner = login("vendor_owner")
    factories.gen_owner(db, mine, owner)
    db.commit()
    for vendor, offered in ((mine, True), (other, False)):
        certificate_id = certificates[vendor.id]
        evidence = client.get(f"/certificates/vendor/{vendor.id}").get_data(as_text=True)
        record = client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
        assert ('data-test="upload-link"' in evidence) is offered
        assert (f"/certificates/{certificate_id}/file" in evidence) is offered
        assert ('data-test="review-link"' in record) is offered and ('data-test="download"' in record) is offered
        assert (client.get(f"/certificates/vendor/{vendor.id}/new").status_code == 200) is offered


def test_a_subservice_organisation_is_matched_by_spelling_not_by_dropping_the_legal_form():
    """The two name keys say what they do: the certificates' folds spelling only, the
    vendors' (duplicates, search) also drops legal-form words."""
    from vendorrisk.certificates.subservice_match import spelling_key
    from vendorrisk.vendors.service import normalise_name

    assert spelling_key("ＡＷＳ ジャパン") == spelling_key("aws・ジャパン") == "awsジャパン"
    assert spelling_key("さくらデータセンター 株式会社") == "さくらデータセンター株式会社"
    assert spelling_key("株式会社さくら") != spelling_key("さくら有限会社")
    assert normalise_name("株式会社さくら") == normalise_name("さくら有限会社") == "さくら"


def test_a_subservice_organisation_is_matched_as_the_register_normalises_names(app, client, login, db):
    """A report names a registered company in other width, spacing or legal form: it is that
    vendor (normalised as its name_normalized is), not a new prospect; of two registered
    vendors differing only by legal form, the one spelled the same, and none when neither is."""
    vendor = factories.gen_vendor(db, name="株式会社フジシステムズ")
    factories.gen_arrangement(db, vendor, is_important=True)
    registered = {name: factories.gen_vendor(db, name=name, **extra).id for name, extra in (
        ("さくらデータセンター株式会社", {}), ("ＡＢＣホスティング株式会社", {}),
        ("株式会社みどり", {}), ("みどり有限会社", {}), ("日本クラウド株式会社", {"name_en": "Nippon Cloud K.K."}))}
    from tests.certificates.factories import gen_certificate
    certificate = gen_certificate(db, vendor, "soc2_type2")
    names = ("さくらデータセンター",          # legal form left out
             "abc ホスティング 株式会社",       # half-width, spaced
             "株式会社 みどり",                # two registered: the one spelled the same
             "みどり合同会社",                 # two registered, neither spelled so: a person decides
             "NIPPON CLOUD K.K.",             # the English name, in capitals
             "新規データ株式会社")             # not registered: a new prospect
    for name in names:
        db.add(SubserviceOrganisation(certificate_id=certificate.id, name=name, treatment="carved_out"))
    db.commit()
    login("compliance")
    page = client.post(f"/certificates/{certificate.id}/add-to-chains", headers={"Accept-Language": "ja"},
                       follow_redirects=True).get_data(as_text=True)
    from vendorrisk.vendors.models import OutsourcingLink, Vendor
    from vendorrisk.vendors.service import normalise_name
    db.rollback()
    linked = set(db.exec(select(OutsourcingLink.vendor_id).where(OutsourcingLink.parent_vendor_id == vendor.id)))
    created = db.exec(select(Vendor).where(Vendor.name == "新規データ株式会社")).one()
    assert linked == {registered["さくらデータセンター株式会社"], registered["ＡＢＣホスティング株式会社"],
                      registered["株式会社みどり"], registered["日本クラウド株式会社"], created.id}
    assert created.name_normalized == normalise_name("新規データ株式会社") == "新規データ"  # found by search
    assert db.exec(select(func.count()).select_from(Vendor)).one() == 7  # nothing else created
    assert "みどり合同会社は登録済みの複数の外部委託先" in page
