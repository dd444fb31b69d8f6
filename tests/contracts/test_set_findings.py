"""A clause covered by any document of the contract set raises no "missing clause" finding;
the set coming to cover it closes the finding, losing it raises one again (issue 13, item 3)."""
from sqlmodel import select

from tests.contracts.test_contracts import _upload
from tests.contracts.test_set_pages import JA, _send_set, _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.vendors.findings import Finding, FindingEvent, raise_finding

EN = {"Accept-Language": "en"}


def _checks(body) -> dict[str, int]:
    return {c["clause_id"]: c["id"] for c in body["checks"]}


def _review(client, check_id, status, comment=""):
    answer = client.post(f"/api/v1/clause-checks/{check_id}/review", json={"status": status, "comment": comment})
    assert answer.status_code == 200, answer.get_json()
    return answer


def _findings(db) -> list[Finding]:
    db.rollback()
    return db.exec(select(Finding).where(Finding.source == "contract").order_by(Finding.id)).all()


def _master(client, arrangement_id):
    return _upload(client, arrangement_id, MASTER, "基本契約.txt", title="業務委託基本契約", document_kind="master").get_json()


def _sla(client, arrangement_id):
    return _upload(client, arrangement_id, SLA, "SLA.txt", title="サービスレベル合意書", document_kind="sla").get_json()


def test_a_clause_another_document_covers_raises_no_finding_and_two_gaps_raise_one(api, db):
    arrangement = _set_arrangement(db)
    client = api("compliance")
    master, sla = _master(client, arrangement.id), _sla(client, arrangement.id)
    # the master agreement only refers to the SLA; the SLA has the service levels
    _review(client, _checks(master)["service_levels"], "not_found", "基本契約にはSLAへの参照しかない")
    assert _findings(db) == []
    # audit rights are in neither document: both marked missing, one finding about the set
    _review(client, _checks(master)["audit_rights"], "not_found")
    _review(client, _checks(sla)["audit_rights"], "not_found", "SLAにも監査条項なし")
    [finding] = _findings(db)
    assert (finding.source_ref, finding.status, finding.severity) == (
        f"contract_set:{arrangement.id}:audit_rights", "open", "medium")
    assert finding.title_key == "contract_set_clause_missing" and finding.arrangement_id == arrangement.id
    assert finding.title_params["arrangement"] == arrangement.title and arrangement.title in finding.title
    # which documents were read, and how each stood
    assert "業務委託基本契約 (v1, 基本契約.txt): not found (reviewed)" in finding.description
    assert finding.description.endswith("サービスレベル合意書 (v1, SLA.txt): not found.")  # automatic, then


def test_the_set_covering_the_clause_closes_the_finding_and_losing_it_raises_one_again(api, db):
    arrangement = _set_arrangement(db)
    client = api("compliance")
    master = _master(client, arrangement.id)
    _review(client, _checks(master)["service_levels"], "not_found", "SLAは別途締結とあるだけ")
    [raised] = _findings(db)
    assert raised.status == "open" and raised.source_ref == f"contract_set:{arrangement.id}:service_levels"
    assert "業務委託基本契約 (v1, 基本契約.txt): not found (reviewed)" in raised.description
    assert "SLAは別途締結とあるだけ" in raised.description

    sla = _sla(client, arrangement.id)  # the SLA is uploaded and found to cover the clause
    [closed] = _findings(db)
    assert closed.status == "closed" and closed.closed_at is not None and closed.closed_by_id is not None
    assert "サービスレベル合意書 (v1, SLA.txt) 第1条" in closed.closure_evidence
    assert "found by the automatic check" in closed.closure_evidence
    last = db.exec(select(FindingEvent).where(FindingEvent.finding_id == closed.id).order_by(FindingEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.note) == ("open", "closed", closed.closure_evidence)

    # the SLA's result overturned and nothing else covers the clause: raised again, the closed one stays closed
    _review(client, _checks(sla)["service_levels"], "not_found", "稼働率の定めは参考値にすぎない")
    first, again = _findings(db)
    assert (first.status, again.status) == ("closed", "open")
    assert again.source_ref == f"contract_set:{arrangement.id}:service_levels#2"
    assert "サービスレベル合意書 (v1, SLA.txt): not found (reviewed)" in again.description
    # a reviewer confirms it in the master agreement after all: closed, naming that document
    _review(client, _checks(master)["service_levels"], "found", "第3条と別紙で足りる")
    first, again = _findings(db)
    assert again.status == "closed" and "業務委託基本契約 (v1, 基本契約.txt) 第3条" in again.closure_evidence
    assert "confirmed by a reviewer" in again.closure_evidence
    assert len(_findings(db)) == 2


def _shown(page: str, test: str) -> str:
    return page.split(f'data-test="{test}">')[1].split("</")[0]


def test_the_sets_finding_reads_in_each_readers_language_whoever_raised_and_closed_it(client, login, api, db):
    """A Japanese reviewer's pages raise and close the finding; its description and closure
    evidence are stored in English with their key, and each reader sees them in their own
    language: page, history and API (issue: text rendered at display, like the title)."""
    arrangement = _set_arrangement(db)
    login("compliance")
    assert _send_set(client, arrangement.id, [(MASTER, "業務委託基本契約.txt")], headers=JA).status_code == 302
    check = db.exec(select(ClauseCheck).where(ClauseCheck.clause_id == "service_levels")).one()
    reviewed = client.post(f"/contracts/checks/{check.id}/review", headers=JA,
                           data={"status": "not_found", "comment": "サービスレベルの定めがない"})
    assert reviewed.status_code == 302
    [finding] = _findings(db)
    assert finding.status == "open" and finding.description_key == "contract_set_clause_missing_commented"
    assert finding.description == ("No document of the contract set covers the clause. Documents read: "
                                   "業務委託基本契約 (v1, 業務委託基本契約.txt): not found (reviewed).\n"
                                   "Reviewer: サービスレベルの定めがない")
    ja_description = ("契約書一式のどの文書にもこの条項がありません。確認した文書：業務委託基本契約 (v1, 業務委託基本契約.txt)："
                      "なし（レビュー済み）。\nレビュー担当者のコメント：サービスレベルの定めがない")
    assert _shown(client.get(f"/findings/{finding.id}", headers=JA).get_data(as_text=True),
                  "finding-description") == ja_description
    assert _shown(client.get(f"/findings/{finding.id}", headers=EN).get_data(as_text=True),
                  "finding-description") == finding.description
    # a later part of the set brings the SLA: the finding closes, its evidence in each reader's language
    assert _send_set(client, arrangement.id, [(SLA, "サービスレベル合意書.txt")], headers=JA).status_code == 302
    [finding] = _findings(db)
    assert finding.status == "closed" and finding.closure_evidence_key == "contract_set_covered"
    assert finding.closure_evidence.startswith("The contract set covers the clause now: サービスレベル合意書 (v1, ")
    assert finding.closure_evidence.endswith(", found by the automatic check.")
    ja_page = client.get(f"/findings/{finding.id}", headers=JA).get_data(as_text=True)
    en_page = client.get(f"/findings/{finding.id}", headers=EN).get_data(as_text=True)
    ja_evidence = _shown(ja_page, "closure-evidence")
    assert ja_evidence.startswith("契約書一式がこの条項を満たすようになりました：サービスレベル合意書 (v1, ")
    assert ja_evidence.endswith("（自動判定であり）。")
    assert _shown(en_page, "closure-evidence") == finding.closure_evidence
    assert ja_evidence in ja_page.split('data-test="finding-history"')[1]  # the closing step's note too
    assert finding.closure_evidence in en_page.split('data-test="finding-history"')[1]
    assert finding.closure_evidence not in ja_page
    token = api("auditor")
    answer = token.get(f"/api/v1/findings/{finding.id}", headers=JA).get_json()
    assert (answer["description"], answer["closure_evidence"]) == (finding.description, finding.closure_evidence)
    assert (answer["description_localized"], answer["closure_evidence_localized"]) == (ja_description, ja_evidence)
    answer = token.get(f"/api/v1/findings/{finding.id}", headers=EN).get_json()
    assert (answer["description_localized"], answer["closure_evidence_localized"]) == (
        finding.description, finding.closure_evidence)


def test_findings_raised_per_document_before_sets_count_as_the_sets(api, db):
    arrangement = _set_arrangement(db)
    client = api("compliance")
    master, sla = _master(client, arrangement.id), _sla(client, arrangement.id)
    contract_id = master["contract_id"]
    db.rollback()
    # what an older version left: one finding per document and clause, even where another document covers it
    for clause in ("audit_rights", "service_levels"):
        raise_finding(db, vendor_id=arrangement.vendor_id, arrangement_id=arrangement.id, source="contract",
                      source_ref=f"contract:{contract_id}:{clause}", title=f"Contract clause missing: {clause}")
    db.commit()
    _review(client, _checks(sla)["audit_rights"], "not_found")  # the old open finding stands for the set
    assert [(f.source_ref, f.status) for f in _findings(db)] == [
        (f"contract:{contract_id}:audit_rights", "open"), (f"contract:{contract_id}:service_levels", "open")]
    # the next upload finds the set covering the service levels: the old finding closes
    again = _upload(client, arrangement.id, MASTER + "第5条（協議）\n定めのない事項は協議する。\n".encode(), "基本契約.txt",
                    contract_id=contract_id)
    assert again.status_code == 201, again.get_json()
    assert [(f.source_ref, f.status) for f in _findings(db)] == [
        (f"contract:{contract_id}:audit_rights", "open"), (f"contract:{contract_id}:service_levels", "closed")]
    assert "サービスレベル合意書 (v1, SLA.txt)" in _findings(db)[1].closure_evidence


def test_the_set_covering_the_clause_ends_the_findings_risk_acceptance(app, api, db):
    from datetime import timedelta

    from tests import factories
    from vendorrisk.core import clock
    from vendorrisk.monitoring import remediation
    from vendorrisk.monitoring.models_remediation import RiskAcceptance

    arrangement = _set_arrangement(db)
    client = api("compliance")
    _review(client, _checks(_master(client, arrangement.id))["service_levels"], "not_found", "SLAは別途締結")
    [finding] = _findings(db)
    requester, approver = factories.gen_user(db, role="compliance"), factories.gen_user(db, role="compliance")
    with app.test_request_context():
        acceptance = remediation.request_acceptance(db, finding, requester, {
            "rationale": "SLAは次回更改で締結", "expires_on": clock.today() + timedelta(days=60)}, clock.today())
        remediation.decide_acceptance(db, acceptance, approver, "approve")
    db.commit()
    assert db.get(Finding, finding.id).status == "risk_accepted"

    uploaded = _sla(client, arrangement.id)  # the SLA covers the clause: the finding closes, its acceptance with it
    assert "checks" in uploaded, uploaded
    db.expire_all()  # the objects arranged above were read before the request changed them
    [closed] = _findings(db)
    ended = db.get(RiskAcceptance, acceptance.id)
    assert closed.status == "closed" and (ended.status, ended.ended_at is not None) == ("ended", True)
    assert remediation.open_acceptance(db, closed.id) is None
    steps = db.exec(select(FindingEvent).where(FindingEvent.finding_id == closed.id).order_by(FindingEvent.id)).all()
    assert [(s.action, s.from_status, s.to_status) for s in steps[-2:]] == [
        ("status", "risk_accepted", "closed"), ("acceptance_ended", "risk_accepted", "closed")]
    assert steps[-1].note == closed.closure_evidence and "サービスレベル合意書 (v1, SLA.txt)" in steps[-1].note
    assert steps[-1].actor_id == closed.closed_by_id
