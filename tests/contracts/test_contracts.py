"""Contracts end to end through the API and the pages: upload, check, bad input, review,
findings, versions and their diff, the Word checklist."""
import io
import zipfile

import docx
from docx.oxml.ns import qn
from sqlmodel import func, select

from tests import factories
from tests.contracts.factories import CORPUS, docx_from_text, scanned_pdf
from vendorrisk.contracts.models import ClauseCheck, ClauseReview, Contract, ContractVersion
from vendorrisk.core import storage
from vendorrisk.core.models import StoredFile, User
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Vendor

COMPLETE_JA = (CORPUS / "ja_complete_cloud.md").read_bytes()
MISSING_JA = (CORPUS / "ja_missing_si.txt").read_bytes()


def _arrangement(db, **flags):
    flags = {"is_cloud": True, "is_important": True, "handles_user_data": True, **flags}
    arrangement = factories.gen_arrangement(db, **flags)
    db.commit()
    return arrangement


def _upload(client, arrangement_id, data, name, **form):
    """POST a multipart upload; the body is built here, in memory (werkzeug's test client
    would spool a large body to a temporary file it never closes)."""
    boundary = "vendorrisk-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in form.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(f"/api/v1/arrangements/{arrangement_id}/contracts", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _stored(db):
    db.rollback()
    return (db.exec(select(func.count()).select_from(StoredFile)).one(),
            db.exec(select(func.count()).select_from(ContractVersion)).one(),
            db.exec(select(func.count()).select_from(Contract)).one())


def test_upload_checks_every_applicable_clause_with_evidence(api, db):
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, COMPLETE_JA, "クラウド契約.md")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    checks = {c["clause_id"]: c for c in body["checks"]}
    assert len(checks) == 14 and body["id"] == body["contract_id"]
    assert all(c["status"] == "found" for c in checks.values())
    audit = checks["audit_rights"]
    assert audit["location"].startswith("第8条") and "監査" in audit["evidence"] and audit["confidence"] >= 0.9


def test_a_shift_jis_text_file_is_checked_as_its_utf8_twin_and_kept_as_it_came(api, db):
    arrangement = _arrangement(db)
    sjis = COMPLETE_JA.decode("utf-8").replace("\u301c", "\uff5e").encode("cp932")  # as Japanese Windows saves it
    response = _upload(api("compliance"), arrangement.id, sjis, "クラウド契約.md")
    assert response.status_code == 201, response.get_json()
    assert all(c["status"] == "found" for c in response.get_json()["checks"])
    db.rollback()
    stored = db.exec(select(StoredFile)).one()
    assert storage.read(stored) == sjis


def test_only_applicable_clauses_are_checked_and_gaps_reported(api, db):
    arrangement = _arrangement(db, is_cloud=False, is_important=False, handles_user_data=False,
                               subcontracting_allowed=False)
    body = _upload(api("procurement"), arrangement.id, MISSING_JA, "si.txt").get_json()
    statuses = {c["clause_id"]: c["status"] for c in body["checks"]}
    assert set(statuses) == {"roles_responsibilities", "audit_rights", "subcontracting", "service_levels",
                             "security_requirements", "confidentiality", "incident_notification",
                             "termination_exit", "regulatory_compliance"}
    assert statuses["confidentiality"] == "found"
    assert statuses["audit_rights"] != "found" and statuses["service_levels"] != "found"
    assert statuses["termination_exit"] == "needs_review"


def test_bad_input_is_refused_and_nothing_is_stored(api, db, app):
    arrangement = _arrangement(db)
    client = api("compliance")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>" + b" " * (5 * 1024 * 1024))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document><unclosed")
    cases = [
        (b"PK\x03\x04" + b"\x00" * 100, "broken.docx", "not recognised as .docx"),
        (damaged.getvalue(), "damaged.docx", "Word file is corrupt"),
        (b"%PDF-1.4\nnot really a pdf", "broken.pdf", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "locked.docx", "password-protected"),
        (COMPLETE_JA, "contract.pdf", "does not match"),
        (docx_from_text("第1条 目的\n定める。\n"), "contract.txt", "does not match"),
        (bomb.getvalue(), "bomb.docx", "decompression bomb"),
        (b"x" * (app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1), "huge.txt", "limit"),
        (b"hello", "contract.csv", "not accepted"),
    ]
    for data, name, message in cases:
        response = _upload(client, arrangement.id, data, name)
        assert response.status_code in (413, 422), (name, response.status_code)
        if response.status_code == 422:
            error = response.get_json()["error"]
            assert error["code"] == "validation_failed" and message in error["message"], (name, error)
    assert _stored(db) == (0, 0, 0)
    missing = client.post(f"/api/v1/arrangements/{arrangement.id}/contracts", data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.get_json()["error"]["details"][0]["field"] == "file"
    assert _upload(client, 999999, COMPLETE_JA, "a.md").status_code == 404


def test_scanned_pdf_and_unstructured_text_are_marked_for_review(api, db):
    arrangement = _arrangement(db)
    client = api("compliance")
    scan = _upload(client, arrangement.id, scanned_pdf(), "scan.pdf").get_json()
    assert scan["extraction_status"] == "scanned" and "no text layer" in scan["extraction_note"]
    assert {c["status"] for c in scan["checks"]} == {"needs_review"}
    flat = ("The Supplier shall keep all Confidential Information in confidence and shall not disclose it. "
            "The Customer has the right to audit the Supplier and access to its premises.").encode()
    body = _upload(client, arrangement.id, flat, "flat.txt", title="Side letter").get_json()
    assert body["extraction_status"] == "no_structure"
    assert "found" not in {c["status"] for c in body["checks"]}
    assert {c["clause_id"]: c["status"] for c in body["checks"]}["audit_rights"] == "needs_review"


def test_review_override_needs_comment_keeps_history_and_raises_finding(api, db):
    arrangement = _arrangement(db)
    compliance = api("compliance")
    body = _upload(compliance, arrangement.id, MISSING_JA, "si.txt").get_json()
    checks = {c["clause_id"]: c for c in body["checks"]}
    sla = checks["service_levels"]["id"]
    found_check = checks["confidentiality"]["id"]
    no_comment = compliance.post(f"/api/v1/clause-checks/{found_check}/review", json={"status": "not_found"})
    assert no_comment.status_code == 422 and no_comment.get_json()["error"]["details"][0]["field"] == "comment"
    assert compliance.post(f"/api/v1/clause-checks/{sla}/review", json={"status": "maybe"}).status_code == 422
    assert api("procurement").post(f"/api/v1/clause-checks/{sla}/review",
                                   json={"status": "not_found"}).status_code == 403
    assert api("auditor").post(f"/api/v1/clause-checks/{sla}/review",
                               json={"status": "not_found"}).status_code == 403
    confirmed = compliance.post(f"/api/v1/clause-checks/{sla}/review",
                                json={"status": "not_found", "comment": "SLA is only 'to be agreed'."})
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "not_found"
    again = compliance.post(f"/api/v1/clause-checks/{sla}/review",
                            json={"status": "found", "comment": "Annex 3 has the SLA after all."})
    # the automatic result stays beside the reviewed one; the SLA is only 'to be agreed', so never found
    assert again.get_json()["status"] == "found" and again.get_json()["auto_status"] == "not_found"
    db.rollback()
    history = db.exec(select(ClauseReview).where(ClauseReview.check_id == sla).order_by(ClauseReview.id)).all()
    assert [(r.previous_status, r.status, r.comment) for r in history] == [
        ("not_found", "not_found", "SLA is only 'to be agreed'."),
        ("not_found", "found", "Annex 3 has the SLA after all.")]
    finding = db.exec(select(Finding).where(Finding.source == "contract")).one()
    assert finding.source_ref == f"contract_set:{arrangement.id}:service_levels"  # the set's, not the document's
    assert finding.vendor_id == arrangement.vendor_id and finding.severity == "high"
    assert "Service levels" in finding.title
    # the reviewer's "found" makes the set cover the clause: the finding closed, saying where
    assert finding.status == "closed" and "si (v1, si.txt)" in finding.closure_evidence


def test_next_version_shows_what_changed(api, db):
    arrangement = _arrangement(db)
    client = api("compliance")
    first = _upload(client, arrangement.id, MISSING_JA, "v1.txt").get_json()
    second = _upload(client, arrangement.id, COMPLETE_JA, "v2.md").get_json()
    assert second["contract_id"] == first["contract_id"] and second["version"] == 2
    version = client.get(f"/api/v1/contract-versions/{second['version_id']}").get_json()
    assert version["previous_version_id"] == first["version_id"]
    changes = {c["clause_id"]: (c["previous"], c["current"]) for c in version["changes"]}
    assert changes["audit_rights"] == ("not_found", "found")
    assert changes["service_levels"] == ("not_found", "found")  # v1's SLA is only 'to be agreed' (labelled missing)
    contract = client.get(f"/api/v1/contracts/{first['contract_id']}").get_json()
    assert [v["number"] for v in contract["versions"]] == [2, 1] and contract["latest"]["number"] == 2
    listing = client.get(f"/api/v1/arrangements/{arrangement.id}/contracts").get_json()
    assert [c["id"] for c in listing["items"]] == [first["contract_id"]]


def _fonts_of(document):
    return [el.get(qn("w:eastAsia")) for el in document.element.iter(qn("w:rFonts"))]


def test_checklist_docx_opens_has_east_asian_font_page_numbers_and_gaps(api, db):
    arrangement = _arrangement(db)
    client = api("compliance")
    body = _upload(client, arrangement.id, MISSING_JA, "si.txt").get_json()
    sla = {c["clause_id"]: c["id"] for c in body["checks"]}["service_levels"]
    client.post(f"/api/v1/clause-checks/{sla}/review", json={"status": "not_found", "comment": "SLAなし（別途協議のみ）"})
    response = client.get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang=ja")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert response.headers["Content-Disposition"] == "attachment; filename=checklist_si_v1.docx"
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "外部委託契約 条項チェックリスト" in text and "不足している条項" in text
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["条項", "根拠条文", "結果", "該当箇所（抜粋）", "確認者コメント"]
    rows = {r.cells[0].text: r for r in table.rows[1:]}
    assert rows["サービス水準（SLA）"].cells[4].text == "SLAなし（別途協議のみ）"
    assert rows["秘密保持"].cells[2].text.startswith("あり")
    fonts = _fonts_of(document)
    assert fonts and all(f == "MS Mincho" for f in fonts)
    styles_fonts = [el.get(qn("w:eastAsia")) for el in document.styles.element.iter(qn("w:rFonts"))]
    assert "MS Mincho" in styles_fonts
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and 'w:fldCharType="begin"' in footer_xml
    cover = document.tables[0]
    assert cover.rows[0].cells[1].text.startswith("テスト株式会社")
    assert api("auditor").get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang=en").status_code == 200


def test_checklist_cover_names_the_reviewers_never_the_person_downloading(api, db):
    arrangement = _arrangement(db)
    compliance = api("compliance", email="reviewer@example.test")
    body = _upload(compliance, arrangement.id, MISSING_JA, "si.txt").get_json()
    unreviewed = docx.Document(io.BytesIO(api("auditor").get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang=en").data))
    assert {r.cells[0].text: r.cells[1].text for r in unreviewed.tables[0].rows}["Reviewer"] == "—"
    sla = {c["clause_id"]: c["id"] for c in body["checks"]}["service_levels"]
    assert compliance.post(f"/api/v1/clause-checks/{sla}/review", json={"status": "not_found"}).status_code == 200
    reviewer = db.exec(select(User).where(User.email == "reviewer@example.test")).one()
    reviewed = docx.Document(io.BytesIO(api("auditor").get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang=en").data))
    assert {r.cells[0].text: r.cells[1].text for r in reviewed.tables[0].rows}["Reviewer"] == (
        reviewer.display_name or reviewer.email)


def test_pages_list_upload_review_and_download(client, login, db):
    arrangement = _arrangement(db)
    login("compliance")
    assert client.get("/contracts/").status_code == 200
    page = client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    assert "Upload and check" in page or "アップロードしてチェック" in page
    response = client.post(f"/contracts/arrangements/{arrangement.id}/upload",
                           data={"file": (io.BytesIO(MISSING_JA), "si.txt"), "title": "SI契約"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    version_url = response.headers["Location"]
    html = client.get(version_url).get_data(as_text=True)
    assert "第3条" in html and "data-clause=\"audit_rights\"" in html
    db.rollback()
    check = db.exec(select(ClauseCheck).where(ClauseCheck.clause_id == "audit_rights")).one()
    reviewed = client.post(f"/contracts/checks/{check.id}/review", data={"status": "not_found", "comment": ""})
    assert reviewed.status_code == 302
    html = client.get(version_url).get_data(as_text=True)
    assert "data-test=\"status\">not found" in html
    assert client.get(version_url + "/checklist.docx").status_code == 200
    original = client.get(version_url + "/file")
    assert original.status_code == 200 and original.data == MISSING_JA
    listing = client.get("/contracts/").get_data(as_text=True)
    assert "SI契約" in listing


def test_vendor_owner_changes_only_own_vendors_and_auditor_reads_only(api, db, client):
    arrangement = _arrangement(db)
    owner = api("vendor_owner")
    response = _upload(owner, arrangement.id, MISSING_JA, "si.txt")
    assert response.status_code == 403
    user = factories.gen_user(db, role="vendor_owner")
    factories.gen_owner(db, db.get(Vendor, arrangement.vendor_id), user)
    db.commit()
    from vendorrisk.core import users
    _record, token = users.create_token(db, user, "t")
    db.commit()
    own = client.post(f"/api/v1/arrangements/{arrangement.id}/contracts",
                      data={"file": (io.BytesIO(MISSING_JA), "si.txt")}, content_type="multipart/form-data",
                      headers={"Authorization": f"Bearer {token}"})
    assert own.status_code == 201
    assert _upload(api("auditor"), arrangement.id, MISSING_JA, "si.txt").status_code == 403


def test_demo_contracts_load_checked_with_a_confirmed_gap(app, db):
    from datetime import date

    from vendorrisk.demo import load_demo
    loaded, _logins = load_demo(app, today=date(2026, 11, 26))
    assert loaded
    db.rollback()
    versions = db.exec(select(ContractVersion).order_by(ContractVersion.id)).all()
    assert [v.number for v in versions] == [1, 1, 2, 1, 1] and versions[0].file_kind == "docx"
    # a scanned contract, queued for OCR (read by the scheduler or `vendorrisk contracts ocr`, not while loading)
    from vendorrisk.contracts.checker import ocr
    queued = "queued" if ocr.available() else "unavailable"
    assert (versions[-1].extraction_status, versions[-1].ocr_state) == ("scanned", queued)
    assert db.exec(select(Finding).where(Finding.source == "contract")).one().source_ref.endswith(":service_levels")


def test_a_version_for_another_arrangements_contract_names_it_to_those_who_may_read_it(api, db, client):
    first = _arrangement(db, title="基幹システム運用委託")
    second = _arrangement(db, title="コールセンター委託")
    compliance = api("compliance")
    contract_id = _upload(compliance, first.id, MISSING_JA, "運用契約書.txt").get_json()["contract_id"]
    refused = _upload(compliance, second.id, MISSING_JA, "si.txt", contract_id=contract_id)
    assert refused.status_code == 409, refused.get_json()
    text = refused.get_json()["error"]["message"]
    assert "運用契約書" in text and "基幹システム運用委託" in text and "コールセンター委託" in text
    assert f"Contract {contract_id} " not in text and f"契約 {contract_id} " not in text
    user = factories.gen_user(db, role="vendor_owner")  # owns the second vendor only
    factories.gen_owner(db, db.get(Vendor, second.vendor_id), user)
    from vendorrisk.core import users
    _record, token = users.create_token(db, user, "t")
    db.commit()
    body = b"--b\r\nContent-Disposition: form-data; name=\"contract_id\"\r\n\r\n%d\r\n" % contract_id
    body += (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"si.txt\"\r\n"
             b"Content-Type: application/octet-stream\r\n\r\n" + MISSING_JA + b"\r\n--b--\r\n")
    hidden = client.post(f"/api/v1/arrangements/{second.id}/contracts", data=body,
                         content_type="multipart/form-data; boundary=b",
                         headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"})
    assert hidden.status_code == 409
    text = hidden.get_json()["error"]["message"]
    assert "コールセンター委託" in text and "運用契約書" not in text and "基幹システム運用委託" not in text
