"""Issue 16, finding 12: backup -> restore into an empty database gives identical rows, files
and a passing ``audit verify``, on both engines; archives are owner-only and outside the
instance folder; ``pg_dump``/``pg_restore`` never get the password on their command line."""
import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import ENGINE, _make_app
from vendorrisk.core import backup as backup_module


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = {}
            for name in inspect(connection).get_table_names():
                keys = inspect(connection).get_pk_constraint(name)["constrained_columns"] or ["1"]
                order = ", ".join(f'"{k}"' for k in keys)
                tables[name] = [tuple(r) for r in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}'))]
            return tables
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(tmp_path, pg_cluster):
    """The URL of a database with nothing in it (no tables)."""
    if ENGINE == "postgres":
        admin = create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
        name = f"restored_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(pg_cluster.url(name)).set(password="s3cr3t-Passw0rd:with\\colon").render_as_string(
            hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'restored' / 'vendorrisk.sqlite'}"


@pytest.fixture
def recorded_tools(monkeypatch, tmp_path):
    """pg_dump/pg_restore run through a wrapper that records their command line and password file."""
    log = tmp_path / "tools.log"
    real = backup_module.pg_tool

    def wrapped(name):
        script = tmp_path / f"record-{name}"
        script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\n'
                          f'[ -n "$PGPASSFILE" ] && stat -c "passfile %a" "$PGPASSFILE" >> {log}\n'
                          f'exec {real(name)} "$@"\n')
        script.chmod(0o700)
        return str(script)
    monkeypatch.setattr(backup_module, "pg_tool", wrapped)
    return log


def test_backup_then_restore_into_an_empty_database_is_identical(app, runner, database_url, empty_database,
                                                                tmp_path, recorded_tools):
    assert runner.invoke(args=["demo"]).exit_code == 0
    if ENGINE == "postgres":  # the source URL with a password too: it must reach pg_dump only through a file
        app.config["DATABASE_URL"] = make_url(database_url).set(password="s3cr3t-Passw0rd:with\\colon") \
            .render_as_string(hide_password=False)
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    archive = Path(result.output.strip().rsplit(" ", 1)[-1])
    instance = Path(app.instance_path).resolve()
    assert instance not in archive.resolve().parents  # outside the instance folder by default
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    source_rows, source_files = _rows(database_url), _files(instance / "uploads")
    assert source_files and sum(len(rows) for rows in source_rows.values()) > 100

    target_instance = tmp_path / "restored-instance"
    target_instance.mkdir()
    target = _make_app(empty_database, target_instance)
    try:
        restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "Audit trail verified" in restored.output
        verify = target.test_cli_runner().invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
    finally:
        target.extensions["vendorrisk.engine"].dispose()
    assert _rows(empty_database) == source_rows
    assert _files(target_instance / "uploads") == source_files
    if ENGINE == "postgres":
        calls = recorded_tools.read_text()
        assert "s3cr3t" not in calls and "Passw0rd" not in calls, calls
        assert calls.count("passfile 600") == 2, calls  # pg_dump and pg_restore, each with a 0600 file


def _files(folder: Path) -> dict[str, str]:
    """Every stored file: its name and the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_restore_refuses_a_database_that_holds_data(app, runner, db):
    from tests import factories
    factories.gen_vendor(db)
    db.commit()
    archive = runner.invoke(args=["backup"]).output.strip().rsplit(" ", 1)[-1]
    refused = runner.invoke(args=["restore", archive])
    assert refused.exit_code == 1 and "already holds data" in refused.output
    forced = runner.invoke(args=["restore", archive, "--force"])
    assert forced.exit_code == 0, forced.output


@pytest.mark.parametrize("evil", ["../outside.txt", "/etc/evil", "files/ab/cd/../../../x", "link"])
def test_restore_refuses_an_archive_with_foreign_members(app, runner, tmp_path, evil):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        manifest = json.dumps({"format": 1, "engine": "sqlite", "database": "database/vendorrisk.sqlite",
                               "files": []}).encode()
        for name, data in (("manifest.json", manifest), ("database/vendorrisk.sqlite", b"")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo(evil)
        if evil == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1 and "not part of a vendorrisk backup" in refused.output
    assert not (tmp_path / "outside.txt").exists()
