"""Every PDF result names the page its evidence starts on (issue 13, "real files"): a text PDF's
clauses on pages 1 and 3, a sentence run on over a page break (its first page), an OCR'd scan;
the API's ``evidence_page``, the version's page, its Word checklist and the contract set's."""
import io
from functools import cache

import docx
from sqlmodel import select

from tests.contracts.pdf_writer import contract_pdf, pdf_pages, scanned_copy
from tests.contracts.test_contracts import _arrangement, _upload
from tests.contracts.test_ocr import JA_TEXT
from tests.contracts.test_set_pages import _api_set, _set_arrangement
from tests.contracts.test_sets import SLA
from vendorrisk.contracts.checker import check
from vendorrisk.contracts.checker.document import Passage
from vendorrisk.contracts.checker.library import library
from vendorrisk.contracts.models import ClauseCheck

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}
# audit on page 1; the incident notice runs from page 2 onto page 3; subcontracting on page 3
PAGES = [
    ["Services Agreement", "", "1. Audit",
     "The Customer or an auditor appointed by the Customer may audit the Provider's facilities,",
     "records and systems on reasonable notice, and the Provider shall cooperate with such audit.", "", "2. Fees",
     "The Customer shall pay the fees set out in the order form within thirty days of the invoice date."],
    ["3. Term", "This Agreement starts on the Effective Date and continues for three years unless terminated",
     "earlier in accordance with its terms. Either party may terminate on ninety days written notice.", "",
     "4. Incident Notification",
     "The Provider shall notify the Customer of any security incident affecting the Customer's"],
    ["data without undue delay and in any event within 24 hours of becoming aware of it.", "",
     "5. Subcontracting", "The Provider shall not subcontract any of the services to a third party without the prior",
     "written consent of the Customer."],
]


@cache
def _pdf() -> bytes:
    return pdf_pages(PAGES, header="Services Agreement", footer="page_of")


def _checks(api, version_id: int) -> dict:
    body = api("auditor").get(f"/api/v1/contract-versions/{version_id}").get_json()
    return {c["clause_id"]: c for c in body["checks"]}


def test_the_checker_names_the_page_each_evidence_sentence_starts_on():
    results = {r.clause_id: r for r in check(_pdf(), "agreement.pdf", library()).results}
    assert results["audit_rights"].status == "found" and results["audit_rights"].reason_params["page"] == 1
    assert results["subcontracting"].status == "found" and results["subcontracting"].reason_params["page"] == 3
    incident = results["incident_notification"]
    assert incident.status == "found" and "within 24 hours" in incident.evidence  # read whole over the break
    assert incident.reason_params["page"] == 2  # the page it starts on
    # a text file has no pages: none named
    text = "\n".join(line for page in PAGES for line in page).encode()
    assert all("page" not in r.reason_params for r in check(text, "agreement.txt", library()).results)


def test_a_passage_run_on_over_pages_names_the_page_of_each_sentence():
    text = "First sentence on page four. Second one starts on page five."
    passage = Passage(text, 0, page=4, turns=((29, 5),))
    assert passage.page_of("First sentence on page four.") == 4
    assert passage.page_of("Second one starts on page five.") == 5
    assert passage.page_of("not in it") == 4
    # the page turns inside the second sentence: it is on the page it starts on
    assert Passage(text, 0, page=4, turns=((40, 5),)).page_of("Second one starts on page five.") == 4
    assert Passage("No pages.", 0).page_of("No pages.") is None


def test_the_api_the_version_page_and_the_word_checklist_show_the_page(api, client, login, db):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _pdf(), "agreement.pdf").get_json()
    checks = _checks(api, body["version_id"])
    assert checks["audit_rights"]["evidence_page"] == 1 and checks["subcontracting"]["evidence_page"] == 3
    assert checks["incident_notification"]["evidence_page"] == 2
    assert checks["audit_rights"]["location"] == "1"
    login("auditor")
    page = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert 'data-test="evidence-page">3ページ<' in page and 'data-test="evidence-page">1ページ<' in page
    english = client.get(f"/contracts/versions/{body['version_id']}", headers=EN).get_data(as_text=True)
    assert 'data-test="evidence-page">p. 3<' in english
    for lang, shown in (("ja", "1 · 1ページ"), ("en", "1 · p. 1")):
        data = api("auditor").get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang={lang}").data
        rows = {r.cells[0].text: [c.text for c in r.cells] for r in docx.Document(io.BytesIO(data)).tables[1].rows[1:]}
        audit = next(cells for cells in rows.values() if cells[1].endswith(shown))
        assert audit[2].startswith(("あり", "Found")), audit


def test_a_check_stored_before_pages_were_named_shows_none(api, client, login, db):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, _pdf(), "agreement.pdf").get_json()
    stored = db.exec(select(ClauseCheck).where(ClauseCheck.version_id == body["version_id"],
                                               ClauseCheck.clause_id == "audit_rights")).one()
    stored.reason_params = {k: v for k, v in stored.reason_params.items() if k != "page"}
    db.add(stored)
    db.commit()
    assert _checks(api, body["version_id"])["audit_rights"]["evidence_page"] is None
    login("auditor")
    page = client.get(f"/contracts/versions/{body['version_id']}", headers=JA).get_data(as_text=True)
    assert 'data-test="evidence-page">1ページ<' not in page and 'data-test="evidence-page">3ページ<' in page


def test_the_contract_set_names_the_page_of_the_covering_pdf(api, client, login, db):
    arrangement = _set_arrangement(db)
    uploaded = _api_set(api("compliance"), arrangement.id, [(_pdf(), "agreement.pdf"), (SLA, "sla.txt")])
    assert uploaded.status_code == 201, uploaded.get_json()
    covered = {c["clause_id"]: c for c in uploaded.get_json()["set_checks"]}
    assert covered["audit_rights"]["evidence_page"] == 1 and covered["subcontracting"]["evidence_page"] == 3
    login("auditor")
    page = client.get(f"/contracts/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    assert 'data-test="set-page">3ページ<' in page
    data = api("auditor").get(f"/api/v1/arrangements/{arrangement.id}/contract-set/checklist.docx?lang=en").data
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in docx.Document(io.BytesIO(data)).tables[2].rows[1:]}
    assert any(cells[4] == "5 · p. 3" for cells in rows.values()), rows


def test_an_ocr_read_scanned_pdf_names_the_page(api, db, runner):
    # five lines a page: 第2条（監査） starts on page 2, 第3条（再委託） on page 3
    scan = scanned_copy(contract_pdf(JA_TEXT, "ja", title=JA_TEXT.splitlines()[0], lines_per_page=5, drawn=True))
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, scan, "scan.pdf").get_json()
    assert body["extraction_status"] == "scanned"
    result = runner.invoke(args=["contracts", "ocr", "--version", str(body["version_id"])])
    assert result.exit_code == 0, result.output
    checks = _checks(api, body["version_id"])
    audit, subcontracting = checks["audit_rights"], checks["subcontracting"]
    assert audit["evidence_read_by_ocr"] and audit["location"] == "第2条" and audit["evidence_page"] == 2
    assert subcontracting["location"] == "第3条" and subcontracting["evidence_page"] == 3
