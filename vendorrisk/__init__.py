"""vendorrisk: outsourcing-risk management under the JVCEA system-risk rules, Arts. 25-27."""
import os
from pathlib import Path

from flask import Flask

from . import config as settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def _instance_path(test_config: dict | None) -> str:
    return ((test_config or {}).get("INSTANCE_PATH")
            or os.environ.get(settings.ENV_PREFIX + "INSTANCE_PATH") or str(PROJECT_ROOT / "instance"))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, i18n, access rules, blueprints and CLI."""
    app = Flask(__name__, instance_path=_instance_path(test_config), instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_mapping(settings.defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    from . import access, audit, content, db, errors, i18n, logs, web, api, cli, health
    from .models import metadata  # noqa: F401  (registers every table)

    audit.init_listeners()
    db.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    access.init_app(app)
    web.init_app(app)
    api.init_app(app)
    health.init_app(app)
    content.init_app(app)
    cli.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    from datetime import timedelta

    cfg = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "vendorrisk.sqlite")
    relaxed = cfg.get("TESTING") or cfg.get("DEBUG")
    if settings.is_placeholder_secret(cfg.get("SECRET_KEY")):
        if not relaxed:
            raise ConfigurationError(
                "VENDORRISK_SECRET_KEY is missing or a placeholder. Set it to a long random "
                "value (python -c 'import secrets; print(secrets.token_hex(32))') or put "
                "SECRET_KEY in instance/config.py.")
        cfg["SECRET_KEY"] = cfg.get("SECRET_KEY") or "insecure-development-key-only"
    cfg["MAX_CONTENT_LENGTH"] = (cfg["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=cfg["SESSION_LIFETIME_MINUTES"])
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_NAME"] = "vendorrisk_session"
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    cfg["JSON_SORT_KEYS"] = False
