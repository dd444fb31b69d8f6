"""Findings as remediation: action plan, vendor response, evidence (texts and files), risk
acceptance approved by someone other than the requester, with an expiry that is reminded
before it comes and sends the finding back to work when it passes."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from vendorrisk.core import clock
from vendorrisk.core.errors import Conflict, Forbidden, ValidationFailed
from vendorrisk.monitoring import remediation
from vendorrisk.monitoring.findings import move_finding
from vendorrisk.monitoring.models_remediation import FindingEvidence, RiskAcceptance
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors.findings import Finding, FindingEvent, raise_finding
from vendorrisk.vendors.models import Vendor

TODAY = clock.today()


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _finding(app, db, owner, **fields):
    vendor = factories.gen_vendor(db, name="株式会社是正先")
    factories.gen_owner(db, vendor, owner)
    with app.test_request_context():
        finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="アクセスログの保管不足",
                                   owner_id=owner.id, **fields)
    db.commit()
    return finding


def _actions(db, finding_id):
    return [e.action for e in db.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding_id)
                                         .order_by(FindingEvent.id))]


def test_owner_plans_records_the_response_and_evidence_on_the_page(app, db, client, login):
    owner = login("vendor_owner")
    finding = _finding(app, db, owner, due_date=TODAY + timedelta(days=30))
    saved = client.post(f"/findings/{finding.id}/remediation",
                        data={"action_plan": "ログ保管期間を1年に延長する", "vendor_response": "3月末までに対応予定"})
    assert saved.status_code == 302
    added = client.post(f"/findings/{finding.id}/evidence", content_type="multipart/form-data",
                        data={"evidence_note": "設定変更の画面", "evidence_upload": (io.BytesIO(b"retention=365\n"), "設定.txt")})
    assert added.status_code == 302, added.get_data(as_text=True)
    db.rollback()
    db.expire_all()
    stored = db.get(Finding, finding.id)
    assert (stored.action_plan, stored.vendor_response) == ("ログ保管期間を1年に延長する", "3月末までに対応予定")
    item = db.scalars(select(FindingEvidence)).one()
    assert (item.note, item.filename) == ("設定変更の画面", "設定.txt")
    assert _actions(db, finding.id) == ["raised", "plan", "response", "evidence"]
    page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "ログ保管期間を1年に延長する" in page and "設定.txt" in page and "是正計画" in page
    download = client.get(f"/findings/{finding.id}/evidence/{item.id}")
    assert download.status_code == 200 and download.data == b"retention=365\n"


def test_evidence_files_follow_need_to_know(app, db, api):
    """A vendor owner of another vendor may not open a finding's evidence file, on the page
    or through the API (the finding's vendor's files are need-to-know); the attempt is kept."""
    from tests.helpers import sign_in_session
    from vendorrisk.core.models import AuditEntry
    from vendorrisk.core.uploads import Upload

    owner, stranger = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    factories.gen_owner(db, factories.gen_vendor(db), stranger)  # owns a vendor, not this one
    finding = _finding(app, db, owner)
    with app.test_request_context():
        item = remediation.add_evidence(db, finding, owner, "監査ログの写し", Upload(
            data=b"%PDF-1.4\n% remediation\n%%EOF\n", filename="log.pdf", kind="pdf", media_type="application/pdf"))
    db.commit()
    page, api_url = f"/findings/{finding.id}/evidence/{item.id}", f"/api/v1/findings/{finding.id}/evidence/{item.id}/file"
    def denied():
        return db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "denied"))
    browser, integrator, staff = app.test_client(), api("vendor_owner"), api("procurement")
    sign_in_session(browser, stranger)
    before = denied()
    db.rollback()
    assert browser.get(page).status_code == 403
    assert integrator.get(api_url).status_code == 403
    db.rollback()
    assert denied() == before + 2
    own = app.test_client()
    sign_in_session(own, owner)
    assert own.get(page).status_code == 200
    assert staff.get(api_url).status_code == 200


def test_a_refused_form_keeps_what_was_typed(app, db, client, login):
    owner = login("vendor_owner")
    finding = _finding(app, db, owner)
    response = client.post(f"/findings/{finding.id}/acceptance", headers={"Accept-Language": "en"},
                           data={"rationale": "代替統制で補う", "expires_on": (TODAY + timedelta(days=800)).isoformat()})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "代替統制で補う" in text and "A risk may be accepted for at most 12 months" in text
    assert 'class="field-error"' in text
    db.rollback()
    assert db.scalars(select(RiskAcceptance)).all() == []


def test_other_people_may_not_work_on_it(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner)
    login("vendor_owner")
    response = client.post(f"/findings/{finding.id}/remediation", data={"action_plan": "他人の計画"})
    assert response.status_code == 403
    db.rollback()
    assert db.get(Finding, finding.id).action_plan == ""


def test_a_finding_closes_only_with_a_plan_and_evidence(app, db, client, login):
    compliance = login("compliance")
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner)
    with app.test_request_context():
        move_finding(db, finding, owner, "resolved")
        db.commit()
        with pytest.raises(ValidationFailed) as refused:
            move_finding(db, finding, compliance, "closed", evidence="確認した")
        assert [d["field"] for d in refused.value.details] == ["action_plan"]
        db.rollback()
        remediation.update_remediation(db, finding, owner, {"action_plan": "保管期間を延長"})
        with pytest.raises(ValidationFailed) as refused:
            move_finding(db, finding, compliance, "closed")
        assert [d["field"] for d in refused.value.details] == ["evidence"]
        db.rollback()
        remediation.update_remediation(db, finding, owner, {"action_plan": "保管期間を延長"})
        remediation.add_evidence(db, finding, owner, "設定画面の写し")
        move_finding(db, finding, compliance, "closed")  # the evidence kept earlier is enough
        db.commit()
    assert db.get(Finding, finding.id).status == "closed"
    page = client.get(f"/findings/{finding.id}").get_data(as_text=True)
    assert 'data-test="remediation-form"' not in page  # a closed finding is not changed any more


def test_risk_acceptance_needs_an_approver_other_than_the_requester(app, db):
    requester = factories.gen_user(db, role="compliance")
    approver = factories.gen_user(db, role="compliance")
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, requester)
    with app.test_request_context():
        acceptance = remediation.request_acceptance(db, finding, requester, {
            "rationale": "次期システム更改で対応", "expires_on": TODAY + timedelta(days=90)}, TODAY)
        with pytest.raises(Forbidden):
            remediation.decide_acceptance(db, acceptance, requester, "approve")
        with pytest.raises(Forbidden):
            remediation.decide_acceptance(db, acceptance, owner, "approve")  # not an approver
        with pytest.raises(ValidationFailed):
            remediation.decide_acceptance(db, acceptance, approver, "reject")  # a rejection says why
        with pytest.raises(Conflict):  # one request at a time
            remediation.request_acceptance(db, finding, requester, {
                "rationale": "再申請", "expires_on": TODAY + timedelta(days=30)}, TODAY)
        remediation.decide_acceptance(db, acceptance, approver, "approve", "代替統制を確認")
        db.commit()
        assert (acceptance.status, acceptance.decided_by_id) == ("approved", approver.id)
        assert db.get(Finding, finding.id).status == "risk_accepted"
        with pytest.raises(Conflict):
            remediation.decide_acceptance(db, acceptance, approver, "approve")
    assert _actions(db, finding.id) == ["raised", "acceptance_requested", "acceptance_approved"]


def test_an_expiry_is_limited_in_time_and_lands_on_a_business_day(app, db):
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner)
    today = date(2026, 11, 20)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        for expires, field in ((today, "expires_on"), (date(2027, 11, 21), "expires_on")):
            with pytest.raises(ValidationFailed) as refused:
                remediation.request_acceptance(db, finding, owner, {"rationale": "理由", "expires_on": expires}, today)
            assert refused.value.details[0]["field"] == field
        acceptance = remediation.request_acceptance(db, finding, owner, {
            "rationale": "年度末まで", "expires_on": date(2027, 1, 1)}, today)
    assert (acceptance.expires_on, acceptance.nominal_expires_on) == (date(2026, 12, 28), date(2027, 1, 1))


def test_accepted_risk_is_reminded_before_expiry_and_reopens_after(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    compliance = factories.gen_user(db, role="compliance", language="en")
    approver = factories.gen_user(db, role="compliance", language="en")
    finding = _finding(app, db, owner, due_date=date(2026, 3, 2))
    with app.test_request_context():
        finding = db.get(Finding, finding.id)
        move_finding(db, finding, owner, "in_progress")
        # asked on 2026-04-10 until 2026-05-05 (こどもの日): the expiry moves to Friday 5/1
        acceptance = remediation.request_acceptance(db, finding, compliance, {
            "rationale": "ベンダーの次期リリースで対応", "expires_on": date(2026, 5, 5)}, date(2026, 4, 10))
        remediation.decide_acceptance(db, acceptance, approver, "approve")
    db.commit()
    assert acceptance.expires_on == date(2026, 5, 1)
    # 30 days before 5/1 is 4/1, long past: that stage is sent at once, to the owner and to both
    # compliance users; the finding, overdue since 3/2 but accepted, is not escalated
    first = run_sweep(app, today=date(2026, 4, 13))
    assert first.sent == 3
    assert run_sweep(app, today=date(2026, 4, 14)).sent == 0  # once per stage
    assert run_sweep(app, today=date(2026, 4, 23)).sent == 0
    assert run_sweep(app, today=date(2026, 4, 24)).sent == 3  # 7 days before is 4/24, a Friday
    assert {r.subject_type for r in db.scalars(select(Reminder))} == {"risk_acceptance"}
    to_owner = smtp.by_recipient(owner.email)
    assert [m["Subject"] for m in to_owner] == ["[vendorrisk] 受容したリスクの期限 2026-05-01：アクセスログの保管不足"] * 2
    body = to_owner[0].get_content()
    assert "5/5(祝日: こどもの日) → 5/1" in body and f"https://vr.example.jp/findings/{finding.id}" in body
    kinds = sorted(r.kind for r in db.scalars(select(Reminder).where(Reminder.subject_type == "risk_acceptance")))
    assert kinds == ["expires_in_30"] * 3 + ["expires_in_7"] * 3
    # the day after the expiry the finding is back at work, and the overdue escalation resumes
    after = run_sweep(app, today=date(2026, 5, 7))
    db.rollback()
    assert after.expired == 1 and db.get(Finding, finding.id).status == "in_progress"
    assert db.get(RiskAcceptance, acceptance.id).status == "expired"
    assert _actions(db, finding.id)[-1] == "acceptance_expired"
    assert after.sent == 3  # overdue finding: the owner, and escalated to both compliance users
    assert {r.subject_type for r in db.scalars(select(Reminder).where(Reminder.kind == "overdue_w10"))} == {"finding"}


def test_the_overdue_mail_after_an_expired_acceptance_says_it_expired(app, db, smtp):
    owner = factories.gen_user(db, role="vendor_owner", language="ja")
    factories.gen_user(db, role="compliance", language="en")
    approver = factories.gen_user(db, role="compliance", language="en")
    finding = _finding(app, db, owner, due_date=date(2026, 3, 2))
    plain = _finding(app, db, owner, due_date=date(2026, 3, 2))
    with app.test_request_context():
        acceptance = remediation.request_acceptance(db, db.get(Finding, finding.id), owner, {
            "rationale": "次期リリースで対応", "expires_on": date(2026, 4, 30)}, date(2026, 4, 10))
        remediation.decide_acceptance(db, acceptance, approver, "approve")
    db.commit()
    assert run_sweep(app, today=date(2026, 5, 7)).expired == 1
    to_owner = {m["Subject"]: m.get_content() for m in smtp.by_recipient(owner.email)}
    expired_ja = "[vendorrisk] リスク受容が 2026-04-30 に期限切れ、指摘事項の期限超過：アクセスログの保管不足（株式会社是正先）"
    assert set(to_owner) == {expired_ja, "[vendorrisk] 指摘事項の期限超過：アクセスログの保管不足（株式会社是正先）"}
    assert "リスク受容は 2026-04-30 に期限切れ" in to_owner[expired_ja]
    assert "改めてリスク受容を申請" in to_owner[expired_ja]
    to_compliance = smtp.by_recipient(approver.email)
    about_expired = [m for m in to_compliance if "expired" in m["Subject"]]
    # the subject is folded by the mail header; the English mail names the vendor's English name
    assert [" ".join(m["Subject"].split()) for m in about_expired] == [
        "[vendorrisk] Risk acceptance expired on 2026-04-30, finding overdue: アクセスログの保管不足 "
        f"({db.get(Vendor, db.get(Finding, finding.id).vendor_id).name_en})"]
    body = about_expired[0].get_content()
    assert "The acceptance of this finding's risk expired on 2026-04-30" in body
    assert "ask for the risk to be accepted again" in body
    assert len(to_compliance) == 2 and plain.id != finding.id


def test_moving_an_accepted_finding_on_ends_the_acceptance(app, db):
    owner = factories.gen_user(db, role="vendor_owner")
    approver = factories.gen_user(db, role="compliance")
    finding = _finding(app, db, owner)
    with app.test_request_context():
        acceptance = remediation.request_acceptance(db, finding, owner, {
            "rationale": "暫定措置", "expires_on": TODAY + timedelta(days=60)}, TODAY)
        remediation.decide_acceptance(db, acceptance, approver, "approve")
        move_finding(db, finding, owner, "resolved")
        db.commit()
    assert db.get(RiskAcceptance, acceptance.id).status == "ended"
    assert _actions(db, finding.id)[-2:] == ["acceptance_ended", "status"]


def test_the_api_declares_and_serves_remediation(app, db, api):
    owner_client = api("vendor_owner")
    owner = db.scalars(select(factories.users.User).order_by(factories.users.User.id.desc())).first()
    finding = _finding(app, db, owner)
    url = f"/api/v1/findings/{finding.id}"
    assert owner_client.patch(url + "/remediation", json={"vendor_response": "対応中"}).status_code == 200
    added = owner_client.post(url + "/evidence", data={"note": "報告書", "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "報告.pdf")},
                              content_type="multipart/form-data")
    assert added.status_code == 201 and added.json["file_url"].endswith("/file")
    assert owner_client.get(added.json["file_url"]).status_code == 200
    asked = owner_client.post(url + "/risk-acceptances", json={"rationale": "代替統制",
                                                               "expires_on": (TODAY + timedelta(days=40)).isoformat()})
    assert asked.status_code == 201 and asked.json["status"] == "requested"
    compliance = api("compliance")
    decided = compliance.post(f"/api/v1/risk-acceptances/{asked.json['id']}/decision",
                              json={"decision": "reject", "note": "根拠不足"})
    assert decided.status_code == 200 and decided.json["status"] == "rejected"
    read = compliance.get(url + "/remediation").json
    assert read["vendor_response"] == "対応中" and [a["status"] for a in read["acceptances"]] == ["rejected"]
    assert [e["note"] for e in read["evidence"]] == ["報告書"]
    assert api("auditor").patch(url + "/remediation", json={"action_plan": "x"}).status_code == 403


COVERED = {"document": "SLA (v1, SLA.txt)", "where": " 第1条", "how": {"m": "found by the automatic check", "p": {}}}
COVERED_EN = "The contract set covers the clause now: SLA (v1, SLA.txt) 第1条, found by the automatic check."


def test_the_product_closing_a_finding_ends_a_request_still_waiting(app, db):
    from vendorrisk.vendors.findings import display_event_note, settle_finding

    requester = factories.gen_user(db, role="compliance")
    finding, untouched = _finding(app, db, requester), _finding(app, db, requester)
    with app.test_request_context():
        waiting = remediation.request_acceptance(db, finding, requester, {
            "rationale": "代替統制で足りる", "expires_on": TODAY + timedelta(days=30)}, TODAY)
        other = remediation.request_acceptance(db, untouched, requester, {
            "rationale": "別件", "expires_on": TODAY + timedelta(days=30)}, TODAY)
        assert settle_finding(db, finding, evidence_key="contract_set_covered", evidence_params=COVERED, actor_id=None)
        assert not settle_finding(db, finding, evidence_key="contract_set_covered", evidence_params=COVERED,
                                  actor_id=None)  # closed already: nothing more
    db.commit()
    assert (waiting.status, other.status) == ("ended", "requested")
    assert _actions(db, finding.id) == ["raised", "acceptance_requested", "status", "acceptance_ended"]
    last = db.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding.id)
                      .order_by(FindingEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.note) == ("open", "closed", COVERED_EN)
    ended = db.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding.id,
                                                  FindingEvent.action == "acceptance_ended")).one()
    with app.test_request_context():  # the step ending the acceptance reads like the closing step
        assert display_event_note(ended, finding, "ja") == display_event_note(last, finding, "ja") != COVERED_EN
        assert display_event_note(ended, finding, "en") == COVERED_EN
    assert _actions(db, untouched.id) == ["raised", "acceptance_requested"]


def test_a_person_resolving_a_finding_ends_a_request_still_waiting(app, db, client, login):
    from vendorrisk.vendors.findings import display_event_note

    owner = login("vendor_owner")
    finding, untouched = _finding(app, db, owner), _finding(app, db, owner)
    with app.test_request_context():
        waiting = remediation.request_acceptance(db, finding, owner, {
            "rationale": "代替統制で足りる", "expires_on": TODAY + timedelta(days=30)}, TODAY)
        other = remediation.request_acceptance(db, untouched, owner, {
            "rationale": "別件", "expires_on": TODAY + timedelta(days=30)}, TODAY)
        move_finding(db, untouched, owner, "in_progress")  # still to remediate: the request still waits
    db.commit()
    moved = client.post(f"/findings/{finding.id}/move", data={"status": "resolved", "note": "設定を変更した"})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    db.rollback()
    db.expire_all()
    assert (db.get(RiskAcceptance, waiting.id).status, db.get(RiskAcceptance, other.id).status) == ("ended", "requested")
    assert db.get(RiskAcceptance, waiting.id).ended_at is not None
    assert _actions(db, finding.id) == ["raised", "acceptance_requested", "acceptance_ended", "status"]
    ended = db.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding.id,
                                                  FindingEvent.action == "acceptance_ended")).one()
    assert (ended.from_status, ended.to_status) == ("open", "resolved")
    with app.test_request_context():
        assert display_event_note(ended, finding, "en") == (
            "The request was still waiting for a decision; it ends because the finding was resolved.")
        assert display_event_note(ended, finding, "ja") == (
            "リスク受容の申請は判断待ちでしたが、指摘事項が解決済みになったため終了しました。")
    page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "解決済みになったため終了しました" in page
    assert 'data-test="acceptance-decision"' not in page  # nothing left to decide
    approver = factories.gen_user(db, role="compliance")
    db.commit()
    with app.test_request_context(), pytest.raises(Conflict):
        remediation.decide_acceptance(db, db.get(RiskAcceptance, waiting.id), approver, "approve")


@pytest.mark.parametrize("severity", ["critical", "high"])
def test_a_grave_finding_is_resolved_only_with_a_plan_and_evidence(app, db, severity):
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner, severity=severity)
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            move_finding(db, finding, owner, "resolved", note="直した")
        assert [d["field"] for d in refused.value.details] == ["action_plan", "evidence"]
        db.rollback()
        remediation.update_remediation(db, finding, owner, {"action_plan": "保管期間を延長"})
        with pytest.raises(ValidationFailed) as refused:
            move_finding(db, finding, owner, "resolved")
        assert [d["field"] for d in refused.value.details] == ["evidence"]
        db.rollback()
        remediation.update_remediation(db, finding, owner, {"action_plan": "保管期間を延長"})
        move_finding(db, finding, owner, "resolved", evidence="設定画面の写し")  # given with the move: kept
        db.commit()
    assert db.get(Finding, finding.id).status == "resolved"
    kept = db.scalars(select(FindingEvidence).where(FindingEvidence.finding_id == finding.id)).one()
    assert (kept.note, kept.added_by_id) == ("設定画面の写し", owner.id)
    assert _actions(db, finding.id) == ["raised", "plan", "evidence", "status"]


def test_a_medium_or_low_finding_is_resolved_as_before_and_checked_when_closing(app, db):
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner, severity="medium")
    with app.test_request_context():
        move_finding(db, finding, owner, "resolved")
        db.commit()
    assert db.get(Finding, finding.id).status == "resolved"


def test_resolving_a_grave_finding_is_refused_in_the_readers_language_on_page_and_api(app, db, client, login, api):
    owner = login("vendor_owner")
    finding = _finding(app, db, owner, severity="high")
    page = client.get(f"/findings/{finding.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'data-test="resolve-needs-evidence"' in page  # the form says so before anyone tries
    refused = client.post(f"/findings/{finding.id}/move", data={"status": "resolved", "note": "対応した"},
                          headers={"Accept-Language": "ja"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "是正計画と是正の証跡がなければ解決済みにできません" in text
    assert "解決済みにする前に是正計画を記録してください。" in text and 'value="対応した"' in text
    client.post(f"/findings/{finding.id}/remediation", data={"action_plan": "保管期間を延長"})
    writer = api("compliance")
    url = f"/api/v1/findings/{finding.id}/transitions"
    answer = writer.post(url, json={"status": "resolved"}, headers={"Accept-Language": "ja"})
    assert answer.status_code == 422
    assert "解決済みにできません" in answer.json["error"]["message"]
    assert answer.json["error"]["code"] == "validation_failed"
    assert [d["field"] for d in answer.json["error"]["details"]] == ["evidence"]
    english = writer.post(url, json={"status": "resolved"}, headers={"Accept-Language": "en"})
    assert english.json["error"]["message"] == ("A high or critical finding is resolved only with an action plan and "
                                       "evidence of the remediation.")
    done = writer.post(url, json={"status": "resolved", "evidence": "設定変更の記録"})
    assert done.status_code == 200 and done.json["status"] == "resolved"


def test_the_product_still_settles_a_grave_finding_without_a_plan(app, db):
    from vendorrisk.vendors.findings import settle_finding
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(app, db, owner, severity="critical")
    with app.test_request_context():
        assert settle_finding(db, finding, evidence_key="contract_set_covered", evidence_params=COVERED,
                              actor_id=None)
    db.commit()
    assert db.get(Finding, finding.id).status == "closed"


def test_the_risk_acceptance_card_shows_only_with_content_or_an_action(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    requester = factories.gen_user(db, role="compliance")
    finding = _finding(app, db, owner)
    card = 'data-test="acceptance"'
    login("auditor")  # may read the finding, may neither ask nor decide
    page = client.get(f"/findings/{finding.id}")
    assert page.status_code == 200 and card not in page.get_data(as_text=True)
    with app.test_request_context():
        remediation.request_acceptance(db, finding, requester, {
            "rationale": "次期システム更改で対応", "expires_on": TODAY + timedelta(days=90)}, TODAY)
    db.commit()
    page = client.get(f"/findings/{finding.id}").get_data(as_text=True)
    assert card in page and "次期システム更改で対応" in page and 'data-test="acceptance-decision"' not in page
    client.post("/logout")
    other = _finding(app, db, owner)
    login("vendor_owner")  # owns no vendor: reads nothing to act on
    page = client.get(f"/findings/{other.id}")
    assert page.status_code == 200, page.status_code
    assert card not in page.get_data(as_text=True)
    client.post("/logout")
    db.commit()
    response = client.post("/login", data={"email": owner.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert 'data-test="acceptance-request"' in client.get(f"/findings/{other.id}").get_data(as_text=True)
