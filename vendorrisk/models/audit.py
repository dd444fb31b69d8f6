"""The audit trail (Art. 11(6)): append-only entries, each hash-chained to the previous."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from .base import created_at_field


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
