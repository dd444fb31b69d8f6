"""The business calendar: weekends, national holidays (jpholiday) and the company's own
closing days move a date to the previous business day, and say why."""
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from vendorrisk.core import business_days
from vendorrisk.core.business_days import BusinessCalendar, parse_closing_days
from vendorrisk.core.config import ConfigurationError

DEFAULT = "12-29..01-03=年末年始|Year-end holidays"


def test_a_business_day_stays():
    moved = BusinessCalendar(DEFAULT).on_or_before(date(2026, 12, 25))  # a Friday
    assert moved.day == date(2026, 12, 25) and not moved.moved and moved.closure is None


def test_a_weekend_moves_to_friday():
    calendar = BusinessCalendar("")
    assert calendar.on_or_before(date(2026, 6, 13)).day == date(2026, 6, 12)  # Saturday
    assert calendar.on_or_before(date(2026, 6, 14)).day == date(2026, 6, 12)  # Sunday


def test_year_end_closing_days_move_to_the_last_working_day_of_december():
    calendar = BusinessCalendar(DEFAULT)
    for day in (date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)):
        moved = calendar.on_or_before(day)
        assert moved.day == date(2026, 12, 28), day  # Monday 12/28 is the last business day
        assert moved.closure.kind == "company"
    # 2027-01-04 is a Monday after the closing days: a business day again
    assert calendar.is_business_day(date(2027, 1, 4))


def test_a_calendar_remembers_each_day_as_a_fresh_one_places_it(monkeypatch):
    """``on_or_before`` keeps its answers by day (a plan places hundreds of due dates on a few
    days): in any order, and once its memory is full and starts again, each answer is the
    one a fresh calendar gives."""
    monkeypatch.setattr(business_days, "PLACED_LIMIT", 50)
    days = [date(2026, 4, 20) + timedelta(days=n) for n in range(300)]  # Golden Week to the year end
    calendar = BusinessCalendar(DEFAULT + ",2026-08-11..2026-08-14=夏季休業|Summer closure")
    for order in (days, days[::-1], days[::7]):
        for day in order:
            fresh = BusinessCalendar(DEFAULT + ",2026-08-11..2026-08-14=夏季休業|Summer closure")
            assert calendar.on_or_before(day) == fresh.on_or_before(day), day
    assert len(calendar._placed) <= 50


def test_without_company_days_new_years_day_is_a_national_holiday():
    moved = BusinessCalendar("").on_or_before(date(2027, 1, 1))
    assert moved.day == date(2026, 12, 31)
    assert moved.closure.kind == "holiday" and moved.closure.name == "元日"


def test_golden_week_2026_moves_past_every_holiday_and_the_substitute_day():
    calendar = BusinessCalendar(DEFAULT)
    # 4/29 昭和の日 (Wed); 5/2-3 weekend (5/3 憲法記念日, Sunday), 5/4 みどりの日, 5/5 こどもの日,
    # 5/6 振替休日: every one of them lands on Friday 5/1.
    for day in (date(2026, 5, 2), date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)):
        assert calendar.on_or_before(day).day == date(2026, 5, 1), day
    assert calendar.on_or_before(date(2026, 4, 29)).day == date(2026, 4, 28)
    substitute = calendar.on_or_before(date(2026, 5, 6)).closure
    assert substitute.kind == "holiday" and "振替休日" in substitute.name


def test_the_note_says_why_in_each_language(app):
    calendar = BusinessCalendar(DEFAULT)
    with app.test_request_context():
        with force_locale("ja"):
            assert calendar.on_or_before(date(2026, 12, 31)).note() == "12/31(休業日: 年末年始) → 12/28"
            assert calendar.on_or_before(date(2026, 5, 5)).note() == "5/5(祝日: こどもの日) → 5/1"
            assert calendar.on_or_before(date(2026, 6, 13)).note() == "6/13(土曜日) → 6/12"
        with force_locale("en"):
            assert calendar.on_or_before(date(2026, 12, 31)).note() == "12/31 (closed: Year-end holidays) → 12/28"
            assert (calendar.on_or_before(date(2026, 5, 6)).note()
                    == "5/6 (national holiday: substitute holiday for Constitution Memorial Day) → 5/1")
            assert calendar.on_or_before(date(2026, 6, 12)).note() == ""


def test_dated_closing_days_and_business_days_after(app):
    calendar = BusinessCalendar("2026-08-13..2026-08-14=夏季休業|Summer closing")
    assert calendar.on_or_before(date(2026, 8, 14)).day == date(2026, 8, 12)  # 8/11 is 山の日
    assert calendar.is_business_day(date(2027, 8, 13))  # once, not every year
    # five business days after Christmas Day 2026 with the year-end closing: 12/28, 1/4, 1/5, 1/6, 1/7
    assert BusinessCalendar(DEFAULT).add_business_days(date(2026, 12, 25), 5) == date(2027, 1, 7)


@pytest.mark.parametrize("raw", ["12-32=x", "2026-13-01", "2026-05-10..2026-05-01=x", "yearly"])
def test_a_setting_that_cannot_be_read_is_refused(raw):
    with pytest.raises(ConfigurationError, match="CLOSING_DAYS"):
        parse_closing_days(raw)


def test_the_app_refuses_to_start_with_unreadable_closing_days(database_url, tmp_path):
    from vendorrisk import create_app
    with pytest.raises(ConfigurationError, match="CLOSING_DAYS"):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": database_url,
                    "INSTANCE_PATH": str(tmp_path), "CLOSING_DAYS": "31-12"})


def test_the_app_reads_the_setting(app):
    with app.app_context():
        assert business_days.business_day(date(2026, 12, 30)) == date(2026, 12, 28)
        assert business_days.business_day(None) is None


def test_lead_reached_answers_as_the_calendar_look_up_does():
    """The short cut (a day already come needs no look-up) answers what placing every day did."""
    calendar = BusinessCalendar(DEFAULT)

    def looked_up(due, today, leads):
        for lead in sorted(leads):
            if today >= calendar.on_or_before(due - timedelta(days=lead)).day:
                return lead
        return None

    for today in (date(2026, 12, 24) + timedelta(days=n) for n in range(0, 130, 3)):
        for ahead in range(-3, 70):
            due = today + timedelta(days=ahead)
            assert calendar.lead_reached(due, today, [30, 7]) == looked_up(due, today, [30, 7]), (due, today)


def test_due_line_is_kept_per_language(app):
    with app.test_request_context():
        with force_locale("ja"):
            ja = business_days.due_line(date(2026, 12, 28), date(2027, 1, 1))
        with force_locale("en"):
            en = business_days.due_line(date(2026, 12, 28), date(2027, 1, 1))
        with force_locale("ja"):
            assert business_days.due_line(date(2026, 12, 28), date(2027, 1, 1)) == ja
        assert "年末年始" in ja and "Year-end holidays" in en and ja != en
        assert business_days.due_line(date(2026, 12, 28), None) == ""
