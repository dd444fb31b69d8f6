"""Refusals speak the user's language: services' errors, field validators and flashes are
Japanese for a Japanese browser or user, English otherwise, and always English on the CLI.

These tests make each request in its own application context (no ``db`` fixture around
them), as in production: Flask-Babel keeps the chosen locale on ``g``, so requests sharing
one pushed context would share one language.
"""

from flask_babel import gettext
from sqlmodel import func, select

from tests import factories
from vendorrisk.core import users
from vendorrisk.core.db import new_session
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import User
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.vendors.models import OutsourcingLink, Vendor
from vendorrisk.vendors.register_store import import_register

JA = {"Accept-Language": "ja,en;q=0.5"}
BAD_NUMBER = "2010001000006"  # 13 digits, wrong check digit
CHECK_DIGIT_EN = "The check digit (first digit) does not match the other twelve digits."
CHECK_DIGIT_JA = "チェックデジット（先頭の1桁）が残り12桁と一致しません。"


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


def _sign_in(app, client, role="procurement", language=None):
    user = _arrange(app, lambda s: factories.gen_user(s, role=role, language=language))
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return user


def _token(app, role="procurement", language=None):
    def build(session):
        user = factories.gen_user(session, role=role, language=language)
        return users.create_token(session, user, "i18n")[1]
    return {"Authorization": f"Bearer {_arrange(app, build)}"}


def _vendor_count(app):
    return _arrange(app, lambda s: s.exec(select(func.count()).select_from(Vendor)).one())


def test_japanese_browser_sees_the_vendor_form_refusal_in_japanese(app, client):
    _sign_in(app, client)
    page = client.post("/vendors/new", data={"name": "番号違い株式会社", "corporate_number": BAD_NUMBER,
                                             "country": "JP"}, headers=JA)
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and 'lang="ja"' in text
    assert CHECK_DIGIT_JA in text and "入力内容に誤りがあります。" in text  # field error and flash
    assert "check digit" not in text
    english = client.post("/vendors/new", data={"name": "番号違い株式会社", "corporate_number": BAD_NUMBER,
                                                "country": "JP"}).get_data(as_text=True)
    assert CHECK_DIGIT_EN in english and CHECK_DIGIT_JA not in english
    assert _vendor_count(app) == 0


def test_api_message_follows_accept_language_and_the_code_does_not(app, client):
    headers = _token(app)
    body = {"name": "番号違い株式会社", "corporate_number": BAD_NUMBER, "country": "Japan", "notice": 1}
    ja = client.post("/api/v1/vendors", json=body, headers={**headers, **JA})
    en = client.post("/api/v1/vendors", json=body, headers=headers)
    assert ja.status_code == en.status_code == 422
    ja_error, en_error = ja.get_json()["error"], en.get_json()["error"]
    assert ja_error["code"] == en_error["code"] == "validation_failed"
    assert (ja_error["message"], en_error["message"]) == ("不明な項目があります。", "Unknown fields.")
    assert ja_error["details"] == [{"field": "notice", "message": "不明な項目です。"}]
    del body["notice"]
    ja = client.post("/api/v1/vendors", json=body, headers={**headers, **JA}).get_json()["error"]
    en = client.post("/api/v1/vendors", json=body, headers=headers).get_json()["error"]
    assert ja["code"] == en["code"] == "validation_failed"
    assert ja["message"] == "入力内容に誤りがあります。" and en["message"] == "The input is invalid."
    ja_fields = {d["field"]: d["message"] for d in ja["details"]}
    en_fields = {d["field"]: d["message"] for d in en["details"]}
    assert ja_fields == {"corporate_number": CHECK_DIGIT_JA,
                         "country": "2文字の国コード（ISO 3166-1）を使ってください（例：JP）。"}
    assert en_fields == {"corporate_number": CHECK_DIGIT_EN,
                         "country": "Use a two-letter country code (ISO 3166-1), e.g. JP."}
    assert _vendor_count(app) == 0


def test_pydantic_own_messages_are_translated_too(app, client):
    headers = _token(app)
    ja = client.post("/api/v1/vendors", json={"is_cloud": "perhaps"}, headers={**headers, **JA}).get_json()
    en = client.post("/api/v1/vendors", json={"is_cloud": "perhaps"}, headers=headers).get_json()
    assert {d["field"]: d["message"] for d in ja["error"]["details"]} == {
        "name": "必須項目です", "is_cloud": "はい／いいえ（true/false）で入力してください（解釈できません）"}
    assert {d["field"]: d["message"] for d in en["error"]["details"]} == {
        "name": "Field required", "is_cloud": "Input should be a valid boolean, unable to interpret input"}


def test_conflict_names_the_vendor_in_the_users_own_language(app, client):
    def build(session):
        arrangement = factories.gen_arrangement(session)
        return arrangement.id, arrangement.vendor_id
    arrangement_id, vendor_id = _arrange(app, build)
    name = _arrange(app, lambda s: s.get(Vendor, vendor_id).name)
    link = {"parent_vendor_id": vendor_id, "vendor_id": vendor_id, "service": "保守"}
    # No Accept-Language at all: the user's own choice of Japanese decides.
    ja = client.post(f"/api/v1/arrangements/{arrangement_id}/links", json=link,
                     headers=_token(app, language="ja"))
    en = client.post(f"/api/v1/arrangements/{arrangement_id}/links", json=link, headers=_token(app))
    assert ja.status_code == en.status_code == 409
    ja_error, en_error = ja.get_json()["error"], en.get_json()["error"]
    assert ja_error["code"] == en_error["code"] == "conflict"
    assert ja_error["message"] == f"{name}は自社に再委託することはできません。"
    assert en_error["message"] == f"{name} cannot sub-outsource to itself."
    assert ja_error["details"][0]["message"] == "外部委託先は自社の再委託先にはなれません。"
    assert _arrange(app, lambda s: s.exec(select(func.count()).select_from(OutsourcingLink)).one()) == 0


def test_not_found_page_message_is_japanese(app, client):
    headers = _token(app)
    ja = client.get("/api/v1/vendors/999999", headers={**headers, **JA}).get_json()["error"]
    en = client.get("/api/v1/vendors/999999", headers=headers).get_json()["error"]
    assert ja == {"code": "not_found", "message": "外部委託先 999999 は存在しません。", "details": []}
    assert en == {"code": "not_found", "message": "Vendor 999999 does not exist.", "details": []}


def test_flashed_password_rules_are_japanese_for_a_japanese_admin(app, client):
    _sign_in(app, client, role="admin", language="ja")
    response = client.post("/admin/users", data={"email": "new@test.example", "role": "procurement",
                                                 "password": "short"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "パスワードが規則を満たしていません。" in page and "12 文字以上にしてください。" in page
    assert "Use at least" not in page
    assert _arrange(app, lambda s: s.exec(select(User).where(User.email == "new@test.example")).first()) is None


def test_upload_and_import_refusals_in_a_japanese_request(app):
    register = factories.workbook({"vendors": [["ref", "name", "corporate_number", "is_cloud"],
                                               ["v1", "番号不正株式会社", BAD_NUMBER, "no"],
                                               ["v2", "フラグ不正株式会社", "", "maybe"]]})
    with app.test_request_context(headers=JA):
        session = new_session()
        try:
            try:
                inspect_upload(b"", "empty.pdf", {"pdf"})
                raise AssertionError("expected ValidationFailed")
            except ValidationFailed as exc:
                assert exc.message == "ファイルが空です。"
            try:
                import_register(session, register, "onboard.xlsx")
                raise AssertionError("expected ValidationFailed")
            except ValidationFailed as exc:
                assert exc.message == "ワークブックに 2 件の問題があります。何も保存していません。"
                messages = {d["column"]: d["message"] for d in exc.details}
        finally:
            session.rollback()
            session.close()
    assert messages == {"is_cloud": "'maybe' ではなく yes または no と記入してください。",
                        "corporate_number": CHECK_DIGIT_JA}  # each column's own problem, no generic lead-in


def test_messages_stay_english_without_a_request(app):
    assert gettext("The file is empty.") == "The file is empty."  # no application context at all
    with app.app_context():
        assert gettext("Vendor %(id)s does not exist.", id=7) == "Vendor 7 does not exist."
        try:
            inspect_upload(b"", "empty.pdf", {"pdf"})
            raise AssertionError("expected ValidationFailed")
        except ValidationFailed as exc:
            assert exc.message == "The file is empty."


def test_cli_refusal_stays_english(app, runner, tmp_path):
    path = tmp_path / "onboard.xlsx"
    path.write_bytes(factories.workbook({"vendors": [["name", "corporate_number"], ["番号不正株式会社", BAD_NUMBER]]}))
    _arrange(app, lambda s: factories.gen_user(s, role="admin", language="ja"))
    result = runner.invoke(args=["import-register", str(path)], env={"LANG": "ja_JP.UTF-8"})
    assert result.exit_code != 0
    assert CHECK_DIGIT_EN in result.output and "The workbook has 1 problem(s); nothing was stored." in result.output
    assert "チェックデジット" not in result.output
    weak = runner.invoke(args=["create-user", "weak@test.example", "--role", "procurement", "--language", "ja",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "Use at least 12 characters." in weak.output
    assert _vendor_count(app) == 0
