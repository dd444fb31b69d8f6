"""An approval asked for early in the morning in Tokyo is asked for on that day, not on the
previous UTC day: its task falls due APPROVAL_DUE_BUSINESS_DAYS business days after the
member's day (a host on UTC is still on yesterday until 09:00 in Tokyo)."""
from datetime import date, datetime, timezone

from tests import factories
from tests.selection.factories import gen_assessment
from vendorrisk.core import tasks as core_tasks

# 08:00 on Monday 7 December 2026 in Tokyo: still Sunday the 6th in UTC
MORNING_IN_TOKYO = datetime(2026, 12, 6, 23, 0, tzinfo=timezone.utc)
MEMBERS_DAY = date(2026, 12, 7)


def test_approvals_asked_before_nine_in_tokyo_count_from_the_members_day(app, db):
    preparer = factories.gen_user(db, role="procurement")
    decider = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, name="株式会社朝の審査先")
    assessment = gen_assessment(db, vendor, preparer, state="submitted")
    assessment.submitted_at = MORNING_IN_TOKYO
    arrangement = factories.gen_arrangement(db, vendor, title="朝の委託")
    link = factories.gen_link(db, arrangement, vendor, factories.gen_vendor(db, name="株式会社朝の再委託先"),
                              recorded_by_id=preparer.id)
    link.created_at = MORNING_IN_TOKYO
    db.commit()
    with app.test_request_context():
        due = core_tasks.approval_due(MEMBERS_DAY)
        assert due != core_tasks.approval_due(date(2026, 12, 6))  # the test tells the two days apart
        listed = {task.kind: task.due for task in core_tasks.gather(db, decider, today=MEMBERS_DAY)}
        first = {task.kind: task.due for task in core_tasks.first(db, decider, 10, today=MEMBERS_DAY)}
    assert listed["decide_assessment"] == due and listed["approve_links"] == due, listed
    assert first["decide_assessment"] == due and first["approve_links"] == due, first
