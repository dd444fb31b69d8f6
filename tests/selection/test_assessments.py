"""Selection assessments: scoring, bands, knock-outs, four-eyes approval, immutability, records."""
import io
import shutil

import pytest
import yaml
from docx import Document
from sqlmodel import select

from tests import factories
from tests.selection.factories import gen_assessment, score_all
from vendorrisk.core.errors import Conflict, Forbidden, ValidationFailed
from vendorrisk.core.models import AuditEntry, User
from vendorrisk.selection import criteria
from vendorrisk.selection import service as selection
from vendorrisk.selection.models import AssessmentEvidence, AssessmentScore, SelectionAssessment
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Vendor

JSON = {"Accept": "application/json"}


@pytest.fixture
def people(db):
    return factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")


def fresh(db):
    db.rollback()
    db.expire_all()


def test_cloud_vendor_gets_the_cloud_items(db, people):
    preparer, _ = people
    vendor = factories.gen_vendor(db, is_cloud=True)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    ids = [c["id"] for c in selection.criteria_of(assessment)]
    assert ids[0] == "GEN-FIN" and "C27-1" in ids and "C27-9" in ids
    assert assessment.criteria_versions == "general v1, cloud-art27 v1"
    assert assessment.criteria_hash == criteria.snapshot_hash(assessment.criteria_snapshot)


def test_bands_and_knockouts(db, people):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    score_all(db, assessment, preparer, 3)
    assert (assessment.total_percent, assessment.recommendation) == (100.0, "approve")
    score_all(db, assessment, preparer, 2)
    assert (assessment.total_percent, assessment.recommendation) == (66.7, "approve_with_conditions")
    score_all(db, assessment, preparer, 3, {"GEN-SEC": 0})
    assert assessment.recommendation == "reject" and assessment.knockouts == ["GEN-SEC"]
    assert assessment.total_percent > 75


def test_score_outside_the_scale_is_refused_and_nothing_saved(db, people):
    preparer, _ = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    with pytest.raises(ValidationFailed) as refused:
        selection.save_scores(db, assessment, user=preparer, scores=[
            {"criterion_id": "GEN-FIN", "score": 2}, {"criterion_id": "GEN-CAP", "score": 7},
            {"criterion_id": "GEN-SEC", "score": "abc"}, {"criterion_id": "NOPE", "score": 1}])
    messages = [d["message"] for d in refused.value.details]
    assert any("GEN-CAP is outside its scale 0-3" in m for m in messages)
    assert any("GEN-SEC" in m for m in messages) and any("'NOPE'" in m for m in messages)
    assert db.exec(select(AssessmentScore)).all() == []


def test_missing_required_criterion_blocks_submission(db, people):
    preparer, _ = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    selection.save_scores(db, assessment, user=preparer, scores=[{"criterion_id": "GEN-FIN", "score": 3}])
    with pytest.raises(ValidationFailed) as refused:
        selection.submit(db, assessment, user=preparer)
    assert "GEN-CAP" in {d["field"] for d in refused.value.details}
    assert assessment.status == "draft"


def test_conditions_band_needs_conditions_which_become_findings(db, people):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    factories.gen_owner(db, vendor, approver)
    assessment = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    score_all(db, assessment, preparer, 2)
    with pytest.raises(ValidationFailed, match="incomplete"):
        selection.submit(db, assessment, user=preparer)
    score_all(db, assessment, preparer, 2, conditions=[{"text": "Add audit rights", "due_date": "2027-03-31"}])
    selection.submit(db, assessment, user=preparer)
    assert db.get(Vendor, vendor.id).status == "under_assessment"
    selection.approve(db, assessment, user=approver)
    assert assessment.decision == "approve_with_conditions"
    assert db.get(Vendor, vendor.id).status == "conditionally_approved"
    finding = db.exec(select(Finding).where(Finding.vendor_id == vendor.id)).one()
    assert finding.source == "assessment" and finding.title == "Selection condition: Add audit rights"
    # each reader sees the title in one language, rendered from the stored key and parameters
    assert (finding.title_key, finding.title_params) == ("selection_condition", {"condition": "Add audit rights"})
    from flask_babel import force_locale

    from vendorrisk.vendors.findings import display_title
    with force_locale("ja"):
        assert display_title(finding) == "選定の条件：Add audit rights"
    assert str(finding.due_date) == "2027-03-31" and finding.owner_id == approver.id
    assert assessment.conditions[0]["finding_id"] == finding.id


def test_four_eyes_and_immutability(db, people):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = gen_assessment(db, vendor, preparer, "submitted")
    with pytest.raises(Forbidden, match="Art. 8"):
        selection.approve(db, assessment, user=preparer)
    with pytest.raises(Conflict):  # a submitted assessment can no longer be edited
        score_all(db, assessment, preparer, 1)
    selection.approve(db, assessment, user=approver)
    assert db.get(Vendor, vendor.id).status == "approved"
    with pytest.raises(Conflict, match="approved"):
        selection.approve(db, assessment, user=approver)
    with pytest.raises(Conflict, match="new assessment"):
        score_all(db, assessment, preparer, 0)
    assert {s.score for s in selection.scores_of(db, assessment.id).values()} == {3}
    second = selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    with pytest.raises(Conflict, match="still open"):
        selection.create_assessment(db, vendor_id=vendor.id, user=preparer)
    assert second.id != assessment.id


def test_reject_band_cannot_be_approved_and_reject_needs_a_reason(db, people):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = gen_assessment(db, vendor, preparer, "submitted", exceptions={"GEN-LEGAL": 0})
    with pytest.raises(Conflict, match="knock-out: GEN-LEGAL"):
        selection.approve(db, assessment, user=approver)
    with pytest.raises(ValidationFailed):
        selection.reject(db, assessment, user=approver, note="  ")
    selection.reject(db, assessment, user=approver, note="Legal check failed")
    assert (assessment.status, assessment.decision) == ("rejected", "reject")
    assert db.get(Vendor, vendor.id).status == "rejected"


def test_editing_the_criteria_file_later_changes_no_past_score(db, people, tmp_path, monkeypatch):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    past = gen_assessment(db, vendor, preparer, "approved", approver=approver, exceptions={"GEN-FIN": 1})
    before = (past.total_percent, past.criteria_hash, list(selection.criteria_of(past)))
    folder = tmp_path / "selection"
    shutil.copytree(criteria.CRITERIA_DIR, folder)
    data = yaml.safe_load((folder / "general-v1.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    data["criteria"][0]["weight"] = 10  # financial soundness now dominates
    (folder / "general-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(criteria, "CRITERIA_DIR", folder)
    db.expire_all()
    again = db.get(SelectionAssessment, past.id)
    assert (again.total_percent, again.criteria_hash, selection.criteria_of(again)) == before
    assert selection.evaluate(again.criteria_snapshot, {c: s.score for c, s in
                                                        selection.scores_of(db, past.id).items()})["percent"] == before[0]
    newer = gen_assessment(db, vendor, preparer, "draft", exceptions={"GEN-FIN": 1})
    assert newer.criteria_versions == "general v2"
    assert newer.total_percent < before[0]


def _draft_page(client, login, db):
    user = login("procurement")
    vendor = factories.gen_vendor(db, name="株式会社選定テスト", name_en="")
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    db.commit()
    response = client.post("/selection/new", data={"vendor_id": vendor.id})
    assert response.status_code == 302
    fresh(db)
    assessment = db.exec(select(SelectionAssessment)).one()
    return user, vendor, assessment


def _form(assessment, value=3, **extra):
    data = {f"score-{c['id']}": value for c in selection.criteria_of(assessment)}
    data.update(extra)
    return data


def test_pages_score_and_submit(client, login, db):
    _user, vendor, assessment = _draft_page(client, login, db)
    page = client.get(f"/selection/{assessment.id}").get_data(as_text=True)
    assert "株式会社選定テスト" in page and 'name="score-GEN-FIN"' in page
    bad = client.post(f"/selection/{assessment.id}/scores", data=_form(assessment, **{"score-GEN-FIN": 9}),
                      headers=JSON)
    assert bad.status_code == 422 and "outside its scale" in bad.get_json()["error"]["details"][0]["message"]
    fresh(db)
    assert db.exec(select(AssessmentScore)).all() == []
    incomplete = client.post(f"/selection/{assessment.id}/submit", headers=JSON)
    assert incomplete.status_code == 422
    assert client.post(f"/selection/{assessment.id}/scores", data=_form(assessment, summary="OK")).status_code == 302
    assert client.post(f"/selection/{assessment.id}/submit").status_code == 302
    fresh(db)
    assert db.get(SelectionAssessment, assessment.id).status == "submitted"
    assert db.get(Vendor, vendor.id).status == "under_assessment"
    again = client.post(f"/selection/{assessment.id}/scores", data=_form(assessment, 0), headers=JSON)
    assert again.status_code == 409
    fresh(db)
    assert {s.score for s in selection.scores_of(db, assessment.id).values()} == {3}


def test_evidence_upload_and_download(client, login, db):
    _user, _vendor, assessment = _draft_page(client, login, db)
    ok = client.post(f"/selection/{assessment.id}/evidence",
                     data={"criterion_id": "GEN-FIN", "file": (io.BytesIO("決算書の要約".encode()), "決算書.txt")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    exe = client.post(f"/selection/{assessment.id}/evidence",
                      data={"criterion_id": "GEN-FIN", "file": (io.BytesIO(b"MZ\x90\x00rest"), "tool.exe")},
                      content_type="multipart/form-data", headers=JSON)
    assert exe.status_code == 422
    fresh(db)
    evidence = db.exec(select(AssessmentEvidence)).one()
    download = client.get(f"/selection/{assessment.id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == "決算書の要約".encode()
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]


def test_preparer_cannot_approve_through_the_page_and_approval_is_recorded(app, client, login, db):
    preparer, vendor, assessment = _draft_page(client, login, db)
    client.post(f"/selection/{assessment.id}/scores", data=_form(assessment))
    client.post(f"/selection/{assessment.id}/submit")
    fresh(db)
    preparer = db.get(User, preparer.id)
    preparer.role = "compliance"  # even with the approver's role, the preparer may not approve
    db.add(preparer)
    db.commit()
    refused = client.post(f"/selection/{assessment.id}/approve", headers=JSON)
    assert refused.status_code == 403 and "Art. 8(5)" in refused.get_json()["error"]["message"]
    fresh(db)
    assert db.get(SelectionAssessment, assessment.id).status == "submitted"
    client.post("/logout")
    login("compliance")
    assert client.post(f"/selection/{assessment.id}/approve", data={"note": "確認済み"}).status_code == 302
    twice = client.post(f"/selection/{assessment.id}/approve", headers=JSON)
    assert twice.status_code == 409
    fresh(db)
    assert db.get(Vendor, vendor.id).status == "approved"
    assert db.get(Vendor, vendor.id).risk_tier == "low"
    events = db.exec(select(AuditEntry.action, AuditEntry.actor).where(
        AuditEntry.entity == "selection_assessment", AuditEntry.entity_id == str(assessment.id),
        AuditEntry.action.in_(("submit", "approve")))).all()
    assert [e.action for e in events] == ["submit", "approve"] and events[0].actor != events[1].actor
    text = client.get(f"/selection/{assessment.id}/record").get_data(as_text=True)
    assert "株式会社選定テスト" in text and "確認済み" in text
    listing = client.get("/selection/?status=approved").get_data(as_text=True)
    assert f'/selection/{assessment.id}"' in listing


def test_the_approver_reads_why_approval_would_be_refused_before_pressing_approve(client, login, db):
    # a new compliance officer pressed Approve and met a bare 409 page: the missing 反社 check
    # is said on the assessment itself, Approve is disabled, and the vendor page is one click away
    preparer = factories.gen_user(db, role="procurement")
    vendor = factories.gen_vendor(db, name="株式会社反社未確認")
    assessment = gen_assessment(db, vendor, preparer, state="submitted")
    db.commit()
    login("compliance")
    html = client.get(f"/selection/{assessment.id}").get_data(as_text=True)
    blocked = html.split('data-test="approval-blocked"', 1)[1].split("</div>", 1)[0]
    assert "株式会社反社未確認 has no 反社会的勢力チェック" in blocked
    assert f'href="/vendors/{vendor.id}#antisocial"' in blocked
    assert '<button type="submit" class="primary" formaction="/selection/%d/approve" data-test="approve" disabled>' \
        % assessment.id in html
    assert client.post(f"/selection/{assessment.id}/approve", headers=JSON).status_code == 409  # still refused
    factories.gen_check(db, vendor)
    db.commit()
    html = client.get(f"/selection/{assessment.id}").get_data(as_text=True)
    assert 'data-test="approval-blocked"' not in html
    assert 'data-test="approve">' in html
    assert client.post(f"/selection/{assessment.id}/approve").status_code == 302


def test_an_assessment_in_the_reject_band_says_so_before_approve_is_pressed(client, login, db):
    preparer = factories.gen_user(db, role="procurement")
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)
    assessment = gen_assessment(db, vendor, preparer, state="submitted", exceptions={"GEN-SEC": 0})
    db.commit()
    login("compliance")
    html = client.get(f"/selection/{assessment.id}").get_data(as_text=True)
    blocked = html.split('data-test="approval-blocked"', 1)[1].split("</div>", 1)[0]
    assert "reject band" in blocked and "反社会的勢力チェック" not in blocked
    assert 'data-test="approve" disabled>' in html


def test_word_record_is_a_real_document_in_japanese(client, login, db):
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社ワード", is_cloud=True)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assessment = gen_assessment(db, vendor, preparer, "approved", approver=approver)
    db.commit()
    login("auditor")
    response = client.get(f"/selection/{assessment.id}/record.docx", headers={"Accept-Language": "ja"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "外部委託先 選定評価記録" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("株式会社ワード" in c for c in cells)
    assert any(c.startswith("C27-5 暗号鍵情報の管理") for c in cells)
    assert "承認" in cells
    criteria = cells[cells.index("選定基準（版）") + 1]  # the sets by title, as the pages name them
    assert "第1版" in criteria and "general" not in criteria and " v1" not in criteria, criteria
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "Yu Gothic"


def test_criteria_pages(client, login):
    login("vendor_owner")
    listing = client.get("/selection/criteria").get_data(as_text=True)
    assert "cloud-art27" in listing and "general" in listing
    one = client.get("/selection/criteria/cloud-art27/v1").get_data(as_text=True)
    assert "Management of encryption keys" in one and "C27-9" in one
    assert client.get("/selection/criteria/general/v9").status_code == 404
    same = client.get("/selection/criteria/general/compare?old=1&new=1").get_data(as_text=True)
    assert 'data-test="changed"' in same


def test_vendor_panel_and_auditor_read_only(app, client, login, db, contributions):
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社パネル")
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    gen_assessment(db, vendor, preparer, "approved", approver=approver)
    db.commit()
    login("auditor")
    with app.test_request_context("/"):
        from flask import g
        g.user = approver
        html = contributions.vendor_panels["selection"][1](db, vendor)
    assert 'data-test="selection-panel"' in html and 'data-test="assessment-history"' in html
    assert client.post("/selection/new", data={"vendor_id": vendor.id}).status_code == 403
    assert client.get(f"/selection/vendors/{vendor.id}").status_code == 200


def test_evidence_source_gives_the_latest_record(db, people, contributions):
    preparer, approver = people
    vendor = factories.gen_vendor(db)
    factories.gen_check(db, vendor)  # 反社: a current check, so the vendor can be approved
    assert contributions.evidence_sources["selection"](db, vendor.id) == []
    approved = gen_assessment(db, vendor, preparer, "approved", approver=approver)
    gen_assessment(db, vendor, preparer, "draft")
    files = contributions.evidence_sources["selection"](db, vendor.id)
    assert [f.path for f in files] == [f"selection/assessment-{approved.id}-approved.docx"]
    Document(io.BytesIO(files[0].data))


def test_a_refused_save_shows_the_page_with_every_score_as_typed(client, login, db):
    """Walk of a first week: a condition's impossible date (2027-02-30) refused the whole save
    on the bare error page, and the eighteen scores and comments typed were lost. The
    assessment's page comes back (422) with the reason, every score and comment as typed."""
    _user, _vendor, assessment = _draft_page(client, login, db)
    data = _form(assessment, 2, **{"comment-GEN-FIN": "決算書で確認", "summary": "総合的に良好",
                                   "conditions": "2027-02-30: SOC2 報告書を入手する"})
    refused = client.post(f"/selection/{assessment.id}/scores", data=data, headers={"Accept-Language": "ja"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-test="refusal"' in page and 'data-test="criteria"' in page
    assert "'2027-02-30'" in page or "&#39;2027-02-30&#39;" in page
    assert page.count('value="2" checked') == len(selection.criteria_of(assessment))
    assert "決算書で確認</textarea>" in page and "総合的に良好</textarea>" in page
    assert "2027-02-30: SOC2 報告書を入手する</textarea>" in page
    fresh(db)
    assert db.exec(select(AssessmentScore)).all() == []


def test_a_refused_submission_says_why_on_the_assessments_page(client, login, db):
    _user, _vendor, assessment = _draft_page(client, login, db)
    refused = client.post(f"/selection/{assessment.id}/submit", headers={"Accept-Language": "ja"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-test="refusal"' in page and 'data-test="criteria"' in page
    assert "提出しませんでした" in page


def test_word_record_follows_the_readers_language(app, client, login, db, contributions):
    """Like the checklists: the page's download and the evidence pack's copy are in the
    language of whoever asked (the user's setting, else the browser's) — not always Japanese."""
    from flask_babel import force_locale
    preparer, approver = factories.gen_user(db, role="procurement"), factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社ワード", name_en="Word K.K.")
    factories.gen_check(db, vendor)
    assessment = gen_assessment(db, vendor, preparer, "approved", approver=approver)
    db.commit()
    reader = login("auditor")
    reader.language = "en"
    db.commit()

    def words(data):
        document = Document(io.BytesIO(data))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)

    downloaded = words(client.get(f"/selection/{assessment.id}/record.docx", headers={"Accept-Language": "ja"}).data)
    assert "Vendor selection assessment record" in downloaded and "選定評価記録" not in downloaded
    for lang, title in (("en", "Vendor selection assessment record"), ("ja", "外部委託先 選定評価記録")):
        with app.test_request_context("/"), force_locale(lang):
            (record,) = contributions.evidence_sources["selection"](db, vendor.id)
        assert title in words(record.data), lang
