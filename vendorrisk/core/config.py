"""Settings: one documented list, read from defaults, instance/config.py and the environment.

Every setting has a name, a default and a help text. The README's settings table is
checked against this list by a test, so a setting cannot be added without documenting it.
Environment variables carry the prefix ``VENDORRISK_`` (``VENDORRISK_SECRET_KEY`` sets
``SECRET_KEY``).
"""
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import Flask

ENV_PREFIX = "VENDORRISK_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "dev", "secret", "placeholder"}


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration."""


def _bool(value: str) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    """One configuration setting with its default and the text that documents it."""

    name: str
    default: Any
    help: str
    cast: Callable[[str], Any] = str


SETTINGS: list[Setting] = [
    Setting("SECRET_KEY", None, "Signs sessions and CSRF tokens. Required outside debug/testing; "
            "a missing or placeholder value stops the app from starting."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL. Default: SQLite file `vendorrisk.sqlite` in the "
            "instance folder. PostgreSQL: `postgresql+psycopg://user:pass@host/db`."),
    Setting("INSTANCE_PATH", None, "Folder for runtime data (database, uploads, config.py). "
            "Default: `instance/` in the checkout. Environment only."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public URL of the app, used for links in e-mails "
            "and calendar feeds."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the session cookie over HTTPS only. Set to true "
            "behind TLS.", _bool),
    Setting("SESSION_LIFETIME_MINUTES", 480, "Sign-in lifetime of a browser session.", int),
    Setting("LOGIN_MAX_FAILURES", 5, "Failed sign-ins per account or address within the window "
            "before further attempts are refused.", int),
    Setting("LOGIN_FAILURE_WINDOW_MINUTES", 15, "Window for counting failed sign-ins.", int),
    Setting("PASSWORD_MIN_LENGTH", 12, "Minimum password length (OWASP ASVS: length, not "
            "composition).", int),
    Setting("MAX_UPLOAD_MB", 25, "Largest accepted upload, in megabytes.", int),
    Setting("MAX_UNPACKED_MB", 200, "Largest total size an uploaded Office/ZIP file may expand "
            "to before it is refused as a decompression bomb.", int),
    Setting("MAX_XML_MB", 16, "Most XML, in megabytes, an uploaded Office file may hold in the "
            "parts read whole into memory (a Word file's parts; a workbook's strings and styles; "
            "worksheets are streamed). Bounds the memory one upload can take.", int),
    Setting("PARSE_TIMEOUT_SECONDS", 60, "Longest time reading one uploaded file (contract, "
            "workbook) may take before it is refused.", int),
    Setting("STORAGE_BACKEND", "local", "Where uploaded files are kept: `local` (instance/uploads) "
            "or `s3` (S3-compatible store)."),
    Setting("S3_BUCKET", "", "Bucket for the `s3` storage backend (install the `s3` extra; "
            "credentials and region from the standard `AWS_*` variables)."),
    Setting("S3_ENDPOINT_URL", "", "Endpoint of an S3-compatible store (empty: AWS default)."),
    Setting("SMTP_HOST", "localhost", "SMTP server for reminders."),
    Setting("SMTP_PORT", 25, "SMTP port.", int),
    Setting("SMTP_SECURITY", "none", "`none`, `starttls` or `tls` (implicit TLS)."),
    Setting("SMTP_USERNAME", "", "SMTP user name (empty: no authentication)."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting("SMTP_SENDER", "vendorrisk@localhost", "From address of reminders."),
    Setting("SMTP_TIMEOUT", 10, "Seconds before an SMTP connection or command gives up.", int),
    Setting("COMPLIANCE_EMAIL", "", "Address that receives escalations (empty: all compliance "
            "users)."),
    Setting("DISPLAY_TIMEZONE", "Asia/Tokyo", "Time zone in which dates are shown (stored in "
            "UTC)."),
    Setting("LOG_LEVEL", "INFO", "Log level of the JSON request log."),
    Setting("SELECTION_APPROVE_PERCENT", 75.0, "Selection assessments: weighted score (percent of "
            "the maximum) from which the band is 'approve'. Kept with each new assessment.", float),
    Setting("SELECTION_CONDITIONS_PERCENT", 55.0, "Selection assessments: weighted score from which "
            "the band is 'approve with conditions'; below it, 'reject'.", float),
    # monitoring (issue 7)
    Setting("REVIEW_FREQUENCY_MONTHS", "critical=3,high=6,medium=12,low=24", "Months between "
            "monitoring reviews by risk tier (Art. 26(1)); a vendor without a tier counts as "
            "medium."),
    Setting("REVIEW_REMINDER_DAYS", "30,7", "Days before a review's due date on which its owner "
            "is reminded (besides the due day and weekly while overdue)."),
    Setting("REMINDER_MAX_ATTEMPTS", 8, "SMTP attempts per reminder before it stays failed "
            "until retried from the outbox.", int),
    Setting("REMINDER_RETRY_MINUTES", 5, "First retry delay after an SMTP failure; doubles with "
            "each attempt (capped at one day).", int),
    Setting("REMINDER_CLAIM_TIMEOUT_MINUTES", 15, "A reminder claimed by a sweep that has not "
            "recorded a result after this long is treated as interrupted and sent again "
            "(at-least-once, see docs/monitoring.md).", int),
    Setting("SCHEDULER_SWEEP_MINUTES", 15, "Interval of the reminder sweep run by `vendorrisk "
            "scheduler`.", int),
    Setting("EXPORT_JOB_POLL_SECONDS", 2, "How often `vendorrisk scheduler` looks for queued "
            "export jobs (matrix, register, board report, DORA, evidence pack).", int),
    Setting("EXPORT_JOB_STALE_MINUTES", 10, "A running export job whose progress has not been "
            "heard of for this long is marked failed (its runner crashed) and may be restarted.", int),
    Setting("SMTP_CA_FILE", "", "PEM file of the CA certificates that verify the SMTP server's "
            "certificate with `starttls`/`tls` (empty: the system trust store)."),
    Setting("SMTP_VERIFY", True, "Verify the SMTP server's certificate and host name. Setting it "
            "to false is unsafe (anyone on the network path can read the mail and the SMTP "
            "password); use SMTP_CA_FILE for a private CA instead.", _bool),
]


def defaults() -> dict[str, Any]:
    """Return every setting's default value."""
    return {s.name: s.default for s in SETTINGS}


def from_environment(environ: os._Environ | dict | None = None) -> dict[str, Any]:
    """Return the settings given as ``VENDORRISK_*`` environment variables, cast to type."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is not None:
            values[setting.name] = setting.cast(raw)
    return values


def is_placeholder_secret(value: str | None) -> bool:
    """Tell whether a secret key is missing, a known placeholder or too short to be real."""
    return value is None or value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 16


def instance_path(test_config: dict | None) -> str:
    """The folder for runtime data: the test's, else ``VENDORRISK_INSTANCE_PATH``, else instance/."""
    return ((test_config or {}).get("INSTANCE_PATH")
            or os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or str(PROJECT_ROOT / "instance"))


def load(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then the test's settings;
    then the values derived from them. Refuses a missing or placeholder secret outside
    debug and testing."""
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    cfg = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "vendorrisk.sqlite")
    relaxed = cfg.get("TESTING") or cfg.get("DEBUG")
    if is_placeholder_secret(cfg.get("SECRET_KEY")):
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
