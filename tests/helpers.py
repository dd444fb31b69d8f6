"""Helpers for tests that walk the URL map or compare database contents."""
from sqlalchemy import func, select
from werkzeug.routing import FloatConverter, IntegerConverter

from vendorrisk.core.models import metadata

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BOOKKEEPING_TABLES = {"audit_entry", "login_attempt", "alembic_version", "user_session"}


def sample_url(rule) -> str:
    """A concrete URL for a rule, with placeholder values for its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if isinstance(converter, (IntegerConverter, FloatConverter)) else "x"
    return rule.build(values, append_unknown=False)[1]


def write_rules(app):
    """(rule, method) for every rule that accepts a write method."""
    for rule in app.url_map.iter_rules():
        for method in WRITE_METHODS:
            if method in rule.methods:
                yield rule, method


def table_counts(session) -> dict[str, int]:
    """Row count of every domain table (bookkeeping tables left out)."""
    return {name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items() if name not in BOOKKEEPING_TABLES}


def sign_in_session(client, user) -> None:
    """Sign a test client in without the form (no CSRF): a session in force on the server,
    its key written into the client's cookie."""
    from vendorrisk.core import sessions
    from vendorrisk.core.db import new_session
    with client.application.app_context():
        db = new_session(writes=True)
        _row, key = sessions.start(db, user, second_factor=True)
        db.commit()
        db.close()
    with client.session_transaction() as sess:
        sess["sk"] = key
