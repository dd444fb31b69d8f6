"""Fixtures: an app with its own database per test (SQLite or PostgreSQL), clients, users.

``VENDORRISK_TEST_DB=postgres`` runs the suite on a throwaway PostgreSQL cluster started
here; the default is SQLite. Each test gets a fresh copy of a database migrated once per
worker, so tests never share data.
"""
import itertools
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from tests import factories
from tests.openapi_contract import ContractCheckingClient
from vendorrisk import create_app
from vendorrisk.core import clock
from vendorrisk.core.db import new_session

ENGINE = os.environ.get("VENDORRISK_TEST_DB", "sqlite")

# Property-based tests: a bounded number of examples, the same ones on every run (no flaky
# failures, no example database written), within the suite's time budget.
settings.register_profile("vendorrisk", max_examples=40, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.load_profile("vendorrisk")
_counter = itertools.count()
COLLECTION_DAY = clock.today()  # the member's day when the run started (Asia/Tokyo)


@pytest.fixture(autouse=True)
def _collection_day_kept(request, monkeypatch):
    """A test module that reads ``TODAY = clock.today()`` once, at collection, keeps the app's
    clock on that day. A run that crosses midnight in Tokyo (15:00 UTC) otherwise compares due
    dates counted from the next day with ones counted from TODAY. The clock is moved back by
    whole days and keeps running; modules with a fixed TODAY, and runs that cross no midnight,
    are left alone."""
    day = getattr(request.module, "TODAY", None)
    if isinstance(day, date) and day == COLLECTION_DAY:
        shift = clock.today() - day
        if shift:
            running = clock._now
            monkeypatch.setattr(clock, "_now", lambda: running() - shift)


def pytest_report_header(config):
    return f"vendorrisk test database: {ENGINE}"


@pytest.fixture(scope="session")
def pg_cluster():
    if ENGINE != "postgres":
        yield None
        return
    from tests.pg import Cluster
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


def _make_app(url: str, instance: Path, **extra):
    config = {"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789", "DATABASE_URL": url,
              "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING",
              "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1}
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, pg_cluster):
    """A database migrated once per worker; tests copy it."""
    from vendorrisk.core import migrate
    folder = tmp_path_factory.mktemp("template")
    if ENGINE == "postgres":
        url = pg_cluster.url("vr_template")
        admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE vr_template"))
        admin.dispose()
    else:
        url = f"sqlite:///{folder / 'template.sqlite'}"
    app = _make_app(url, folder)
    migrate.upgrade(app)
    app.extensions["vendorrisk.engine"].dispose()
    return url


@pytest.fixture
def database_url(template_db, tmp_path, pg_cluster):
    """A fresh database for one test, copied from the migrated template."""
    if ENGINE == "postgres":
        name = f"t_{os.getpid()}_{next(_counter)}"
        admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE vr_template'))
        yield pg_cluster.url(name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        source = Path(template_db.removeprefix("sqlite:///"))
        target = tmp_path / "test.sqlite"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"


@pytest.fixture
def app_config():
    """Extra settings for the ``app`` fixture; override in a test module to change them."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    """The app on a fresh database, in testing mode (CSRF off unless a test turns it on)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    application = _make_app(database_url, instance, **app_config)
    application.test_client_class = ContractCheckingClient  # every API answer checked against the OpenAPI document
    yield application
    application.extensions["vendorrisk.engine"].dispose()


@pytest.fixture
def contributions(app):
    """What the areas registered on this app (obligations, evidence and reminder sources, ...)."""
    from vendorrisk.core import registry
    return registry.of(app)


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free local port; ``smtp.messages`` is what it received."""
    from tests.smtp import SmtpServer
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def live_server(app):
    """The test app served live on a free local port (``tests.helpers.served``); yields its
    base URL."""
    from tests.helpers import served
    with served(app) as url:
        yield url


@pytest.fixture
def smtp_settings(smtp):
    """Settings that point the app at the ``smtp`` server; use them as a module's ``app_config``."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_TIMEOUT": 5,
            "SMTP_SENDER": "vendorrisk@member.example.jp", "BASE_URL": "https://vr.example.jp"}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session inside an app context, for arranging data and checking results.

    Commit what you arrange before making requests, and start assertions on data that
    requests changed with ``db.rollback()`` (or ``db.expire_all()`` after a commit), so
    that SQLite's snapshot of an open read transaction is not what you check.
    """
    with app.app_context():
        session = new_session()
        yield session
        session.rollback()
        session.close()


@pytest.fixture
def login(app, client, db):
    """``login(role)`` creates a user with that role, signs the client in, returns the user."""
    def sign_in(role: str = "compliance", email: str | None = None):
        db.commit()  # end a read snapshot older than the last request's writes (signing out writes)
        user = factories.gen_user(db, role=role, email=email)
        db.commit()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user
    return sign_in


class ApiClient:
    """A test client that sends a bearer token with every request."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def open(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, **kw): return self.open("GET", path, **kw)
    def post(self, path, **kw): return self.open("POST", path, **kw)
    def put(self, path, **kw): return self.open("PUT", path, **kw)
    def patch(self, path, **kw): return self.open("PATCH", path, **kw)
    def delete(self, path, **kw): return self.open("DELETE", path, **kw)


@pytest.fixture
def api(app, db):
    """``api(role)`` returns a client authenticated by a fresh token of a user with that role."""
    from vendorrisk.core import users

    def make(role: str = "compliance", email: str | None = None) -> ApiClient:
        user = factories.gen_user(db, role=role, email=email)
        _record, token = users.create_token(db, user, "test")
        db.commit()
        return ApiClient(app.test_client(), token)
    return make
