"""File storage: one interface, content addressed by SHA-256.

The local backend keeps files under ``instance/uploads/ab/cd/<sha256>``. Records refer to
a ``StoredFile`` row; the same content uploaded twice is stored once and recognised.
"""
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlmodel import Session, select

from vendorrisk.core.errors import DomainError
from vendorrisk.core.locking import insert_once
from vendorrisk.core.models import StoredFile
from vendorrisk.core.uploads import Upload


class StorageUnavailable(DomainError):
    """The file store refused or could not be reached; nothing was stored."""

    status, code = 503, "storage_unavailable"


class Backend(Protocol):
    """Where the bytes live."""

    def put(self, sha256: str, data: bytes) -> None:
        """Store bytes under their hash (no-op if present)."""

    def get(self, sha256: str) -> bytes:
        """Return the bytes stored under a hash."""


class LocalBackend:
    """Files in a folder, written atomically."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        """Write the bytes to a temporary file and move it into place."""
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, sha256: str) -> bytes:
        """Read the bytes back."""
        return self._path(sha256).read_bytes()

    def put_file(self, sha256: str, source: Path) -> None:
        """Copy a file into place (no-op if present), never holding it in memory."""
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)

    def local_path(self, sha256: str) -> Path:
        """Where the bytes are on disk (to send them without reading them into memory)."""
        return self._path(sha256)


def backend() -> Backend:
    """The configured storage backend of the current app."""
    configured = current_app.extensions.get("vendorrisk.storage")
    if configured is None:
        name = current_app.config["STORAGE_BACKEND"]
        if name == "local":
            configured = LocalBackend(Path(current_app.instance_path) / "uploads")
        else:
            from vendorrisk.core import storage_s3
            configured = storage_s3.S3Backend.from_config(current_app.config)
        current_app.extensions["vendorrisk.storage"] = configured
    return configured


def store(session: Session, upload: Upload, user_id: int | None = None) -> tuple[StoredFile, bool]:
    """Keep an upload; return its record and whether the same content was already stored.

    The bytes are put first and the ``StoredFile`` row added only after that succeeded, in
    the caller's transaction: a backend failure (``StorageUnavailable``) leaves no row.
    """
    digest = hashlib.sha256(upload.data).hexdigest()
    existing = session.exec(select(StoredFile).where(StoredFile.sha256 == digest)).first()
    backend().put(digest, upload.data)
    if existing is not None:
        return existing, True
    record = StoredFile(sha256=digest, size=len(upload.data), media_type=upload.media_type,
                        original_filename=upload.filename, created_by_id=user_id)
    if insert_once(session, record) is None:  # the same content stored at the same moment
        return session.exec(select(StoredFile).where(StoredFile.sha256 == digest)).one(), True
    return record, False


def read(stored: StoredFile) -> bytes:
    """Return the bytes of a stored file."""
    return backend().get(stored.sha256)


def store_file(session: Session, source: Path, filename: str, media_type: str,
               user_id: int | None = None) -> StoredFile:
    """Keep a file built on disk (an export): hashed and copied in chunks, so its size does
    not count against the memory of the process that built it."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    sha256 = digest.hexdigest()
    store_backend = backend()
    if hasattr(store_backend, "put_file"):
        store_backend.put_file(sha256, Path(source))
    else:
        store_backend.put(sha256, Path(source).read_bytes())
    existing = session.exec(select(StoredFile).where(StoredFile.sha256 == sha256)).first()
    if existing is not None:
        return existing
    record = StoredFile(sha256=sha256, size=size, media_type=media_type, original_filename=filename,
                        created_by_id=user_id)
    session.add(record)
    session.flush()
    return record


def local_path(stored: StoredFile) -> Path | None:
    """The file on local disk, or None when the backend keeps it elsewhere (S3)."""
    store_backend = backend()
    return store_backend.local_path(stored.sha256) if hasattr(store_backend, "local_path") else None

