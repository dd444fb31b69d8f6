"""A selection form refused because the assessment moved on meanwhile (409) shows the page
again: what changed, by whom and when, what to do, and what was typed; JSON clients keep the
plain 409 body."""
from html import unescape

from sqlmodel import select

from tests import factories
from tests.selection.factories import gen_assessment
from vendorrisk.selection.models import SelectionAssessment

JSON = {"Accept": "application/json"}


def _signed_in(app, db, role):
    """A second browser: its own client, signed in as a new user of ``role``."""
    user = factories.gen_user(db, role=role)
    db.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302
    return user, other


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_second_approver_keeps_the_note_and_reads_who_decided_first(app, client, login, db):
    preparer = factories.gen_user(db, role="procurement")
    vendor = factories.gen_vendor(db, name="株式会社競合テスト")
    factories.gen_check(db, vendor)
    assessment = gen_assessment(db, vendor, preparer, "submitted")
    db.commit()
    login("compliance")
    assert 'data-test="reject"' in client.get(f"/selection/{assessment.id}").get_data(as_text=True)
    first, other = _signed_in(app, db, "compliance")
    assert other.post(f"/selection/{assessment.id}/approve", data={"note": "先に承認"}).status_code == 302

    late = client.post(f"/selection/{assessment.id}/reject", data={"note": "財務資料が古いため却下"})
    assert late.status_code == 409
    page = _page(late)
    assert 'data-test="conflict"' in page and "財務資料が古いため却下" in page  # the note, kept to copy
    assert f"Changed by {first.display_name}" in page and "Your decision was not recorded" in page
    db.rollback()
    db.expire_all()
    assert db.get(SelectionAssessment, assessment.id).status == "approved"
    as_json = client.post(f"/selection/{assessment.id}/reject", data={"note": "x"}, headers=JSON)
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_scores_sent_after_the_draft_was_submitted_are_kept_on_the_page(client, login, db):
    preparer = login("procurement")
    vendor = factories.gen_vendor(db)
    assessment = gen_assessment(db, vendor, db.merge(preparer), "draft")
    db.commit()
    criterion = assessment.criteria_snapshot["criteria"][0]["id"]
    assert client.post(f"/selection/{assessment.id}/submit").status_code == 302  # another tab submitted it
    stale = client.post(f"/selection/{assessment.id}/scores",
                        data={f"score-{criterion}": "1", f"comment-{criterion}": "監査報告書を再確認した",
                              "summary": "総合評価の下書き"})
    assert stale.status_code == 409
    page = _page(stale)
    assert 'data-test="conflict-kept"' in page
    assert "監査報告書を再確認した" in page and "総合評価の下書き" in page and f"{criterion}: 1" in page
    assert f"Changed by {preparer.display_name}" in page and "Your scores were not saved" in page


def test_starting_a_second_assessment_names_the_open_one_with_its_link(client, login, db):
    login("procurement")
    vendor = factories.gen_vendor(db, name="株式会社二重評価")
    db.commit()
    assert client.post("/selection/new", data={"vendor_id": vendor.id}).status_code == 302
    db.rollback()
    open_one = db.exec(select(SelectionAssessment)).one()
    again = client.post("/selection/new", data={"vendor_id": vendor.id})
    assert again.status_code == 409
    page = _page(again)
    assert f'href="/selection/{open_one.id}" data-test="conflict-link"' in page
    assert f"株式会社二重評価 already has an open assessment (no. {open_one.id}, draft)" in page
    assert "assessment_id" not in page and "{" not in page.split('data-test="conflict"')[1].split("</div>")[0]
    assert f'value="{vendor.id}" selected' in page  # the vendor stays chosen
    as_json = client.post("/selection/new", data={"vendor_id": vendor.id}, headers=JSON)
    assert as_json.status_code == 409 and as_json.get_json()["error"]["details"] == {"assessment_id": open_one.id}


def test_the_open_assessment_is_named_in_japanese_for_a_japanese_reader(client, login, db):
    login("procurement")
    vendor = factories.gen_vendor(db, name="株式会社二重評価")
    db.commit()
    client.post("/selection/new", data={"vendor_id": vendor.id})
    db.rollback()
    open_one = db.exec(select(SelectionAssessment)).one()
    page = _page(client.post("/selection/new", data={"vendor_id": vendor.id}, headers={"Accept-Language": "ja"}))
    assert f"評価 {open_one.id} を開く" in page and "完了していない評価" in page and "作成中" in page
    assert "already has an open assessment" not in page
