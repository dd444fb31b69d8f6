"""The S3-compatible storage backend, for installs with more than one app server.

Selected with ``STORAGE_BACKEND=s3``; objects live in ``S3_BUCKET`` (at ``S3_ENDPOINT_URL``
for MinIO, Ceph and the like) under ``ab/cd/<sha256>``, the same layout as the local
backend. Credentials and region come from the usual AWS sources (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, shared config, instance role). boto3 is
imported only here and only when this backend is chosen, so the app runs without it:
install the ``s3`` extra (``pip install -c constraints.txt '.[s3]'``) on installs that use S3.
Any failure of the store becomes ``StorageUnavailable`` (HTTP 503) with the S3 error code.
"""
import logging
from typing import Any, Mapping

from flask_babel import gettext as _

from vendorrisk.core.storage import StorageUnavailable

log = logging.getLogger("vendorrisk")

# Fail fast on an unreachable store instead of boto3's default 60 s connect timeout.
CLIENT_OPTIONS = {"connect_timeout": 5, "read_timeout": 60,
                  "retries": {"max_attempts": 3, "mode": "standard"}}


class S3Backend:
    """Bytes kept in an S3 bucket, addressed by their SHA-256."""

    def __init__(self, client: Any, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "S3Backend":
        """Build the backend from ``S3_BUCKET`` and ``S3_ENDPOINT_URL``; explain what is missing."""
        bucket = (config.get("S3_BUCKET") or "").strip()
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND is s3 but S3_BUCKET is empty: set VENDORRISK_S3_BUCKET.")
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError("STORAGE_BACKEND is s3 but boto3 is not installed: "
                               "pip install -c constraints.txt '.[s3]'.") from exc
        endpoint = (config.get("S3_ENDPOINT_URL") or "").strip() or None
        return cls(boto3.client("s3", endpoint_url=endpoint, config=Config(**CLIENT_OPTIONS)), bucket)

    @staticmethod
    def key(sha256: str) -> str:
        """The object key of a hash."""
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _unavailable(self, exc: Exception, writing: bool) -> StorageUnavailable:
        from botocore.exceptions import ClientError
        reason = (exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError)
                  else type(exc).__name__)
        log.error("S3 storage failed (bucket %s): %s", self.bucket, exc)
        if writing:
            message = _("The file store is unavailable (%(reason)s), so nothing was saved. Try again "
                        "later or ask an administrator to check the storage settings.", reason=reason)
        else:
            message = _("The file could not be read from the file store (%(reason)s). Try again "
                        "later or ask an administrator to check the storage settings.", reason=reason)
        return StorageUnavailable(message, {"backend": "s3", "bucket": self.bucket, "reason": reason})

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def put(self, sha256: str, data: bytes) -> bool:
        """Upload the bytes unless an object with this hash is already there; whether they
        were uploaded."""
        from botocore.exceptions import BotoCoreError, ClientError
        key = self.key(sha256)
        try:
            if self._exists(key):
                return False
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                                   ContentType="application/octet-stream")
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc, writing=True) from exc
        return True

    def delete(self, sha256: str) -> None:
        """Remove the object (no-op if absent)."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc, writing=True) from exc

    def get(self, sha256: str) -> bytes:
        """Download the bytes stored under a hash."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise self._unavailable(exc, writing=False) from exc

    def check(self) -> str | None:
        """Why files cannot be stored now (the S3 error code), or None: the bucket is asked."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            return exc.response.get("Error", {}).get("Code") or "ClientError"
        except BotoCoreError as exc:
            return type(exc).__name__
        return None
