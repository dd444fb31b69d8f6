"""A vendor's first monitoring review: an existing contract registered today (its
arrangement started more than one review interval ago) is due within FIRST_REVIEW_DAYS of
its registration, never overdue on the day it is registered, and nobody is sent an
overdue reminder for it; the compliance matrix names the first due date."""
from datetime import date, timedelta

from sqlalchemy import select

from tests import factories
from vendorrisk.core import clock
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.monitoring.plans import first_due
from vendorrisk.monitoring.sweep import run_sweep
from vendorrisk.vendors.models import Vendor


def test_first_due_is_an_interval_after_the_start_but_never_before_the_grace_after_recording():
    # started recently: one interval after the start, as before
    assert first_due(date(2026, 1, 10), date(2026, 1, 12), 12, 90) == date(2027, 1, 10)
    # an existing contract recorded years after it started: the grace from the recording
    assert first_due(date(2022, 4, 1), date(2026, 12, 7), 12, 90) == date(2027, 3, 7)
    # a grace longer than the interval is cut to the interval
    assert first_due(date(2022, 4, 1), date(2026, 12, 7), 1, 90) == date(2027, 1, 7)


def test_existing_contract_registered_today_is_due_not_overdue(client, login, db, app, smtp):
    today = clock.today()
    owner = factories.gen_user(db, role="vendor_owner")
    factories.gen_user(db, role="compliance")
    db.commit()
    login("compliance")
    response = client.post("/vendors/new", data={"name": "株式会社既存契約", "country": "JP"})
    assert response.status_code == 302
    vendor = db.scalars(select(Vendor).where(Vendor.name == "株式会社既存契約")).one()
    client.post(f"/vendors/{vendor.id}/owners", data={"user_id": owner.id, "is_primary": "on"})
    started = date(today.year - 3, 4, 1)  # a contract running for three years, registered today
    response = client.post("/arrangements/new", data={"vendor": str(vendor.id), "title": "勘定系の運用",
                                                      "substitutability": "hard", "is_important": "on",
                                                      "start_date": started.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.rollback()
    review = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id == vendor.id)).one()
    assert review.risk_tier == "high"  # important: at least high, 60 days to the first review
    recorded = today  # the day (in Tokyo) the arrangement was recorded
    assert today < review.due_date <= recorded + timedelta(days=60)
    assert review.due_date > recorded + timedelta(days=55)  # moved to a business day at most a few days
    overdue = client.get("/reviews/?status=overdue").get_data(as_text=True)
    assert "株式会社既存契約" not in overdue
    assert "株式会社既存契約" in client.get("/reviews/?status=open").get_data(as_text=True)
    run_sweep(app, today=today)
    db.rollback()
    kinds = set(db.scalars(select(Reminder.kind).where(Reminder.subject_type == "review",
                                                       Reminder.subject_id == review.id)))
    assert not any(kind.startswith("overdue") for kind in kinds), kinds
    from vendorrisk.core.messages import render
    from vendorrisk.monitoring.rules import reviews_on_schedule
    with app.test_request_context(headers={"Accept-Language": "en"}):
        verdict = reviews_on_schedule.rule(db, [vendor.id], today)[vendor.id]
        assert verdict.status == "gap"  # no monitoring evidence yet, and the reason says until when
        assert f"the first review is due on {review.due_date.isoformat()}" in render(verdict.reason)

def test_subcontractor_added_today_and_old_reviews_keep_their_dates(app, db):
    from vendorrisk.monitoring.plans import regenerate_plans
    tier1, sub = factories.gen_vendor(db), factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, tier1, start_date=date(2020, 4, 1))
    factories.gen_link(db, arrangement, tier1, sub)
    db.add(MonitoringReview(vendor_id=tier1.id, status="completed", due_date=date(2025, 9, 1),
                            performed_on=date(2025, 9, 10), risk_tier="medium", frequency_months=12))
    db.commit()
    with app.app_context():
        regenerate_plans(db)
        db.commit()
    reviews = {r.vendor_id: r for r in db.scalars(select(MonitoringReview).where(MonitoringReview.status == "planned"))}
    assert reviews[tier1.id].due_date <= date(2026, 9, 10)  # reviewed before: a year after, no grace
    assert reviews[tier1.id].due_date > date(2026, 9, 5)
    recorded = clock.today()  # the day, in Tokyo, the link was recorded
    assert reviews[sub.id].due_date > recorded + timedelta(days=300)  # entered today: one interval


def test_the_grace_counts_from_the_day_in_tokyo_not_the_utc_day(app, db, monkeypatch):
    # 2026-12-06 23:30 UTC is 2026-12-07 08:30 in Tokyo: the vendor is registered on the 7th
    from datetime import datetime, timezone

    from vendorrisk.monitoring.plans import chain_members, desired_plans
    moment = datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "_now", lambda: moment)
    tier1, sub = factories.gen_vendor(db), factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, tier1, start_date=date(2022, 4, 1), created_at=moment)
    factories.gen_link(db, arrangement, tier1, sub, created_at=moment)
    db.commit()
    with app.app_context():
        assert clock.today() == date(2026, 12, 7)
        members = chain_members(db, [tier1.id, sub.id])
        assert members[tier1.id][2] == date(2026, 12, 7)  # recorded on the Tokyo day
        assert members[sub.id][1:] == (date(2026, 12, 7), date(2026, 12, 7))  # a subcontractor enters that day
        plan = desired_plans(db, [tier1.id])[tier1.id]
    # medium tier: 90 days from 2026-12-07 is 2027-03-07, a Sunday -> Friday 2027-03-05
    assert (plan.nominal_due_date, plan.due_date) == (date(2027, 3, 7), date(2027, 3, 5))
