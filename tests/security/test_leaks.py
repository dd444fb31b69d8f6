"""Issue 16, 16: what leaks besides the data itself.

Calendar-feed tokens were written in clear to the request log; API token hashes to the audit
trail (see test_sessions_tokens); pages with data carried no ``Cache-Control: no-store``, and
there was no HSTS option; the SQLite file and backups were world-readable."""
import logging
import os
import tarfile

import pytest
from sqlmodel import select

from tests import factories
from vendorrisk.core.models import AuditEntry


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def request_log():
    from vendorrisk.core.logs import JsonFormatter
    handler = _Lines()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vendorrisk")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_calendar_feed_token_is_redacted_in_the_request_log(app, db, client, login, request_log):
    user = login("compliance")
    from vendorrisk.monitoring import calendar
    token = calendar.create_feed(db, user)
    db.commit()
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 200
    assert client.get(f"/calendar/feed/{token}x.ics").status_code == 404
    feed_lines = [line for line in request_log if "/calendar/feed/" in line]
    assert len(feed_lines) == 2
    assert all(token not in line and "[redacted]" in line for line in feed_lines)
    db.rollback()
    trail = " ".join(f"{e.before} {e.after}" for e in db.exec(select(AuditEntry)))
    assert "calendar_feed" in " ".join(db.exec(select(AuditEntry.entity)))
    assert "token_hash" not in trail  # the feed's hash is not in the trail either


@pytest.mark.parametrize("path", ["/", "/vendors/", "/account/", "/login"])
def test_pages_are_not_stored_by_caches(client, login, path):
    login("compliance")
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored_by_caches(api):
    client = api("auditor")
    for path in ("/api/v1/me", "/api/v1/vendors", "/api/v1/openapi.json"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_static_files_stay_cacheable_and_hsts_is_off_by_default(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("app_config", [{"HSTS_SECONDS": 31536000}])
def test_hsts_is_sent_when_set(client, app_config):
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_backups_are_readable_by_their_owner_only(app, db, tmp_path):
    factories.gen_vendor(db)
    db.commit()
    from vendorrisk.core.backup import make_backup
    old = os.umask(0o022)
    try:
        path = make_backup(app, str(tmp_path / "backups"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    with tarfile.open(path) as tar:
        dump = "vendorrisk.sqlite" if app.config["DATABASE_URL"].startswith("sqlite") else "vendorrisk.pgdump"
        assert f"database/{dump}" in tar.getnames()  # the archive format of core/backup.py
