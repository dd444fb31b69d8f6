"""Settings: defaults, instance/config.py, environment, refusal of placeholder secrets."""
import pytest

from vendorrisk import create_app
from vendorrisk.core.config import ConfigurationError


def test_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("VENDORRISK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ConfigurationError):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "change-me"})


def test_precedence_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance-file-0123456789'\nSMTP_PORT = 2525\nMAX_UPLOAD_MB = 7\n")
    monkeypatch.setenv("VENDORRISK_SMTP_PORT", "1025")
    monkeypatch.setenv("VENDORRISK_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-instance-file-0123456789"
    assert app.config["SMTP_PORT"] == 1025           # environment wins over the file, cast to int
    assert app.config["MAX_UPLOAD_MB"] == 7          # file wins over the default
    assert app.config["DISPLAY_TIMEZONE"] == "Asia/Tokyo"
    assert app.config["DATABASE_URL"].endswith("other.sqlite")
    assert app.instance_path == str(tmp_path)


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VENDORRISK_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("VENDORRISK_SECRET_KEY", "env-secret-0123456789abcdef")
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'vendorrisk.sqlite'}"
