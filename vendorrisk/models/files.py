"""Stored files, addressed by the SHA-256 of their content."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from .base import created_at_field


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
