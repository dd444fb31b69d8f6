"""Questionnaire pages, API and CLI: the contract, access rules, errors, proposals, compare."""
import io
import re

from openpyxl import load_workbook
from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core.models import User
from vendorrisk.questionnaires.models import QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors.models import DataLocation, OutsourcingLink, Vendor


def _post(client, vendor_id, data, filename="回答.xlsx", **form):
    return client.post(f"/api/v1/vendors/{vendor_id}/questionnaire-responses",
                       data={"file": (io.BytesIO(data), filename), **form}, content_type="multipart/form-data")


def test_api_lists_templates_and_sends_the_workbook(api, db):
    vendor = factories.gen_vendor(db, name="株式会社API")
    db.commit()
    client = api("compliance")
    listed = client.get("/api/v1/questionnaires").get_json()
    assert {t["id"] for t in listed["items"]} == {"general_outsourcing", "cloud_services"}
    profiles = {p["id"]: p for p in listed["profiles"]}
    assert {p["format"] for p in profiles.values()} == {"caiq", "hecvat3", "hecvat4", "sig", "ja_checklist"}
    assert profiles["caiq_v4"]["templates"] == ["cloud_services", "general_outsourcing"]
    response = client.get(f"/api/v1/questionnaires/cloud_services/workbook?vendor_id={vendor.id}")
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    book = load_workbook(io.BytesIO(response.data))
    assert book["Questions"]["A5"].value == "CLD-01"
    assert client.get("/api/v1/questionnaires/cloud_services/workbook").status_code == 422
    assert client.get(f"/api/v1/questionnaires/nope/workbook?vendor_id={vendor.id}").status_code == 404


def test_api_import_dry_run_success_duplicate_and_422(api, app, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    blank = client.get(f"/api/v1/questionnaires/general_outsourcing/workbook?vendor_id={vendor.id}").data
    filled = fq.fill(blank, {"GEN-04": "No"}, subcontractors=[("株式会社下請", "", "JP", "運用", "はい / Yes", "JP")])
    dry = _post(client, vendor.id, filled, dry_run="1")
    assert dry.status_code == 200 and dry.get_json()["dry_run"] and dry.get_json()["id"] is None
    created = _post(client, vendor.id, filled)
    body = created.get_json()
    assert created.status_code == 201
    assert {k: body[k] for k in ("format", "questions", "answered", "flags", "subcontractors")} == {
        "format": "native", "questions": 17, "answered": 17, "flags": 1, "subcontractors": 1}
    assert body["score"] is not None and body["id"]
    again = _post(client, vendor.id, filled)
    assert again.status_code == 200 and again.get_json()["duplicate"] and again.get_json()["id"] == body["id"]
    bad = _post(client, vendor.id, fq.fill(blank, {"GEN-01": "Perhaps"}))
    error = bad.get_json()["error"]
    assert bad.status_code == 422 and error["code"] == "validation_failed"
    assert error["details"][0]["sheet"] == "Questions" and error["details"][0]["cell"] == "G5"
    assert _post(client, vendor.id, filled, filename="x.xlsm").status_code == 422
    db.rollback()
    assert db.exec(select(func.count()).select_from(QuestionnaireResponse)).one() == 1
    detail = client.get(f"/api/v1/questionnaire-responses/{body['id']}").get_json()
    assert len(detail["answers"]) == 17 and detail["proposals"][0]["name"] == "株式会社下請"
    listed = client.get(f"/api/v1/vendors/{vendor.id}/questionnaire-responses").get_json()
    assert listed["total"] == 1


def test_access_rules_for_import(api, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))
    assert _post(api("auditor"), vendor.id, data).status_code == 403
    assert _post(api("procurement"), vendor.id, data).status_code == 403
    assert _post(api("vendor_owner"), vendor.id, data).status_code == 403
    owner_email = "owner-q@test.example"
    owner_client = api("vendor_owner", email=owner_email)
    owner = db.exec(select(User).where(User.email == owner_email)).one()
    factories.gen_owner(db, vendor, owner)
    db.commit()
    assert _post(owner_client, vendor.id, data).status_code == 201
    assert api("auditor").get("/api/v1/questionnaires").status_code == 200


def test_proposals_accept_into_chain_refusing_duplicates_and_reject(api, db):
    vendor = factories.gen_vendor(db, name="株式会社一次委託")
    arrangement = factories.gen_arrangement(db, vendor=vendor)
    unrelated = factories.gen_arrangement(db)
    factories.gen_vendor(db, name="株式会社既存")  # matched by name below
    db.commit()
    client = api("compliance")
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), subcontractors=[
        ("株式会社新規下請", "", "jp", "保守", "はい / Yes", "JP Osaka"),
        ("株式会社既存", "", "JP", "監視", "いいえ / No", ""),
        ("株式会社一次委託", "", "JP", "自社", "いいえ / No", ""),
        ("Reject Me Ltd.", "", "GB", "x", "いいえ / No", "")])
    response_id = _post(client, vendor.id, data).get_json()["id"]
    proposals = {p["name"]: p["id"] for p in client.get(f"/api/v1/questionnaire-responses/{response_id}").get_json()["proposals"]}
    accept = lambda name, arr: client.post(f"/api/v1/questionnaire-proposals/{proposals[name]}/accept",  # noqa: E731
                                           json={"arrangement_id": arr.id})
    assert accept("株式会社新規下請", unrelated).status_code == 422
    made = accept("株式会社新規下請", arrangement)
    assert made.status_code == 201
    link = made.get_json()["link"]
    assert link["parent_vendor_id"] == vendor.id and link["touches_user_data"] and link["approval_status"] == "pending"
    assert accept("株式会社新規下請", arrangement).status_code == 409  # already accepted
    assert accept("株式会社既存", arrangement).status_code == 201
    assert accept("株式会社一次委託", arrangement).status_code == 409  # a vendor cannot subcontract to itself
    rejected = client.post(f"/api/v1/questionnaire-proposals/{proposals['Reject Me Ltd.']}/reject", json={"note": "out of scope"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    db.rollback()
    links = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).all()
    children = {db.get(Vendor, link.vendor_id).name for link in links}
    assert children == {"株式会社新規下請", "株式会社既存"}
    location = db.exec(select(DataLocation).where(DataLocation.link_id.in_([link.id for link in links]))).one()
    assert location.region == "Osaka"
    # a second response listing the same company: accepting it again is a duplicate link
    data2 = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                    {"GEN-05": "別の担当者"}, subcontractors=[("株式会社既存", "", "JP", "監視", "いいえ / No", "")])
    second = _post(client, vendor.id, data2).get_json()["id"]
    dup_id = client.get(f"/api/v1/questionnaire-responses/{second}").get_json()["proposals"][0]["id"]
    assert client.post(f"/api/v1/questionnaire-proposals/{dup_id}/accept",
                       json={"arrangement_id": arrangement.id}).status_code == 409
    db.rollback()
    # refused acceptances (self-link, duplicate link) leave their proposals pending for review
    assert db.exec(select(func.count()).select_from(SubcontractorProposal)
                   .where(SubcontractorProposal.status == "pending")).one() == 2


def test_compare_with_previous_response(api, client, login, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    api_client = api("compliance")
    blank = fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name)
    first = _post(api_client, vendor.id, fq.fill(blank, {"GEN-01": "No"})).get_json()["id"]
    second = _post(api_client, vendor.id, fq.fill(blank, {"GEN-01": "Yes"})).get_json()["id"]
    compared = api_client.get(f"/api/v1/questionnaire-responses/{second}/compare").get_json()
    assert compared["previous_id"] == first
    changes = {a["key"]: a for a in compared["answers"]}
    assert changes["GEN-01"]["change"] == "changed" and changes["GEN-01"]["previous"] == "no"
    assert changes["GEN-02"]["change"] == "same"
    login("auditor")
    page = client.get(f"/questionnaires/responses/{second}/compare").get_data(as_text=True)
    assert "data-change=\"changed\"" in page and "GEN-01" in page
    assert api_client.get(f"/api/v1/questionnaire-responses/{first}/compare").get_json()["previous_id"] is None


def test_pages_upload_errors_dry_run_confirm_and_response(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社画面")
    db.commit()
    login("compliance")
    index = client.get("/questionnaires/")
    assert index.status_code == 200 and "general_outsourcing" in index.get_data(as_text=True)
    assert client.get("/questionnaires/templates/cloud_services").status_code == 200
    blank = client.get(f"/questionnaires/templates/general_outsourcing/workbook?vendor_id={vendor.id}").data
    bad = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "file": (io.BytesIO(fq.fill(blank, {"GEN-02": None})), "a.xlsx")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "G6" in bad.get_data(as_text=True)
    good = fq.fill(blank, {"GEN-01": "No"})
    dry = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "dry_run": "1", "file": (io.BytesIO(good), "a.xlsx")},
                      content_type="multipart/form-data")
    assert dry.status_code == 200 and "data-test=\"dry-run-result\"" in dry.get_data(as_text=True)
    done = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "file": (io.BytesIO(good), "a.xlsx")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "data-test=\"flag\"" in page and "株式会社画面" in page
    # A recognised format imports in one call, the format and where it was read recorded.
    caiq = fq.caiq_workbook([("A&A-02.1", "Audits?", "Yes", "CSP-owned", ""), ("DSP-19.1", "Region?", "No", "", ""),
                             ("CEK-10.1", "Keys?", "Yes", "", "")])
    one_call = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "file": (io.BytesIO(caiq), "caiq.xlsx")},
                           content_type="multipart/form-data")
    assert one_call.status_code == 302
    shown = client.get(one_call.headers["Location"]).get_data(as_text=True)
    # the format by its name, never by its ids (caiq, caiq_v4)
    assert 'data-test="format">CSA CAIQ v4' in shown and 'caiq_v4' not in shown and 'data-article="27(1)"' in shown
    # A layout not recognised: the confirmation page shows the sheet chosen and every candidate.
    unknown = fq.generic_workbook(["Item", "Control", "Status", "Notes"],
                                  [("S1", "Is there a written security policy approved by management?", "Yes", ""),
                                   ("S2", "Are backups tested at least every quarter by the operator?", "No", "")],
                                  title="Self check")
    confirm = client.post("/questionnaires/import", data={"vendor_id": vendor.id,
                                                          "file": (io.BytesIO(unknown), "self-check.xlsx")},
                          content_type="multipart/form-data")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and 'data-test="confirm-form"' in text and 'data-test="candidates"' in text
    assert 'name="sheets" value="Self check" checked' in text
    staged = text.split('name="staged" value="')[1].split('"')[0]
    wrong = client.post("/questionnaires/import", data={
        "vendor_id": vendor.id, "staged": staged, "filename": "self-check.xlsx", "confirmed": "1",
        "sheets": ["Nope"]})
    assert wrong.status_code == 422 and "There is no sheet &#39;Nope&#39; in the workbook." in wrong.get_data(as_text=True)
    imported = client.post("/questionnaires/import", data={
        "vendor_id": vendor.id, "staged": staged, "filename": "self-check.xlsx", "confirmed": "1",
        "sheets": ["Self check"], "header_row": "", "answer_column": "", "profile": "none"})
    assert imported.status_code == 302
    assert "Self check" in client.get(imported.headers["Location"]).get_data(as_text=True)
    db.rollback()
    assert db.exec(select(func.count()).select_from(QuestionnaireResponse)).one() == 3
    response_id = int(done.headers["Location"].rstrip("/").split("/")[-1])
    original = client.get(f"/questionnaires/responses/{response_id}/file")
    assert original.status_code == 200 and original.data == good


def test_cli_import_and_dry_run(runner, app, db, tmp_path):
    vendor = factories.gen_vendor(db)
    db.commit()
    path = tmp_path / "回答.xlsx"
    path.write_bytes(fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"GEN-01": "No"}))
    dry = runner.invoke(args=["import-questionnaire", str(vendor.id), str(path), "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output
    done = runner.invoke(args=["import-questionnaire", str(vendor.id), str(path)])
    assert done.exit_code == 0 and "Imported as response" in done.output and "1 flagged" in done.output
    again = runner.invoke(args=["import-questionnaire", str(vendor.id), str(path)])
    assert "Already imported" in again.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"GEN-01": "??"}))
    failed = runner.invoke(args=["import-questionnaire", str(vendor.id), str(bad)])
    assert failed.exit_code == 1 and "Questions!G5" in failed.output


def test_evidence_source_offers_the_latest_workbook_per_questionnaire(app, db, contributions):
    from vendorrisk.core.uploads import inspect_upload
    from vendorrisk.questionnaires import service
    vendor = factories.gen_vendor(db)
    blank = fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name)
    old, new = fq.fill(blank, {"GEN-05": "旧"}), fq.fill(blank, {"GEN-05": "新"})
    for data in (old, new):
        service.import_response(db, vendor_id=vendor.id, upload=inspect_upload(data, "q.xlsx", {"xlsx"}), key=fq.KEY)
    files = list(contributions.evidence_sources["questionnaires"](db, vendor.id))
    assert len(files) == 1 and files[0].data == new and files[0].path.startswith("questionnaires/general_outsourcing/")


def test_vendor_panel_lists_the_vendors_responses(app, db, contributions):
    from vendorrisk.core.uploads import inspect_upload
    from vendorrisk.questionnaires import service
    vendor = factories.gen_vendor(db)
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"GEN-01": "No"})
    result = service.import_response(db, vendor_id=vendor.id, upload=inspect_upload(data, "q.xlsx", {"xlsx"}), key=fq.KEY)
    with app.test_request_context("/"):
        html = "".join(contributions.panels(db, vendor))
    assert 'data-test="questionnaires-panel"' in html
    assert f"/questionnaires/responses/{result.response.id}" in html and "General outsourcing and security questionnaire" in html
    assert "general_outsourcing" not in html  # the questionnaire by its title, not its id


def test_a_responses_flag_count_is_called_flagged_answers_in_japanese(client, login, db):
    """The number of answers a response flags is 「指摘のある回答」, not 「属性」 (the word of an
    arrangement's or a vendor's flags such as 重要 or クラウド)."""
    vendor = factories.gen_vendor(db, name="株式会社指摘")
    db.commit()
    login("compliance")
    blank = client.get(f"/questionnaires/templates/general_outsourcing/workbook?vendor_id={vendor.id}").data
    done = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "file": (io.BytesIO(fq.fill(blank, {
        "GEN-01": "No"})), "a.xlsx")}, content_type="multipart/form-data")
    ja = {"Accept-Language": "ja"}
    response_page = client.get(done.headers["Location"], headers=ja).get_data(as_text=True)
    assert '<dt>指摘のある回答</dt><dd data-test="flags">1</dd>' in response_page
    listed = client.get("/questionnaires/", headers=ja).get_data(as_text=True)
    panel = client.get(f"/vendors/{vendor.id}", headers=ja).get_data(as_text=True).split(
        'data-test="questionnaires-panel"')[1].split("</section>")[0]
    for text in (listed, panel):
        assert "<th>指摘のある回答</th>" in text and "<th>属性</th>" not in text


def test_the_import_link_is_offered_only_to_the_roles_that_may_import(client, login, db):
    """Compliance staff import returned workbooks; procurement and auditors are not offered
    the link (the import page would answer 403 and record the refusal)."""
    vendor = factories.gen_vendor(db, name="株式会社取込")
    db.commit()
    for role, offered in (("compliance", True), ("procurement", False), ("auditor", False)):
        login(role)
        listed = client.get(f"/questionnaires/?vendor_id={vendor.id}").get_data(as_text=True)
        panel = client.get(f"/vendors/{vendor.id}").get_data(as_text=True)
        assert ("/questionnaires/import" in listed) is offered, role
        assert ("/questionnaires/import" in panel) is offered, role


def test_the_vendor_pages_download_workbook_links_download_each_questionnaire_for_that_vendor(client, login, db):
    """「ワークブックをダウンロード」 on the vendor page downloads the workbook it names, for this
    vendor (it led to the questionnaires page, where the vendor had to be chosen again)."""
    vendor = factories.gen_vendor(db, name="株式会社ワークブック")
    db.commit()
    ja = {"Accept-Language": "ja"}
    login("compliance")
    panel = client.get(f"/vendors/{vendor.id}", headers=ja).get_data(as_text=True).split(
        'data-test="questionnaires-panel"')[1].split("</section>")[0]
    downloads = panel.split('data-test="workbook-downloads">')[1].split("</p>")[0]
    assert downloads.startswith("ワークブックをダウンロード：")
    links = re.findall(r'<a href="([^"]+)" data-test="workbook-([a-z_]+)">([^<]+)</a>', downloads)
    assert {template_id for _url, template_id, _title in links} == {"general_outsourcing", "cloud_services"}
    for url, template_id, title in links:
        assert url == f"/questionnaires/templates/{template_id}/workbook?vendor_id={vendor.id}"
        assert not title.isascii()  # the questionnaire's Japanese title
        workbook = client.get(url.replace("&amp;", "&"))
        assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
        assert "attachment" in workbook.headers["Content-Disposition"]
    login("auditor")  # auditors may not download the workbook: no link that would answer 403
    panel = client.get(f"/vendors/{vendor.id}", headers=ja).get_data(as_text=True)
    assert 'data-test="workbook-downloads"' not in panel and "/workbook?" not in panel
