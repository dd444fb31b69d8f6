"""The foundation's tables and column helpers: users, their sign-in sessions, tokens, recovery
codes and sign-in attempts, stored files, the audit trail; UTC timestamps and JSON columns for
every area's models."""
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlmodel import Column, Field, SQLModel

metadata = SQLModel.metadata


def utcnow() -> datetime:
    """Current time, timezone-aware UTC (SQLModel stores and returns UTC)."""
    return datetime.now(timezone.utc)


def created_at_field():
    """A ``created_at`` column filled with the UTC time of insertion."""
    return Field(default_factory=utcnow, nullable=False)


def json_list_field():
    """A JSON list column whose in-place edits are tracked and saved."""
    return Field(default_factory=list, sa_column=Column(MutableList.as_mutable(JSON), nullable=False))


class JSONText(TypeDecorator):
    """A value for a JSON column given as its JSON text already: bound as it is (PostgreSQL
    still casts it to ``json``). For rows written by the thousand with the same value or
    text built once (the first sweep's reviews and verdict links)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect):
        """No processing: the value is JSON text."""
        return None


def json_dict_field():
    """A JSON object column whose in-place edits are tracked and saved."""
    return Field(default_factory=dict, sa_column=Column(MutableDict.as_mutable(JSON), nullable=False))


ROLES = ("admin", "compliance", "procurement", "vendor_owner", "auditor")


class User(SQLModel, table=True):
    """A member of staff who signs in; ``role`` is one of ``ROLES``."""

    __tablename__ = "user_account"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    password_hash: str = Field(default="", max_length=300)
    language: Optional[str] = Field(default=None, max_length=5)  # None: follow the browser
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    last_login_at: Optional[datetime] = None
    # Two-factor sign-in (TOTP, RFC 6238): the secret is set when enrolment starts and in
    # force from ``totp_enabled_at``; the last accepted time step refuses a replayed code.
    totp_secret: Optional[str] = Field(default=None, max_length=64)
    totp_enabled_at: Optional[datetime] = None
    totp_last_step: Optional[int] = None


class UserSession(SQLModel, table=True):
    """A browser sign-in, held on the server: the cookie carries a random key whose SHA-256
    is stored here, so that signing out or revoking ends the session wherever the cookie is."""

    __tablename__ = "user_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime
    last_seen_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    ended_reason: str = Field(default="", max_length=20)  # sign_out, revoked, password, deactivated
    remote_addr: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=200)
    second_factor: bool = False  # signed in with a TOTP or recovery code


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code for two-factor sign-in; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    used_at: Optional[datetime] = None


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is stored. It stops working when it expires,
    is revoked, or its owner changes password or is deactivated."""

    __tablename__ = "api_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = created_at_field()
    expires_at: datetime
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt (password or second factor), kept to slow guessing down.

    ``throttled`` attempts were refused unchecked and do not count as failures; ``device``
    names the browser by its device cookie (empty: a browser not known to the account)."""

    __tablename__ = "login_attempt"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    remote_addr: str = Field(default="", max_length=64, index=True)
    kind: str = Field(default="password", max_length=20)  # password, second_factor
    device: str = Field(default="", max_length=64)
    success: bool = False
    throttled: bool = False
    at: datetime = created_at_field()


class StoredFile(SQLModel, table=True):
    """A file kept by the storage backend; the same content is stored once."""

    __tablename__ = "stored_file"
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    size: int
    media_type: str = Field(max_length=100)  # sniffed from the content
    original_filename: str = Field(max_length=300)  # as first uploaded, may be Japanese
    created_at: datetime = created_at_field()
    created_by_id: Optional[int] = Field(default=None, foreign_key="user_account.id")


class AuditEntry(SQLModel, table=True):
    """One recorded change or access: who, when, what, before and after."""

    __tablename__ = "audit_entry"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    actor_id: Optional[int] = Field(default=None, index=True)
    actor: str = Field(default="system", max_length=254)
    action: str = Field(max_length=20)  # create, update, delete, download, denied, ...
    entity: str = Field(max_length=60, index=True)
    entity_id: str = Field(default="", max_length=60, index=True)
    before: Optional[str] = Field(default=None, sa_column=Column(Text))
    after: Optional[str] = Field(default=None, sa_column=Column(Text))
    request_id: str = Field(default="", max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class ScheduledJob(SQLModel, table=True):
    """What the scheduler process last did with one of its jobs and when it runs next, so
    that pages can tell when the next reminder sweep will plan reviews and send reminders."""

    __tablename__ = "scheduled_job"
    id: str = Field(primary_key=True, max_length=60)
    last_run_at: Optional[datetime] = None
    last_ok: bool = True
    next_run_at: Optional[datetime] = None
    updated_at: datetime = created_at_field()
