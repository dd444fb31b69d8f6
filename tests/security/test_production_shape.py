"""Production shape (issue 16): two ``vendorrisk serve`` processes and two ``vendorrisk
scheduler`` processes on one PostgreSQL, through a bounded mixed load.

On the demo portfolio (whose overdue reviews and findings make reminders due), both
servers and both schedulers start together; 8 clients send a fixed number of requests,
alternating between the servers: vendors registered, certificates uploaded (one shared
file store), findings raised, lists and exports read. Then: no 5xx; every vendor and
certificate a server confirmed is stored exactly once and its file reads back the same
from the other server; every reminder was sent exactly once (one message per sent
reminder, no Message-ID or recipient/subject twice, nothing left pending); the audit
trail holds every change and ``vendorrisk audit verify`` passes. The figures are printed
(``pytest -s``)."""
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select, text

from tests.certificates.factories import pdf_bytes
from tests.conftest import ENGINE
from tests.ports import bound_port
from vendorrisk.certificates.models import Certificate
from vendorrisk.core.models import AuditEntry
from vendorrisk.monitoring.models_reminders import Reminder
from vendorrisk.vendors.models import Vendor

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="two servers and two schedulers on one PostgreSQL")
CLIENTS, ROUNDS = 8, 6  # each round: 5 requests -> 240 requests in all


@pytest.fixture
def app_config(smtp_settings):
    return smtp_settings


def _start(args, env, log):
    return subprocess.Popen([sys.executable, "-m", "vendorrisk", *args], env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(base: str, process, deadline: float, log_path) -> None:
    while time.time() < deadline:
        assert process.poll() is None, "a server stopped at start-up: " + log_path.read_text(errors="replace")[-2000:]
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} was not ready in time")


def _client(number: int, bases: list[str], token: str, demo_vendor: int, results: list, barrier):
    # closed at the end: a session left to the garbage collector closes its pooled sockets whenever
    # that runs, with a ResourceWarning that fails whichever test runs then
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        barrier.wait(timeout=60)
        for round_ in range(ROUNDS):
            base = bases[(number + round_) % 2]
            other = bases[(number + round_ + 1) % 2]
            name = f"負荷テスト{number}-{round_}株式会社"
            created = session.post(f"{base}/api/v1/vendors", json={"name": name}, timeout=60)
            results.append(("create vendor", created.status_code, name))
            if created.status_code != 201:
                continue
            vendor_id = created.json()["id"]
            data = pdf_bytes(f"report {number}-{round_}")
            upload = session.post(f"{other}/api/v1/vendors/{vendor_id}/certificates", timeout=60,
                                  data={"type": "soc2_type2", "issuer": "監査法人", "period_start": "2025-04-01",
                                        "period_end": "2026-03-31"},
                                  files={"file": (f"iso-{number}-{round_}.pdf", data, "application/pdf")})
            results.append(("upload certificate", upload.status_code, hashlib.sha256(data).hexdigest()))
            finding = session.post(f"{base}/api/v1/findings", timeout=60,
                                   json={"vendor_id": demo_vendor, "title": f"負荷の指摘 {number}-{round_}"})
            results.append(("raise finding", finding.status_code, ""))
            listed = session.get(f"{other}/api/v1/vendors?per_page=100", timeout=60)
            results.append(("list vendors", listed.status_code, ""))
            export = session.get(f"{base}/api/v1/register.xlsx", timeout=120)
            results.append(("export register", export.status_code, ""))


def test_two_servers_and_two_schedulers_on_one_postgresql(app, db, runner, smtp, database_url, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    token = runner.invoke(args=["create-token", "compliance@example.jp"]).output.strip().splitlines()[-1]
    demo_vendor = db.execute(text("SELECT vendor_id FROM arrangement ORDER BY id LIMIT 1")).scalar_one()
    db.rollback()
    env = dict(os.environ, VENDORRISK_DATABASE_URL=database_url, VENDORRISK_SECRET_KEY="production-shape-secret-4f9c2a7e1b8d6035",
               VENDORRISK_INSTANCE_PATH=app.instance_path, VENDORRISK_SMTP_HOST="127.0.0.1",
               VENDORRISK_SMTP_PORT=str(smtp.port), VENDORRISK_LOG_LEVEL="WARNING",
               VENDORRISK_SCHEDULER_SWEEP_MINUTES="1", VENDORRISK_BASE_URL="https://vr.example.jp")
    log = (tmp_path / "processes.log").open("wb")
    # port 0: each server binds one the system chooses, read back from /proc (tests.ports) — a
    # port found free here could be taken before the server binds it, and the readiness check
    # would then ask another test's server
    processes = [_start(["serve", "--port", "0", "--threads", "4"], env, log) for _ in range(2)]
    try:
        deadline = time.time() + 60
        ports = [bound_port(process, 60, lambda: (tmp_path / "processes.log").read_text(errors="replace")[-2000:])
                 for process in processes]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes):
            _wait_ready(base, process, deadline, tmp_path / "processes.log")
        processes += [_start(["scheduler"], env, log) for _ in range(2)]  # both sweep at start-up
        results: list = []
        barrier = threading.Barrier(CLIENTS)
        started = time.perf_counter()
        threads = [threading.Thread(target=_client, args=(n, bases, token, demo_vendor, results, barrier))
                   for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.perf_counter() - started
        quiet_since, count = time.time(), -1
        while time.time() - quiet_since < 5 and time.time() < started + 600:  # the schedulers' sends settle
            if len(smtp.messages) != count:
                count, quiet_since = len(smtp.messages), time.time()
            time.sleep(0.5)
        files = {sha: requests.get(f"{bases[1]}/api/v1/certificates/{cid}/file", timeout=60,
                                   headers={"Authorization": f"Bearer {token}"}).content
                 for cid, sha in db.execute(text("SELECT c.id, f.sha256 FROM certificate c JOIN stored_file f "
                                                 "ON f.id = c.file_id")).all()}
        db.rollback()
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT if process.args[-1] == "scheduler" else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    output = (tmp_path / "processes.log").read_text(errors="replace")

    statuses = Counter((what, status) for what, status, _ in results)
    assert len(results) == CLIENTS * ROUNDS * 5, statuses
    assert not [r for r in results if r[1] >= 500], (statuses, output[-3000:])
    assert all(status in (200, 201) for (_what, status) in statuses), statuses
    # nothing lost, nothing duplicated
    created = [name for what, status, name in results if what == "create vendor" and status == 201]
    stored = Counter(db.scalars(select(Vendor.name).where(Vendor.name.like("負荷テスト%"))))
    assert stored == Counter(created) and max(stored.values()) == 1
    uploaded = {sha for what, status, sha in results if what == "upload certificate" and status == 201}
    assert uploaded <= set(files) and all(hashlib.sha256(files[sha]).hexdigest() == sha for sha in uploaded)
    assert db.scalar(select(func.count()).select_from(Certificate)) == len(files)
    logged = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "vendor", AuditEntry.action == "create", AuditEntry.after.like("%負荷テスト%")))
    assert logged == len(created)
    # reminders: each sent once, by whichever scheduler claimed it
    reminders = Counter(db.scalars(select(Reminder.status)))
    assert reminders["sent"] >= 10 and set(reminders) == {"sent"}, reminders
    assert len(smtp.messages) == reminders["sent"], (len(smtp.messages), reminders)
    assert len({m["message"]["Message-ID"] for m in smtp.messages}) == len(smtp.messages)
    pairs = Counter((tuple(m["to"]), m["message"]["Subject"]) for m in smtp.messages)
    assert max(pairs.values()) == 1, [p for p, n in pairs.items() if n > 1]
    verify = subprocess.run([sys.executable, "-m", "vendorrisk", "audit", "verify"], env=env,
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    print(f"\nproduction shape: {len(results)} requests by {CLIENTS} clients on 2 servers in {elapsed:.1f} s "
          f"({len(results) / elapsed:.1f} requests/s), {len(created)} vendors, {len(uploaded)} certificates, "
          f"{reminders['sent']} reminders sent once by 2 schedulers; {verify.stdout.strip()}")
