"""The register import stores each sheet in one flush and tells the other areas once
(issue 17): what it stores — vendors with their computed tiers, arrangements, links, data
locations, review plans, verdicts and the audit trail's records of what was created — is
what registering the same rows one by one through the services stores."""
from collections import Counter

from sqlalchemy import func, select

from tests import factories
from vendorrisk.compliance.models import ComplianceVendor, ComplianceVerdict
from vendorrisk.core.models import AuditEntry
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors import arrangements, chains
from vendorrisk.vendors import service as vendors
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.register_reader import read_register
from vendorrisk.vendors.register_store import apply_register

VENDORS = [("n1", "一括元請株式会社", True, False), ("n2", "一括基盤株式会社", False, True),
           ("n3", "一括保守株式会社", False, False), ("n4", "一括単独株式会社", True, False)]
ARRANGEMENTS = [("a1", "n1", "一括業務1", True, True, "JP:Tokyo"), ("a2", "hub", "一括業務2", False, False, "")]
LINKS = [("a1", "n2", "n3", "保守", False, "JP"), ("a1", "n1", "n2", "基盤", True, "SG; US:Oregon"),
         ("a2", "hub", "n2", "運用", False, ""), ("a1", "n2", "hub", "再委託", False, "")]


def _workbook(hub: Vendor) -> bytes:
    name = {"hub": hub.name}
    return factories.workbook({
        "vendors": [["ref", "name", "is_cloud", "is_system_subsidiary"]]
        + [[ref, n, "yes" if cloud else "no", "yes" if sub else "no"] for ref, n, cloud, sub in VENDORS],
        "arrangements": [["ref", "vendor", "title", "is_important", "handles_user_data", "data_locations"]]
        + [[ref, name.get(v, v), title, "yes" if imp else "no", "yes" if ud else "no", locs]
           for ref, v, title, imp, ud, locs in ARRANGEMENTS],
        "links": [["arrangement", "parent_vendor", "vendor", "service", "touches_user_data", "data_locations"]]
        + [[a, name.get(p, p), name.get(c, c), service, "yes" if ud else "no", locs]
           for a, p, c, service, ud, locs in LINKS]})


def _one_by_one(db, hub: Vendor) -> None:
    """The rows through the services, one at a time (the import before issue 17)."""
    ids = {"hub": hub.id}
    for ref, name, cloud, sub in VENDORS:
        ids[ref] = vendors.create_vendor(db, {"name": name, "is_cloud": cloud, "is_system_subsidiary": sub}).id
    made = {}
    for ref, vendor, title, important, user_data, locs in ARRANGEMENTS:
        made[ref] = arrangements.create_arrangement(db, {"vendor_id": ids[vendor], "title": title,
                                                         "is_important": important, "handles_user_data": user_data})
        for loc in filter(None, locs.split(";")):
            country, _sep, region = loc.strip().partition(":")
            arrangements.add_location(db, {"country": country, "region": region}, arrangement=made[ref])
    for ref, parent, child, service, user_data, locs in sorted(LINKS, key=lambda link: link[1] == "n2"):
        link = chains.add_link(db, made[ref], {"parent_vendor_id": ids[parent], "vendor_id": ids[child],
                                               "service": service, "touches_user_data": user_data})
        for loc in filter(None, locs.split(";")):
            country, _sep, region = loc.strip().partition(":")
            arrangements.add_location(db, {"country": country, "region": region}, link=link)


def _stored(db, since: int) -> dict:
    """What is stored (audit entries after ``since``), named by vendor names and titles instead of ids."""
    name = dict(db.execute(select(Vendor.id, Vendor.name)).all())
    title = dict(db.execute(select(Arrangement.id, Arrangement.title)).all())
    link_of = {link.id: (title[link.arrangement_id], name[link.parent_vendor_id], name[link.vendor_id])
               for link in db.scalars(select(OutsourcingLink))}
    return {
        "vendors": sorted((v.name, v.status, v.risk_tier, v.is_cloud, v.is_system_subsidiary)
                          for v in db.scalars(select(Vendor))),
        "arrangements": sorted((a.title, name[a.vendor_id], a.is_important, a.handles_user_data, a.status)
                               for a in db.scalars(select(Arrangement))),
        "links": sorted(link_of[link.id] + (link.service, link.touches_user_data, link.approval_status,
                                            link.recorded_by_id) for link in db.scalars(select(OutsourcingLink))),
        "locations": sorted((title.get(loc.arrangement_id, ""), link_of.get(loc.link_id, ()), loc.country, loc.region)
                            for loc in db.scalars(select(DataLocation))),
        "reviews": sorted((name[r.vendor_id], r.status, r.risk_tier, r.due_date, r.frequency_months)
                          for r in db.scalars(select(MonitoringReview))),
        "verdicts": sorted((name[r.vendor_id], r.obligation, r.status)
                           for r in db.execute(select(ComplianceVerdict.__table__)).all()),
        # the records created; a tier or review plan that row by row moved several times in
        # the transaction is recorded once, as it ends
        "audit": Counter((e.action, e.entity) for e in db.scalars(select(AuditEntry).where(
            AuditEntry.id > since, AuditEntry.action == "create"))),
    }


def _last_entry(db) -> int:
    return db.scalar(select(func.max(AuditEntry.id))) or 0


def test_the_import_stores_what_the_services_store_row_by_row(app, db):
    hub = factories.gen_vendor(db, name="一括既存株式会社", is_cloud=True)
    db.commit()
    with app.test_request_context():
        mark = _last_entry(db)
        _one_by_one(db, hub)
        db.commit()
        row_by_row = _stored(db, mark)
        for model in (DataLocation, OutsourcingLink, MonitoringReview, Arrangement):
            for row in db.scalars(select(model)):
                db.delete(row)
            db.flush()
        for vendor in db.scalars(select(Vendor).where(Vendor.id != hub.id)):
            db.delete(vendor)
        for table in (ComplianceVerdict.__table__, ComplianceVendor.__table__):  # ids may be used again
            db.execute(table.delete())
        db.commit()
        mark = _last_entry(db)
        report = apply_register(db, read_register(_workbook(hub), "register.xlsx"))
        db.commit()
    assert (report.vendors, report.arrangements, report.links, report.locations) == (4, 2, 4, 4)
    assert _stored(db, mark) == row_by_row



def test_a_corporate_number_taken_meanwhile_is_refused_on_its_row(app, db, monkeypatch):
    """Should the lookup miss a vendor registered meanwhile (a concurrent request), the unique
    key refuses the batch, and the rows are inserted one by one to name the row."""
    import pytest

    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.vendors.register_vendors import RegisteredVendors
    taken = factories.corporate_number(4242)
    factories.gen_vendor(db, name="先行登録株式会社", corporate_number=taken)
    db.commit()
    monkeypatch.setattr(RegisteredVendors, "duplicates", lambda self, name, number: [])
    data = factories.workbook({"vendors": [["ref", "name", "corporate_number"], ["x1", "競合前株式会社", ""],
                                           ["x2", "競合株式会社", taken], ["x3", "競合後株式会社", ""]],
                               "arrangements": [["ref", "vendor", "title"], ["a", "x2", "競合業務"]]})
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            apply_register(db, read_register(data, "register.xlsx"))
    problems = [(d["sheet"], d["row"], d["column"]) for d in refused.value.details]
    # the arrangement naming the refused vendor is not reported as naming a vendor the sheet
    # does not have: the problem is the vendor row's (as the check reports it)
    assert problems == [("vendors", 3, "corporate_number")]
    assert "already has corporate number" in refused.value.details[0]["message"]
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Vendor)) == 1
