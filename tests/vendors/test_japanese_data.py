"""Japanese business data: フリガナ (typed, widths normalised), 50音 order and search by
reading, representative; 反社会的勢力チェック records, the approval rule on every path, and
their reminders like reviews' (real SMTP); register columns; bulk work on links and owners."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from tests import factories
from tests.helpers import across_migration
from tests.selection.factories import gen_assessment
from vendorrisk.core import clock
from vendorrisk.core.errors import Conflict
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.selection import service as selection
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import AntisocialCheck, OutsourcingLink, Vendor, VendorOwner


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def test_kana_is_normalised_sorted_in_gojuon_order_and_searched(client, db, login):
    for name, kana in (("株式会社ガンマ", "がんま"), ("株式会社カンマ", "ｶﾝﾏ"), ("株式会社アルファ", "アルファ"),
                       ("株式会社読みなし", "")):
        vendor_service.create_vendor(db, {"name": name, "name_kana": kana})
    db.commit()
    kana = dict(db.exec(select(Vendor.name, Vendor.name_kana)).all())
    assert kana["株式会社ガンマ"] == "ガンマ" and kana["株式会社カンマ"] == "カンマ"
    login("procurement")
    page = client.get("/vendors/").get_data(as_text=True)
    order = [page.index(n) for n in ("株式会社アルファ", "株式会社カンマ", "株式会社ガンマ", "株式会社読みなし")]
    assert order == sorted(order)  # ア before カ; ガ with カ (after it); vendors without a reading last
    found = client.get("/vendors/?q=かんま").get_data(as_text=True)
    assert "株式会社カンマ" in found and "株式会社ガンマ" not in found and "株式会社アルファ" not in found
    refused = client.post("/vendors/new", data={"name": "漢字読み株式会社", "name_kana": "漢字"})
    assert refused.status_code == 422 and 'value="漢字"' in refused.get_data(as_text=True)


def test_a_vendor_without_kana_whose_name_reads_as_written_sorts_among_the_others(client, db, login):
    for name, kana in (("株式会社カンマ", "かんま"), ("株式会社アルファ", "アルファ"), ("株式会社さくら", ""),
                       ("ＡＢＣ株式会社", ""), ("ｼｮｳﾜ株式会社", ""), ("株式会社日本読みなし", ""), ("株式会社ソラ", "")):
        vendor_service.create_vendor(db, {"name": name, "name_kana": kana})
    db.commit()
    login("procurement")
    page = client.get("/vendors/").get_data(as_text=True)
    # Latin letters before the kana (英数字, then 50音); a kana name by its own reading (サクラ
    # between カンマ and ショウワ, ソラ after them); only a kanji name without フリガナ comes last
    names = ("ＡＢＣ株式会社", "株式会社アルファ", "株式会社カンマ", "株式会社さくら", "ｼｮｳﾜ株式会社", "株式会社ソラ",
             "株式会社日本読みなし")
    order = [page.index(n) for n in names]
    assert order == sorted(order), [n for _i, n in sorted(zip(order, names))]
    vendor = db.exec(select(Vendor).where(Vendor.name == "株式会社さくら")).one()
    vendor_service.update_vendor(db, vendor, {"name": "株式会社桜"})  # renamed to kanji: no reading left
    db.commit()
    assert (vendor.kana_key, vendor.kana_missing) == ("", True)
    vendor_service.update_vendor(db, vendor, {"name_kana": "サクラ"})
    db.commit()
    assert vendor.kana_key == "サクラ"


def test_representative_and_reading_on_the_form_page_and_register(client, db, login):
    login("procurement")
    response = client.post("/vendors/new", data={"name": "株式会社代表", "name_kana": "だいひょう",
                                                 "representative": "代表取締役 山田 太郎", "address": "東京都千代田区"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ダイヒョウ" in page and "代表取締役 山田 太郎" in page
    book = load_workbook(io.BytesIO(client.get("/arrangements/register.xlsx").data))
    sheet = book["vendors"]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert (row["name_kana"], row["representative"], row["address"]) == ("ダイヒョウ", "代表取締役 山田 太郎", "東京都千代田区")


def test_register_import_reads_kana_and_representative(client, db, login):
    from openpyxl import Workbook
    login("compliance")
    book = Workbook()
    sheet = book.active
    sheet.title = "vendors"
    sheet.append(["ref", "name", "name_kana", "representative", "status"])
    sheet.append(["V1", "輸入テスト株式会社", "ゆにゅうてすと", "代表取締役 輸入 太郎", ""])
    sheet.append(["V2", "承認済み輸入株式会社", "", "", "approved"])  # an import approves nothing
    out = io.BytesIO()
    book.save(out)
    refused = client.post("/arrangements/import", data={"file": (io.BytesIO(out.getvalue()), "r.xlsx")},
                          content_type="multipart/form-data")
    assert "approved" in refused.get_data(as_text=True)  # the row's problem is listed
    db.rollback()
    assert db.exec(select(Vendor).where(Vendor.name.like("%輸入%"))).first() is None  # nothing stored
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    response = client.post("/arrangements/import", data={"file": (io.BytesIO(out.getvalue()), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    db.rollback()
    vendor = db.exec(select(Vendor).where(Vendor.name == "輸入テスト株式会社")).one()
    assert (vendor.name_kana, vendor.representative, vendor.status) == ("ユニュウテスト", "代表取締役 輸入 太郎", "prospect")


def test_no_approval_without_a_current_clear_check_on_every_path(app, client, db, login):
    preparer = factories.gen_user(db, role="procurement")
    approver = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社未確認", status="under_assessment")
    assessment = gen_assessment(db, vendor, preparer, state="submitted")
    db.commit()
    with pytest.raises(Conflict):  # the status change never approves (tests/security/test_vendor_approval_paths.py)
        vendor_service.change_status(db, vendor, "approved", approver)
    with pytest.raises(Conflict):  # the selection approval, the one way to approve
        selection.approve(db, assessment, user=approver)
    factories.gen_check(db, vendor, result="hit")  # a check that found something does not count
    with pytest.raises(Conflict):
        selection.approve(db, assessment, user=approver)
    factories.gen_check(db, vendor, checked_on=clock.today() - timedelta(days=400),
                        next_due=clock.today() - timedelta(days=35))  # older than the hit: still not current
    with pytest.raises(Conflict):
        selection.approve(db, assessment, user=approver)
    db.rollback()
    # the page shows why; a clear, current check recorded on the page lets the vendor be approved
    login("compliance")
    shown = client.post(f"/selection/{assessment.id}/approve")
    assert shown.status_code == 409 and "反社会的勢力チェック" in shown.get_data(as_text=True)
    refused = client.post(f"/vendors/{vendor.id}/antisocial-checks",
                          data={"checked_on": clock.today().isoformat(), "method": "database", "result": "clear"})
    assert refused.status_code == 422  # no evidence
    recorded = client.post(f"/vendors/{vendor.id}/antisocial-checks", data={
        "checked_on": clock.today().isoformat(), "method": "database", "result": "clear",
        "evidence_text": "日経テレコン検索：該当記事なし",
        "evidence": (io.BytesIO(b"search log: nothing found\n"), "search.txt")}, content_type="multipart/form-data")
    assert recorded.status_code == 302, recorded.get_data(as_text=True)
    db.rollback()
    check = db.exec(select(AntisocialCheck).where(AntisocialCheck.vendor_id == vendor.id)).one()
    assert check.next_due.year == clock.today().year + 1 and check.evidence_filename == "search.txt"
    assert client.get(f"/vendors/{vendor.id}/antisocial-checks/{check.id}/evidence").data.startswith(b"search log")
    assert client.post(f"/selection/{assessment.id}/approve").status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(Vendor, vendor.id).status == "approved"


def test_antisocial_checks_api(db, api):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    assert client.get(f"/api/v1/vendors/{vendor.id}/antisocial-checks").get_json()["current"] is False
    created = client.post(f"/api/v1/vendors/{vendor.id}/antisocial-checks", json={
        "checked_on": clock.today().isoformat(), "method": "declaration", "result": "clear",
        "evidence_text": "表明確約書 2026-04-01 受領"})
    assert created.status_code == 201, created.get_json()
    listed = client.get(f"/api/v1/vendors/{vendor.id}/antisocial-checks").get_json()
    assert listed["current"] is True and len(listed["items"]) == 1
    assert client.post(f"/api/v1/vendors/{vendor.id}/antisocial-checks", json={
        "checked_on": clock.today().isoformat(), "method": "psychic", "result": "clear",
        "evidence_text": "x"}).status_code == 422


def test_a_check_falling_due_is_reminded_like_a_review_once_per_stage(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    compliance = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社期限", status="approved")  # in no chain: no review reminders
    factories.gen_owner(db, vendor, owner)
    due = date(2026, 6, 30)
    factories.gen_check(db, vendor, checked_on=date(2025, 6, 30), next_due=due)
    db.commit()
    for day in (date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 2)):  # the 30-day stage, once
        run_sweep(app, today=day)
    assert len(smtp.by_recipient(owner.email)) == 1 and not smtp.by_recipient(compliance.email)
    run_sweep(app, today=date(2026, 6, 25))  # 7 days before
    run_sweep(app, today=date(2026, 7, 2))  # overdue: compliance told too
    run_sweep(app, today=date(2026, 7, 3))
    mails = smtp.by_recipient(owner.email)
    assert len(mails) == 3 and "反社会的勢力チェック" in mails[-1]["Subject"]
    assert f"/vendors/{vendor.id}#antisocial" in mails[-1].get_body().get_content()
    assert len(smtp.by_recipient(compliance.email)) == 1


def test_task_sources_list_checks_due_and_campaigns_awaiting(app, db, contributions):
    compliance = factories.gen_user(db, role="compliance")
    owner = factories.gen_user(db, role="vendor_owner")
    mine = factories.gen_vendor(db, name="株式会社担当", status="approved")
    factories.gen_vendor(db, name="株式会社担当外", status="approved")  # not theirs: not listed
    factories.gen_owner(db, mine, owner)
    factories.gen_check(db, mine, checked_on=clock.today() - timedelta(days=350),
                        next_due=clock.today() + timedelta(days=15))
    db.commit()
    with app.test_request_context():
        tasks = {u.role: list(contributions.task_sources["antisocial_checks_due"](db, u)) for u in (compliance, owner)}
    assert [(t.subject, t.due) for t in tasks["vendor_owner"]] == [("株式会社担当", clock.today() + timedelta(days=15))]
    assert {t.subject for t in tasks["compliance"]} == {"株式会社担当", "株式会社担当外"}  # one due, one never checked
    assert "questionnaires_awaiting_return" in contributions.task_sources


def test_bulk_approval_keeps_mutual_checks_and_is_all_or_nothing(app, client, db, login):
    recorder = factories.gen_user(db, role="compliance")
    arrangement = factories.gen_arrangement(db)
    subs = [factories.gen_vendor(db) for _ in range(3)]
    links = [OutsourcingLink(arrangement_id=arrangement.id, parent_vendor_id=arrangement.vendor_id, vendor_id=v.id,
                             recorded_by_id=recorder.id, approval_status="pending") for v in subs]
    db.add_all(links)
    db.commit()
    ids = [str(link.id) for link in links]
    # the recorder cannot approve their own links, even in a batch: nothing is approved
    client.post("/login", data={"email": recorder.email, "password": factories.PASSWORD})
    refused = client.post("/arrangements/approvals", data={"link_ids": ids, "approval_basis": "prior_consent"})
    assert refused.status_code == 422 and refused.get_data(as_text=True).count('role="alert"') >= 1
    db.rollback()
    assert {link.approval_status for link in db.exec(select(OutsourcingLink))} == {"pending"}
    client.post("/logout")
    login("compliance")
    page = client.get("/arrangements/approvals").get_data(as_text=True)
    assert page.count('name="link_ids"') == 3
    done = client.post("/arrangements/approvals", data={"link_ids": ids, "approval_basis": "notification",
                                                        "approved_on": "2026-04-01"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/arrangements/approvals"), \
        done.get_data(as_text=True)
    db.rollback()
    db.expire_all()  # the links were loaded in this session before
    assert {(link.approval_status, str(link.approved_on)) for link in db.exec(select(OutsourcingLink))} == \
        {("approved", "2026-04-01")}


def test_bulk_owner_assignment(client, db, login):
    vendors = [factories.gen_vendor(db) for _ in range(3)]
    staff = factories.gen_user(db, role="vendor_owner")
    factories.gen_owner(db, vendors[0], staff)
    db.commit()
    login("procurement")
    response = client.post("/vendors/owners", data={"vendor_ids": [str(v.id) for v in vendors],
                                                    "user_id": str(staff.id), "is_primary": "on"})
    assert response.status_code == 302
    db.rollback()
    assert sorted(db.exec(select(VendorOwner.vendor_id).where(VendorOwner.user_id == staff.id)).all()) == \
        sorted(v.id for v in vendors)


def test_a_new_vendor_is_registered_from_the_link_and_arrangement_forms(client, db, login):
    login("procurement")
    created = client.post("/arrangements/new", data={"vendor": "株式会社インライン一次", "title": "決済基盤",
                                                     "create_vendor": "1"})
    assert created.status_code == 302, created.get_data(as_text=True)
    arrangement_url = created.headers["Location"]
    arrangement_id = int(arrangement_url.rstrip("/").split("/")[-1].split("?")[0])
    tier1 = db.exec(select(Vendor).where(Vendor.name == "株式会社インライン一次")).one()
    added = client.post(f"/arrangements/{arrangement_id}/links", data={
        "parent_vendor_id": str(tier1.id), "vendor": "株式会社インライン二次", "create_vendor": "1"})
    assert added.status_code == 302 and "parent=" in added.headers["Location"]
    db.rollback()
    second = db.exec(select(Vendor).where(Vendor.name == "株式会社インライン二次")).one()
    assert second.status == "prospect"
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert f'<option value="{second.id}" selected>' in page  # the next link goes under the vendor just added
    twice = client.post(f"/arrangements/{arrangement_id}/links", data={
        "parent_vendor_id": str(second.id), "vendor": "株式会社インライン二次", "create_vendor": "1"})
    assert twice.status_code == 409  # already registered: chosen, not registered again


def test_the_migration_gives_the_vendors_already_there_their_name_reading(app, db):
    for name, kana in (("株式会社さくら", ""), ("ＡＢＣ株式会社", ""), ("株式会社日本", ""), ("株式会社カンマ", "カンマ")):
        vendor_service.create_vendor(db, {"name": name, "name_kana": kana})
    before, after = across_migration(app, db, "0027_certificate_due_on", "SELECT name, kana_key FROM vendor")
    assert before == {"株式会社さくら": "", "ＡＢＣ株式会社": "", "株式会社日本": "", "株式会社カンマ": "カンマ"}
    assert after == {"株式会社さくら": "サクラ", "ＡＢＣ株式会社": "ABC", "株式会社日本": "", "株式会社カンマ": "カンマ"}
