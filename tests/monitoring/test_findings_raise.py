"""Raising findings from any area: idempotent by source reference, owned, with history."""
import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.vendors.findings import Finding, FindingEvent, FindingSpec, raise_finding, raise_findings


def test_bulk_raise_skips_known_references_and_starts_each_history(app, db):
    with app.test_request_context():
        owner = factories.gen_user(db, role="vendor_owner")
        vendor = factories.gen_vendor(db)
        factories.gen_owner(db, vendor, owner)
        first, created = raise_finding(db, vendor_id=vendor.id, source="questionnaire", title="a", source_ref="q:1")
        assert created and first.owner_id == owner.id
        specs = [FindingSpec(vendor_id=vendor.id, source="questionnaire", title=t, source_ref=f"q:{n}", severity="high")
                 for n, t in ((1, "a again"), (2, "b"), (3, "c"), (3, "c twice"))]
        made = raise_findings(db, specs)
        assert [f.source_ref for f in made] == ["q:2", "q:3"]
        assert all(f.owner_id == owner.id for f in made)
        again, created_again = raise_finding(db, vendor_id=vendor.id, source="questionnaire", title="x", source_ref="q:2")
        assert not created_again and again.id == made[0].id
        events = db.exec(select(FindingEvent).where(FindingEvent.action == "raised")).all()
        assert sorted(e.finding_id for e in events) == sorted([first.id] + [f.id for f in made])
        assert len(db.exec(select(Finding)).all()) == 3


def test_unknown_severity_is_refused_and_nothing_raised(app, db):
    with app.test_request_context():
        vendor = factories.gen_vendor(db)
        with pytest.raises(ValidationFailed):
            raise_findings(db, [FindingSpec(vendor_id=vendor.id, source="review", title="ok"),
                                FindingSpec(vendor_id=vendor.id, source="review", title="bad", severity="urgent")])
        assert db.exec(select(Finding)).all() == []


def test_a_finding_any_area_raises_falls_due_by_its_severity(app, db):
    # without a due date a finding never falls due, so is never reminded or escalated: the
    # questionnaire, contract, certificate and assessment findings had none
    from datetime import timedelta

    from vendorrisk.core import business_days
    from vendorrisk.core.clock import today
    from vendorrisk.vendors.findings import DEFAULT_DUE_DAYS, FINDING_SOURCES
    with app.test_request_context():
        vendor = factories.gen_vendor(db)
        calendar = business_days.current()
        for source in FINDING_SOURCES:
            for severity, days in DEFAULT_DUE_DAYS.items():
                finding, _ = raise_finding(db, vendor_id=vendor.id, source=source, title="t", severity=severity,
                                           source_ref=f"{source}:{severity}")
                assert finding.due_date == calendar.on_or_before(today() + timedelta(days=days)).day, (source, severity)
        asked = today() + timedelta(days=3)
        given, _ = raise_finding(db, vendor_id=vendor.id, source="contract", title="t", due_date=asked, source_ref="x")
        assert given.due_date == calendar.on_or_before(asked).day  # a date given is kept
