"""Shared column helpers: UTC timestamps and JSON-list columns."""
from datetime import datetime, timezone

from sqlalchemy import JSON
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlmodel import Column, Field


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
