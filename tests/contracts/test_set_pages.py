"""The contract set on the pages: several files uploaded as one set (all or nothing), the
set's combined result per clause with the document and place, the kind of each document,
and the set's Word checklist."""
import io

import docx
from sqlmodel import select

from tests import factories
from tests.contracts.test_contracts import _arrangement, _stored
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts.checker import library
from vendorrisk.contracts.models import ClauseCheck, Contract
from vendorrisk.contracts.set_service import guess_kind
from vendorrisk.core.models import AuditEntry
from vendorrisk.vendors.models import Vendor

JA = {"Accept-Language": "ja"}


def _send_set(client, arrangement_id, files, headers=None):
    """POST several files in one multipart field ``files``, the body built in memory (werkzeug's
    test client would spool a large body to a temporary file it never closes)."""
    boundary = "vendorrisk-set-boundary"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                    f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
                    for data, name in files) + f"--{boundary}--\r\n".encode()
    return client.post(f"/contracts/arrangements/{arrangement_id}/upload-set", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", headers=headers or {})


def _set_arrangement(db):
    return _arrangement(db, is_cloud=False, is_important=False, handles_user_data=False)


def test_a_set_uploaded_at_once_is_stored_and_shown_combined(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    response = _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    assert response.status_code == 302 and response.headers["Location"].endswith("#contract-set")
    assert _stored(db) == (2, 2, 2)
    kinds = {c.title: c.document_kind for c in db.exec(select(Contract))}
    assert kinds == {"業務委託基本契約": "master", "サービスレベル合意書": "sla"}
    html = client.get(f"/contracts/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    assert "契約書一式" in html and 'data-test="set-documents"' in html
    sla_row = html.split('data-set-clause="service_levels"')[1].split("</tr>")[0]
    assert "あり" in sla_row and "サービスレベル合意書" in sla_row and "第1条" in sla_row
    assert "稼働率" in sla_row  # the evidence excerpt
    sub_row = html.split('data-set-clause="subcontracting"')[1].split("</tr>")[0]
    assert "業務委託基本契約" in sub_row and ">第2条<" in sub_row and "再委託" in sub_row
    assert "第2条で見つかりました" in sub_row  # the reason, in the reader's language
    english = client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    sub_en = english.split('data-set-clause="subcontracting"')[1].split("</tr>")[0]
    assert ">found<" in sub_en and "Found at 第2条" in sub_en

    # the same file names again: the next version of each document, not new documents
    again = _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    assert again.status_code == 302
    assert _stored(db)[1:] == (4, 2)
    # the same files in another order: still the next version of each
    with_title = _send_set(client, arrangement.id, [(SLA, "サービスレベル合意書.txt"), (MASTER, "業務委託基本契約.txt")])
    assert with_title.status_code == 302
    db.rollback()
    master = db.exec(select(Contract).where(Contract.title == "業務委託基本契約")).one()
    master.title = "基本契約"  # renamed: still found by its latest file name
    db.add(master)
    db.commit()
    # one document named by its title and by its latest file name in the same set: refused
    both = _send_set(client, arrangement.id, [(MASTER, "基本契約.md"), (MASTER, "業務委託基本契約.txt")])
    assert both.status_code == 422 and "would both be the next version of 基本契約" in both.get_data(as_text=True)
    assert _stored(db)[1:] == (6, 2)


def test_one_bad_file_refuses_the_whole_set_and_names_it(client, login, db, app):
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "基本契約.txt")])
    before = _stored(db)
    huge = b"x" * (app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1)
    response = _send_set(client, arrangement.id, [(SLA, "SLA.txt"), (b"", "empty.txt"), (b"hello", "prices.csv"),
                                                  (huge, "huge.txt"), (b"%PDF-1.4\nnot really", "broken.pdf")],
                         headers=JA)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "何も保存していません" in html and "5件のうち4件" in html
    errors = html.split('data-test="set-errors"')[1].split("</div>")[0]
    assert "empty.txt" in errors and "ファイルが空です" in errors
    assert "prices.csv" in errors and "huge.txt" in errors and "broken.pdf" in errors
    assert "SLA.txt" not in errors  # the good file is not blamed
    assert 'data-test="upload-set"' in html and 'data-test="new-contract"' in html  # the page, not an error page
    assert _stored(db) == before
    english = _send_set(client, arrangement.id, [(SLA, "SLA.txt"), (b"", "empty.txt")])
    assert english.status_code == 422 and "Nothing was stored: 1 of the 2 files" in english.get_data(as_text=True)
    assert "empty.txt: The file is empty." in english.get_data(as_text=True)
    twins = _send_set(client, arrangement.id, [(SLA, "SLA.txt"), (SLA, "sla.md")])
    assert twins.status_code == 422 and "same name" in twins.get_data(as_text=True)
    nothing = client.post(f"/contracts/arrangements/{arrangement.id}/upload-set", data={},
                          content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Choose the contract files of the set." in nothing.get_data(as_text=True)
    too_many = _send_set(client, arrangement.id, [(SLA, f"SLA{i}.txt") for i in range(11)])
    assert too_many.status_code == 422 and "at most 10 files" in too_many.get_data(as_text=True)
    assert _stored(db) == before


def test_who_may_upload_a_set_and_change_a_document_kind(client, login, db):
    arrangement = _set_arrangement(db)
    files = [(MASTER, "基本契約.txt"), (SLA, "SLA.txt")]
    login("auditor")
    assert _send_set(client, arrangement.id, files).status_code == 403
    assert 'data-test="upload-set"' not in client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    login("vendor_owner")  # of another vendor
    assert _send_set(client, arrangement.id, files).status_code == 403
    assert _stored(db) == (0, 0, 0)
    owner = login("vendor_owner")
    factories.gen_owner(db, db.get(Vendor, arrangement.vendor_id), owner)
    db.commit()
    assert _send_set(client, arrangement.id, files).status_code == 302
    sla = db.exec(select(Contract).where(Contract.title == "SLA")).one()
    assert sla.document_kind == "sla"
    assert client.post(f"/contracts/documents/{sla.id}/kind", data={"document_kind": "security"}).status_code == 302
    refused = client.post(f"/contracts/documents/{sla.id}/kind", data={"document_kind": "brochure"})
    assert refused.status_code == 422
    assert "Choose the kind of document from the list: Master agreement, Data processing agreement" in \
        refused.get_data(as_text=True) and "memorandum, order" not in refused.get_data(as_text=True)  # no ids
    in_japanese = client.post(f"/contracts/documents/{sla.id}/kind", data={"document_kind": "brochure"}, headers=JA)
    assert "文書の種類は一覧から選んでください：基本契約書, データ処理契約（DPA）" in in_japanese.get_data(as_text=True)
    form = in_japanese.get_data(as_text=True).split('data-test="new-contract"')[1].split("</form>")[0]
    # the same list as each document's select; a kind's name says what it is: no 「文書：」 before it
    assert '<option value="memorandum" >覚書</option>' in form and "文書：" not in form
    assert '<option value="other" >その他の文書</option>' in form
    login("auditor")
    assert client.post(f"/contracts/documents/{sla.id}/kind", data={"document_kind": "dpa"}).status_code == 403
    db.expire_all()  # ``login`` committed: the session's copy of the contract is from before
    assert db.get(Contract, sla.id).document_kind == "security"


def test_the_set_checklist_names_the_document_and_place_of_each_clause(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    response = client.get(f"/contracts/arrangements/{arrangement.id}/set-checklist.docx", headers=JA)
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "外部委託契約 条項チェックリスト（契約書一式）" in text and "契約書一式を構成する文書" in text
    listed = [[c.text for c in r.cells] for r in document.tables[1].rows[1:]]
    assert [(row[0], row[1]) for row in listed] == [("業務委託基本契約", "基本契約書"),
                                                    ("サービスレベル合意書", "サービスレベル合意書（SLA）")]
    clauses = document.tables[2]
    assert [c.text for c in clauses.rows[0].cells] == ["条項", "根拠条文", "結果", "該当文書", "箇所", "該当箇所（抜粋）"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in clauses.rows[1:]}
    assert rows["再委託の手続き"][2].startswith("あり") and rows["再委託の手続き"][3].startswith("業務委託基本契約")
    assert rows["再委託の手続き"][4] == "第2条" and "再委託" in rows["再委託の手続き"][5]
    assert rows["サービス水準（SLA）"][3].startswith("サービスレベル合意書") and rows["サービス水準（SLA）"][4].startswith("第")
    gaps = [r for r in rows.values() if r[2].startswith("なし")]
    assert all(r[3] == "—" and r[5] for r in gaps)  # no document named for a gap; the reason instead
    db.rollback()
    entry = db.exec(select(AuditEntry).where(AuditEntry.entity == "arrangement", AuditEntry.action == "export")).one()
    assert entry.entity_id == str(arrangement.id)
    login("auditor")
    english = client.get(f"/contracts/arrangements/{arrangement.id}/set-checklist.docx")
    assert english.status_code == 200
    document = docx.Document(io.BytesIO(english.data))
    assert "Outsourcing contract set clause checklist" in "\n".join(p.text for p in document.paragraphs)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert rows["Sub-outsourcing procedure"][2].startswith("Found") and rows["Sub-outsourcing procedure"][4] == "第2条"
    empty = _set_arrangement(db)
    assert client.get(f"/contracts/arrangements/{empty.id}/set-checklist.docx").status_code == 422


def test_the_kind_of_a_document_is_recognised_from_its_name_or_title():
    assert guess_kind("SLA_2026.pdf") == "sla"
    assert guess_kind("個人情報の取扱いに関する覚書.docx") == "dpa"
    assert guess_kind("覚書（料金改定）.docx") == "memorandum"
    assert guess_kind("Exhibit C.pdf", "EXHIBIT C\nSECURITY REQUIREMENTS\n1. General") == "security"
    assert guess_kind("contract.txt", "業務委託基本契約書\n甲と乙は…") == "master"
    assert guess_kind("Master Services Agreement.docx") == "master"
    assert guess_kind("scan.pdf", "") == "other"
    assert guess_kind("TESLA.pdf") == "other"  # SLA inside a word is not an SLA


def _api_set(client, arrangement_id, files):
    boundary = "vendorrisk-set-boundary"
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                    f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
                    for data, name in files) + f"--{boundary}--\r\n".encode()
    return client.post(f"/api/v1/arrangements/{arrangement_id}/contract-set", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_the_api_uploads_a_set_all_or_nothing_and_keeps_checks_per_document(api, db):
    arrangement = _set_arrangement(db)
    client, auditor = api("compliance"), api("auditor")
    refused = _api_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (b"", "empty.txt")])
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed" and error["message"].startswith("Nothing was stored: 1 of the 2")
    assert [(d["file"], d["field"]) for d in error["details"]] == [("empty.txt", "files")]
    assert _stored(db) == (0, 0, 0)
    response = _api_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "SLA.txt")])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(d["title"], d["document_kind"], d["version"]) for d in body["uploaded"]] == [
        ("業務委託基本契約", "master", 1), ("SLA", "sla", 1)]
    own = {d["title"]: {c["clause_id"]: c["status"] for c in d["checks"]} for d in body["uploaded"]}
    assert own["SLA"]["service_levels"] == "found" and own["SLA"]["subcontracting"] != "found"  # the document alone
    combined = {c["clause_id"]: c for c in body["set_checks"]}
    assert combined["subcontracting"]["document"] == "業務委託基本契約" and combined["subcontracting"]["location"] == "第2条"
    assert combined["service_levels"]["document"] == "SLA"
    assert [d["title"] for d in body["documents"]] == ["業務委託基本契約", "SLA"]
    assert _api_set(auditor, arrangement.id, [(SLA, "SLA.txt")]).status_code == 403
    assert _api_set(client, 999999, [(SLA, "SLA.txt")]).status_code == 404


def test_a_scan_in_the_set_is_stored_and_marked(client, login, db):
    from tests.contracts.factories import scanned_pdf
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(MASTER, "基本契約.txt"), (scanned_pdf(), "覚書.pdf")]).status_code == 302
    html = client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    scan_row = html.split('data-test="set-documents"')[1].split("</table>")[0].split("覚書.pdf")[1].split("</tr>")[0]
    assert 'data-test="read-mark"' in scan_row and "no text layer" in scan_row
    assert db.exec(select(Contract).where(Contract.title == "覚書")).one().document_kind == "memorandum"


def test_a_reviewed_result_of_the_set_comes_before_a_surer_automatic_one(client, login, db):
    arrangement = _set_arrangement(db)
    reviewer = login("compliance")
    assert _send_set(client, arrangement.id, [(MASTER, "基本契約.txt"), (MASTER, "写し.txt")]).status_code == 302
    db.rollback()
    confirmed, guessed = sorted(db.exec(select(ClauseCheck).where(ClauseCheck.clause_id == "subcontracting")),
                                key=lambda c: c.id)
    confirmed.auto_status, confirmed.confidence = "needs_review", 0.6  # the reviewer confirms it below
    guessed.confidence = 0.8  # the other document's automatic found, surer
    db.add_all([confirmed, guessed])
    db.commit()
    assert client.post(f"/contracts/checks/{confirmed.id}/review",
                       data={"status": "found", "comment": "第2条で確認"}).status_code == 302
    html = client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    row = html.split('data-set-clause="subcontracting"')[1].split("</tr>")[0]
    assert ">reviewed<" in row and ">基本契約<" in row and "写し" not in row
    downloader = login("auditor")
    document = docx.Document(io.BytesIO(client.get(
        f"/contracts/arrangements/{arrangement.id}/set-checklist.docx").data))
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert rows["Sub-outsourcing procedure"][2] == "Found" and rows["Sub-outsourcing procedure"][3].startswith("基本契約")
    cover = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert cover["Reviewer"] == (reviewer.display_name or reviewer.email)
    assert (downloader.display_name or downloader.email) not in cover["Reviewer"]


def test_the_evidence_pack_holds_the_set_checklist_the_verdicts_rest_on(app, client, login, db):
    # an inspector's pack held only the checklist of the document uploaded last (the SLA), while
    # the matrix cited the master agreement for the sub-outsourcing clause
    import zipfile

    from tests.helpers import exported
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    login("auditor")
    pack = exported(app, client, f"/compliance/vendors/{arrangement.vendor_id}/evidence-pack.zip", headers=JA)
    archive = zipfile.ZipFile(io.BytesIO(pack.data))
    checklists = [n for n in archive.namelist() if n.startswith("evidence/contracts/")]
    assert checklists == [f"evidence/contracts/{arrangement.id}_checklist_set_{arrangement.id}.docx"]
    document = docx.Document(io.BytesIO(archive.read(checklists[0])))
    listed = [row.cells[0].text for row in document.tables[1].rows[1:]]
    assert listed == ["業務委託基本契約", "サービスレベル合意書"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert rows["再委託の手続き"][3].startswith("業務委託基本契約")


def test_an_english_evidence_pack_holds_an_english_contract_checklist(app, client, login, db):
    # the pack's checklists were built in Japanese whatever the pack's language (its starter's)
    import zipfile

    from tests.helpers import exported
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    reader = login("auditor")
    reader.language = "en"
    db.commit()
    pack = exported(app, client, f"/compliance/vendors/{arrangement.vendor_id}/evidence-pack.zip", headers=JA)
    archive = zipfile.ZipFile(io.BytesIO(pack.data))
    (checklist,) = [n for n in archive.namelist() if n.startswith("evidence/contracts/")]
    document = docx.Document(io.BytesIO(archive.read(checklist)))
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert "再委託の手続き" not in rows and rows["Sub-outsourcing procedure"][2].startswith("Found\n(automatic")
    assert rows["Sub-outsourcing procedure"][3].startswith("業務委託基本契約")  # the document's own title
    text = "\n".join(p.text for p in document.paragraphs)
    assert "チェックリスト" not in text, text[:500]


def test_the_set_checklist_names_no_reviewer_when_nothing_was_reviewed(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "基本契約.txt")])
    document = docx.Document(io.BytesIO(client.get(
        f"/contracts/arrangements/{arrangement.id}/set-checklist.docx").data))
    assert {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}["Reviewer"] == "—"


def test_the_set_names_unreadable_files_in_the_readers_language(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    files = [(SLA, "SLA.txt"), (b"%PDF-1.4\nnot really", "broken.pdf"), (b"\x80\x81\x8d\xa0\x00", "garbled.txt"),
             (b"%PDF-1.4\n" + SLA, "renamed.docx")]
    errors = _send_set(client, arrangement.id, files, headers=JA).get_data(as_text=True)
    errors = errors.split('data-test="set-errors"')[1].split("</div>")[0]
    assert "broken.pdf：PDF が壊れていて読み取れません" in errors and "Error" not in errors  # no PdfStreamError
    assert "garbled.txt：ファイルの内容を .txt として認識できませんでした" in errors and "UNKNOWN" not in errors
    assert "ファイルの内容は PDF 文書 で" in errors and "PDF で" not in errors  # no internal id
    english = _send_set(client, arrangement.id, files).get_data(as_text=True)
    assert "broken.pdf: The PDF is corrupt and cannot be read; save or export it again" in english
    assert "The file&#39;s content is a PDF document, which does not match its extension .docx." in english


def test_the_set_checklist_agrees_with_the_page_on_unchecked_clauses_and_older_reasons(client, login, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    _send_set(client, arrangement.id, [(MASTER, "基本契約.txt")])
    db.rollback()
    gap = next(c for c in db.exec(select(ClauseCheck)) if c.auto_status == "not_found")
    gap.reason_key, gap.reason = "", "An older check's reason, stored as a sentence."
    arrangement.is_cloud = True  # now required: clauses no document was checked for
    db.add_all([gap, arrangement])
    db.commit()
    html = client.get(f"/contracts/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    unchecked = [part.split('"')[0] for part in html.split('data-set-clause="')[1:]
                 if "未チェック" in part.split("</tr>")[0]]
    assert unchecked
    document = docx.Document(io.BytesIO(client.get(
        f"/contracts/arrangements/{arrangement.id}/set-checklist.docx", headers=JA).data))
    titles = {c.id: c.text("title", "ja") for c in library.library()}
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}
    assert all(rows[titles[clause]][2] == "未チェック" for clause in unchecked)
    assert rows[titles[gap.clause_id]][5] == "An older check's reason, stored as a sentence."
