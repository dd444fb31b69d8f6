"""Findings of a person who leaves: deactivating them passes their findings not closed to the
vendor's assigned staff now, else to nobody — listed ("no owner" on the board and the API),
counted on the start page, followed up by compliance — and each change is in the finding's
history and the audit trail. Assigning staff to the vendor then gives them its findings
nobody owns, as reviews are (docs/monitoring.md)."""
import re

from sqlalchemy import select

from tests import factories
from vendorrisk.core.models import AuditEntry
from vendorrisk.vendors.findings import Finding, FindingEvent, raise_finding

JA = {"Accept-Language": "ja"}


def _finding(db, vendor, owner, ref, status="open"):
    finding, _created = raise_finding(db, vendor_id=vendor.id, source="manual", source_ref=ref, title=f"Finding {ref}",
                                      owner_id=owner.id if owner else None)
    finding.status, finding.owner_id = status, owner.id if owner else None
    db.flush()
    return finding


def _owners(db):
    db.rollback()
    db.expire_all()
    return {f.source_ref: f.owner_id for f in db.scalars(select(Finding))}


def test_deactivating_a_person_passes_their_findings_on(app, db, client, login, api):
    leaving, colleague = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="procurement")
    shared, alone, elsewhere = (factories.gen_vendor(db, name=n) for n in ("共有商事", "単独商事", "他所商事"))
    factories.gen_owner(db, shared, leaving)
    factories.gen_owner(db, shared, colleague).is_primary = False  # the second assigned person takes over
    factories.gen_owner(db, alone, leaving)
    _finding(db, shared, leaving, "shared")
    _finding(db, alone, leaving, "alone", "in_progress")
    _finding(db, elsewhere, leaving, "elsewhere", "resolved")  # a vendor they were not assigned to
    _finding(db, alone, leaving, "done", "closed")  # history: a closed finding keeps who owned it
    _finding(db, shared, colleague, "other")
    db.commit()

    admin = login("admin")
    users_page = client.get("/admin/users", headers=JA).get_data(as_text=True)
    row = users_page[users_page.index(leaving.email):][:4000]
    assert "担当する未完了の指摘事項：3 件" in row and 'data-test="deactivate-findings-warning"' in row

    answer = client.post(f"/admin/users/{leaving.id}", data={"active": "0"}, headers=JA)
    assert answer.status_code == 302
    owners = _owners(db)
    assert owners == {"shared": colleague.id, "alone": None, "elsewhere": None, "done": leaving.id,
                      "other": colleague.id}
    steps = db.execute(select(Finding.source_ref, FindingEvent.actor_id, FindingEvent.note)
                       .join(FindingEvent, FindingEvent.finding_id == Finding.id)
                       .where(FindingEvent.action == "assigned")).all()
    assert {(ref, actor) for ref, actor, _note in steps} == {("shared", admin.id), ("alone", admin.id),
                                                             ("elsewhere", admin.id)}
    assert all(leaving.email in note and "deactivated" in note for _ref, _actor, note in steps)
    trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "findings_passed_on")).all()
    assert [(t.entity, t.entity_id, t.actor_id) for t in trail] == [("user_account", str(leaving.id), admin.id)]
    listed = client.get(answer.headers["Location"], headers=JA).get_data(as_text=True)
    assert "未完了の指摘事項 3 件" in listed  # the flash says what happened to them

    client.post("/logout")
    login("compliance")
    unowned = {str(f.id) for f in db.scalars(select(Finding).where(Finding.owner_id.is_(None)))}
    board = client.get("/findings/?owner=none", headers=JA).get_data(as_text=True)
    assert set(re.findall(r'data-finding="(\d+)"', board)) == unowned and 'data-test="unowned-note"' in board
    assert "担当者未設定（是正待ち 1 件）" in board  # "alone" is in progress; "elsewhere" is resolved
    home = client.get("/", headers=JA).get_data(as_text=True)
    assert "担当者未設定の是正待ち指摘事項：1 件" in home and 'href="/findings/?owner=none"' in home
    body = api("auditor").get("/api/v1/findings?unowned=true&owner_id=%d" % colleague.id).get_json()
    assert {str(item["id"]) for item in body["items"]} == unowned


def test_reactivating_gives_nothing_back_and_staff_assigned_takes_the_unowned(app, db, client, login):
    leaving, newcomer = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    vendor = factories.gen_vendor(db, name="引継商事")
    factories.gen_owner(db, vendor, leaving)
    _finding(db, vendor, leaving, "open")
    _finding(db, vendor, None, "closed-unowned", "closed")
    db.commit()
    login("admin")
    client.post(f"/admin/users/{leaving.id}", data={"active": "0"})
    client.post(f"/admin/users/{leaving.id}", data={"active": "1"})
    assert _owners(db) == {"open": None, "closed-unowned": None}
    client.post(f"/admin/users/{leaving.id}", data={"active": "0"})  # else they, the primary, would take it
    login("compliance")
    assert client.post(f"/vendors/{vendor.id}/owners", data={"user_id": newcomer.id}).status_code in (302, 303)
    assert _owners(db) == {"open": newcomer.id, "closed-unowned": None}


def test_a_new_finding_does_not_go_to_a_deactivated_owner(app, db):
    gone, second = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    vendor, lone = factories.gen_vendor(db), factories.gen_vendor(db)
    factories.gen_owner(db, vendor, gone)
    factories.gen_owner(db, vendor, second).is_primary = False
    factories.gen_owner(db, lone, gone)
    gone.is_active = False
    db.flush()
    with app.app_context():
        found, _ = raise_finding(db, vendor_id=vendor.id, source="manual", source_ref="a", title="A")
        nobody, _ = raise_finding(db, vendor_id=lone.id, source="manual", source_ref="b", title="B")
    assert (found.owner_id, nobody.owner_id) == (second.id, None)


def test_editing_a_finding_nobody_owns_does_not_give_it_to_the_first_person_listed(app, db, client, login):
    vendor = factories.gen_vendor(db, name="無担当商事")
    finding = _finding(db, vendor, None, "unowned")
    db.commit()
    login("compliance")
    page = client.get(f"/findings/{finding.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="finding-no-owner"' in page
    form = page[page.index('name="owner_id"'):].split("</select>")[0]
    assert re.search(r'<option value="" selected>', form)  # a browser sends the option shown selected
    assert client.post(f"/findings/{finding.id}/edit", data={"severity": "high", "owner_id": "",
                                                               "due_date": ""}).status_code == 302
    db.expire_all()
    assert (db.get(Finding, finding.id).severity, db.get(Finding, finding.id).owner_id) == ("high", None)


def test_owner_change_notes_are_shown_in_the_readers_language(app, db, client, login, api):
    """The product's notes of an owner change are stored as a message: a Japanese reader reads
    them in Japanese, an English one in English (page and API); a note stored as plain text
    before (no key) is shown as it was written."""
    import html

    leaving, colleague = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="procurement")
    newcomer = factories.gen_user(db, role="vendor_owner")
    shared, alone = factories.gen_vendor(db, name="共有物産"), factories.gen_vendor(db, name="単独物産")
    factories.gen_owner(db, shared, leaving)
    factories.gen_owner(db, shared, colleague).is_primary = False
    factories.gen_owner(db, alone, leaving)
    passed, dropped = _finding(db, shared, leaving, "passed"), _finding(db, alone, leaving, "dropped")
    old = FindingEvent(finding_id=passed.id, action="assigned", from_status="open", to_status="open",
                       note="owner a@x -> none (deactivated)")  # written before notes were messages
    db.add(old)
    db.commit()
    login("admin")
    assert client.post(f"/admin/users/{leaving.id}", data={"active": "0"}).status_code == 302
    assert client.post(f"/vendors/{alone.id}/owners", data={"user_id": newcomer.id}).status_code in (302, 303)
    stored = db.execute(select(FindingEvent.note, FindingEvent.note_key).where(
        FindingEvent.finding_id == dropped.id, FindingEvent.action == "assigned").order_by(FindingEvent.id)).all()
    assert stored == [(f"Owner {leaving.email} -> no owner (the owner was deactivated)", "owner_to_nobody"),
                      (f"No owner -> {newcomer.email} (staff was assigned to the vendor)", "owner_from_nobody")]

    login("compliance")
    for finding, ja, en in (
            (passed, [f"担当者 {leaving.email} → {colleague.email}（担当者が無効化されたため）"],
             [f"Owner {leaving.email} -> {colleague.email} (the owner was deactivated)"]),
            (dropped, [f"担当者 {leaving.email} → 担当者未設定（担当者が無効化されたため）",
                       f"担当者未設定 → {newcomer.email}（外部委託先に要員が配置されたため）"],
             [f"Owner {leaving.email} -> no owner (the owner was deactivated)",
              f"No owner -> {newcomer.email} (staff was assigned to the vendor)"])):
        japanese = html.unescape(client.get(f"/findings/{finding.id}", headers=JA).get_data(as_text=True))
        english = html.unescape(client.get(f"/findings/{finding.id}", headers={"Accept-Language": "en"})
                                .get_data(as_text=True))
        assert all(note in japanese for note in ja) and not any(note in japanese for note in en)
        assert all(note in english for note in en) and not any(note in english for note in ja)
        assert ("owner a@x -> none (deactivated)" in japanese) == ("owner a@x -> none (deactivated)" in english) \
            == (finding is passed)  # the plain note, as written, in either language

    history = api("auditor").get(f"/api/v1/findings/{passed.id}", headers=JA).get_json()["history"]
    shown = {step["note"]: step["note_localized"] for step in history if step["action"] == "assigned"}
    assert shown == {"owner a@x -> none (deactivated)": "owner a@x -> none (deactivated)",
                     f"Owner {leaving.email} -> {colleague.email} (the owner was deactivated)":
                         f"担当者 {leaving.email} → {colleague.email}（担当者が無効化されたため）"}
