"""A questionnaire form refused because the record moved on meanwhile (409) shows its page
again: what changed, by whom and when, what to do; JSON clients keep the plain 409 body."""
import io
from html import unescape

from sqlmodel import select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.questionnaires.models import SubcontractorProposal

JSON = {"Accept": "application/json"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _response_with_proposal(api, db, subcontractor="株式会社後発下請"):
    vendor = factories.gen_vendor(db, name="株式会社一次委託先")
    arrangement = factories.gen_arrangement(db, vendor=vendor)
    db.commit()
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                   subcontractors=[(subcontractor, "", "JP", "保守", "いいえ / No", "")])
    imported = api("compliance").post(f"/api/v1/vendors/{vendor.id}/questionnaire-responses",
                                      data={"file": (io.BytesIO(data), "回答.xlsx")},
                                      content_type="multipart/form-data")
    assert imported.status_code == 201, imported.get_json()
    db.rollback()
    proposal = db.exec(select(SubcontractorProposal)
                       .where(SubcontractorProposal.response_id == imported.get_json()["id"])).one()
    return arrangement, proposal


def test_accepting_a_proposal_someone_accepted_first_names_them_on_the_response_page(app, api, client, login, db):
    arrangement, proposal = _response_with_proposal(api, db)
    login("procurement")
    page = client.get(f"/questionnaires/responses/{proposal.response_id}").get_data(as_text=True)
    assert f'data-test="accept-{proposal.id}"' in page
    first = factories.gen_user(db, role="compliance")
    db.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": first.email, "password": factories.PASSWORD}).status_code == 302
    assert other.post(f"/questionnaires/proposals/{proposal.id}/accept",
                      data={"arrangement_id": arrangement.id}).status_code == 302

    late = client.post(f"/questionnaires/proposals/{proposal.id}/accept", data={"arrangement_id": arrangement.id})
    assert late.status_code == 409
    page = _page(late)
    assert 'data-test="conflict"' in page and "This proposal was already accepted." in page
    assert f"Changed by {first.display_name}" in page and 'data-test="proposals"' in page
    rejected = client.post(f"/questionnaires/proposals/{proposal.id}/reject", data={"note": "範囲外のため"})
    assert rejected.status_code == 409 and "範囲外のため" in _page(rejected)  # a typed note is kept to copy
    db.rollback()
    db.expire_all()
    assert db.get(SubcontractorProposal, proposal.id).status == "accepted"
    as_json = client.post(f"/questionnaires/proposals/{proposal.id}/accept", data={"arrangement_id": arrangement.id},
                          headers=JSON)
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_a_proposal_naming_the_vendor_itself_is_refused_on_the_page_in_japanese(api, client, login, db):
    arrangement, proposal = _response_with_proposal(api, db, subcontractor="株式会社一次委託先")
    login("compliance")
    refused = client.post(f"/questionnaires/proposals/{proposal.id}/accept", data={"arrangement_id": arrangement.id},
                          headers={"Accept-Language": "ja"})
    assert refused.status_code == 409
    page = _page(refused)
    assert 'data-test="conflict"' in page and 'data-test="conflict-by"' not in page
    assert f'data-test="accept-{proposal.id}"' in page  # still pending: the form is offered again


def test_removing_a_link_without_a_reason_shows_the_response_with_the_error_next_to_the_field(api, client, login, db):
    arrangement, proposal = _response_with_proposal(api, db)
    login("compliance")
    assert client.post(f"/questionnaires/proposals/{proposal.id}/accept",
                       data={"arrangement_id": arrangement.id}).status_code == 302
    refused = client.post(f"/questionnaires/proposals/{proposal.id}/withdraw", data={"reason": "  "})
    assert refused.status_code == 422
    page = _page(refused)
    form = page.split(f'/questionnaires/proposals/{proposal.id}/withdraw"', 1)[1].split("</form>", 1)[0]
    assert 'aria-invalid="true"' in form and f'data-test="withdraw-{proposal.id}"' in form
    assert "Say why the link is removed (e.g. the subcontractor is under another company)." in form
    db.rollback()
    db.expire_all()
    assert db.get(SubcontractorProposal, proposal.id).status == "accepted"
    as_json = client.post(f"/questionnaires/proposals/{proposal.id}/withdraw", data={"reason": ""}, headers=JSON)
    assert as_json.status_code == 422 and as_json.get_json()["error"]["details"][0]["field"] == "reason"


def test_removing_a_link_someone_removed_first_shows_the_response_with_who_and_the_reason_kept(app, api, client,
                                                                                                  login, db):
    arrangement, proposal = _response_with_proposal(api, db)
    login("compliance")
    assert client.post(f"/questionnaires/proposals/{proposal.id}/accept",
                       data={"arrangement_id": arrangement.id}).status_code == 302
    first = factories.gen_user(db, role="procurement")
    db.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": first.email, "password": factories.PASSWORD}).status_code == 302
    assert other.post(f"/questionnaires/proposals/{proposal.id}/withdraw",
                      data={"reason": "別会社の下請でした"}).status_code == 302

    late = client.post(f"/questionnaires/proposals/{proposal.id}/withdraw", data={"reason": "重複して登録したため"})
    assert late.status_code == 409
    page = _page(late)
    assert 'data-test="conflict"' in page and f"Changed by {first.display_name}" in page
    assert "重複して登録したため" in page and 'data-test="proposals"' in page  # the typed reason, to copy
    as_json = client.post(f"/questionnaires/proposals/{proposal.id}/withdraw", data={"reason": "x"}, headers=JSON)
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "conflict"


def test_removing_a_link_the_chain_still_needs_says_why_on_the_response_page(api, client, login, db):
    from vendorrisk.vendors.models import OutsourcingLink
    arrangement, proposal = _response_with_proposal(api, db)
    login("compliance")
    assert client.post(f"/questionnaires/proposals/{proposal.id}/accept",
                       data={"arrangement_id": arrangement.id}).status_code == 302
    db.rollback()
    db.expire_all()
    link = db.get(OutsourcingLink, db.get(SubcontractorProposal, proposal.id).link_id)
    below = factories.gen_vendor(db, name="株式会社孫請")
    factories.gen_link(db, arrangement, db.get(type(below), link.vendor_id), below)
    db.commit()
    refused = client.post(f"/questionnaires/proposals/{proposal.id}/withdraw", data={"reason": "誤登録"},
                          headers={"Accept-Language": "ja"})
    assert refused.status_code == 409
    page = _page(refused)
    assert 'data-test="conflict"' in page and 'data-test="conflict-by"' not in page
    assert "先にこの会社自身の再委託先を委託チェーンから削除し" in page and "誤登録" in page
    db.rollback()
    db.expire_all()
    assert db.get(SubcontractorProposal, proposal.id).status == "accepted"
