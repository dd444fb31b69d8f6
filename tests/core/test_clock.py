"""Today is the member's day (Asia/Tokyo), not the host's: a host on UTC is still on
yesterday until 09:00 in Tokyo, and what is recorded or shown as "today" must not be."""
from datetime import date, datetime, timezone

import pytest

from tests import factories
from vendorrisk.core import clock

EARLY_MORNING_IN_TOKYO = datetime(2026, 12, 5, 22, 0, tzinfo=timezone.utc)  # 2026-12-06 07:00 JST


@pytest.fixture
def tokyo_morning(monkeypatch):
    """The clock at 07:00 on 6 December in Tokyo, while UTC still says the 5th."""
    monkeypatch.setattr(clock, "_now", lambda: EARLY_MORNING_IN_TOKYO)


def test_today_is_the_day_in_the_display_time_zone(app, tokyo_morning):
    assert clock.today() == date(2026, 12, 6) and clock.stamp() == "20261206"
    with app.app_context():
        assert clock.today() == date(2026, 12, 6)
        app.config["DISPLAY_TIMEZONE"] = "UTC"
        assert clock.today() == date(2026, 12, 5)


def test_an_approval_at_seven_in_the_morning_is_dated_that_day(client, login, db, tokyo_morning):
    arrangement = factories.gen_arrangement(db)
    link = factories.gen_link(db, arrangement, factories.gen_vendor(db, name="株式会社一次"),
                              factories.gen_vendor(db, name="株式会社二次"))
    db.commit()
    login("compliance")
    answer = client.post(f"/arrangements/{arrangement.id}/links/{link.id}/decision",
                         data={"approval_status": "approved", "approval_basis": "prior_consent"})
    assert answer.status_code == 302
    db.refresh(link)
    assert link.approved_on == date(2026, 12, 6)


def test_the_members_days_as_stored_moments(app):
    with app.app_context():
        start, end = clock.moments_of_days(date(2026, 12, 6), date(2026, 12, 7))
        assert (start, end) == (datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc),
                                datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc))
        assert clock.day_of(EARLY_MORNING_IN_TOKYO) == date(2026, 12, 6)
        # what SQLite's MAX() over a stored time gives back: its text, in UTC
        assert clock.day_of("2026-12-05 22:00:00.000000") == date(2026, 12, 6)
