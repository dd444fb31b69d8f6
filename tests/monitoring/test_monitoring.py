"""Monitoring: review plans for every tier, recording reviews, findings to closure, API,
pages, calendar feed, the compliance-matrix rule and the evidence workbook."""
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.monitoring.factories import gen_chain
from vendorrisk.core import clock
from vendorrisk.core.business_days import business_day
from vendorrisk.monitoring.exports import FINDING_HEADERS
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview, ReviewAttachment
from vendorrisk.monitoring.plans import add_months
from vendorrisk.vendors.findings import Finding, FindingEvent
from vendorrisk.vendors.models import Arrangement

TODAY = clock.today()


def _plan(app, db):
    from vendorrisk.monitoring.plans import regenerate_plans
    with app.app_context():
        counts = regenerate_plans(db)
        db.commit()
    return counts


def _open_review(db, vendor):
    return db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor.id,
                                                     MonitoringReview.status != "completed")).one()


def test_every_tier_planned_once_at_strictest_tier_with_owner(app, db):
    owner = factories.gen_user(db, role="vendor_owner")
    _arr, (tier1, sub, final) = gen_chain(db, start=date(2025, 4, 1), owner=owner)
    sub.risk_tier = "low"
    # the final contractor also serves an important arrangement: planned once, at "high"
    important = factories.gen_arrangement(db, factories.gen_vendor(db), is_important=True, start_date=date(2025, 6, 1))
    factories.gen_link(db, important, db.get(type(final), important.vendor_id), final)
    db.commit()
    assert _plan(app, db)["created"] == 4
    assert _plan(app, db) == {"created": 0, "updated": 0, "dropped": 0}  # idempotent
    reviews = {r.vendor_id: r for r in db.scalars(select(MonitoringReview))}
    assert len(reviews) == 4
    assert (reviews[tier1.id].risk_tier, reviews[tier1.id].due_date) == ("medium", date(2026, 4, 1))  # None -> medium
    assert (reviews[sub.id].risk_tier, reviews[sub.id].frequency_months) == ("low", 24)
    assert reviews[final.id].risk_tier == "high" and reviews[final.id].frequency_months == 6
    assert reviews[final.id].owner_id == owner.id and reviews[tier1.id].owner_id == owner.id


def test_due_date_from_last_completed_review_and_vendors_leaving_chains(app, db):
    _arr, (tier1, sub) = gen_chain(db, tiers=2)
    db.add(MonitoringReview(vendor_id=sub.id, status="completed", due_date=date(2025, 9, 1),
                            performed_on=date(2025, 9, 10), risk_tier="medium", frequency_months=12))
    db.commit()
    _plan(app, db)
    assert _open_review(db, sub).due_date == date(2026, 9, 10)
    db.get(Arrangement, _arr.id).status = "terminated"
    db.commit()
    assert _plan(app, db)["dropped"] == 2
    assert db.scalars(select(MonitoringReview).where(MonitoringReview.status == "planned")).all() == []


def test_frequency_setting_is_read(app, db):
    app.config["REVIEW_FREQUENCY_MONTHS"] = "medium=1"
    _arr, (vendor,) = gen_chain(db, tiers=1, start=date(2025, 1, 31))
    db.commit()
    _plan(app, db)
    assert _open_review(db, vendor).due_date == date(2025, 2, 28)  # clamped to month end


def _record_form(**extra):
    form = {"performed_on": (TODAY - timedelta(days=1)).isoformat(), "method": "remote", "outcome": "needs_improvement",
            "summary": "SLA 報告書を確認", "action": "complete",
            "finding_title_0": "再委託先の変更届が未提出", "finding_severity_0": "high", "finding_due_0": "",
            "attachments": (io.BytesIO("議事録\n".encode()), "議事録.txt")}
    for name in REVIEW_CHECKS:
        form[f"check_{name}"] = "ok"
        form[f"note_{name}"] = ""
    form["check_sub_outsourcing_changes"] = "issue"
    form.update(extra)
    return form


def test_owner_records_review_with_attachment_and_finding_next_review_planned(app, db, client, login):
    owner = login("vendor_owner")
    _arr, (vendor,) = gen_chain(db, tiers=1, owner=owner, start=TODAY - timedelta(days=400))
    db.commit()
    _plan(app, db)
    review = _open_review(db, vendor)
    page = client.get(f"/reviews/{review.id}")
    assert page.status_code == 200 and 'data-test="review-form"' in page.get_data(as_text=True)
    response = client.post(f"/reviews/{review.id}", data=_record_form(), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.rollback()
    done = db.get(MonitoringReview, review.id)
    assert done.status == "completed" and done.checks["sub_outsourcing_changes"]["result"] == "issue"
    flashed = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Review completed. Findings raised: 1. The next review is planned." in flashed
    assert db.scalars(select(ReviewAttachment).where(ReviewAttachment.review_id == review.id)).one()
    finding = db.scalars(select(Finding).where(Finding.vendor_id == vendor.id)).one()
    assert (finding.source, finding.severity, finding.owner_id) == ("review", "high", owner.id)
    with app.app_context():  # due dates land on the business day on or before them
        assert finding.due_date == business_day(TODAY + timedelta(days=30))
        expected_next = business_day(add_months(TODAY - timedelta(days=1), 12))  # medium tier, from the review day
    assert db.scalars(select(FindingEvent).where(FindingEvent.finding_id == finding.id)).one().action == "raised"
    nxt = _open_review(db, vendor)
    assert nxt.id != review.id and nxt.status == "planned"
    assert nxt.due_date == expected_next
    attachment = db.scalars(select(ReviewAttachment)).one()
    download = client.get(f"/reviews/{review.id}/files/{attachment.file_id}")
    assert download.status_code == 200 and download.data == "議事録\n".encode()


def test_incomplete_record_is_refused_and_nothing_stored(app, db, client, login):
    owner = login("vendor_owner")
    _arr, (vendor,) = gen_chain(db, tiers=1, owner=owner)
    db.commit()
    _plan(app, db)
    review = _open_review(db, vendor)
    form = _record_form(method="", check_incidents="")
    response = client.post(f"/reviews/{review.id}", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    # each error stands next to its field, in words, without the form's internal keys
    incidents_row = re.search(r'<select name="check_incidents".*?</td>', text, re.S).group(0)
    assert "Choose a result for this check." in incidents_row
    method = re.search(r'<select name="method".*?</label>', text, re.S).group(0)
    assert "Choose how the review was done." in method
    assert "checks.incidents" not in text and "onsite, remote" not in text
    db.rollback()
    assert db.get(MonitoringReview, review.id).status == "planned"
    assert db.scalars(select(Finding)).all() == []


def test_owner_of_another_vendor_cannot_record(app, db, client, login):
    login("vendor_owner")
    other = factories.gen_user(db, role="vendor_owner")
    _arr, (vendor,) = gen_chain(db, tiers=1, owner=other)
    db.commit()
    _plan(app, db)
    review = _open_review(db, vendor)
    response = client.post(f"/reviews/{review.id}", data=_record_form(), content_type="multipart/form-data")
    assert response.status_code == 403


def _finding(db, owner, **fields):
    from vendorrisk.vendors.findings import raise_finding
    vendor = factories.gen_vendor(db)
    finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title="鍵管理手順の不備",
                               owner_id=owner.id, due_date=TODAY - timedelta(days=3), **fields)
    db.commit()
    return finding


def test_finding_lifecycle_with_four_eyes_plan_and_evidence(app, db, api):
    owner_client = api("vendor_owner")
    owner = db.scalars(select(factories.users.User).order_by(factories.users.User.id.desc())).first()
    finding = _finding(db, owner)
    url = f"/api/v1/findings/{finding.id}/transitions"
    assert owner_client.post(url, json={"status": "in_progress"}).status_code == 200
    assert owner_client.post(url, json={"status": "resolved", "note": "手順書改訂"}).status_code == 200
    refused = owner_client.post(url, json={"status": "closed", "evidence": "x"})
    assert refused.status_code == 403  # owners do not verify
    compliance = api("compliance")
    bare = compliance.post(url, json={"status": "closed"})
    assert bare.status_code == 422
    assert {d["field"] for d in bare.json["error"]["details"]} == {"action_plan", "evidence"}
    plan = owner_client.patch(f"/api/v1/findings/{finding.id}/remediation", json={"action_plan": "鍵管理手順を改訂する"})
    assert plan.status_code == 200 and plan.json["action_plan"] == "鍵管理手順を改訂する"
    no_evidence = compliance.post(url, json={"status": "closed"})
    assert no_evidence.status_code == 422
    assert [d["field"] for d in no_evidence.json["error"]["details"]] == ["evidence"]
    closed = compliance.post(url, json={"status": "closed", "evidence": "改訂版手順書 v2 を確認"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    history = compliance.get(f"/api/v1/findings/{finding.id}").json["history"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("raised", "", "open"), ("status", "open", "in_progress"), ("status", "in_progress", "resolved"),
        ("plan", "resolved", "resolved"), ("status", "resolved", "closed")]
    kept = compliance.get(f"/api/v1/findings/{finding.id}/remediation").json["evidence"]
    assert [e["note"] for e in kept] == ["改訂版手順書 v2 を確認"]  # the closure evidence is kept as evidence
    assert compliance.post(url, json={"status": "open"}).status_code == 409


def test_resolver_cannot_close_their_own_resolution(app, db, api):
    compliance = api("compliance")
    me = db.scalars(select(factories.users.User).order_by(factories.users.User.id.desc())).first()
    finding = _finding(db, me)
    assert compliance.patch(f"/api/v1/findings/{finding.id}/remediation", json={"action_plan": "改訂"}).status_code == 200
    url = f"/api/v1/findings/{finding.id}/transitions"
    assert compliance.post(url, json={"status": "resolved"}).status_code == 200
    response = compliance.post(url, json={"status": "closed", "evidence": "ok"})
    assert response.status_code == 403 and "Four-eyes" in response.json["error"]["message"]


def test_api_lists_due_reviews_and_filters_findings(app, db, api):
    client = api("auditor")
    owner = factories.gen_user(db, role="vendor_owner")
    _arr, (soon, late) = gen_chain(db, tiers=2, owner=owner, start=TODAY - timedelta(days=400))
    db.commit()
    _plan(app, db)
    _open_review(db, soon).due_date = TODAY + timedelta(days=10)
    _finding(db, owner, severity="critical")
    db.commit()
    due = client.get("/api/v1/reviews?status=due").json
    overdue = client.get("/api/v1/reviews?status=overdue").json
    assert [r["vendor_id"] for r in due["items"]] == [soon.id] and due["total"] == 1
    assert [r["vendor_id"] for r in overdue["items"]] == [late.id]
    assert client.get("/api/v1/reviews?status=bogus").status_code == 422
    found = client.get("/api/v1/findings?severity=critical&overdue=1").json
    assert found["total"] == 1 and found["items"][0]["vendor"]["name"]
    assert client.get("/api/v1/findings?severity=low").json["total"] == 0
    assert client.post("/api/v1/findings", json={"title": "x"}).status_code == 403  # auditors read only


def test_create_and_update_finding_via_api(app, db, api):
    client = api("compliance")
    vendor = factories.gen_vendor(db)
    db.commit()
    bad = client.post("/api/v1/findings", json={"vendor_id": vendor.id, "title": ""})
    assert bad.status_code == 422
    created = client.post("/api/v1/findings", json={"vendor_id": vendor.id, "title": "SOC2 報告書の期限切れ",
                                                    "severity": "high"})
    assert created.status_code == 201 and created.json["due_date"] == (TODAY + timedelta(days=30)).isoformat()
    changed = client.patch(f"/api/v1/findings/{created.json['id']}", json={"severity": "low", "due_date": "2030-01-31"})
    assert changed.json["severity"] == "low" and changed.json["due_date"] == "2030-01-31"


def test_pages_render_for_each_role(app, db, client, login):
    owner = factories.gen_user(db, role="vendor_owner")
    gen_chain(db, owner=owner, start=TODAY - timedelta(days=400))
    finding = _finding(db, owner)
    db.commit()
    _plan(app, db)
    login("compliance")
    for path in ("/reviews/", "/reviews/?status=overdue", "/reviews/?status=completed&mine=1", "/reviews/calendar",
                 f"/reviews/calendar?month={TODAY:%Y-%m}", "/findings/", "/findings/?overdue=1&severity=medium",
                 f"/findings/{finding.id}", "/outbox/", "/outbox/?status=failed", "/calendar/"):
        response = client.get(path, headers={"Accept-Language": "ja"})
        assert response.status_code == 200, path
    board = client.get("/findings/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "鍵管理手順の不備" in board and "期限超過" in board


def test_vendor_owner_cannot_see_outbox(client, login):
    login("vendor_owner")
    assert client.get("/outbox/").status_code == 403


def test_calendar_feed_is_valid_icalendar_and_revocable(app, db, client, login):
    user = login("vendor_owner")
    _arr, (vendor,) = gen_chain(db, tiers=1, owner=user, start=TODAY - timedelta(days=300))
    vendor.name = "株式会社カレンダー, テスト; 長い名前" * 3
    _finding(db, user)
    db.commit()
    _plan(app, db)
    page = client.post("/calendar/").get_data(as_text=True)
    url = page.split('data-test="feed-url"')[1].split("<code>")[1].split("</code>")[0]
    path = url.split("localhost", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    raw = feed.get_data()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    unfolded = raw.decode().replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 2
    assert "UID:review-" in unfolded and "DTSTAMP:" in unfolded and "DTSTART;VALUE=DATE:" in unfolded
    assert "株式会社カレンダー\\, テスト\\; 長い名前" in unfolded
    client.post("/calendar/revoke")
    assert client.get(path).status_code == 404
    assert client.get("/calendar/feed/cal_guessed.ics").status_code == 404


def test_compliance_rule_26_1(app, db, contributions):
    _arr, (fresh, stale, never) = gen_chain(db, start=TODAY - timedelta(days=800))
    loner = factories.gen_vendor(db)
    for vendor, days in ((fresh, 30), (stale, 500)):
        db.add(MonitoringReview(vendor_id=vendor.id, status="completed", due_date=TODAY,
                                performed_on=TODAY - timedelta(days=days)))
    db.commit()
    with app.app_context():
        verdicts = contributions.obligations["26-1"].rule(db, [fresh.id, stale.id, never.id, loner.id])
    assert [verdicts[v.id].status for v in (fresh, stale, never, loner)] == ["met", "gap", "gap", "not_applicable"]
    assert "Never reviewed" in str(verdicts[never.id].reason) and "overdue since" in str(verdicts[stale.id].reason)


def test_evidence_workbook_lists_reviews_and_findings(app, db, contributions):
    owner = factories.gen_user(db, role="vendor_owner")
    finding = _finding(db, owner, severity="high")
    with app.test_request_context():
        from vendorrisk.monitoring import remediation
        from vendorrisk.monitoring.findings import move_finding
        remediation.update_remediation(db, finding, owner, {"action_plan": "手順書を改訂する"})
        remediation.add_evidence(db, finding, owner, "改訂版")
        move_finding(db, finding, owner, "in_progress")
    db.add(MonitoringReview(vendor_id=finding.vendor_id, status="completed", due_date=TODAY, method="remote",
                            performed_on=TODAY, outcome="satisfactory", summary="=cmd()", risk_tier="medium",
                            checks={"service_levels": {"result": "ok"}, "incidents": {"result": "not_applicable"}}))
    db.commit()
    with app.app_context():
        files = list(contributions.evidence_sources["monitoring"](db, finding.vendor_id))
    workbook = load_workbook(io.BytesIO(files[0].data))
    reviews, findings = workbook["Reviews"], workbook["Findings"]
    assert reviews.cell(2, 7).value == "satisfactory" and reviews.cell(2, 8).value == "'=cmd()"
    assert findings.cell(2, 3).value == "鍵管理手順の不備"
    headers = [c.value for c in findings[1]]
    row = dict(zip(headers, [c.value for c in findings[2]]))
    assert (row["action_plan"], row["evidence_items"], row["risk_accepted_until"]) == ("手順書を改訂する", 1, None)
    # stored codes are written as the words the pages show (English here)
    assert (row["status"], row["severity"], row["source"]) == ("in progress", "high", "manual")
    review = dict(zip([c.value for c in reviews[1]], [c.value for c in reviews[2]]))
    assert (review["check_incidents"], review["check_service_levels"]) == ("not applicable", "ok")
    with app.test_request_context(headers={"Accept-Language": "ja"}):  # the evidence pack's job: its starter's
        files = list(contributions.evidence_sources["monitoring"](db, finding.vendor_id))
    workbook = load_workbook(io.BytesIO(files[0].data))
    assert workbook.sheetnames == ["モニタリング", "指摘事項"]
    assert [c.value for c in workbook["モニタリング"][1]][:8] == ["番号", "ステータス", "リスク区分", "期限", "実施日",
                                                              "実施方法", "結果", "所見"]
    headers = [c.value for c in workbook["指摘事項"][1]]
    row = dict(zip(headers, [c.value for c in workbook["指摘事項"][2]]))
    assert (row["是正計画"], row["証跡の件数"], row["件名"]) == ("手順書を改訂する", 1, "鍵管理手順の不備")
    assert (row["ステータス"], row["重要度"], row["発生元"]) == ("対応中", "高", "手動")
    review = [c.value for c in workbook["モニタリング"][2]]
    assert review[1:3] == ["完了", "中"] and review[5:7] == ["リモート", "良好"]
    assert {"問題なし", "対象外"} <= set(review)
    codes = {"open", "in_progress", "high", "medium", "manual", "completed", "remote", "satisfactory", "ok",
             "not_applicable"}
    for sheet in workbook:
        assert not codes & {c.value for line in sheet.iter_rows() for c in line}, sheet.title
    assert len(headers) == len(set(headers)) == len(FINDING_HEADERS)


@pytest.mark.parametrize("role", ["auditor"])
def test_auditor_reads_but_cannot_record(app, db, client, login, role):
    login(role)
    _arr, (vendor,) = gen_chain(db, tiers=1)
    db.commit()
    _plan(app, db)
    review = _open_review(db, vendor)
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert client.post(f"/reviews/{review.id}", data={"action": "complete"}).status_code == 403


def test_openapi_documents_every_monitoring_route(app, client):
    from openapi_spec_validator import validate
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_monitoring."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in document["paths"][path], (method, path)


def test_openapi_says_what_mine_filters_in_the_domains_words(client):
    document = client.get("/api/v1/openapi.json").json
    for path, noun in (("/api/v1/reviews", "reviews"), ("/api/v1/findings", "findings")):
        params = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        text = params["mine"]["description"]
        assert text.startswith(f"true: only the {noun} you own") and "no owner" in text and "compliance" in text
        assert params["mine"]["schema"]["type"] == "boolean"


def test_api_reads_and_records_a_review(app, db, api):
    owner_client = api("compliance")
    _arr, (vendor,) = gen_chain(db, tiers=1, start=TODAY - timedelta(days=400))
    db.commit()
    _plan(app, db)
    review = _open_review(db, vendor)
    one = owner_client.get(f"/api/v1/reviews/{review.id}")
    assert one.status_code == 200
    assert (one.json["id"], one.json["status"], one.json["vendor"]["id"]) == (review.id, "planned", vendor.id)
    assert "open_vendor_id" not in one.json
    record = {"performed_on": (TODAY - timedelta(days=1)).isoformat(), "method": "document",
              "outcome": "needs_improvement", "summary": "報告書を確認",
              "checks": {name: {"result": "ok"} for name in REVIEW_CHECKS},
              "findings": [{"title": "SLA 未達", "severity": "low"}], "complete": True}
    done = owner_client.post(f"/api/v1/reviews/{review.id}/record", json=record)
    assert done.status_code == 200, done.json
    assert done.json["review"]["status"] == "completed" and done.json["review"]["vendor"]["id"] == vendor.id
    assert [(f["title"], f["severity"], f["source"]) for f in done.json["findings"]] == [("SLA 未達", "low", "review")]
    assert owner_client.post(f"/api/v1/reviews/{review.id}/record", json=record).status_code == 409


def test_my_overdue_reviews_on_the_start_page_are_the_only_mine_list(app, db, client, login, api):
    """Compliance is reminded of the reviews nobody owns and finds them among its tasks: its
    "Only mine" list (page and API) counts them too, so the two numbers agree."""
    _arr, vendors = gen_chain(db, start=date(2023, 4, 1))
    db.commit()
    _plan(app, db)
    compliance = login("compliance")
    other = factories.gen_user(db, role="vendor_owner")
    reviews = {r.vendor_id: r for r in db.scalars(select(MonitoringReview))}
    assert len(reviews) == 3 and all(r.due_date < TODAY for r in reviews.values())
    for vendor, owner in zip(vendors, (compliance, None, other)):
        reviews[vendor.id].owner_id = owner.id if owner else None
    db.commit()
    home = client.get("/?source=monitoring").get_data(as_text=True)
    on_home = set(re.findall(r'data-kind="record_review">\s*<td data-test="task-due">[^<]*'
                             r'<span class="badge overdue">.*?<a href="/reviews/(\d+)"', home, re.S))
    listed = set(re.findall(r'href="/reviews/(\d+)"', client.get("/reviews/?status=overdue&mine=1").get_data(as_text=True)))
    expected = {str(reviews[vendors[0].id].id), str(reviews[vendors[1].id].id)}
    assert on_home == expected and listed == expected, (on_home, listed)
    client.post("/logout")
    from vendorrisk.core import users
    _record, token = users.create_token(db, compliance, "t")
    db.commit()
    body = client.get("/api/v1/reviews?status=overdue&mine=true", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {str(item["id"]) for item in body["items"]} == expected


def test_only_my_findings_are_the_findings_among_my_tasks(app, db, client, login):
    from vendorrisk.vendors.findings import raise_finding
    compliance = login("compliance")
    other = factories.gen_user(db, role="vendor_owner")
    vendor = factories.gen_vendor(db)
    ids = {}
    with app.test_request_context():
        for key, owner in (("own", compliance), ("nobody", None), ("other", other)):
            finding, _ = raise_finding(db, vendor_id=vendor.id, source="manual", title=f"指摘 {key}",
                                       owner_id=owner.id if owner else None, due_date=TODAY - timedelta(days=3))
            ids[key] = str(finding.id)
    db.commit()
    home = client.get("/?source=monitoring").get_data(as_text=True)
    on_home = set(re.findall(r'data-kind="remediate_finding">.*?<a href="/findings/(\d+)"', home, re.S))
    board = set(re.findall(r'href="/findings/(\d+)"', client.get("/findings/?mine=1").get_data(as_text=True)))
    assert on_home == board == {ids["own"], ids["nobody"]}, (on_home, board)


def test_the_start_pages_overdue_reviews_say_how_many_more_the_list_has(app, db, client, login):
    gen_chain(db, start=date(2023, 4, 1), tiers=10)
    db.commit()
    _plan(app, db)
    login("compliance")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    panel = page[page.index('data-test="home-monitoring"'):page.index("</section>", page.index('data-test="home-monitoring"'))]
    overdue = client.get("/reviews/?status=overdue").get_data(as_text=True)
    listed = set(re.findall(r'href="/reviews/(\d+)"', overdue))
    shown = re.findall(r'href="/reviews/(\d+)"', panel)
    more = re.search(r'data-test="more-reviews">(\d+)', panel)
    assert len(listed) == 10 and len(shown) == 8 and more and len(shown) + int(more.group(1)) == len(listed)
