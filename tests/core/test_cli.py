"""The command line: users, tokens, demo data, backup, server."""
import os
import secrets
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from sqlmodel import func, select

from tests.ports import bound_port
from vendorrisk.core.models import User
from vendorrisk.vendors.models import OutsourcingLink, Vendor

ROOT = Path(__file__).resolve().parents[2]


def test_create_user_reads_password_from_stdin(runner, db):
    result = runner.invoke(args=["create-user", "Ops@Example.jp", "--role", "compliance", "--password-stdin"],
                           input="a long enough passphrase\n")
    assert result.exit_code == 0, result.output
    assert db.exec(select(User).where(User.email == "ops@example.jp")).one().role == "compliance"


def test_create_user_refuses_a_weak_password_and_stores_nothing(runner, db):
    result = runner.invoke(args=["create-user", "weak@example.jp", "--role", "auditor", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert db.exec(select(User).where(User.email == "weak@example.jp")).first() is None


def test_create_token_prints_the_token_alone_on_the_last_line(runner, client):
    runner.invoke(args=["create-user", "api@example.jp", "--role", "procurement", "--password-stdin"],
                  input="a long enough passphrase\n")
    result = runner.invoke(args=["create-token", "api@example.jp"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["email"] == "api@example.jp"


def test_demo_loads_a_portfolio_once(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "compliance@example.jp" in result.output
    vendors = db.exec(select(func.count()).select_from(Vendor)).one()
    assert vendors >= 12
    assert db.exec(select(func.count()).select_from(OutsourcingLink)).one() >= 10
    again = runner.invoke(args=["demo"])
    assert "already present" in again.output
    db.rollback()
    assert db.exec(select(func.count()).select_from(Vendor)).one() == vendors


def test_backup_writes_database_and_stored_files(app, runner, tmp_path, db):
    from vendorrisk.core import storage
    from vendorrisk.core.uploads import Upload
    with app.test_request_context():
        stored, _same = storage.store(db, Upload(b"data", "a.txt", "txt", "text/plain"))
    db.commit()
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "bk").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    sha = stored.sha256
    assert "manifest.json" in names and f"files/{sha[:2]}/{sha[2:4]}/{sha}" in names
    assert any(n.startswith("database/vendorrisk.") for n in names)


# Seconds a started process has to come up, to record its first sweep or to stop: a bound on
# liveness, not a speed figure. A CI run at load 20 on 2 cores took more than 30 s for
# `serve --with-scheduler` to record its first sweep.
LIVENESS = 120


def _server_env(database_url, tmp_path) -> dict:
    return dict(os.environ, VENDORRISK_SECRET_KEY=secrets.token_hex(32),
                VENDORRISK_DATABASE_URL=database_url, VENDORRISK_INSTANCE_PATH=str(tmp_path))


def _wait_ready(process, seconds: float):
    """The headers of the first 200 answer of the started server's /readyz, asked every 0.3 s
    while the process lives, for at most ``seconds``. The server was started on port 0: it
    binds one the system chooses, read back from /proc (``tests.ports``), not one found free
    here that another process could take before the server binds it."""
    deadline = time.time() + seconds
    port = bound_port(process, seconds)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                assert response.status == 200
                return response.headers
        except OSError:
            assert process.poll() is None and time.time() < deadline, "the server did not start"
            time.sleep(0.3)


def test_serve_runs_a_production_server(app, database_url, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--port", "0"], cwd=ROOT,
                               env=_server_env(database_url, tmp_path), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert _wait_ready(process, LIVENESS)["Server"] == "vendorrisk"  # Waitress, not the debug server
    finally:
        process.terminate()
        process.wait(timeout=LIVENESS)


def test_serve_with_workers_runs_several_processes(app, database_url, tmp_path):
    """``serve --workers 2``: gunicorn forks two worker processes that answer (Linux)."""
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--port", "0", "--workers", "2"],
                               cwd=ROOT, env=_server_env(database_url, tmp_path), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert _wait_ready(process, LIVENESS)["Server"] == "vendorrisk"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2, children
    finally:
        process.terminate()
        process.wait(timeout=LIVENESS)


def test_settle_configures_the_mappers_before_serving(app, database_url, tmp_path):
    """``settle`` (run by ``serve`` before gunicorn forks its workers) configures the ORM's
    mappers: no worker's first query pays for it. A fresh process, as ``serve`` is."""
    code = ("from vendorrisk import create_app; from vendorrisk.server import settle; "
            "from vendorrisk.vendors.models import Vendor; create_app(); before = Vendor.__mapper__.configured; "
            "settle(); print(before, Vendor.__mapper__.configured)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_server_env(database_url, tmp_path),
                          capture_output=True, text=True, timeout=LIVENESS)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True"]


def test_serve_with_workers_and_scheduler_stops_the_scheduler_once(app, database_url, tmp_path):
    """The gunicorn workers are forks of the server process: only that process stops the
    scheduler it started (the workers used to say so too, once each, on their way out)."""
    import signal
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--port", "0", "--workers", "2",
                                "--with-scheduler"], cwd=ROOT, env=_server_env(database_url, tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_ready(process, LIVENESS)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=LIVENESS)
    assert output.count("Server and scheduler stopped.") == 1, output


def test_flask_app_entry_point_knows_the_commands():
    env = dict(os.environ, VENDORRISK_SECRET_KEY=secrets.token_hex(32),
               VENDORRISK_INSTANCE_PATH="/tmp/vendorrisk-cli-help")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "vendorrisk", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=LIVENESS)
    for command in ("db", "create-user", "create-token", "demo", "serve", "audit", "backup"):
        assert command in result.stdout, result.stdout + result.stderr


def test_serve_with_scheduler_runs_the_sweep_beside_the_server_and_stops_both(app, database_url, tmp_path):
    """``make run`` serves with ``--with-scheduler``: the sweep runs in its own process at
    once, records when it runs next, and stops (recording that) when the server stops."""
    import signal

    from sqlalchemy import create_engine, text
    env = dict(os.environ, VENDORRISK_SECRET_KEY="serve-test-secret-0123456789-0123456789-abc",
               VENDORRISK_DATABASE_URL=database_url, VENDORRISK_INSTANCE_PATH=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--with-scheduler", "--port", "0"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    engine = create_engine(database_url)

    def sweep_row():
        with engine.connect() as conn:
            return conn.execute(text("SELECT last_run_at, next_run_at FROM scheduled_job "
                                     "WHERE id = 'reminder_sweep'")).first()
    try:
        port = bound_port(process, LIVENESS)
        deadline = time.time() + LIVENESS
        while (row := sweep_row()) is None or row.next_run_at is None:
            assert process.poll() is None, process.stdout.read()
            assert time.time() < deadline, "the scheduler never recorded its sweep"
            time.sleep(0.3)
        assert row.last_run_at is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=30) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=LIVENESS)
        except subprocess.TimeoutExpired:
            process.kill()  # never leave it running into the next test
            process.communicate()
            raise
    assert "Server and scheduler stopped." in output, output
    assert "Scheduler stopped." in output, output
    assert sweep_row().next_run_at is None  # the scheduler recorded that nothing is planned
    engine.dispose()


def test_a_missing_secret_key_is_one_clear_line_not_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENDORRISK_")}
    env["VENDORRISK_INSTANCE_PATH"] = str(tmp_path)  # no instance/config.py there
    answer = subprocess.run([sys.executable, "-m", "vendorrisk", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=LIVENESS)
    assert "Error: VENDORRISK_SECRET_KEY is missing" in answer.stderr, answer.stderr
    assert "Traceback" not in answer.stderr + answer.stdout


def test_the_scheduler_stops_on_ctrl_c_even_when_started_with_it_ignored(app, database_url, tmp_path):
    """A shell without job control starts background jobs with SIGINT ignored (and Python
    keeps it so): the scheduler still stops on SIGINT, recording that nothing is planned."""
    import signal
    env = dict(os.environ, VENDORRISK_SECRET_KEY=secrets.token_hex(32),
               VENDORRISK_DATABASE_URL=database_url, VENDORRISK_INSTANCE_PATH=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "scheduler"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert "Scheduler started" in process.stdout.readline()
        time.sleep(1)  # into the scheduler's loop
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=LIVENESS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    assert "Scheduler stopped." in output, output
