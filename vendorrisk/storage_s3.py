"""The S3-compatible storage backend, for installs with more than one app server.

Selected with ``STORAGE_BACKEND=s3``; objects live in ``S3_BUCKET`` (at ``S3_ENDPOINT_URL``
for MinIO, Ceph and the like) under ``ab/cd/<sha256>``, the same layout as the local
backend. Credentials and region come from the usual AWS sources (environment variables,
shared config, instance role). boto3 is imported only here and only when this backend is
chosen, so the app runs without it: ``pip install boto3`` on installs that use S3.
"""
from typing import Any, Mapping


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
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError("STORAGE_BACKEND is s3 but boto3 is not installed: pip install boto3.") from exc
        endpoint = (config.get("S3_ENDPOINT_URL") or "").strip() or None
        return cls(boto3.client("s3", endpoint_url=endpoint), bucket)

    @staticmethod
    def key(sha256: str) -> str:
        """The object key of a hash."""
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def put(self, sha256: str, data: bytes) -> None:
        """Upload the bytes unless an object with this hash is already there."""
        key = self.key(sha256)
        if not self._exists(key):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                                   ContentType="application/octet-stream")

    def get(self, sha256: str) -> bytes:
        """Download the bytes stored under a hash."""
        return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()
