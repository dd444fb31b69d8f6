"""The Word checklist of an arrangement's contract set through the API: the page's document,
the same role rule and need-to-know, audited like every download (issue 13, item 3)."""
import io

import docx
from sqlmodel import select

from tests import factories
from tests.contracts.test_set_pages import _api_set, _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.core.models import AuditEntry, User
from vendorrisk.vendors.models import Vendor

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _url(arrangement_id) -> str:
    return f"/api/v1/arrangements/{arrangement_id}/contract-set/checklist.docx"


def _clause_rows(data: bytes) -> dict[str, list[str]]:
    """The per-clause table of a set checklist: {clause title: [cells]}."""
    document = docx.Document(io.BytesIO(data))
    return {r.cells[0].text: [c.text for c in r.cells] for r in document.tables[2].rows[1:]}


def test_the_set_checklist_names_the_covering_document_and_place_of_each_clause(api, db, client, login):
    arrangement = _set_arrangement(db)
    uploaded = _api_set(api("compliance"), arrangement.id,
                        [(MASTER, "業務委託基本契約.txt"), (SLA, "サービスレベル合意書.txt")])
    assert uploaded.status_code == 201, uploaded.get_json()
    covered = {c["clause_id"]: c["location"] for c in uploaded.get_json()["set_checks"] if c["status"] == "found"}
    response = api("auditor").get(_url(arrangement.id) + "?lang=ja")
    assert response.status_code == 200 and response.mimetype == DOCX_TYPE
    assert f"checklist_set_{arrangement.id}.docx" in response.headers["Content-Disposition"]
    rows = _clause_rows(response.data)
    assert rows["再委託の手続き"][2].startswith("あり") and rows["再委託の手続き"][3] == "業務委託基本契約 (第1版)"
    assert rows["再委託の手続き"][4] == covered["subcontracting"] == "第2条"
    assert rows["サービス水準（SLA）"][3] == "サービスレベル合意書 (第1版)"
    assert rows["サービス水準（SLA）"][4] == covered["service_levels"] and covered["service_levels"].startswith("第")
    assert all(r[3] == "—" for r in rows.values() if r[2].startswith("なし"))  # a gap names no document
    # the page's document, from the one builder
    login("auditor")
    page = client.get(f"/contracts/arrangements/{arrangement.id}/set-checklist.docx", headers={"Accept-Language": "ja"})
    assert page.status_code == 200 and _clause_rows(page.data) == rows
    english = _clause_rows(api("auditor").get(_url(arrangement.id) + "?lang=en").data)
    assert english["Sub-outsourcing procedure"][2].startswith("Found")
    assert english["Sub-outsourcing procedure"][3] == "業務委託基本契約 (version 1)"
    db.rollback()
    exports = db.exec(select(AuditEntry).where(AuditEntry.entity == "arrangement", AuditEntry.action == "export",
                                               AuditEntry.entity_id == str(arrangement.id))).all()
    assert len(exports) == 3 and all('"set_checklist": true' in e.after for e in exports)


def test_who_may_download_the_set_checklist_and_when_there_is_none(api, db):
    arrangement = _set_arrangement(db)
    empty = api("compliance").get(_url(arrangement.id))
    assert empty.status_code == 422  # as the page answers: nothing to list yet
    assert empty.get_json()["error"]["message"] == "The arrangement has no contract yet: upload its documents first."
    assert api("compliance").get(_url(999999)).status_code == 404
    assert _api_set(api("compliance"), arrangement.id, [(MASTER, "基本契約.txt")]).status_code == 201
    for role in ("compliance", "procurement", "auditor", "admin"):
        assert api(role).get(_url(arrangement.id)).status_code == 200, role
    assert api("vendor_owner").get(_url(arrangement.id)).status_code == 403  # of another vendor
    own = api("vendor_owner", email="owner-of-the-vendor@member.example.jp")
    owner = db.exec(select(User).where(User.email == "owner-of-the-vendor@member.example.jp")).one()
    factories.gen_owner(db, db.get(Vendor, arrangement.vendor_id), owner)
    db.commit()
    assert own.get(_url(arrangement.id)).status_code == 200


def test_openapi_lists_the_set_checklist(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/arrangements/{arrangement_id}/contract-set/checklist.docx"]["get"]
    assert operation["operationId"] == "getContractSetChecklist"
    assert DOCX_TYPE in operation["responses"]["200"]["content"]
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["arrangement_id", "lang"]
