"""Settings: defaults, instance/config.py, environment, refusal of unfit secret keys."""
import logging
import os
import secrets

import pytest

from vendorrisk import create_app
from vendorrisk.core.config import ConfigurationError, secret_problem

GOOD_KEY = "8f14e45fceea167a5a36dedd4bea2543c9f0f895fb98ab9159f51fd0297e236d"


def test_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("VENDORRISK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ConfigurationError):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "change-me"})


def test_precedence_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance-file-%s'" % GOOD_KEY[:40] + "\nSMTP_PORT = 2525\nMAX_UPLOAD_MB = 7\n")
    monkeypatch.setenv("VENDORRISK_SMTP_PORT", "1025")
    monkeypatch.setenv("VENDORRISK_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-instance-file-" + GOOD_KEY[:40]
    assert app.config["SMTP_PORT"] == 1025           # environment wins over the file, cast to int
    assert app.config["MAX_UPLOAD_MB"] == 7          # file wins over the default
    assert app.config["DISPLAY_TIMEZONE"] == "Asia/Tokyo"
    assert app.config["DATABASE_URL"].endswith("other.sqlite")
    assert app.instance_path == str(tmp_path)


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VENDORRISK_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("VENDORRISK_SECRET_KEY", GOOD_KEY)
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'vendorrisk.sqlite'}"


@pytest.mark.parametrize("key", [
    "insecure-development-key-only",      # the built-in development key of old
    "a" * 16, "a" * 64,                   # one character repeated
    "0123456789abcdef" * 4,               # a pattern repeated
    "short-but-random-Xq9z",              # under 32 characters
    "abababababababababababababababababababab",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",  # long, next to no entropy
])
def test_unfit_keys_refuse_to_start_in_production_and_under_debug(tmp_path, monkeypatch, key):
    monkeypatch.delenv("VENDORRISK_SECRET_KEY", raising=False)
    assert secret_problem(key) is not None
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": key})
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": key, "DEBUG": True})


def test_random_keys_are_accepted():
    for _ in range(200):  # a random 32-hex-digit key (128 bits) and longer ones always pass
        assert secret_problem(secrets.token_hex(16)) is None
        assert secret_problem(secrets.token_urlsafe(32)) is None
    assert secret_problem(GOOD_KEY) is None


def test_debug_without_a_key_uses_a_random_key_per_process_and_says_so(tmp_path, monkeypatch, caplog):
    """Issue 16, 10: FLASK_DEBUG=1 without a key signed sessions with a key known to everyone."""
    monkeypatch.delenv("VENDORRISK_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with caplog.at_level(logging.WARNING, logger="vendorrisk.config"):
        first = create_app({"INSTANCE_PATH": str(tmp_path / "a")})
    second = create_app({"INSTANCE_PATH": str(tmp_path / "b")})
    assert first.debug
    keys = {first.config["SECRET_KEY"], second.config["SECRET_KEY"]}
    assert len(keys) == 2 and "insecure-development-key-only" not in keys
    assert all(secret_problem(k) is None for k in keys)
    assert "random key for this process" in caplog.text
    # an admin session signed with the key anyone could know is not accepted
    from flask import Flask
    forger = Flask("forger")
    forger.secret_key = "insecure-development-key-only"
    forged = forger.session_interface.get_signing_serializer(forger).dumps({"uid": 1, "sv": 1})
    client = first.test_client()
    client.set_cookie("vendorrisk_session", forged)
    assert client.get("/").status_code == 302


def test_new_instance_folder_and_sqlite_file_are_the_owners_only(tmp_path, monkeypatch):
    """Issue 16, 16: the database file was world-readable."""
    monkeypatch.setenv("VENDORRISK_SECRET_KEY", GOOD_KEY)
    old = os.umask(0o022)
    try:
        app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
        from vendorrisk.core import migrate
        migrate.upgrade(app)
    finally:
        os.umask(old)
    assert (tmp_path / "inst").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "inst" / "vendorrisk.sqlite").stat().st_mode & 0o777 == 0o600
    app.extensions["vendorrisk.engine"].dispose()
