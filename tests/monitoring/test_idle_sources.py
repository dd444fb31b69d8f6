"""The reminder sources added after the first sweep bench (反社会的勢力チェック, questionnaire
campaigns, risk acceptances) and the acceptances' expiry cost one statement each when they
have nothing due: a ``LIMIT 1`` probe (``core.db.any_row``) before their full queries.
What they send is covered by their own tests (the probes' bounds: a check due on the
horizon's last day, tests/vendors/test_antisocial_calendar.py)."""
from datetime import date

from sqlalchemy import event

from vendorrisk.core import registry
from vendorrisk.core.db import engine_of, transaction
from vendorrisk.monitoring.remediation import expire_acceptances

TODAY = date(2026, 3, 2)
PROBED = ("antisocial_checks", "questionnaire_campaigns", "monitoring_acceptances")


def _statements(app, work) -> tuple[list[str], object]:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = engine_of(app)
    with app.test_request_context(), transaction(engine=engine) as session:
        session.connection()  # the transaction's BEGIN is not the source's
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = work(session)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return seen, result


def test_sources_with_nothing_due_run_one_statement_each(app, db):
    with app.app_context():
        sources = registry.current().reminder_sources
    for name in PROBED:
        seen, specs = _statements(app, lambda session, name=name: list(sources[name](session, TODAY)))
        assert specs == [] and len(seen) == 1, (name, seen)
        assert "LIMIT" in seen[0].upper(), (name, seen)
    seen, expired = _statements(app, lambda session: expire_acceptances(session, TODAY))
    assert expired == 0 and len(seen) == 1 and "LIMIT" in seen[0].upper(), seen
