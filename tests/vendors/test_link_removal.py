"""Ending a sub-outsourcing link: confirmed with a reason, audited, kept (ended) in the chain's
history, and possible for a link that a questionnaire proposal brought into the chain (the
proposal keeps the fact)."""
import io
import json

from sqlmodel import select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core import clock
from vendorrisk.core.models import AuditEntry
from vendorrisk.questionnaires.models import SubcontractorProposal
from vendorrisk.vendors.models import OutsourcingLink


def _accepted_proposal(client, db):
    vendor = factories.gen_vendor(db, name="株式会社一次委託")
    arrangement = factories.gen_arrangement(db, vendor=vendor)
    db.commit()
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                   subcontractors=[("株式会社誤登録下請", "", "JP", "保守", "いいえ / No", "")])
    response = client.post("/questionnaires/import", data={"vendor_id": vendor.id, "file": (io.BytesIO(data), "回答.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = db.exec(select(SubcontractorProposal)).one()
    response = client.post(f"/questionnaires/proposals/{proposal.id}/accept", data={"arrangement_id": arrangement.id},
                           headers={"Accept-Language": "ja"})  # a Japanese officer accepts it
    assert response.status_code == 302
    db.rollback()
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).one()
    return arrangement.id, proposal.id, proposal.response_id, link.id


def test_link_from_a_questionnaire_proposal_can_be_ended_with_its_reason(client, login, db):
    login("compliance")
    arrangement_id, proposal_id, response_id, link_id = _accepted_proposal(client, db)
    page = client.get(f"/arrangements/{arrangement_id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "外部委託先が質問票の回答に記載（回答.xlsx、" in page  # names the workbook, not an internal id
    assert "questionnaire response" not in page
    english = client.get(f"/arrangements/{arrangement_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Listed by the vendor in its questionnaire answers (回答.xlsx, row " in english  # accepted in Japanese
    assert "外部委託先が質問票の回答に記載" not in english
    confirm = client.get(f"/arrangements/{arrangement_id}/links/{link_id}/delete", headers={"Accept-Language": "ja"})
    assert confirm.status_code == 200 and "終了の理由（必須）" in confirm.get_data(as_text=True)
    refused = client.post(f"/arrangements/{arrangement_id}/links/{link_id}/delete", data={"reason": ""},
                          headers={"Accept-Language": "ja"})
    assert refused.status_code == 422 and "この再委託を終了する理由を入力してください。" in refused.get_data(as_text=True)
    reason = "回答者の記載誤り（当社の委託チェーンではない）"
    removed = client.post(f"/arrangements/{arrangement_id}/links/{link_id}/delete", data={"reason": reason})
    assert removed.status_code == 302
    db.rollback()
    ended = db.get(OutsourcingLink, link_id)
    assert (ended.ended_on, ended.end_reason) == (clock.today(), reason)
    kept = db.get(SubcontractorProposal, proposal_id)
    assert (kept.status, kept.link_id, kept.note) == ("withdrawn", None, reason)
    trail = db.exec(select(AuditEntry).where(AuditEntry.entity == "outsourcing_link",
                                             AuditEntry.entity_id == str(link_id))).all()
    assert {e.action for e in trail} >= {"create", "end_link"} and "delete" not in {e.action for e in trail}
    assert json.loads(next(e.after for e in trail if e.action == "end_link")) == {
        "ended_on": clock.today().isoformat(), "reason": reason}
    assert any(e.entity == "subcontractor_proposal" and e.action == "update" for e in db.exec(select(AuditEntry)))
    response_page = client.get(f"/questionnaires/responses/{response_id}",
                               headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "委託チェーンから削除済み" in response_page and reason in response_page


def test_refused_link_keeps_what_was_typed(client, login, db):
    login("compliance")
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor=vendor)
    db.commit()
    response = client.post(f"/arrangements/{arrangement.id}/links",
                           data={"parent_vendor_id": vendor.id, "vendor": "存在しない株式会社", "service": "夜間監視"},
                           headers={"Accept-Language": "ja"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="存在しない株式会社"' in page and 'value="夜間監視"' in page
    assert page.count("入力に一致する外部委託先を一つに特定できません") == 2  # flashed and next to the field
    self_link = client.post(f"/arrangements/{arrangement.id}/links",
                            data={"parent_vendor_id": vendor.id, "vendor": vendor.name, "service": "自社運用"},
                            headers={"Accept-Language": "ja"})
    assert self_link.status_code == 409 and 'value="自社運用"' in self_link.get_data(as_text=True)
