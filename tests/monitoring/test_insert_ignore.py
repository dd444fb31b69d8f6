"""INSERT ... ON CONFLICT DO NOTHING (``monitoring/insert_ignore.py``): on SQLite one
executemany whose row count says how many went in (on PostgreSQL, whose driver gives no such
count, RETURNING); ``inserted`` names the rows it inserted, also when another writer had
taken some of the keys first (then, on SQLite, its savepoint is rolled back and the rows go
in again with RETURNING)."""
from datetime import date, datetime, timezone

from sqlalchemy import event, select

from vendorrisk.core.db import engine_of, transaction
from vendorrisk.monitoring.insert_ignore import insert_ignore, inserted
from vendorrisk.monitoring.models_reminders import Reminder

REMINDERS = Reminder.__table__
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _row(subject_id: int, line: str = "new") -> dict:
    return {"subject_type": "review", "subject_id": subject_id, "kind": "due_today", "due_date": date(2026, 6, 1),
            "recipient": "owner@example.com", "recipient_user_id": None, "language": "ja", "subject_line": line,
            "body": "", "link": "", "status": "pending", "attempts": 0, "last_error": "", "created_at": NOW,
            "claimed_by": "", "attachment_file_id": None, "attachment_name": "", "reply_to": ""}


def _sqlite(app) -> bool:
    return engine_of(app).dialect.name == "sqlite"


def _run(app, work) -> tuple[object, list[str]]:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement.upper())

    engine = engine_of(app)
    with app.test_request_context(), transaction(engine=engine) as session:
        event.listen(engine, "before_cursor_execute", count)
        try:
            result = work(session)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return result, seen


def _stored(app) -> dict[int, str]:
    with app.test_request_context(), transaction(engine=engine_of(app)) as session:
        return {r.subject_id: r.subject_line for r in session.execute(select(REMINDERS))}


def test_rows_go_in_as_one_executemany_and_the_count_says_how_many(app, db):
    count, seen = _run(app, lambda session: insert_ignore(session, REMINDERS, [_row(1), _row(2), _row(3)]))
    assert count == 3 and (not _sqlite(app) or not any("RETURNING" in s for s in seen)), seen
    count, _seen = _run(app, lambda session: insert_ignore(session, REMINDERS, [_row(3, "again"), _row(4)]))
    assert count == 1
    assert _stored(app) == {1: "new", 2: "new", 3: "new", 4: "new"}


def test_inserted_names_every_row_when_no_key_was_taken(app, db):
    found, seen = _run(app, lambda session: inserted(session, REMINDERS, [_row(1), _row(2)], REMINDERS.c.subject_id))
    assert found == [1, 2] and (not _sqlite(app) or not any("RETURNING" in s for s in seen)), seen


def test_inserted_names_only_its_own_rows_when_another_writer_took_a_key(app, db):
    _run(app, lambda session: insert_ignore(session, REMINDERS, [_row(2, "the other writer's")]))
    found, seen = _run(app, lambda session: inserted(session, REMINDERS, [_row(1), _row(2), _row(3)],
                                                      REMINDERS.c.subject_id))
    assert sorted(found) == [1, 3]
    assert any("RETURNING" in s for s in seen), seen  # SQLite: the second attempt, after the savepoint's rollback
    assert _stored(app) == {1: "new", 2: "the other writer's", 3: "new"}
