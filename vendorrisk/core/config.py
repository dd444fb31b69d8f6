"""Settings: one documented list, read from defaults, instance/config.py and the environment.

Every setting has a name, a default and a help text. The README's settings table is
checked against this list by a test, so a setting cannot be added without documenting it.
Environment variables carry the prefix ``VENDORRISK_`` (``VENDORRISK_SECRET_KEY`` sets
``SECRET_KEY``).
"""
import logging
import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import Flask

ENV_PREFIX = "VENDORRISK_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "dev", "secret", "placeholder",
                       "insecure-development-key-only"}
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 80  # from character frequencies: 32 random hex digits give 92-130, "aaaa...b" 7
log = logging.getLogger("vendorrisk.config")


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
    Setting("SECRET_KEY", None, "Signs sessions and CSRF tokens. Required: at least 32 random "
            "characters (`python -c 'import secrets; print(secrets.token_hex(32))'`); a missing, "
            "placeholder, short or repetitive key stops the app from starting. Under debug "
            "(`FLASK_DEBUG=1`) without a key, a random key is made for that process only."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL. Default: SQLite file `vendorrisk.sqlite` in the "
            "instance folder. PostgreSQL: `postgresql+psycopg://user:pass@host/db`."),
    Setting("INSTANCE_PATH", None, "Folder for runtime data (database, uploads, config.py). "
            "Default: `instance/` in the checkout. Environment only."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public URL of the app, used for links in e-mails, "
            "calendar feeds and exports."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the session cookie over HTTPS only. Set to true "
            "behind TLS.", _bool),
    Setting("SESSION_LIFETIME_MINUTES", 480, "Sign-in lifetime of a browser session (ended on the "
            "server after it, or at sign-out, revocation, password change or deactivation).", int),
    Setting("LOGIN_MAX_FAILURES", 5, "Failed sign-ins of an account within the window after which "
            "each further attempt must wait (exponential back-off, never a hard lock). Browsers the "
            "account signed in from before count only their own failures.", int),
    Setting("LOGIN_FAILURE_WINDOW_MINUTES", 60, "Window for counting failed sign-ins.", int),
    Setting("LOGIN_BACKOFF_SECONDS", 30, "First wait after LOGIN_MAX_FAILURES failures; doubles "
            "with each further failure.", int),
    Setting("LOGIN_BACKOFF_MAX_SECONDS", 900, "Longest wait between sign-in attempts of one "
            "account.", int),
    Setting("TRUSTED_PROXIES", 0, "Number of reverse proxies in front of the app that set "
            "`X-Forwarded-For` and `X-Forwarded-Proto` (Werkzeug's ProxyFix). 0: the headers are "
            "ignored and the client is the connecting address. Set it only when the app can be "
            "reached through those proxies alone.", int),
    Setting("API_TOKEN_DAYS", 90, "Days a new personal API token works; it ends earlier when "
            "revoked, when its owner changes password or is deactivated.", int),
    Setting("TWO_FACTOR_ROLES", "", "Roles that must sign in with a second factor (TOTP app or "
            "recovery code), comma-separated, e.g. `admin,compliance` (empty: optional for "
            "everyone). API tokens are a factor of their own."),
    Setting("HSTS_SECONDS", 0, "`Strict-Transport-Security` max-age in seconds (0: not sent). Set "
            "it (e.g. 31536000) only when the app is served over HTTPS alone.", int),
    Setting("PASSWORD_MIN_LENGTH", 12, "Minimum password length (OWASP ASVS: length, not "
            "composition).", int),
    Setting("MAX_UPLOAD_MB", 25, "Largest accepted upload, in megabytes.", int),
    Setting("MAX_IMAGE_PIXELS", 80_000_000, "Most pixels one page of an uploaded image (PNG, JPEG, "
            "TIFF) may declare before it is refused as a decompression bomb (an A4 page scanned at "
            "600 dpi is 35 million).", int),
    Setting("MAX_UNPACKED_MB", 200, "Largest total size an uploaded Office/ZIP file may expand "
            "to before it is refused as a decompression bomb.", int),
    Setting("MAX_XML_MB", 16, "Most XML, in megabytes, an uploaded Office file may hold in the "
            "parts read whole into memory (a Word file's parts; a workbook's strings and styles; "
            "worksheets are streamed). Bounds the memory one upload can take.", int),
    Setting("PARSE_TIMEOUT_SECONDS", 60, "Longest time reading one uploaded file (contract, "
            "workbook) may take before it is refused.", int),
    Setting("STORAGE_BACKEND", "local", "Where uploaded files are kept: `local` (instance/uploads) "
            "or `s3` (S3-compatible store)."),
    Setting("BACKUP_DIR", "", "Folder for `vendorrisk backup` archives (created owner-only; archives "
            "are written `0600`). Default: `backups/` beside the instance folder, never inside it."),
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
            "UTC), and whose calendar day is today's date (due dates, overdue, the day of an approval, "
            "dates in documents), whatever the server's clock."),
    Setting("LOG_LEVEL", "INFO", "Log level of the JSON request log."),
    Setting("SELECTION_APPROVE_PERCENT", 75.0, "Selection assessments: weighted score (percent of "
            "the maximum) from which the band is 'approve'. Kept with each new assessment.", float),
    Setting("SELECTION_CONDITIONS_PERCENT", 55.0, "Selection assessments: weighted score from which "
            "the band is 'approve with conditions'; below it, 'reject'.", float),
    # monitoring (issue 7)
    Setting("REVIEW_FREQUENCY_MONTHS", "critical=3,high=6,medium=12,low=24", "Months between "
            "monitoring reviews by risk tier (Art. 26(1)); a vendor without a tier counts as "
            "medium."),
    Setting("FIRST_REVIEW_DAYS", "critical=30,high=60,medium=90,low=90", "Days a vendor never "
            "reviewed has, by risk tier, from the day (in DISPLAY_TIMEZONE) it was recorded in a chain until its first "
            "monitoring review is due, when one review interval from the arrangement's start date has "
            "already passed (an existing contract registered now); never more than one interval."),
    Setting("REVIEW_REMINDER_DAYS", "30,7", "Days before a review's due date on which its owner "
            "is reminded (besides the due day and weekly while overdue)."),
    Setting("MEMBER_NAME", "", "The member's company name, written in the e-mails that send "
            "vendors a questionnaire (empty: the e-mails say 'we')."),
    Setting("CAMPAIGN_REMINDER_DAYS", "7", "Days before a questionnaire campaign's due date on "
            "which vendors that have not returned the workbook are reminded (besides weekly, four "
            "times, once overdue)."),
    Setting("ANTISOCIAL_CHECK_MONTHS", 12, "Months after a 反社会的勢力チェック (anti-social forces "
            "check) until the next one falls due, unless the check says otherwise.", int),
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
    Setting("CONTRACT_OCR_POLL_SECONDS", 10, "How often `vendorrisk scheduler` looks for scanned "
            "contracts (PDFs, images) queued for OCR.", int),
    Setting("CONTRACT_OCR_PAGE_LIMIT", 200, "Most pages of one scanned contract (a PDF or an image) read by OCR; a "
            "longer scan is not read (its OCR fails, saying so) and stays marked scanned.", int),
    Setting("CONTRACT_OCR_PAGE_SECONDS", 120, "Longest time Tesseract may take to read one page of a "
            "scanned contract before its OCR fails.", int),
    Setting("CONTRACT_OCR_STALE_MINUTES", 60, "A contract OCR still running after this long is marked "
            "failed (its runner crashed).", int),
    Setting("SMTP_CA_FILE", "", "PEM file of the CA certificates that verify the SMTP server's "
            "certificate with `starttls`/`tls` (empty: the system trust store)."),
    Setting("SMTP_VERIFY", True, "Verify the SMTP server's certificate and host name. Setting it "
            "to false is unsafe (anyone on the network path can read the mail and the SMTP "
            "password); use SMTP_CA_FILE for a private CA instead.", _bool),
    # business calendar, tasks and remediation (issue 18)
    Setting("CLOSING_DAYS", "12-29..01-03=年末年始|Year-end holidays", "The company's own closing "
            "days besides weekends and national holidays (`jpholiday`): comma-separated "
            "`DAYS=NAME`, DAYS `MM-DD` or `MM-DD..MM-DD` every year (may run over the year end), "
            "or `YYYY-MM-DD[..YYYY-MM-DD]` once; NAME `日本語|English`. Due dates and reminder "
            "days on a closed day move to the previous business day."),
    Setting("APPROVAL_DUE_BUSINESS_DAYS", 5, "Business days within which an approval asked of "
            "someone (an assessment, a sub-outsourcing, a proposed subcontractor, a risk "
            "acceptance, a finding to verify) is due on 自分のタスク.", int),
    Setting("RISK_ACCEPTANCE_REMINDER_DAYS", "30,7", "Days before an accepted risk expires on "
            "which the finding's owner and compliance are reminded."),
    Setting("RISK_ACCEPTANCE_MAX_MONTHS", 12, "Longest time a finding's risk may be accepted "
            "before it must be accepted again or remediated.", int),
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


def secret_problem(value: str | None) -> str | None:
    """What makes a secret key unfit to sign sessions, or ``None`` when it is fit: missing,
    a known placeholder, shorter than 32 characters, a repeated pattern, or too little
    entropy for its length (estimated from how often each character occurs)."""
    if value is None or not str(value).strip():
        return "is missing"
    value = str(value)
    if value.strip().lower() in PLACEHOLDER_SECRETS:
        return "is a placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if any(value == (value[:size] * (len(value) // size + 1))[:len(value)]
           for size in range(1, len(value) // 2 + 1)):
        return "repeats a pattern"
    counts = Counter(value)
    bits = -sum(n * math.log2(n / len(value)) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return "has too little entropy"
    return None


def is_placeholder_secret(value: str | None) -> bool:
    """Tell whether a secret key is unfit for signing sessions (see ``secret_problem``)."""
    return secret_problem(value) is not None


def _check_secret(cfg) -> None:
    """Refuse an unfit secret key outside testing; under debug, a missing key is replaced by
    a random one for this process (sessions end when it stops), and the log says so."""
    problem = secret_problem(cfg.get("SECRET_KEY"))
    if problem is None:
        return
    if cfg.get("TESTING"):
        cfg["SECRET_KEY"] = cfg.get("SECRET_KEY") or secrets.token_hex(32)
        return
    if cfg.get("DEBUG") and cfg.get("SECRET_KEY") is None:
        cfg["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("SECRET_KEY is not set: debug mode uses a random key for this process only; "
                    "sessions and signed links end when it stops")
        return
    raise ConfigurationError(
        f"VENDORRISK_SECRET_KEY {problem}. Set it to at least {MIN_SECRET_LENGTH} random "
        "characters (python -c 'import secrets; print(secrets.token_hex(32))') or put "
        "SECRET_KEY in instance/config.py.")


def instance_path(test_config: dict | None) -> str:
    """The folder for runtime data: the test's, else ``VENDORRISK_INSTANCE_PATH``, else instance/."""
    return ((test_config or {}).get("INSTANCE_PATH")
            or os.environ.get(ENV_PREFIX + "INSTANCE_PATH") or str(PROJECT_ROOT / "instance"))


def load(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then the test's settings;
    then the values derived from them. Refuses an unfit secret key outside testing."""
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    cfg = app.config
    instance = Path(app.instance_path)
    if not instance.exists():
        instance.mkdir(parents=True, mode=0o700)  # database, uploads, config: the owner's only
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "vendorrisk.sqlite")
    _check_secret(cfg)
    cfg["MAX_CONTENT_LENGTH"] = (cfg["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=cfg["SESSION_LIFETIME_MINUTES"])
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_NAME"] = "vendorrisk_session"
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    cfg["JSON_SORT_KEYS"] = False
