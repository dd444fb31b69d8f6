"""Backups and restores: the database and every stored file in one owner-only ``.tar.gz``.

An archive holds ``manifest.json`` (when, which engine, the schema revisions, every file's
SHA-256 and size), the database (``database/vendorrisk.sqlite``: SQLite's online backup, or
``database/vendorrisk.pgdump``: ``pg_dump --format=custom``) and every stored file under
``files/ab/cd/<sha256>``, read through the storage backend (local folder or S3), so a
restore can put them into either. Archives are written as ``0600`` into ``BACKUP_DIR``
(default: ``backups/`` beside the instance folder, never inside it), created ``0700``.

``pg_dump`` and ``pg_restore`` never see the password on their command line: it is written
to a temporary ``0600`` password file named by ``PGPASSFILE`` (a password already in the
environment or ``~/.pgpass`` is used as usual when the URL holds none).

``restore`` refuses an archive with anything but those members (no links, no paths out),
checks every file against its hash, restores only into an empty database (no table holds a
row) unless forced, then migrates to head and verifies the audit trail.
"""
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import URL, make_url

FORMAT = 1
DB_NAMES = {"sqlite": "vendorrisk.sqlite", "postgresql": "vendorrisk.pgdump"}


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass
class Restored:
    """What a restore did."""

    tables: int
    rows: int
    files: int
    audit_entries: int
    audit_problem: str


def backup_folder(app: Flask) -> Path:
    """Where archives go: ``BACKUP_DIR``, else ``backups/`` beside the instance folder."""
    configured = app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(app.instance_path).resolve().parent / "backups"


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` on the PATH, else the newest in Debian's PostgreSQL folders."""
    found = shutil.which(name) or (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [None])[-1]
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools (Debian: postgresql-client).")
    return found


def pg_command(url: URL, folder: Path) -> tuple[str, dict]:
    """The connection string for a PostgreSQL tool (without the password) and its environment:
    the password, if the URL holds one, in a ``0600`` password file in ``folder``."""
    env = dict(os.environ)
    if url.password:
        passfile = folder / "pgpass"
        escape = lambda value: str(value).replace("\\", "\\\\").replace(":", "\\:")  # noqa: E731
        fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"*:*:*:{escape(url.username or '')}:{escape(url.password)}\n")
        env["PGPASSFILE"] = str(passfile)
        env.pop("PGPASSWORD", None)
    conninfo = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string(hide_password=False)
    return conninfo, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(url: URL, folder: Path) -> Path:
    """A consistent copy of the database in ``folder``."""
    target = folder / DB_NAMES[url.get_backend_name()]
    if url.get_backend_name() == "sqlite":
        source, dest = sqlite3.connect(url.database), sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)  # consistent even while the app writes
        finally:
            source.close()
            dest.close()
        return target
    conninfo, env = pg_command(url, folder)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
          f"--dbname={conninfo}"], env)
    return target


def _stored_files(app: Flask, url: URL, copy: Path) -> list[tuple[str, int]]:
    """(sha256, size) of every stored file: from the SQLite copy itself, or from PostgreSQL
    after the dump (a superset of the files the dump names)."""
    query = "SELECT sha256, size FROM stored_file ORDER BY id"
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(copy)
        try:
            return [tuple(row) for row in connection.execute(query)]
        finally:
            connection.close()
    from vendorrisk.core.db import engine_of
    with engine_of(app).connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(timezone.utc).timestamp())
    tar.addfile(info, io.BytesIO(data))


def make_backup(app: Flask, target: str | None = None) -> Path:
    """Write an archive of the database and every stored file; return its path."""
    from vendorrisk.core import migrate, storage

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(target) if target else backup_folder(app)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() not in DB_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {url.get_backend_name()}.")
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as tmp:
        work = Path(tmp)
        dump = _dump_database(url, work)
        files = _stored_files(app, url, dump)
        with app.app_context():
            current, _heads = migrate.schema_status(app)
            store = storage.backend()
        manifest = {"format": FORMAT, "created_utc": stamp, "engine": url.get_backend_name(),
                    "database": f"database/{dump.name}", "revisions": sorted(current),
                    "files": [{"sha256": sha, "size": size} for sha, size in files]}
        partial = work / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            info = tar.gettarinfo(str(dump), arcname=manifest["database"])
            info.mode = 0o600
            with dump.open("rb") as fh:
                tar.addfile(info, fh)
            for sha, _size in files:
                data = store.get(sha)
                if hashlib.sha256(data).hexdigest() != sha:
                    raise BackupError(f"The stored file {sha} does not match its hash; nothing was written.")
                _add_bytes(tar, f"files/{sha[:2]}/{sha[2:4]}/{sha}", data)
        out = folder / f"vendorrisk-backup-{stamp}.tar.gz"
        os.replace(partial, out)
    return out


def _members(tar: tarfile.TarFile) -> tuple[dict, dict[str, tarfile.TarInfo]]:
    """The manifest and the archive's members, refusing anything a backup does not hold."""
    members: dict[str, tarfile.TarInfo] = {}
    for member in tar.getmembers():
        parts = member.name.split("/")
        allowed = (member.name == "manifest.json" or (len(parts) == 2 and parts[0] == "database"
                                                       and parts[1] in DB_NAMES.values())
                   or (len(parts) == 4 and parts[0] == "files" and len(parts[3]) == 64
                       and parts[3].isalnum() and parts[1:3] == [parts[3][:2], parts[3][2:4]]))
        if not member.isfile() or not allowed:
            raise BackupError(f"{member.name!r} is not part of a vendorrisk backup: the archive is refused.")
        members[member.name] = member
    if "manifest.json" not in members:
        raise BackupError("The archive has no manifest.json: it is not a vendorrisk backup.")
    manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
    if manifest.get("format") != FORMAT or manifest.get("database") not in members:
        raise BackupError("The archive's manifest does not describe a vendorrisk backup of this version.")
    return manifest, members


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
        return {n: connection.execute(select(func.count()).select_from(text(f'"{n}"'))).scalar_one() for n in names}


def restore(app: Flask, archive: str | Path, force: bool = False) -> Restored:
    """Restore an archive into the app's database and file store (see the module's text)."""
    from vendorrisk.core import audit, migrate, storage
    from vendorrisk.core.db import engine_of, new_session

    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = engine_of(app)
    with tarfile.open(archive, "r:gz") as tar:
        manifest, members = _members(tar)
        if manifest["engine"] != url.get_backend_name():
            raise BackupError(f"This is a {manifest['engine']} backup; the app's database is "
                              f"{url.get_backend_name()}. Restore it into a {manifest['engine']} database.")
        holding = {name: count for name, count in _row_counts(engine).items() if count}
        if holding and not force:
            raise BackupError("The database already holds data (" + ", ".join(
                f"{name}: {count}" for name, count in sorted(holding.items())[:5]) + "). Restore into an empty "
                "database, or pass --force to replace everything in it.")
        store = storage.backend()
        for entry in manifest["files"]:
            sha = entry["sha256"]
            data = tar.extractfile(members[f"files/{sha[:2]}/{sha[2:4]}/{sha}"]).read()
            if hashlib.sha256(data).hexdigest() != sha:
                raise BackupError(f"The file {sha} in the archive is damaged; the database was not restored.")
            store.put(sha, data)
        folder = Path(url.database).parent if url.get_backend_name() == "sqlite" else None
        with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as tmp:
            dump = Path(tmp) / Path(manifest["database"]).name
            with tar.extractfile(members[manifest["database"]]) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            engine.dispose()
            if url.get_backend_name() == "sqlite":
                for suffix in ("-wal", "-shm"):
                    Path(url.database + suffix).unlink(missing_ok=True)
                os.chmod(dump, 0o600)
                os.replace(dump, url.database)
            else:
                conninfo, env = pg_command(url, Path(tmp))
                _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                      "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(dump)], env)
    engine.dispose()
    with app.app_context():
        migrate.upgrade(app)
        counts = _row_counts(engine)
        session = new_session(engine)
        try:
            checked, broken, reason = audit.verify(session)
        finally:
            session.close()
    problem = "" if broken is None else f"entry {broken}: {reason}"
    return Restored(tables=len(counts), rows=sum(counts.values()), files=len(manifest["files"]),
                    audit_entries=checked, audit_problem=problem)
