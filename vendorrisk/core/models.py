"""The foundation's tables and column helpers: users and their tokens and sign-in attempts,
stored files, the audit trail; UTC timestamps and JSON columns for every area's models."""
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import JSON, Text
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
    # Bumped on password change or deactivation; sessions carrying an older value end.
    session_version: int = Field(default=1)
    created_at: datetime = created_at_field()
    last_login_at: Optional[datetime] = None


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = created_at_field()
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, kept to throttle guessing."""

    __tablename__ = "login_attempt"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    remote_addr: str = Field(default="", max_length=64, index=True)
    success: bool = False
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
