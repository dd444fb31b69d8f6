"""Compliance pages, dashboard and API, read by every role (auditors included)."""
import re

from tests import factories
from vendorrisk.vendors.findings import Finding
from vendorrisk.vendors.models import Vendor


def test_matrix_page_shows_cells_and_filters(client, login, portfolio):
    login("auditor")
    page = client.get("/compliance/?status=gap&article=90").get_data(as_text=True)
    assert 'data-test="matrix"' in page
    assert "ベンダー3" in page and "ベンダー4" in page and "ベンダー1" not in page
    assert page.count('data-status="gap"') == 2
    assert "/compliance/export/matrix.xlsx?article=90&amp;status=gap" in page


def test_matrix_page_refuses_bad_filter(client, login, obligations):
    login("compliance")
    response = client.get("/compliance/?status=nope")
    assert response.status_code == 422
    assert "Use one of met, gap, not_applicable." in response.get_data(as_text=True)


def test_vendor_page_gives_reasons_and_proof(client, login, db, portfolio):
    owner = login("vendor_owner")
    page = client.get(f"/compliance/vendors/{portfolio['3']}").get_data(as_text=True)
    assert "A sub-outsourcing link to this vendor is not approved." in page
    assert 'href="/links/' in page
    # the evidence pack holds the vendor's files: offered to the staff assigned to it (need-to-know)
    pack = f"/compliance/vendors/{portfolio['3']}/evidence-pack.zip"
    assert pack not in page and client.get(pack).status_code == 403
    factories.gen_owner(db, db.get(Vendor, portfolio["3"]), owner)
    db.commit()
    assert pack in client.get(f"/compliance/vendors/{portfolio['3']}").get_data(as_text=True)
    assert client.get("/compliance/vendors/999999").status_code == 404


def test_vendor_matrix_leads_to_the_vendor_and_its_open_findings(client, login, db, portfolio):
    """The compliance page of a vendor is where the officer preparing an inspection lands; the
    vendor's open findings (which no rule reads) were nowhere on it, not even a link."""
    from datetime import timedelta

    from vendorrisk.core import clock
    vendor_id = portfolio["1"]  # the portfolio's open finding is on this vendor
    db.add(Finding(vendor_id=vendor_id, title="期限切れの是正", severity="high", status="in_progress",
                   source="manual", due_date=clock.today() - timedelta(days=3)))
    db.add(Finding(vendor_id=vendor_id, title="完了済み", severity="low", status="closed", source="manual"))
    db.commit()
    login("auditor")
    page = client.get(f"/compliance/vendors/{vendor_id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    records = re.search(r'<p data-test="vendor-records">(.*?)</p>', page, re.S).group(1)
    assert f'href="/vendors/{vendor_id}"' in records and f'href="/findings/?vendor_id={vendor_id}"' in records
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", records))
    assert "未完了の指摘事項: 2" in text and "期限超過 1" in text



def test_article_filter_offers_citations_not_obligation_ids(client, login, db):
    """The article filter offered 「25-1」「27-5」 (the ids it sends); a reader picks 第25条第1項."""
    login("auditor")
    japanese = client.get("/compliance/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    select = re.search(r'<select name="article".*?</select>', japanese, re.S).group(0)
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))
    assert options["25-1"] == "第25条第1項" and options["27-5"] == "第27条第5号" and options["25-2"] == "第25条第2項"
    assert options["26"] == "第26条（全体）"
    english = client.get("/compliance/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    select = re.search(r'<select name="article".*?</select>', english, re.S).group(0)
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))
    assert options["25-1"] == "Art. 25(1)" and options["27"] == "Art. 27 (all)"

def test_rules_page_is_generated_from_docstrings(client, login, obligations):
    login("auditor")
    page = client.get("/compliance/rules").get_data(as_text=True)
    assert 'id="90-2"' in page and "Cloud vendors must carry a risk tier; others are not concerned." in page


def test_dashboard_numbers_link_to_their_lists(client, login, db, portfolio):
    db.add(Finding(vendor_id=portfolio["3"], title="Old finding", severity="high", status="closed"))
    db.commit()
    login("auditor")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "<svg" in page and not re.search(r"<script(?![^>]*\bsrc=)", page)  # charts drawn without script
    assert 'href="/dashboard/lists/open_findings?severity=high"' in page
    assert 'href="/dashboard/lists/unapproved_links"' in page
    listing = client.get("/dashboard/lists/open_findings?severity=high").get_data(as_text=True)
    assert "SLA breach" in listing and "Old finding" not in listing
    unapproved = client.get("/dashboard/lists/unapproved_links").get_data(as_text=True)
    assert "Vendor 3" in unapproved and "Vendor 2 → 勘定系" in unapproved  # an English reader: English names
    depends = client.get(f"/dashboard/lists/dependent_arrangements?vendor_id={portfolio['2']}").get_data(as_text=True)
    assert "勘定系" in depends and "監視" in depends
    assert client.get("/dashboard/lists/nothing").status_code == 404


def test_dashboard_api_figures(api, portfolio):
    body = api("auditor").get("/api/v1/dashboard").get_json()
    assert body["open_findings_by_severity"]["high"]["count"] == 1
    assert body["open_findings_by_severity"]["low"] == {"count": 0, "href": "/dashboard/lists/open_findings?severity=low"}
    assert body["vendors_by_risk_tier"]["high"]["count"] == 1
    assert body["vendors_by_risk_tier"]["none"]["count"] == 3
    assert body["unapproved_sub_outsourcing"]["count"] == 1
    assert body["top_concentration"][0]["vendor_id"] == portfolio["2"]
    assert body["top_concentration"][0]["arrangements"] == 2
    assert body["gaps_last_snapshot"] is None


def test_matrix_api_rows_and_filters(api, portfolio):
    client = api("auditor")
    body = client.get("/api/v1/compliance-matrix?status=gap").get_json()
    cells = sorted((r["vendor_id"], r["obligation"]) for r in body["rows"])
    assert cells == sorted([(portfolio["1"], "91-1"), (portfolio["3"], "90-1"), (portfolio["4"], "90-2")])
    row = next(r for r in body["rows"] if r["vendor_id"] == portfolio["3"])
    assert row["status"] == "gap" and row["reason"] and row["links"][0]["label"] == "Link"
    everything = client.get("/api/v1/compliance-matrix?per_page=2").get_json()
    assert everything["total_vendors"] == 5 and everything["has_next"] and len(everything["rows"]) == 6
    only_cloud = client.get("/api/v1/compliance-matrix?cloud=yes&article=90-2").get_json()
    assert {r["status"] for r in only_cloud["rows"]} == {"not_applicable", "met", "gap"}
    bad = client.get("/api/v1/compliance-matrix?tier=first")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "tier"
    obligations = client.get("/api/v1/compliance-matrix/obligations").get_json()["obligations"]
    assert [o["id"] for o in obligations] == ["90-1", "90-2", "91-1"]


def test_api_needs_a_token(client, obligations):
    assert client.get("/api/v1/compliance-matrix").status_code == 401


def test_trend_page_draws_a_line(client, login, runner, portfolio):
    for month in ("2026-07", "2026-08"):
        assert runner.invoke(args=["compliance", "snapshot", "--month", month]).exit_code == 0
    login("compliance")
    page = client.get("/compliance/trend").get_data(as_text=True)
    assert "<polyline" in page and "2026-07" in page and "2026-08" in page
    assert len(re.findall(r"<circle", page)) == 3  # the two snapshots, then the matrix now


def test_navigation_entries(client, login, obligations):
    login("auditor")
    page = client.get("/").get_data(as_text=True)
    assert page.index('href="/dashboard/"') < page.index('href="/vendors/"') < page.index('href="/compliance/"')


def test_figure_list_pages(client, login, db, obligations):
    vendor = factories.gen_vendor(db)
    for n in range(55):
        db.add(Finding(vendor_id=vendor.id, title=f"Finding {n:02d}", severity="low"))
    db.commit()
    login("auditor")
    first = client.get("/dashboard/lists/open_findings?severity=low").get_data(as_text=True)
    assert first.count("<tr>") == 51
    assert 'href="/dashboard/lists/open_findings?severity=low&amp;page=2" rel="next"' in first
    second = client.get("/dashboard/lists/open_findings?severity=low&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 6 and 'rel="prev"' in second


def test_trend_api_gives_the_gaps_of_each_snapshot_month(api, runner, portfolio):
    for month in ("2026-07", "2026-08"):
        assert runner.invoke(args=["compliance", "snapshot", "--month", month]).exit_code == 0
    months = api("auditor").get("/api/v1/compliance-matrix/trend").json["months"]
    assert [m["month"] for m in months] == ["2026-07", "2026-08"]
    assert all(m["gaps"] == sum(m["by_obligation"].values()) > 0 for m in months)


def test_proof_links_are_offered_only_where_the_reader_may_go(client, login, db):
    """A gap's proof may be a form to start the missing record ("Start a selection
    assessment"): compliance staff are offered it, an inspector (auditor) is not — it would
    only answer 403 and record the refusal."""
    from vendorrisk.compliance import maintain
    vendor = factories.gen_vendor(db, name="株式会社未評価")
    factories.gen_arrangement(db, vendor)
    maintain.rebuild(db)
    db.commit()
    start = f'href="/selection/new?vendor_id={vendor.id}"'
    login("compliance")
    assert start in client.get(f"/compliance/vendors/{vendor.id}").get_data(as_text=True)
    login("auditor")
    page = client.get(f"/compliance/vendors/{vendor.id}").get_data(as_text=True)
    assert start not in page and 'href="/arrangements/' in page  # the other proof stays


def test_matrix_column_headers_cite_the_regulation_in_the_readers_language(client, login, db):
    """A Japanese reader reads 第26条第4項 above a column (not "26(4)"), an English one Art. 26(4)."""
    factories.gen_vendor(db)
    db.commit()
    login("compliance")
    header = re.compile(r'data-obligation="(27-5|26-4)">([^<]+)<small>')
    ja = dict(header.findall(client.get("/compliance/", headers={"Accept-Language": "ja"}).get_data(as_text=True)))
    en = dict(header.findall(client.get("/compliance/", headers={"Accept-Language": "en"}).get_data(as_text=True)))
    assert ja == {"26-4": "第26条第4項", "27-5": "第27条第5号"}  # 27 lists items (号), 26 paragraphs (項)
    assert en == {"26-4": "Art. 26(4)", "27-5": "Art. 27(5)"}
