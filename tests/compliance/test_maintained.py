"""The maintained matrix equals the rebuilt one and the live computation after every kind of
write: each write goes through its area's service (which publishes its domain event), the
transaction commits, and then the rows in ``compliance_verdict`` / ``compliance_vendor`` must
equal (a) what the rules compute now for every vendor and (b) what ``rebuild`` writes (it
finds nothing to change). Runs on both engines (``make test``)."""
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from tests import factories
from tests.certificates.factories import pdf_bytes
from tests.compliance.test_equivalence import _portfolio
from tests.contracts.factories import CORPUS
from tests.selection.factories import gen_assessment
from vendorrisk.certificates import service as certificates
from vendorrisk.compliance import counts as scope_counts
from vendorrisk.compliance import maintain, matrix, store
from vendorrisk.compliance.models import ComplianceCount, ComplianceVendor, ComplianceVerdict
from vendorrisk.contracts import service as contracts
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.core import clock
from vendorrisk.monitoring import plans, reviews
from vendorrisk.monitoring.models import REVIEW_CHECKS, MonitoringReview
from vendorrisk.selection import risk_tier
from vendorrisk.vendors import arrangements, chains, people
from vendorrisk.vendors import service as vendors
from vendorrisk.vendors.models import Vendor


def _maintained(db):
    verdicts = {(r.vendor_id, r.obligation): (r.status, r.reason, r.links)
                for r in db.execute(select(ComplianceVerdict.__table__)).all()}
    facts = {r.vendor_id: tuple(r)[1:] for r in db.execute(select(ComplianceVendor.__table__)).all()}
    counted = {(r.scope, r.status): r.vendors for r in db.execute(select(ComplianceCount.__table__)).all()
               if r.vendors}  # a count fallen to zero is kept
    return verdicts, facts, counted


def _live(db):
    ids = list(db.scalars(select(Vendor.id)))
    facts, verdicts = maintain.compute(db, ids, matrix.all_obligations())
    cells = {(vid, ob): maintain.verdict_json(v) for vid, row in verdicts.items() for ob, v in row.items()}
    counts = {vid: {s: 0 for s in ("met", "gap", "not_applicable")} for vid in ids}
    for (vid, _ob), (status, _reason, _links) in cells.items():
        counts[vid][status] += 1
    rows = {f.id: (f.tier, f.arrangements, f.important, f.cloud, f.user_data, counts[f.id]["met"],
                   counts[f.id]["gap"], counts[f.id]["not_applicable"]) for f in facts}
    by_scope = Counter()
    for vendor_cells in scope_counts.by_vendor((v, ob, cell[0]) for (v, ob), cell in cells.items()).values():
        by_scope.update(scope_counts.keys(vendor_cells))
    return cells, rows, dict(by_scope)


def _counts_equal_the_verdicts(db, what):
    """Every count the matrix takes from the maintained counts equals counting the verdicts."""
    from sqlalchemy import func
    verdict = ComplianceVerdict.__table__
    for article in [None, *matrix.articles(), *(o.id for o in matrix.all_obligations())]:
        ids = [o.id for o in matrix.select_obligations(article)]
        for status in matrix.STATUSES:
            counted = db.execute(select(func.count(func.distinct(verdict.c.vendor_id)))
                                 .where(verdict.c.obligation.in_(ids), verdict.c.status == status)).scalar_one()
            assert store.count(db, matrix.MatrixFilters(article=article, status=status)) == counted, (what, article)
    summary = store.summary(db)
    assert store.gap_cells(db) == sum(row["gap"] for row in summary.values()), what


def _check(db, what):
    db.commit()
    maintained = _maintained(db)
    assert maintained == _live(db), f"maintained != live after {what}"
    _counts_equal_the_verdicts(db, what)
    assert maintain.rebuild(db) == 0, f"the rebuild had to change rows after {what}"
    assert _maintained(db) == maintained
    db.commit()


def test_every_write_keeps_the_maintained_matrix_equal_to_the_rebuild_and_the_rules(app, db):
    _portfolio(db)  # factories: no events, as after a bulk load
    assert maintain.rebuild(db) > 0
    _check(db, "the first rebuild")
    user, other = factories.gen_user(db), factories.gen_user(db)
    owner_user = factories.gen_user(db, role="vendor_owner")

    vendor = vendors.create_vendor(db, {"name": "保守テスト株式会社", "name_en": "Maintained Co"})
    _check(db, "a vendor registered")
    vendors.update_vendor(db, vendor, {"is_cloud": True})
    _check(db, "a vendor flagged cloud")
    arrangement = arrangements.create_arrangement(db, {"vendor_id": vendor.id, "title": "保守", "service": "hosting"})
    _check(db, "an arrangement created")
    arrangements.update_arrangement(db, arrangement, {"is_important": True, "handles_user_data": True,
                                                       "user_data_categories": ["氏名"]})
    _check(db, "an arrangement made important, handling user data")
    owner = people.assign_owner(db, vendor, owner_user.id)
    _check(db, "an owner assigned")
    people.remove_owner(db, vendor, owner.id)
    _check(db, "an owner removed")

    sub = db.scalars(select(Vendor).where(Vendor.id != vendor.id).order_by(Vendor.id)).first()
    link = chains.add_link(db, arrangement, {"parent_vendor_id": vendor.id, "vendor_id": sub.id, "service": "dc"})
    _check(db, "a link added (a hub of the portfolio becomes a subcontractor)")
    chains.update_link(db, link, {"touches_user_data": True})
    _check(db, "a link touching user data")
    location = arrangements.add_location(db, {"country": "JP"}, arrangement=arrangement)
    _check(db, "an arrangement's data location")
    arrangements.add_location(db, {"country": "SG"}, link=link)
    _check(db, "a link's data location")
    arrangements.remove_location(db, arrangement, location.id)
    _check(db, "a data location removed")
    chains.decide_link(db, link, {"approval_status": "approved", "approval_basis": "prior_consent"}, other)
    _check(db, "a link approved")

    version = contracts.upload_version(db, arrangement_id=arrangement.id, user=user, filename="c.md",
                                       data=(CORPUS / "en_complete_msa.md").read_bytes())
    _check(db, "a contract uploaded and checked")
    check = db.scalars(select(ClauseCheck).where(ClauseCheck.version_id == version.id,
                                                 ClauseCheck.clause_id == "audit_rights")).one()
    contracts.review_check(db, check_id=check.id, status="not_found", comment="The clause is missing.", user=user)
    _check(db, "a clause result reviewed")

    gen_assessment(db, vendor, other, "approved", approver=user)
    _check(db, "a selection assessment approved")
    gen_assessment(db, sub, other, "rejected", approver=user)
    _check(db, "a selection assessment rejected")
    risk_tier.set_override(db, vendor.id, tier="critical", reason="Board decision", user_id=user.id)
    _check(db, "a risk tier overridden")

    plans.regenerate_plans(db)
    _check(db, "review plans regenerated")
    review = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor.id,
                                                       MonitoringReview.status == "planned")).one()
    today = clock.today()
    reviews.record_review(db, review, user, {"performed_on": today.isoformat(), "method": "remote",
                                             "outcome": "satisfactory",
                                             "checks": {name: {"result": "ok"} for name in REVIEW_CHECKS}},
                          today=today, complete=True)
    _check(db, "a review completed")

    recorded = certificates.record_certificate(
        db, vendor_id=vendor.id, user=user, filename="soc2.pdf", file_bytes=pdf_bytes(),
        data={"type": "soc2_type2", "period_start": (today - timedelta(days=300)).isoformat(),
              "period_end": (today - timedelta(days=30)).isoformat(), "issuer": "監査法人"})
    _check(db, "a certificate recorded")
    certificates.record_review(db, recorded.certificate, user=user, today=today,
                               data={"conclusion": "Covers the services.", "covers_services": "yes"})
    _check(db, "a certificate reviewed")

    arrangements.update_arrangement(db, arrangement, {"status": "terminated"})
    _check(db, "an arrangement terminated")
    chains.end_link(db, link)
    _check(db, "a link removed")
    assert store.vendor_matrix(db, vendor.id).verdicts["26-4"].status in ("met", "gap", "not_applicable")


def register_workbook_onto(db) -> bytes:
    """A register workbook whose chains bring in vendors of the portfolio (by corporate
    number and by name) beside new ones, with data locations and user data."""
    hub, cloud = db.scalars(select(Vendor).order_by(Vendor.id).limit(2)).all()
    return factories.workbook({
        "vendors": [["ref", "name", "corporate_number", "is_cloud", "is_system_subsidiary"],
                    ["n1", "取込元請株式会社", factories.corporate_number(9101), "no", "no"],
                    ["n2", "取込クラウド株式会社", "", "yes", "no"],
                    ["n3", "取込子会社株式会社", "", "no", "yes"],
                    ["n4", "取込単独株式会社", "", "no", "no"]],
        "arrangements": [["ref", "vendor", "title", "is_important", "handles_user_data", "data_locations"],
                         ["a1", "n1", "取込業務1", "yes", "yes", "JP:Tokyo"],
                         ["a2", hub.corporate_number, "取込業務2", "no", "no", ""]],
        "links": [["arrangement", "parent_vendor", "vendor", "service", "touches_user_data", "data_locations"],
                  ["a1", "n2", "n3", "保守", "no", ""],  # before its parent comes in
                  ["a1", "n1", "n2", "基盤", "yes", "SG; US:Oregon"],
                  ["a1", "n2", cloud.name, "データセンター", "no", ""],
                  ["a2", hub.corporate_number, "n2", "運用", "no", ""]],
    })


def test_a_register_import_keeps_the_maintained_matrix_equal_to_the_rebuild(app, db):
    """The import tells the other areas once, with every vendor and chain it touched."""
    from vendorrisk.vendors.register_reader import read_register
    from vendorrisk.vendors.register_store import apply_register
    _portfolio(db)
    maintain.rebuild(db)
    _check(db, "the first rebuild")
    with app.test_request_context():
        report = apply_register(db, read_register(register_workbook_onto(db), "register.xlsx"))
    assert (report.vendors, report.arrangements, report.links, report.locations) == (4, 2, 4, 3)
    _check(db, "a register imported")
    assert db.scalar(select(Vendor.risk_tier).where(Vendor.name == "取込単独株式会社")) is not None


def test_reads_never_write(app, db, api):
    _portfolio(db)
    maintain.rebuild(db)
    db.commit()
    before = _maintained(db)
    client = api("auditor")
    for path in ("/api/v1/compliance-matrix", "/api/v1/compliance-matrix?status=gap&article=27",
                 "/api/v1/dashboard"):
        assert client.get(path).status_code == 200
    db.rollback()
    assert _maintained(db) == before


def test_the_daily_refresh_moves_date_dependent_verdicts(app, db):
    """26-4 lapses with the date alone (a report's period ends): the daily refresh (the
    scheduler's) brings the maintained rows in line with the rules as of that day, and
    writes nothing when run again the same day."""
    _portfolio(db)
    maintain.rebuild(db, today=date(2026, 1, 10))
    db.commit()
    assert {o.id for o in matrix.all_obligations() if o.daily} == {"26-1", "26-4"}
    before = _maintained(db)[0]
    later = date(2027, 6, 1)
    assert maintain.refresh_daily(db, today=later) > 0
    after = _maintained(db)[0]
    moved = {key for key in after if after[key] != before[key]}
    assert moved and {ob for _vid, ob in moved} <= {"26-1", "26-4"}
    assert ("met", "gap") in {(before[key][0], after[key][0]) for key in moved}
    ids = list(db.scalars(select(Vendor.id)))
    live = matrix.evaluate(db, ids, matrix.all_obligations(), today=later)
    assert after == {(vid, ob): maintain.verdict_json(v) for vid, row in live.items() for ob, v in row.items()}
    assert maintain.refresh_daily(db, today=later) == 0
    assert maintain.state(db).refreshed_on == later


def test_risk_facts_of_a_few_vendors_equal_those_of_every_chain(app, db):
    """The risk tier of a write's vendors is computed without walking the chains holding them
    (a hub is in thousands); it must equal the walk down every chain."""
    ids = _portfolio(db)
    everywhere = risk_tier.vendor_facts(db)
    assert {vid: f["max_tier"] for vid, f in everywhere.items()} != {vid: None for vid in everywhere}
    for chunk in (ids, ids[:3], ids[3:9], [ids[-1]]):
        assert risk_tier.vendor_facts(db, chunk) == {vid: everywhere[vid] for vid in chunk}


def test_dashboard_concentration_reads_the_maintained_facts(app, db):
    from vendorrisk.vendors.chain_reach import concentration
    _portfolio(db)
    maintain.rebuild(db)
    assert store.concentration(db, 5) == concentration(db, 5)


def test_matrix_page_says_when_date_dependent_verdicts_are_stale(app, db, client, login):
    _portfolio(db)
    maintain.rebuild(db, today=clock.today() - timedelta(days=2))
    db.commit()
    login("auditor")
    page = client.get("/compliance/").get_data(as_text=True)
    assert 'data-test="verdicts-as-of"' in page and (clock.today() - timedelta(days=2)).isoformat() in page
    maintain.refresh_daily(db)
    db.commit()
    assert 'data-test="verdicts-as-of"' not in client.get("/compliance/").get_data(as_text=True)



def test_scheduler_refreshes_the_verdicts_once_a_day(app, db):
    from vendorrisk.scheduler import build_scheduler, verdicts_job
    assert {"compliance_verdicts", "export_jobs"} <= {job.id for job in build_scheduler(app).get_jobs()}
    _portfolio(db)  # factories: no events; the state is unknown, so the first run rebuilds
    db.commit()
    verdicts_job(app)
    db.rollback()
    assert maintain.state(db).refreshed_on == clock.today()
    assert _maintained(db) == _live(db)
    maintain.rebuild(db, today=clock.today() - timedelta(days=1))  # as if yesterday's
    db.commit()
    verdicts_job(app)
    db.rollback()
    assert maintain.state(db).refreshed_on == clock.today()
