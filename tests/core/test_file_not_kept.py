"""Every upload form that comes back refused says to choose the file again, naming it: a
browser empties a file field when the page returns, and the person who only mistyped a
date would otherwise press the button again and meet the browser's "select a file"."""
import io
import re

import pytest

from tests import factories
from tests.certificates.factories import pdf_bytes
from vendorrisk.vendors.findings import raise_finding

JA = {"Accept-Language": "ja"}
HINT = re.compile(r'data-test="choose-file-again">(.*?)</small>', re.S)


def _hint(response) -> list[str]:
    return HINT.findall(response.get_data(as_text=True))


def _file(name: str, data: bytes = b"not a workbook"):
    return (io.BytesIO(data), name)


def _new_contract(client, db):
    arrangement = factories.gen_arrangement(db)
    db.commit()
    return client.post(f"/contracts/arrangements/{arrangement.id}/upload", headers=JA,
                       content_type="multipart/form-data",
                       data={"title": "基本契約", "document_kind": "no_such_kind", "file": _file("基本契約書.pdf", pdf_bytes())})


def _contract_set(client, db):
    arrangement = factories.gen_arrangement(db)
    db.commit()
    return client.post(f"/contracts/arrangements/{arrangement.id}/upload-set", headers=JA,
                       content_type="multipart/form-data",
                       data={"files": [_file("基本契約書.exe", b"MZ"), _file("DPA.exe", b"MZ")]})


def _register(client, db):
    return client.post("/arrangements/import", headers=JA, content_type="multipart/form-data",
                       data={"dry_run": "1", "file": _file("委託台帳.xlsx")})


def _questionnaire(client, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    return client.post("/questionnaires/import", headers=JA, content_type="multipart/form-data",
                       data={"vendor_id": str(vendor.id), "file": _file("回答.xlsx")})


def _antisocial(client, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    return client.post(f"/vendors/{vendor.id}/antisocial-checks", headers=JA, content_type="multipart/form-data",
                       data={"checked_on": "昨日", "method": "database", "result": "clear",
                             "evidence_text": "日経テレコン検索", "evidence": _file("検索結果.pdf", pdf_bytes())})


def _finding_move(client, db):
    vendor = factories.gen_vendor(db)
    finding, _created = raise_finding(db, vendor_id=vendor.id, source="manual", title="鍵管理手順の不備")
    finding.status = "resolved"
    db.commit()
    return client.post(f"/findings/{finding.id}/move", headers=JA, content_type="multipart/form-data",
                       data={"status": "closed", "note": "", "evidence": "",
                             "evidence_file": _file("是正報告.pdf", pdf_bytes())})


FORMS = {"new contract": (_new_contract, "基本契約書.pdf", 422),
         "contract set": (_contract_set, "基本契約書.exe, DPA.exe", 422),
         "register import": (_register, "委託台帳.xlsx", 422), "questionnaire import": (_questionnaire, "回答.xlsx", 422),
         "anti-social forces check": (_antisocial, "検索結果.pdf", 422),
         "finding move": (_finding_move, "是正報告.pdf", 422)}  # closing needs an action plan


@pytest.mark.parametrize("form", FORMS)
def test_a_refused_upload_form_names_the_file_to_choose_again(client, login, db, form):
    post, names, status = FORMS[form]
    login("compliance")
    refused = post(client, db)
    assert refused.status_code == status, refused.get_data(as_text=True)[-3000:]
    assert _hint(refused) == [f"ファイル（{names}）をもう一度選んでください。入力に誤りがあって戻された画面では、"
                              "ブラウザは選んだファイルを保持しません。"]


def test_no_hint_on_a_page_that_answers_no_form(client, login, db):
    login("compliance")
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db)
    db.commit()
    for path in (f"/vendors/{vendor.id}", f"/contracts/arrangements/{arrangement.id}", "/arrangements/import",
                 "/questionnaires/import"):
        page = client.get(path)
        assert page.status_code == 200 and not _hint(page), path
