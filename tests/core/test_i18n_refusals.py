"""Refusals of monitoring and questionnaires speak the user's language: row messages of a
questionnaire import and refused finding moves are Japanese for a Japanese user, English
otherwise, and the CLI stays English.

As in ``test_i18n_messages``, each request runs in its own application context (no ``db``
fixture around it): Flask-Babel keeps the chosen locale on ``g``.
"""
import io

from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core import users
from vendorrisk.core.db import new_session
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse
from vendorrisk.vendors.findings import Finding, raise_finding

JA = {"Accept-Language": "ja,en;q=0.5"}
CHECK_DIGIT_JA = "チェックデジット（先頭の1桁）が残り12桁と一致しません"


def _arrange(app, build):
    """Run ``build(session)`` in a short application context of its own and commit."""
    with app.app_context():
        session = new_session()
        try:
            result = build(session)
            session.commit()
            return result
        finally:
            session.close()


def _token(app, role="compliance", language=None):
    def build(session):
        user = factories.gen_user(session, role=role, language=language)
        return user.id, users.create_token(session, user, "i18n")[1]
    user_id, token = _arrange(app, build)
    return user_id, {"Authorization": f"Bearer {token}"}


def _count(app, model):
    return _arrange(app, lambda s: s.exec(select(func.count()).select_from(model)).one())


def _bad_workbook(client, headers, vendor_id):
    blank = client.get(f"/api/v1/questionnaires/general_outsourcing/workbook?vendor_id={vendor_id}",
                       headers=headers)
    assert blank.status_code == 200
    return fq.fill(blank.data, {"GEN-01": "たぶん", "GEN-02": None, "ASR-02": "来年"},
                   subcontractors=[("", "1234567890123", "Japan", "運用", "maybe", "")])


def _post(client, headers, vendor_id, data):
    return client.post(f"/api/v1/vendors/{vendor_id}/questionnaire-responses", headers=headers,
                       data={"file": (io.BytesIO(data), "回答.xlsx")}, content_type="multipart/form-data")


def test_japanese_user_gets_japanese_row_messages_for_a_questionnaire_workbook(app, client):
    vendor_id = _arrange(app, lambda s: factories.gen_vendor(s).id)
    _user, ja_headers = _token(app, language="ja")  # no Accept-Language: the user's own choice decides
    _user, en_headers = _token(app)
    data = _bad_workbook(client, ja_headers, vendor_id)
    ja = _post(client, ja_headers, vendor_id, data)
    en = _post(client, en_headers, vendor_id, data)
    assert ja.status_code == en.status_code == 422
    ja_error, en_error = ja.get_json()["error"], en.get_json()["error"]
    assert ja_error["code"] == en_error["code"] == "validation_failed"
    ja_cells = {(d["sheet"], d["cell"]): d["message"] for d in ja_error["details"]}
    en_cells = {(d["sheet"], d["cell"]): d["message"] for d in en_error["details"]}
    assert set(ja_cells) == set(en_cells)  # sheet and cell are the same in both languages
    count = len(ja_cells)
    assert ja_error["message"] == f"ワークブックに {count} 件の問題があります。何も取り込んでいません。"
    assert en_error["message"] == f"The workbook has {count} problems; nothing was imported."
    assert ja_cells[("Questions", "G5")].startswith("'たぶん' は回答として使えません。次のいずれかを記入してください：")
    assert "'はい / Yes'" in ja_cells[("Questions", "G5")]
    assert ja_cells[("Questions", "G6")].startswith("GEN-02 の必須の回答がありません。")
    assert ja_cells[("Questions", "G20")] == "'来年' は日付ではありません。2026-04-01 のような日付を記入してください"
    assert ja_cells[("Subcontractors", "A2")] == "再委託先の名称がありません。正式名称を記入してください"
    assert ja_cells[("Subcontractors", "B2")] == (
        f"{CHECK_DIGIT_JA}（記入値 '1234567890123'）。正しい13桁の法人番号を記入するか空欄にしてください")
    assert ja_cells[("Subcontractors", "C2")] == (
        "'JAPAN' は国コードではありません。JP のような2文字の ISO コードを記入してください")
    assert ja_cells[("Subcontractors", "E2")] == "'maybe' は回答として使えません。Yes または No を記入してください"
    assert en_cells[("Questions", "G20")] == "'来年' is not a date; expected a date such as 2026-04-01"
    assert en_cells[("Subcontractors", "E2")] == "'maybe' is not an allowed answer; expected Yes or No"
    assert not any("expected" in m for m in ja_cells.values())
    assert _count(app, QuestionnaireResponse) == _count(app, QuestionnaireAnswer) == 0


def test_japanese_browser_gets_the_missing_column_refusal_in_japanese(app, client):
    vendor_id = _arrange(app, lambda s: factories.gen_vendor(s).id)
    _user, headers = _token(app)
    data = fq.generic_workbook(["番号", "質問", "回答"], [("Q1", "ISMS認証を取得していますか", "はい")])
    response = client.post(f"/api/v1/vendors/{vendor_id}/questionnaire-responses", headers={**headers, **JA},
                           data={"file": (io.BytesIO(data), "回答.xlsx"), "sheet": "回答", "header_row": "1",
                                 "question_column": "B", "answer_column": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "列の対応が不完全です。"
    assert error["details"] == [{"sheet": "回答", "cell": "", "message": "回答の列を選んでください。"}]
    assert _count(app, QuestionnaireResponse) == 0


def _finding(app, owner_id):
    def build(session):
        vendor = factories.gen_vendor(session)
        finding, _created = raise_finding(session, vendor_id=vendor.id, source="manual", title="鍵管理手順の不備",
                                          owner_id=owner_id)
        return finding.id
    return _arrange(app, build)


def _status(app, finding_id):
    return _arrange(app, lambda s: s.get(Finding, finding_id).status)


def test_japanese_users_refused_finding_transition_is_japanese(app, client):
    ja_id, ja_headers = _token(app, language="ja")
    _en_id, en_headers = _token(app)
    finding_id = _finding(app, ja_id)
    url = f"/api/v1/findings/{finding_id}/transitions"
    ja = client.post(url, json={"status": "closed", "evidence": "確認済み"}, headers=ja_headers)
    en = client.post(url, json={"status": "closed", "evidence": "checked"}, headers=en_headers)
    assert ja.status_code == en.status_code == 409
    assert ja.get_json()["error"] == {"code": "conflict", "details": [],
                                      "message": "「未対応」の指摘事項を「確認・完了」にすることはできません。"}
    assert en.get_json()["error"]["message"] == "The finding is open and cannot move to closed."
    assert client.post(url, json={"status": "resolved"}, headers=ja_headers).status_code == 200
    # Four-eyes: the Japanese user resolved it, so they cannot close it themselves.
    refused = client.post(url, json={"status": "closed", "evidence": "確認済み"}, headers=ja_headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert refused.get_json()["error"]["message"] == (
        "相互牽制（第8条第5項）：指摘事項を解決済みにした本人が、確認して完了にすることはできません。")
    missing = client.post(url, json={"status": "closed"}, headers={**en_headers, **JA}).get_json()["error"]
    assert missing["message"] == "指摘事項は是正計画と是正の証跡がなければ完了できません。"
    assert missing["details"] == [{"field": "action_plan", "message": "完了の前に是正計画を記録してください。"},
                                  {"field": "evidence", "message": "解決したことを示す証跡を記入するか添付してください。"}]
    assert _status(app, finding_id) == "resolved"


def test_refused_move_on_the_finding_page_is_flashed_in_japanese(app, client):
    def build(session):
        user = factories.gen_user(session, role="compliance", language="ja")
        return user.id, user.email
    user_id, email = _arrange(app, build)
    assert client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    finding_id = _finding(app, user_id)
    page = client.post(f"/findings/{finding_id}/move", data={"status": "closed"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "「未対応」の指摘事項を「確認・完了」にすることはできません。" in text and "cannot move" not in text
    assert _status(app, finding_id) == "open"


def test_cli_import_questionnaire_stays_english(app, runner, tmp_path):
    vendor_id, name = _arrange(app, lambda s: (lambda v: (v.id, v.name))(factories.gen_vendor(s)))
    _arrange(app, lambda s: factories.gen_user(s, role="admin", language="ja"))
    path = tmp_path / "回答.xlsx"
    path.write_bytes(fq.fill(fq.native_workbook(vendor_id=vendor_id, vendor_name=name),
                             {"ASR-02": "来年"}, subcontractors=[("株式会社下請", "", "JP", "運用", "maybe", "")]))
    result = runner.invoke(args=["import-questionnaire", str(vendor_id), str(path)], env={"LANG": "ja_JP.UTF-8"})
    assert result.exit_code == 1
    assert "The workbook has 2 problems; nothing was imported." in result.output
    assert "Questions!G20: '来年' is not a date; expected a date such as 2026-04-01" in result.output
    assert "Subcontractors!E2: 'maybe' is not an allowed answer; expected Yes or No" in result.output
    assert "日付ではありません" not in result.output and "問題があります" not in result.output
    assert _count(app, QuestionnaireResponse) == 0


def test_api_refusals_of_routing_access_and_rules_are_japanese_for_a_japanese_user(app, client):
    """The API's 401/403/404 answer in the reader's language (Werkzeug's defaults speak of a
    browser and a bad password, in English), and so do the refusals the API raises itself."""
    _auditor_id, auditor = _token(app, role="auditor", language="ja")
    _procurement_id, procurement = _token(app, role="procurement", language="ja")
    _compliance_id, compliance = _token(app, role="compliance", language="ja")

    def build(session):
        arrangement = factories.gen_arrangement(session)
        link = factories.gen_link(session, arrangement, factories.gen_vendor(session), factories.gen_vendor(session))
        return link.id, arrangement.vendor_id
    link_id, vendor_id = _arrange(app, build)
    anonymous = client.get("/api/v1/vendors", headers=JA).get_json()["error"]
    assert anonymous["code"] == "unauthorized" and anonymous["message"].startswith("個人用APIトークンで認証してください")
    denied = client.delete(f"/api/v1/links/{link_id}", headers=auditor).get_json()["error"]
    assert denied == {"code": "forbidden", "details": [], "message": "このロールでは実行できません。この操作は記録されました。"}
    unknown = client.get("/api/v1/no-such-thing", headers={**auditor, **JA})  # no route: the browser's language
    assert unknown.get_json()["error"]["message"] == "このアドレスには何もありません。"
    approving = client.patch(f"/api/v1/links/{link_id}", json={"approval_status": "approved",
                                                                "approval_basis": "notification"}, headers=procurement)
    assert approving.status_code == 403
    assert approving.get_json()["error"]["message"] == "再委託を承認できるのはコンプライアンス担当者のみです。"
    draft = client.post("/api/v1/selection/assessments", json={"vendor_id": vendor_id}, headers=compliance).get_json()
    early = client.post(f"/api/v1/selection/assessments/{draft['id']}/approve", json={}, headers=compliance)
    assert early.status_code == 409
    assert "作成中" in early.get_json()["error"]["message"] and "draft" not in early.get_json()["error"]["message"]
