"""The end of an arrangement (vendors.exits): terminating records the day and what became of
the data (Art. 27(3)); an exit whose data disposal is not confirmed stays open; the contract
set's open findings close; an arrangement past its end date and an unconfirmed disposal are
tasks; an important or cloud arrangement without an exit plan is a matrix gap."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from vendorrisk.core import clock
from vendorrisk.core import tasks as core_tasks
from vendorrisk.core.errors import Conflict, ValidationFailed
from vendorrisk.core.models import AuditEntry
from vendorrisk.vendors import arrangements, exits, rules
from vendorrisk.vendors.findings import Finding, raise_finding
from vendorrisk.vendors.models import Arrangement

JA = {"Accept-Language": "ja"}


def _cloud(db, **fields):
    vendor = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, vendor, is_cloud=True, handles_user_data=True, **fields)
    db.commit()
    return vendor, arrangement


def test_terminating_records_today_and_leaves_the_disposal_open_until_confirmed(db):
    _vendor, arrangement = _cloud(db)
    exits.record_exit(db, arrangement, {})
    db.commit()
    assert arrangement.status == "terminated" and arrangement.terminated_on == clock.today()
    assert exits.disposal_open(arrangement)
    assert db.scalar(select(Arrangement.id).where(exits.disposal_open_condition())) == arrangement.id
    confirmed = clock.today() - timedelta(days=1)
    exits.record_exit(db, arrangement, {"data_disposition": "deleted", "data_disposition_confirmed_on": confirmed,
                                        "exit_note": "データ消去証明書を受領"})
    db.commit()
    assert not exits.disposal_open(arrangement)
    assert db.scalar(select(Arrangement.id).where(exits.disposal_open_condition())) is None
    assert arrangement.terminated_on == clock.today()  # the record completed, the day kept
    changes = [json.loads(e.after or "{}") for e in db.scalars(select(AuditEntry).where(AuditEntry.entity == "arrangement",
                                                                     AuditEntry.entity_id == str(arrangement.id)))]
    assert any(c.get("data_disposition") == "deleted" for c in changes)  # Art. 11(6): kept


def test_no_member_data_needs_no_confirmation_and_plain_arrangements_none_at_all(db):
    _vendor, cloud = _cloud(db)
    plain = factories.gen_arrangement(db, factories.gen_vendor(db))
    db.commit()
    exits.record_exit(db, cloud, {"data_disposition": "no_member_data"})
    exits.record_exit(db, plain, {})
    assert not exits.disposal_open(cloud) and not exits.disposal_open(plain)


@pytest.mark.parametrize("data, field", [
    ({"terminated_on": "tomorrow"}, "terminated_on"),
    ({"data_disposition_confirmed_on": "tomorrow", "data_disposition": "returned"}, "data_disposition_confirmed_on"),
    ({"data_disposition_confirmed_on": "today"}, "data_disposition"),
    ({"data_disposition": "burnt"}, "data_disposition"),
    ({"terminated_on": "before start"}, "terminated_on"),
])
def test_refused_exits_name_the_field_and_change_nothing(db, data, field):
    today = clock.today()
    days = {"tomorrow": today + timedelta(days=1), "today": today, "before start": today - timedelta(days=400)}
    _vendor, arrangement = _cloud(db, start_date=today - timedelta(days=300))
    with pytest.raises(ValidationFailed) as refused:
        exits.record_exit(db, arrangement, {k: days.get(v, v) for k, v in data.items()})
    assert field in {d["field"] for d in refused.value.details}
    db.rollback()
    assert db.get(Arrangement, arrangement.id).status == "active"


def test_status_terminated_through_an_update_records_the_exit_and_cannot_be_undone(db):
    _vendor, arrangement = _cloud(db)
    arrangements.update_arrangement(db, arrangement, {"status": "terminated"})
    assert arrangement.terminated_on == clock.today()
    with pytest.raises(Conflict):
        arrangements.update_arrangement(db, arrangement, {"status": "active"})


def test_ending_closes_the_contract_sets_open_findings_and_no_other(db):
    vendor, arrangement = _cloud(db)
    other = factories.gen_arrangement(db, vendor)
    db.commit()
    mine, _ = raise_finding(db, vendor_id=vendor.id, source="contract", title="監査権限がない",
                            source_ref=f"contract_set:{arrangement.id}:audit_rights", arrangement_id=arrangement.id)
    theirs, _ = raise_finding(db, vendor_id=vendor.id, source="contract", title="監査権限がない",
                              source_ref=f"contract_set:{other.id}:audit_rights", arrangement_id=other.id)
    review, _ = raise_finding(db, vendor_id=vendor.id, source="review", title="手順書の不備", source_ref="r:1")
    db.commit()
    exits.record_exit(db, arrangement, {})
    db.commit()
    assert db.get(Finding, mine.id).status == "closed"
    assert db.get(Finding, mine.id).closure_evidence_key == "arrangement_ended"
    assert clock.today().isoformat() in db.get(Finding, mine.id).closure_evidence
    assert db.get(Finding, theirs.id).status == "open" and db.get(Finding, review.id).status == "open"


def test_past_end_and_unconfirmed_disposal_are_tasks_of_the_owner_and_compliance(app, db):
    today = clock.today()
    vendor, past = _cloud(db, end_date=today - timedelta(days=3))
    _ended_vendor, ended = _cloud(db)
    factories.gen_arrangement(db, vendor, end_date=today)  # its last day: still within its term
    owner, stranger = factories.gen_user(db, role="vendor_owner"), factories.gen_user(db, role="vendor_owner")
    compliance, auditor = factories.gen_user(db, role="compliance"), factories.gen_user(db, role="auditor")
    factories.gen_owner(db, vendor, owner)
    exits.record_exit(db, ended, {})
    db.commit()
    with app.test_request_context():
        from vendorrisk.core import registry
        reg = registry.current()
        source, count = reg.task_sources["arrangement_ends"], reg.task_counts["arrangement_ends"]
        mine = list(source(db, owner, today))
        assert [(t.kind, t.url, t.due) for t in mine] == [("renew_or_terminate", f"/arrangements/{past.id}",
                                                            past.end_date)]
        everyone = {t.kind: t for t in source(db, compliance, today)}
        assert set(everyone) == {"renew_or_terminate", "confirm_data_disposal"}
        assert everyone["confirm_data_disposal"].url == f"/arrangements/{ended.id}/exit"
        assert [count(db, u, today) for u in (owner, compliance, stranger, auditor)] == [1, 2, 0, 0]
        assert "renew_or_terminate" in {t.kind for t in core_tasks.gather(db, compliance, today)}


def test_exit_plan_gap_for_important_or_cloud_arrangements_only(db):
    cloud_vendor, _cloud_arrangement = _cloud(db)
    planned = factories.gen_vendor(db)
    factories.gen_arrangement(db, planned, is_important=True, exit_plan="移行計画書 v2 参照")
    plain = factories.gen_vendor(db)
    factories.gen_arrangement(db, plain)
    db.commit()
    verdicts = rules.exit_plan_recorded.rule(db, [cloud_vendor.id, planned.id, plain.id])
    assert [verdicts[v].status for v in (cloud_vendor.id, planned.id, plain.id)] == ["gap", "met", "not_applicable"]
    assert verdicts[cloud_vendor.id].links[0][1].endswith("#exit")


def test_the_page_terminates_with_the_record_and_shows_it(client, login, db):
    _vendor, arrangement = _cloud(db)
    login("procurement")
    form = client.get(f"/arrangements/{arrangement.id}/exit", headers=JA).get_data(as_text=True)
    assert "委託業務を契約終了にする" in form and "第27条第3号" in form
    response = client.post(f"/arrangements/{arrangement.id}/exit", data={
        "terminated_on": clock.today().isoformat(), "data_disposition": "returned", "exit_note": "返却確認中"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/arrangements/{arrangement.id}#exit")
    db.rollback()
    db.expire_all()  # no read was open: the rollback alone would keep the loaded row
    assert db.get(Arrangement, arrangement.id).data_disposition == "returned"
    page = client.get(f"/arrangements/{arrangement.id}", headers=JA).get_data(as_text=True)
    assert "当社へ返却" in page and "データの処理が未確認です" in page and "返却確認中" in page
    vendor_page = client.get(f"/vendors/{arrangement.vendor_id}", headers=JA).get_data(as_text=True)
    assert "当社へ返却" in vendor_page and 'data-test="disposal-open"' in vendor_page
    refused = client.post(f"/arrangements/{arrangement.id}/exit", data={
        "data_disposition": "returned",
        "data_disposition_confirmed_on": (clock.today() + timedelta(days=2)).isoformat()})
    assert refused.status_code == 422


def test_who_may_terminate_is_who_may_edit_arrangements(client, login, db, api):
    _vendor, arrangement = _cloud(db)
    login("auditor")
    assert client.post(f"/arrangements/{arrangement.id}/exit", data={}).status_code == 403
    assert client.get(f"/arrangements/{arrangement.id}/exit").status_code == 200  # reads, changes nothing
    client.post("/logout")
    login("vendor_owner")  # not assigned to this vendor
    assert client.post(f"/arrangements/{arrangement.id}/exit", data={}).status_code == 403
    db.rollback()
    db.expire_all()
    assert db.get(Arrangement, arrangement.id).status == "active"
    answer = api("compliance").post(f"/api/v1/arrangements/{arrangement.id}/exit",
                                    json={"data_disposition": "migrated", "exit_note": "他社クラウドへ移行"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "terminated" and answer.get_json()["data_disposition"] == "migrated"


def test_the_audit_trail_names_the_exit_and_what_became_of_the_data(client, login, db):
    """The exit's fields and the disposition read in the reader's words, not as codes."""
    _vendor, arrangement = _cloud(db)
    login("procurement")
    client.post(f"/arrangements/{arrangement.id}/exit", data={
        "terminated_on": clock.today().isoformat(), "data_disposition": "deleted", "exit_note": "証明書待ち"})
    client.post("/logout")
    login("auditor")
    trail = client.get("/audit/?entity=arrangement", headers=JA).get_data(as_text=True)
    assert "データの処理" in trail and "委託先で消去" in trail and "契約終了日" in trail
    assert "契約終了の備考" in trail and ">deleted<" not in trail
