"""A consistent backup of the database and the uploaded files, as one .tar.gz."""
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url


def make_backup(app: Flask, target: str | None = None) -> Path:
    """Copy the database (SQLite online backup API, or pg_dump) and uploads into a tarball."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(target or Path(app.instance_path) / "backups")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = make_url(app.config["DATABASE_URL"])
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if url.get_backend_name() == "sqlite":
            db_copy = tmp_path / "vendorrisk.sqlite"
            source = sqlite3.connect(url.database)
            dest = sqlite3.connect(db_copy)
            with dest:
                source.backup(dest)  # consistent even while the app writes
            source.close()
            dest.close()
        else:
            db_copy = tmp_path / "vendorrisk.pgdump"
            pg_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
            subprocess.run(["pg_dump", "--format=custom", f"--file={db_copy}", pg_url], check=True)
        uploads = Path(app.instance_path) / "uploads"
        manifest = {"created_utc": stamp, "database": db_copy.name,
                    "uploads": sum(1 for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else 0}
        (tmp_path / "manifest.json").write_text(json.dumps(manifest, indent=2))
        out = folder / f"vendorrisk-backup-{stamp}.tar.gz"
        # owner-only from the first byte: the archive holds every record and file
        with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(db_copy, arcname=db_copy.name)
            tar.add(tmp_path / "manifest.json", arcname="manifest.json")
            if uploads.exists():
                tar.add(uploads, arcname="uploads")
    return out
