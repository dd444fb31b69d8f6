"""A refusal because of the data's state (409) says what conflicted and what to do, in the
reader's language, on the page and in the API's error body: the conflict's own message,
never the bare heading, ids or status codes in place of words."""
import re

from flask import Blueprint
from werkzeug.exceptions import Conflict as HTTPConflict

from tests import factories
from vendorrisk.core.access import allow

JA = {"Accept-Language": "ja"}


def _main_text(response) -> str:
    html = response.get_data(as_text=True)
    main = re.search(r"<main>(.*)</main>", html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_an_open_assessment_conflict_page_names_it_in_japanese_without_machine_details(client, login, api, db):
    login("compliance")
    vendor = factories.gen_vendor(db)
    db.commit()
    assert client.post("/selection/new", data={"vendor_id": vendor.id}, headers=JA).status_code == 302
    refused = client.post("/selection/new", data={"vendor_id": vendor.id}, headers=JA)
    assert refused.status_code == 409
    text = _main_text(refused)
    # the form's page again (polish13), the open assessment named in words and linked
    assert "には完了していない評価（No. 1、作成中、" in text, text[:600]
    assert 'href="/selection/1"' in refused.get_data(as_text=True)
    assert "assessment_id" not in text  # the API's ids are not a reader's words
    answer = api("compliance").post("/api/v1/selection/assessments", json={"vendor_id": vendor.id}, headers=JA)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["message"] == "この外部委託先の評価 1 がまだ完了していません。先に完了させてください。"
    assert answer.get_json()["error"]["details"] == {"assessment_id": 1}  # for API clients, kept


def test_a_refused_status_move_names_the_statuses_as_the_page_does(client, login, api, db):
    login("compliance")
    vendor = factories.gen_vendor(db, status="terminated")
    db.commit()
    refused = client.post(f"/vendors/{vendor.id}/status", data={"status": "prospect"}, headers=JA)
    assert refused.status_code == 409
    text = _main_text(refused)
    assert "外部委託先のステータスを 契約終了 から 候補 に変更することはできません。" in text, text[:600]
    assert "terminated" not in text and "prospect" not in text
    answer = api("compliance").patch(f"/api/v1/vendors/{vendor.id}", json={"status": "prospect"})
    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == "A vendor cannot go from terminated to prospect."
    assert error["details"] == [{"field": "status", "message": "Allowed next: none."}]


def test_a_conflict_without_words_of_its_own_says_what_to_do(app, client, login):
    probe = Blueprint("conflict_probe", __name__)

    @probe.post("/conflict-probe")
    @allow("compliance")
    def conflict_probe():
        raise HTTPConflict()

    app.register_blueprint(probe)
    login("compliance")
    page = client.post("/conflict-probe", headers=JA)
    assert page.status_code == 409
    assert "何も変更していません。ページを再読み込みして現在の状態を確認し" in _main_text(page)
    answer = client.post("/conflict-probe", headers={**JA, "Accept": "application/json"})
    assert answer.get_json()["error"]["message"].startswith("現在のデータと矛盾するため")
