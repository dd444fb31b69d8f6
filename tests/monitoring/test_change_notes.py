"""The history note of a step where a person changes a finding's severity, description, due
date or owner is stored as a message (``finding_texts.CHANGE_NOTES``) and read in each
reader's language, on the finding's page and in the API; a note stored as English text before
is shown as it was written."""
import html
from datetime import date

from sqlalchemy import select

from tests import factories
from vendorrisk.vendors.findings import FindingEvent, raise_finding

JA, EN = {"Accept-Language": "ja"}, {"Accept-Language": "en"}


def _history(client, finding_id, headers) -> str:
    return html.unescape(client.get(f"/findings/{finding_id}", headers=headers).get_data(as_text=True))


def test_a_persons_changes_are_noted_in_each_readers_language(app, db, client, login, api):
    first, second = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    finding, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="指摘",
                                      severity="medium", owner_id=first.id, due_date=date(2027, 3, 1))
    db.add(FindingEvent(finding_id=finding.id, action="assigned", from_status="open", to_status="open",
                        note="severity low -> medium"))  # written before the notes were messages
    db.commit()
    login("compliance")
    # 2027-03-07 is a Sunday: the due date moves to Friday 5 March, and the note says why
    assert client.post(f"/findings/{finding.id}/edit", headers=JA, data={
        "severity": "high", "due_date": "2027-03-07", "owner_id": second.id}).status_code == 302
    assert client.post(f"/findings/{finding.id}/edit", headers=JA, data={
        "description": "再委託先一覧を求める", "due_date": ""}).status_code == 302

    stored = db.execute(select(FindingEvent.note_key, FindingEvent.note).where(
        FindingEvent.finding_id == finding.id, FindingEvent.note_key.is_not(None)).order_by(FindingEvent.id)).all()
    english = [f"Changed: severity medium -> high, due date 2027-03-01 -> 2027-03-05 (3/7 (Sunday) → 3/5), "
               f"owner {first.email} -> {second.email}",
               "Changed: description rewritten, due date 2027-03-05 -> none"]
    japanese = [f"変更: 重要度 中 → 高、期限 2027-03-01 → 2027-03-05（3/7(日曜日) → 3/5）、"
                f"担当者 {first.email} → {second.email}",
                "変更: 内容を書き換え、期限 2027-03-05 → なし"]
    assert stored == [("finding_changed", note) for note in english]  # the English kept for search and the API

    page_ja, page_en = _history(client, finding.id, JA), _history(client, finding.id, EN)
    assert all(note in page_ja for note in japanese) and not any(note in page_ja for note in english)
    assert all(note in page_en for note in english) and not any(note in page_en for note in japanese)
    assert "severity low -> medium" in page_ja and "severity low -> medium" in page_en  # as written

    history = api("auditor").get(f"/api/v1/findings/{finding.id}", headers=JA).get_json()["history"]
    assert [(step["note"], step["note_localized"]) for step in history if step["action"] == "assigned"] == [
        ("severity low -> medium", "severity low -> medium"), *zip(english, japanese)]


def test_a_finding_given_to_someone_when_nobody_owned_it(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    finding, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="指摘")
    finding.owner_id = None
    db.commit()
    login("compliance")
    assert client.post(f"/findings/{finding.id}/edit", data={"owner_id": owner.id}).status_code == 302
    assert f"変更: 担当者 なし → {owner.email}" in _history(client, finding.id, JA)
    assert f"Changed: owner none -> {owner.email}" in _history(client, finding.id, EN)


def test_the_audit_trail_reads_the_products_texts_in_each_language(app, db, client, login):
    """The audit trail shows a history note and a description the product wrote as a key in
    the reader's language, as the finding's page does."""
    owner = factories.gen_user(db, role="vendor_owner")
    finding, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="指摘",
                                      description_key="selection_condition", description_params={"day": "2026-12-01"})
    db.commit()
    login("compliance")
    assert client.post(f"/findings/{finding.id}/edit", data={"owner_id": owner.id}).status_code == 302
    login("auditor")
    for headers, shown, hidden in (
            (JA, ["変更: 担当者 なし → ", "外部委託先の選定承認（第25条第1項）の条件（2026-12-01 承認）。"],
             ["Changed: owner", "A condition of the approval"]),
            (EN, ["Changed: owner none -> ", "A condition of the approval of the vendor's selection"],
             ["変更: 担当者", "外部委託先の選定承認"])):
        page = html.unescape(client.get("/audit/", headers=headers).get_data(as_text=True))
        assert all(text in page for text in shown) and not any(text in page for text in hidden), headers


def test_risk_acceptance_notes_are_read_in_each_language(app, db, client, login):
    """Asking for a risk acceptance in Japanese and approving it in English writes notes each
    reader reads in their own language (the reason as typed)."""
    from vendorrisk.monitoring import remediation
    owner, approver = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="compliance")
    finding, _created = raise_finding(db, vendor_id=factories.gen_vendor(db).id, source="manual", title="指摘",
                                      owner_id=owner.id)
    db.commit()
    with app.test_request_context(headers=JA):
        acceptance = remediation.request_acceptance(db, finding, owner, {
            "rationale": "次期リリースで対応", "expires_on": date(2027, 1, 8)}, date(2026, 12, 1))
    with app.test_request_context(headers=EN):
        remediation.decide_acceptance(db, acceptance, approver, "approve")
    db.commit()
    stored = db.execute(select(FindingEvent.action, FindingEvent.note_key, FindingEvent.note).where(
        FindingEvent.finding_id == finding.id, FindingEvent.action.like("acceptance%")).order_by(FindingEvent.id)).all()
    assert stored == [("acceptance_requested", "acceptance_until_because", "until 2027-01-08: 次期リリースで対応"),
                      ("acceptance_approved", "acceptance_until", "until 2027-01-08")]
    login("auditor")
    page_ja, page_en = _history(client, finding.id, JA), _history(client, finding.id, EN)
    assert "2027-01-08 まで：次期リリースで対応" in page_ja and "until 2027-01-08" not in page_ja
    assert "until 2027-01-08: 次期リリースで対応" in page_en and "2027-01-08 まで" not in page_en
