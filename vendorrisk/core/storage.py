"""File storage: one interface, content addressed by SHA-256.

The local backend keeps files under ``instance/uploads/ab/cd/<sha256>``. Records refer to
a ``StoredFile`` row; the same content uploaded twice is stored once and recognised.
"""
import contextvars
import errno
import hashlib
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session, select

from vendorrisk.core.errors import DomainError
from vendorrisk.core.locking import insert_once
from vendorrisk.core.models import StoredFile
from vendorrisk.core.uploads import Upload

log = logging.getLogger("vendorrisk.storage")


class StorageUnavailable(DomainError):
    """The file store refused or could not be reached; nothing was stored."""

    status, code = 503, "storage_unavailable"


class Backend(Protocol):
    """Where the bytes live."""

    def put(self, sha256: str, data: bytes) -> bool:
        """Store bytes under their hash (no-op if present); whether they were written."""

    def delete(self, sha256: str) -> None:
        """Remove the bytes stored under a hash (no-op if absent)."""

    def get(self, sha256: str) -> bytes:
        """Return the bytes stored under a hash."""

    def check(self) -> str | None:
        """Why files cannot be stored now (a short reason), or None when they can."""


def unavailable(reason: str, writing: bool, backend_name: str = "local") -> StorageUnavailable:
    """The 503 error of a store that failed, in the user's language."""
    if writing:
        message = _("The file store is unavailable (%(reason)s), so nothing was saved. Try again "
                    "later or ask an administrator to check the storage settings.", reason=reason)
    else:
        message = _("The file could not be read from the file store (%(reason)s). Try again "
                    "later or ask an administrator to check the storage settings.", reason=reason)
    return StorageUnavailable(message, {"backend": backend_name, "reason": reason})


def _reason(exc: OSError) -> str:
    """``ENOSPC`` (disk full), ``EROFS`` (read-only), ``EACCES`` ...: the errno's name."""
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


class LocalBackend:
    """Files in a folder, written atomically: a temporary file beside the target, flushed to
    disk, then renamed into place. A full disk or read-only folder is a 503
    (``StorageUnavailable``) and the temporary file is removed: nothing partial stays."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> bool:
        """Write the bytes to a temporary file and move it into place; ``False`` when they
        were there already."""
        path = self._path(sha256)
        if path.exists():
            return False
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())  # a full disk shows here at the latest, before the rename
            os.replace(tmp, path)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            log.error("local storage failed writing %s: %s", sha256, exc)
            raise unavailable(_reason(exc), writing=True) from None
        return True

    def delete(self, sha256: str) -> None:
        """Remove the file (no-op if absent)."""
        self._path(sha256).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        """Read the bytes back."""
        try:
            return self._path(sha256).read_bytes()
        except OSError as exc:
            log.error("local storage failed reading %s: %s", sha256, exc)
            raise unavailable(_reason(exc), writing=False) from None

    def check(self) -> str | None:
        """Why files cannot be stored now (the errno's name), or None: a probe file is
        written, flushed and removed in the folder."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".ready-") as probe:
                probe.write(b"ready")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            return _reason(exc)
        return None

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


_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("written_blobs", default=None)


@contextmanager
def removed_if_refused() -> Iterator[None]:
    """Files that ``store`` writes in the block (content the store did not hold) are removed
    again when the block raises, so that a write refused part-way (a set whose third file
    meets a full disk, a version-number race) leaves no file without a row. Nested blocks
    share the outermost one. A commit failing after the block can still leave a file, as
    before; and a concurrent upload of the same content that found the file written here
    before it is removed would lose it, so the window is one request's remaining work."""
    if _written.get() is not None:
        yield
        return
    token = _written.set([])
    try:
        yield
    except BaseException:
        for digest in _written.get() or []:
            try:
                backend().delete(digest)
            except Exception:  # noqa: BLE001  (the refusal matters more than the clean-up)
                log.exception("could not remove %s after a refused write", digest)
        raise
    finally:
        _written.reset(token)


def store(session: Session, upload: Upload, user_id: int | None = None) -> tuple[StoredFile, bool]:
    """Keep an upload; return its record and whether the same content was already stored.

    The bytes are put first and the ``StoredFile`` row added only after that succeeded, in
    the caller's transaction: a backend failure (``StorageUnavailable``) leaves no row.
    """
    digest = hashlib.sha256(upload.data).hexdigest()
    existing = session.exec(select(StoredFile).where(StoredFile.sha256 == digest)).first()
    written = backend().put(digest, upload.data)
    if written and existing is None and _written.get() is not None:
        _written.get().append(digest)
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

