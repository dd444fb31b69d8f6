"""Verdict reasons and proof-link labels follow the user's language: a Japanese user reads
Japanese reasons on the matrix and vendor pages, in the API, the evidence pack and the board
report; an English request gets English. Status and obligation ids never change."""
import csv
import html
import io
import re
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from tests import factories
from tests.helpers import exported
from vendorrisk.compliance import maintain

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# obligation id -> (English reason, Japanese reason) for the head vendor of the portfolio
EXPECTED = {
    "25-1": ("No approved selection assessment.", "承認された選定評価がありません。"),
    "25-4": ("Sub-outsourcing links in its chains not approved: 1.", "委託チェーン内の再委託1件が未承認です。"),
    "26-2": ("No member of staff is assigned to the vendor.", "この外部委託先に要員が配置されていません。"),
    "26-3": ("Places where user-data categories or locations are missing: 1.",
             "利用者データの種類又は保存・処理場所が1箇所で記録されていません。"),
    "27-3": ("No approved selection assessment covering the cloud items.",
             "クラウドの評価項目を含む承認された選定評価がありません。"),
}


@pytest.fixture
def portfolio(db):
    """A cloud vendor heading an arrangement that handles user data with no location, with one
    unapproved sub-outsourcing link; nothing else is on record (no staff, contract, review)."""
    head = factories.gen_vendor(db, name="言語テスト元請")
    sub = factories.gen_vendor(db, name="言語テスト再委託先")
    arrangement = factories.gen_arrangement(db, head, title="Payment Gateway", is_cloud=True,
                                            handles_user_data=True, user_data_categories=["氏名"])
    factories.gen_link(db, arrangement, head, sub)
    maintain.rebuild(db)  # factories publish no event
    db.commit()
    return {"head": head.id, "sub": sub.id, "arrangement": arrangement.id}


def _cells(client, vendor_id, headers):
    body = client.get(f"/api/v1/compliance-matrix?vendor_id={vendor_id}", headers=headers).get_json()
    return {row["obligation"]: row for row in body["rows"]}


def test_api_reasons_follow_the_language_with_the_same_verdicts(api, portfolio, contributions):
    client = api("auditor")
    japanese = _cells(client, portfolio["head"], JA)
    english = _cells(client, portfolio["head"], EN)
    assert set(japanese) == set(english) == set(contributions.obligations)
    for ob_id, (reason_en, reason_ja) in EXPECTED.items():
        assert english[ob_id]["reason"] == reason_en and japanese[ob_id]["reason"] == reason_ja
    assert english["25-2-audit_rights"]["reason"] == "No contract uploaded for “Payment Gateway”."
    assert japanese["25-2-audit_rights"]["reason"] == "「Payment Gateway」の契約書がアップロードされていません。"
    assert english["26-1"]["reason"].startswith("Never reviewed;")
    assert japanese["26-1"]["reason"].startswith("モニタリング未実施です。")
    for ob_id in contributions.obligations:
        ja, en = japanese[ob_id], english[ob_id]
        assert (ja["status"], ja["citation"]) == (en["status"], en["citation"]), ob_id
        assert [link["href"] for link in ja["links"]] == [link["href"] for link in en["links"]], ob_id
        assert JAPANESE.search(ja["reason"]) and not JAPANESE.search(en["reason"]), (ob_id, ja["reason"])
    assert japanese["25-1"]["links"][0]["label"] == "選定評価を開始"
    assert english["25-1"]["links"][0]["label"] == "Start a selection assessment"
    # an arrangement is named by its title in either language, never by its number
    assert japanese["25-4"]["links"][0]["label"] == english["25-4"]["links"][0]["label"] == "Payment Gateway"


def test_subcontractor_reasons_in_japanese(api, portfolio):
    client = api("auditor")
    japanese = _cells(client, portfolio["sub"], JA)
    english = _cells(client, portfolio["sub"], EN)
    # the head has no contract: nothing carries the terms down, and the reason says so
    assert japanese["25-2-subcontracting"]["reason"] == (
        "直接の契約はなく、契約上の義務をこの外部委託先に及ぼす一次委託先との契約の再委託条項が確認できていません："
        "「Payment Gateway」の契約書がアップロードされていません。")
    assert english["25-2-subcontracting"]["reason"] == (
        "No direct contract, and the tier-1 contract's sub-outsourcing clause that would carry the terms "
        "down is not on record: no contract uploaded for “Payment Gateway”.")
    assert japanese["27-1"]["reason"] == "クラウドサービスの外部委託先ではありません。"
    assert english["27-1"]["reason"] == "Not a cloud service vendor."
    assert {k: v["status"] for k, v in japanese.items()} == {k: v["status"] for k, v in english.items()}


def test_pages_show_reasons_in_the_users_language(client, login, db, portfolio):
    login("vendor_owner")
    vendor_page = f"/compliance/vendors/{portfolio['head']}"
    japanese = html.unescape(client.get(vendor_page, headers=JA).get_data(as_text=True))
    english = html.unescape(client.get(vendor_page, headers=EN).get_data(as_text=True))
    for reason_en, reason_ja in EXPECTED.values():
        assert reason_ja in japanese and reason_en not in japanese
        assert reason_en in english and reason_ja not in english
    matrix_page = "/compliance/?q=言語テスト元請"
    japanese = html.unescape(client.get(matrix_page, headers=JA).get_data(as_text=True))
    english = html.unescape(client.get(matrix_page, headers=EN).get_data(as_text=True))
    assert f'title="{EXPECTED["26-2"][1]}"' in japanese and f'title="{EXPECTED["25-1"][1]}"' in japanese
    assert f'title="{EXPECTED["26-2"][0]}"' in english and EXPECTED["26-2"][1] not in english


def _gap_reasons(document) -> list[str]:
    """The reasons of the head vendor in the board report's table of gaps."""
    table = next(t for t in document.tables if t.rows[0].cells[-1].text in ("理由", "Reason"))
    return [row.cells[2].text for row in table.rows[1:] if row.cells[0].text == "言語テスト元請"]


def test_user_preference_wins_and_exports_use_one_language(app, client, db, portfolio):
    user = factories.gen_user(db, role="compliance", language="ja")
    db.commit()
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    pack = exported(app, client, f"/compliance/vendors/{portfolio['head']}/evidence-pack.zip", headers=EN)
    assert pack.status_code == 200
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        text = archive.read("compliance-matrix.csv").decode("utf-8-sig")
        monitoring = load_workbook(io.BytesIO(archive.read("evidence/monitoring/reviews_and_findings.xlsx")))
    assert monitoring.sheetnames == ["モニタリング", "指摘事項"]  # built in the starter's language too
    # headers in the starter's language too: the obligation ID is column 0, the reason column 5
    rows = {row[0]: row for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert rows["26-2"][5] == EXPECTED["26-2"][1]
    assert all(JAPANESE.search(row[5]) for row in rows.values())
    report = exported(app, client, "/compliance/export/board-report.docx", headers=EN)
    document = Document(io.BytesIO(report.data))
    reasons = _gap_reasons(document)
    assert EXPECTED["25-1"][1] in reasons and EXPECTED["26-2"][1] in reasons
    assert reasons and not [reason for reason in reasons if not JAPANESE.search(reason)]


def test_board_report_in_english_has_english_reasons(app, client, login, portfolio):
    login("compliance")
    document = Document(io.BytesIO(exported(app, client, "/compliance/export/board-report.docx", headers=EN).data))
    reasons = _gap_reasons(document)
    assert EXPECTED["26-2"][0] in reasons and not any(JAPANESE.search(reason) for reason in reasons)


def test_rules_outside_a_request_answer_in_english(db, portfolio, contributions):
    verdicts = contributions.obligations["26-2"].rule(db, [portfolio["head"]])
    # the rule answers a message, stored untranslated and rendered when shown
    assert verdicts[portfolio["head"]].reason.key == EXPECTED["26-2"][0]
    assert str(verdicts[portfolio["head"]].reason) == EXPECTED["26-2"][0]
