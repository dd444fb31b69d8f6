"""Throughput with 1, 2 and 4 worker processes on PostgreSQL: does it grow with the cores?

    python bench/throughput.py            # 10,000 vendors, 8 s per run, 2 rounds
    python bench/throughput.py --small    # 1,000 vendors, 3 s per run, 1 round (make bench)

A throwaway PostgreSQL cluster (tests/pg.py) gets the hub portfolio of bench/scale.py; then
``vendorrisk serve`` (Waitress, one process) and gunicorn with 1, 2 and 4 workers
(``vendorrisk serve --workers N``) run side by side on local ports, and wrk (Debian package
``wrk``, C, two threads) loads each in turn, alternating, at 1, 8 and 32 connections. Reported:
requests per second, p50/p99 latency, non-2xx answers, and the CPU time the server processes
(master and workers, from /proc) spent per request. PostgreSQL and the load generator share
the machine's cores with the server, as they would on a small host.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402

from vendorrisk.core import migrate, users  # noqa: E402
from vendorrisk.core.db import new_session, refresh_statistics  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the workers), from /proc."""
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        pids += [int(c) for c in children]
    return total


def start_server(workers: int | None, env: dict, threads: int) -> tuple[subprocess.Popen, int]:
    """``vendorrisk serve`` (workers None: Waitress) or gunicorn with ``workers`` processes."""
    port = free_port()
    if workers is None:
        command = [sys.executable, "-m", "vendorrisk", "serve", "--port", str(port), "--threads", str(threads)]
    else:  # the gunicorn path of ``vendorrisk serve --workers N``, also for N = 1
        command = [sys.executable, "-c", "from vendorrisk import create_app; from vendorrisk.server import "
                   f"serve_gunicorn; serve_gunicorn(create_app(), '127.0.0.1', {port}, {workers}, {threads})"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process, port
        except OSError:
            if time.time() > deadline:
                process.kill()
                raise
            time.sleep(0.2)


def wrk(port: int, path: str, token: str, connections: int, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t", "2" if connections > 1 else "1", "-c", str(connections), "-d", f"{seconds}s",
                          "--latency", "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout

    def ms(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": requests,
            "p50": ms("50"), "p99": ms("99"), "non2xx": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    size = 1000 if args.small else 10_000
    seconds = args.seconds or (3 if args.small else 8)
    rounds = args.rounds or (1 if args.small else 2)
    from tests.pg import Cluster
    cluster = Cluster().start()
    servers = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = cluster.url()
            app = scale.make_app(url, folder)
            migrate.upgrade(app)
            with app.app_context():
                session = new_session(writes=True)
                facts = scale.populate(session, size)
                user = users.create_user(session, email="bench@example.jp", role="compliance", password=scale.PASSWORD)
                _record, token = users.create_token(session, user, "bench")
                session.commit()
                session.close()
            if scale.maintain is not None:
                with app.test_request_context():
                    session = new_session(writes=True)
                    scale.maintain.rebuild(session)
                    session.commit()
                    session.close()
            scale.recount(app)
            refresh_statistics(app.extensions["vendorrisk.engine"])
            app.extensions["vendorrisk.engine"].dispose()
            env = dict(os.environ, VENDORRISK_SECRET_KEY=scale.SECRET, VENDORRISK_DATABASE_URL=url,
                       VENDORRISK_INSTANCE_PATH=folder, VENDORRISK_LOG_LEVEL="WARNING")
            for name, workers in (("Waitress, 1 process", None), ("gunicorn, 1 worker", 1),
                                  ("gunicorn, 2 workers", 2), ("gunicorn, 4 workers", 4)):
                servers[name] = start_server(workers, env, args.threads)
            print(f"{size} vendors ({facts['arrangements']} arrangements, {facts['links']} links) on PostgreSQL; "
                  f"{seconds} s per run, {rounds} round(s), {args.threads} threads per process; "
                  f"load average {os.getloadavg()[0]:.1f}")
            loads = [("/api/v1/vendors", 1), ("/api/v1/vendors", 8), ("/api/v1/vendors", 32),
                     ("/api/v1/compliance-matrix", 32)]
            for name, (_process, port) in servers.items():  # warm every worker up
                wrk(port, "/api/v1/vendors", token, 8, 1)
                wrk(port, "/api/v1/compliance-matrix", token, 8, 1)
            # PostgreSQL's own CPU per request (the postmaster and its backends): the server's
            # share of the two cores, which the workers' processes compete with
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            samples: dict = {}
            for _round in range(rounds):
                for path, connections in loads:
                    for name, (process, port) in servers.items():  # alternating servers within a load
                        before, pg_before = cpu_seconds(process.pid), cpu_seconds(postmaster)
                        found = wrk(port, path, token, connections, seconds)
                        found["cpu_ms"] = (cpu_seconds(process.pid) - before) * 1000 / max(1, found["requests"])
                        found["pg_ms"] = (cpu_seconds(postmaster) - pg_before) * 1000 / max(1, found["requests"])
                        samples.setdefault((path, connections, name), []).append(found)
            for path, connections in loads:
                print(f"\n{path} with {connections} connection(s)")
                base = None
                for name in servers:
                    runs = samples[(path, connections, name)]
                    rps = statistics.median(r["rps"] for r in runs)
                    base = base or rps
                    p50 = statistics.median(r["p50"] for r in runs)
                    p99 = statistics.median(r["p99"] for r in runs)
                    print(f"   {name:<22} {rps:8.1f} req/s ({rps / base:4.2f}x)  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms "
                          f"(p99/p50 {p99 / p50:4.1f})  CPU {statistics.median(r['cpu_ms'] for r in runs):5.2f} ms/request"
                          f" (PostgreSQL {statistics.median(r['pg_ms'] for r in runs):4.2f})"
                          f"  non-2xx {sum(r['non2xx'] for r in runs)}")
            print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for process, _port in servers.values():
            process.terminate()
        for process, _port in servers.values():
            process.wait(timeout=30)
        cluster.stop()


if __name__ == "__main__":
    main()
