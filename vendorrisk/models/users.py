"""Users, their roles, personal API tokens and sign-in attempts."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from .base import created_at_field

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
