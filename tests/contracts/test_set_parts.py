"""A contract set larger than one request (issue 13, item 3): the page and the API say that it
can be sent in several uploads and that later files join the same set, and that is so — the
second upload adds its documents to the arrangement's set, whose result covers both."""
import pytest
from sqlmodel import select

from tests.contracts.test_set_pages import _api_set, _send_set, _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts.models import Contract

JA = {"Accept-Language": "ja"}


@pytest.fixture
def app_config():
    """A small upload limit (1 MB a file, 2 MB a request), so that a set too large to send is cheap to make."""
    return {"MAX_UPLOAD_MB": 1}


def _bulky(data: bytes, name: str) -> tuple[bytes, str]:
    return data + b"\n" * 800_000, name  # 0.8 MB: within the limit of a file, three exceed a request


def test_a_set_too_large_for_one_upload_is_told_it_can_be_sent_in_parts(client, login, api, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    too_large = [_bulky(MASTER, "業務委託基本契約.txt"), _bulky(SLA, "サービスレベル合意書.txt"), _bulky(SLA, "別紙.txt")]
    page = _send_set(client, arrangement.id, too_large, headers=JA)
    assert page.status_code == 413
    html = page.get_data(as_text=True)
    assert "アップロードの上限（2 MB、同時に送るファイルの合計）を超えています" in html
    assert "2回以上に分けてアップロードできます" in html and "後からアップロードしたファイルも同じ一式に加わり" in html
    english = _send_set(client, arrangement.id, too_large).get_data(as_text=True)
    assert "can be sent in several uploads: the files of each later upload join the same set" in english
    error = _api_set(api("compliance"), arrangement.id, too_large).get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert error["message"] == ("The request is larger than the limit of 2 MB (all files sent at once count together). "
                                "A contract set can be sent in several uploads: the files of each later upload join "
                                "the same set, and its combined result covers them all.")
    # a single contract's upload is not about sets
    boundary = "single-boundary"  # the body built in memory (the test client would spool it to a file it never closes)
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'.encode()
            + b"x" * 2_200_000 + f"\r\n--{boundary}--\r\n".encode())
    single = client.post(f"/contracts/arrangements/{arrangement.id}/upload", data=body,
                         content_type=f"multipart/form-data; boundary={boundary}")
    assert single.status_code == 413 and "several uploads" not in single.get_data(as_text=True)
    # the form says it before anything is sent, and refuses such a selection in the browser
    form = client.get(f"/contracts/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="several-uploads">契約書一式は2回以上に分けてアップロードできます' in form
    assert "何も送信していません。 契約書一式は2回以上に分けて" in form.split('data-total-message="')[1].split('"')[0]
    assert db.exec(select(Contract)).all() == []


def test_files_sent_in_a_later_upload_join_the_same_set(client, login, api, db):
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [_bulky(MASTER, "業務委託基本契約.txt")]).status_code == 302
    second = _api_set(api("compliance"), arrangement.id, [_bulky(SLA, "サービスレベル合意書.txt")])
    assert second.status_code == 201, second.get_json()
    body = second.get_json()
    assert [d["title"] for d in body["documents"]] == ["業務委託基本契約", "サービスレベル合意書"]
    covered = {c["clause_id"]: c["document"] for c in body["set_checks"] if c["status"] == "found"}
    assert covered["subcontracting"] == "業務委託基本契約" and covered["service_levels"] == "サービスレベル合意書"
    html = client.get(f"/contracts/arrangements/{arrangement.id}").get_data(as_text=True)
    assert html.count("<tr data-document=") == 2
    sla_row = html.split('data-set-clause="service_levels"')[1].split("</tr>")[0]
    assert ">found<" in sla_row and "サービスレベル合意書" in sla_row
    # eleven files: ten in one upload, the eleventh in the next, all one set
    many = _send_set(client, arrangement.id, [(SLA + f"\n{i}".encode(), f"別紙{i}.txt") for i in range(11)])
    assert many.status_code == 422
    assert "One upload takes at most 10 files; 11 were chosen. A contract set can be sent in several uploads" in \
        many.get_data(as_text=True)
    assert _send_set(client, arrangement.id, [(SLA + f"\n{i}".encode(), f"別紙{i}.txt") for i in range(10)]).status_code == 302
    assert _send_set(client, arrangement.id, [(SLA + b"\n10", "別紙10.txt")]).status_code == 302
    db.rollback()
    assert len(db.exec(select(Contract).where(Contract.arrangement_id == arrangement.id)).all()) == 13
