"""「自分のタスク」 of compliance: a contract set whose check leaves clauses nobody confirmed.

A finding is raised only on a confirmed *not found*: a renewed contract that dropped its audit
clause was a matrix gap and nothing else until compliance happened to look. Each arrangement in
force whose current documents leave a clause neither found nor confirmed missing is a task."""
import re

from tests import factories
from tests.contracts.factories import gen_version
from vendorrisk.contracts.models import ClauseCheck, Contract
from vendorrisk.core import clock, registry


def _contract(db, arrangement, title="業務委託契約"):
    contract = Contract(arrangement_id=arrangement.id, title=title)
    db.add(contract)
    db.flush()
    return contract


def test_a_set_leaving_clauses_unconfirmed_is_a_task_for_compliance_until_confirmed(app, db, client, login):
    vendor = factories.gen_vendor(db, name="株式会社ハヤセ情報システム")
    renewed = factories.gen_arrangement(db, vendor, title="勘定系システムの開発・運用")
    master = _contract(db, renewed)
    gen_version(db, master, 1, {"roles_responsibilities": ("found", None), "audit_rights": ("found", None),
                             "service_levels": ("found", None)})
    # the renewal dropped the audit clause; the SLA is now only in the separate SLA document
    current = gen_version(db, master, 2, {"roles_responsibilities": ("found", None), "audit_rights": ("not_found", None),
                             "service_levels": ("needs_review", None)})
    gen_version(db, _contract(db, renewed, "SLA"), 1, {"service_levels": ("found", None),
                                                     "audit_rights": ("needs_review", None)})
    confirmed = factories.gen_arrangement(db, vendor, title="確認済みの委託")
    gen_version(db, _contract(db, confirmed), 1, {"audit_rights": ("not_found", "not_found")})  # a finding was raised
    ended = factories.gen_arrangement(db, vendor, title="終了した委託", status="terminated")
    gen_version(db, _contract(db, ended), 1, {"audit_rights": ("not_found", None)})
    db.commit()
    me = login("compliance")
    with app.test_request_context():
        reg = registry.current()
        tasks = list(reg.task_sources["contracts"](db, me, clock.today()))
        assert [(t.subject, t.url) for t in tasks] == [("勘定系システムの開発・運用", f"/contracts/arrangements/{renewed.id}")]
        assert "1" in tasks[0].label and tasks[0].due is not None
        assert reg.task_counts["contracts"](db, me, clock.today()) == 1
        for role in ("procurement", "vendor_owner", "auditor", "admin"):
            other = factories.gen_user(db, role=role)
            assert list(reg.task_sources["contracts"](db, other, clock.today())) == []
            assert reg.task_counts["contracts"](db, other, clock.today()) == 0
    db.commit()
    home = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "契約条項のチェック結果を確認する" in home and f'href="/contracts/arrangements/{renewed.id}"' in home
    # compliance confirms the audit clause missing: the finding is raised and the task leaves
    check = db.exec(ClauseCheck.__table__.select().where(ClauseCheck.clause_id == "audit_rights",
                                                          ClauseCheck.version_id == current.id)).one()
    assert client.post(f"/contracts/checks/{check.id}/review",
                       data={"status": "not_found", "comment": ""}).status_code == 302
    db.rollback()  # read what the request wrote
    with app.test_request_context():
        assert list(registry.current().task_sources["contracts"](db, me, clock.today())) == []
    assert not re.search("契約条項のチェック結果を確認する", client.get("/").get_data(as_text=True))


def test_the_first_tasks_are_the_whole_list_sliced_whatever_the_ties(app, db, login):
    from datetime import datetime, timedelta, timezone

    from vendorrisk.contracts import tasks as contract_tasks
    from vendorrisk.core import tasks as core_tasks
    names = ["株式会社あおば", "ABC株式会社", "abc商事", "Ｚ株式会社", "アオバ", "亜細亜", "Zeta"]
    now = datetime.now(timezone.utc)
    for n in range(21):
        vendor = factories.gen_vendor(db, name=f"委託先{n}")
        arrangement = factories.gen_arrangement(db, vendor, title=f"{names[n % len(names)]}{n // 7 or ''}")
        version = gen_version(db, _contract(db, arrangement), 1, {"audit_rights": ("needs_review", None)})
        # uploads over a few days, most on the same ones (tasks falling due together), some a
        # few hours apart across midnight in Tokyo
        version.uploaded_at = now - timedelta(days=(0, 0, 1, 3, 3, 3, 8)[n % 7], hours=(n % 3) * 7)
    db.commit()
    me = login("compliance")
    with app.test_request_context():
        whole = sorted(contract_tasks.tasks_for(db, me, clock.today()), key=core_tasks.order)
        assert len(whole) == 21
        for limit in (0, 1, 2, 3, 5, 8, 13, 20, 21, 30):
            first = contract_tasks.first_tasks(db, me, clock.today(), limit)
            assert sorted(first, key=core_tasks.order)[:limit] == whole[:limit], limit
        other = factories.gen_user(db, role="procurement")
        assert contract_tasks.first_tasks(db, other, clock.today(), 5) == []
