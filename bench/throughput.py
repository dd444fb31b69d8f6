"""Throughput with 1, 2 and 4 worker processes on PostgreSQL: does it grow with the cores?

    python bench/throughput.py            # 10,000 vendors, 8 s per run, 2 rounds
    python bench/throughput.py --small    # 1,000 vendors, 3 s per run, 1 round (make bench)
    python bench/throughput.py --baseline ../main   # the same servers from another checkout too
    python bench/throughput.py --fresh-connections  # every request on a new connection

A throwaway PostgreSQL cluster (tests/pg.py) gets the hub portfolio of bench/scale.py; then
``vendorrisk serve`` (Waitress, one process) and gunicorn with 1, 2 and 4 workers
(``vendorrisk serve --workers N``) run side by side on local ports — with ``--baseline DIR``
also the same four started from the code in DIR — and wrk (Debian package ``wrk``, C, two
threads) loads each in turn, alternating, at 1, 8 and 32 connections. PostgreSQL and the load
generator share the machine's cores with the server, as they would on a small host.

Reported per server and load (medians of the rounds): requests per second and the ratio to
gunicorn's one worker of the same code, p50/p95/p99 latency (wrk's histogram, read by a Lua
``done`` hook), non-2xx answers and socket errors, the CPU time the server processes and
PostgreSQL's spent per request (/proc), the time both spent runnable but waiting for a core
(``/proc/<pid>/task/*/schedstat``: what the machine's other processes took from them), and
for several workers the split, each worker's share of the server's CPU in each run. wrk
keeps its connections alive and each stays with the worker that accepted it, so the split
shows whether 8 connections were spread over the workers or landed on one. With
``--fresh-connections`` each request closes its connection (``Connection: close``), as behind
a reverse proxy that keeps no connection to the app open: every request is accepted anew, by
whichever worker takes it first.

Each server is warmed first with requests that close their connection (``Connection:
close``), so that each is accepted anew and every worker gets some: a worker's first requests
open its database connections and fill its caches, and a worker the warm-up missed would
count that in the runs.
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

from vendorrisk.core import migrate  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = (("Waitress, 1 process", None), ("gunicorn, 1 worker", 1), ("gunicorn, 2 workers", 2),
         ("gunicorn, 4 workers", 4))
LATENCY = """done = function(summary, latency, requests)
  io.write(string.format("LATENCY %.0f %.0f %.0f %.0f\\n", latency:percentile(50), latency:percentile(95),
                         latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def family(pid: int) -> list[int]:
    """The process and its descendants (a gunicorn master and its workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process, all its threads, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its descendants."""
    return sum(cpu_of(p) for p in family(pid))


def waited(pid: int) -> float:
    """Seconds the threads of a process and its descendants spent runnable, waiting for a core
    (the second field of each thread's schedstat; 0 where the kernel keeps none)."""
    total = 0
    for process in family(pid):
        try:
            threads = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                total += int(Path(f"/proc/{process}/task/{thread}/schedstat").read_text().split()[1])
            except (OSError, IndexError):
                continue
    return total / 1e9


def workers(pid: int) -> list[int]:
    """The processes that answer requests: gunicorn's workers, or the one Waitress process."""
    return family(pid)[1:] or [pid]


def start_server(count: int | None, env: dict, threads: int, code: Path) -> tuple[subprocess.Popen, int]:
    """``vendorrisk serve`` (count None: Waitress) or gunicorn with ``count`` worker processes,
    running the package found in ``code``."""
    port = free_port()
    if count is None:
        command = [sys.executable, "-m", "vendorrisk", "serve", "--port", str(port), "--threads", str(threads)]
    else:  # the gunicorn path of ``vendorrisk serve --workers N``, also for N = 1
        command = [sys.executable, "-c", "from vendorrisk import create_app; from vendorrisk.server import "
                   f"serve_gunicorn; serve_gunicorn(create_app(), '127.0.0.1', {port}, {count}, {threads})"]
    env = dict(env, PYTHONPATH=str(code))  # the checkout's own package, not the installed one
    process = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def wrk(port: int, path: str, token: str, connections: int, seconds: int, script: Path, close=False) -> dict:
    headers = ["-H", f"Authorization: Bearer {token}"] + (["-H", "Connection: close"] if close else [])
    # --timeout: wrk leaves an answer slower than this out of its latencies (and counts it as
    # a socket error); its default of 2 s would hide the slowest matrix answers of a busy machine
    out = subprocess.run(["wrk", "-t", "2" if connections > 1 else "1", "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), *headers, f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    p50, p95, p99, longest = (int(v) / 1000 for v in re.search(r"^LATENCY (\d+) (\d+) (\d+) (\d+)$", out, re.M).groups())
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)), "p50": p50, "p95": p95, "p99": p99,
            "max": longest, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0}


def warm(process: subprocess.Popen, port: int, token: str, script: Path) -> bool:
    """Load the server on fresh connections until every worker has served requests (at most
    five tries); False if one never did."""
    for _try in range(5):
        before = {pid: cpu_of(pid) for pid in workers(process.pid)}
        wrk(port, "/api/v1/vendors", token, 8, 2, script, close=True)
        wrk(port, "/api/v1/compliance-matrix", token, 8, 1, script, close=True)
        if all(cpu_of(pid) - before.get(pid, 0.0) > 0.1 for pid in workers(process.pid)):
            return True
    return False


def run(process: subprocess.Popen, port: int, postmaster: int, path: str, token: str, connections: int,
        seconds: int, script: Path, fresh: bool) -> dict:
    """One wrk run, with the CPU and the wait for a core of the server and of PostgreSQL."""
    serving = workers(process.pid)
    load = os.getloadavg()[0]
    cpu, pg_cpu = cpu_seconds(process.pid), cpu_seconds(postmaster)
    wait, pg_wait = waited(process.pid), waited(postmaster)
    per_worker = {pid: cpu_of(pid) for pid in serving}
    found = wrk(port, path, token, connections, seconds, script, close=fresh)
    count = max(1, found["requests"]) / 1000  # the figures below are ms per request
    found.update(load=load, cpu_ms=(cpu_seconds(process.pid) - cpu) / count,
                 pg_ms=(cpu_seconds(postmaster) - pg_cpu) / count, wait_ms=(waited(process.pid) - wait) / count,
                 pg_wait_ms=(waited(postmaster) - pg_wait) / count)
    spent = [cpu_of(pid) - per_worker[pid] for pid in serving]
    found["split"] = "/".join(f"{100 * s / max(sum(spent), 1e-9):.0f}" for s in sorted(spent, reverse=True))
    return found


def report(samples: dict, loads: list, names: list) -> None:
    for path, connections in loads:
        print(f"\n{path} with {connections} connection(s)")
        for name in names:
            runs = samples[(path, connections, name)]
            med = {key: statistics.median(r[key] for r in runs)
                   for key in ("rps", "p50", "p95", "p99", "cpu_ms", "pg_ms", "wait_ms", "pg_wait_ms")}
            label = name[name.index(" ["):] if " [" in name else ""
            base = statistics.median(r["rps"] for r in samples[(path, connections, KINDS[1][0] + label)])
            splits = " ".join(r["split"] for r in runs) if "workers" in name else "-"
            ratios = "/".join(f"{r['p99'] / r['p50']:.1f}" for r in runs)
            print(f"   {name:<30} {med['rps']:6.1f} req/s ({med['rps'] / base:4.2f}x)  p50 {med['p50']:6.1f}"
                  f"  p95 {med['p95']:6.1f}  p99 {med['p99']:6.1f} ms (p99/p50 {med['p99'] / med['p50']:5.1f},"
                  f" runs {ratios})"
                  f"  CPU {med['cpu_ms']:4.2f} ms/req (PostgreSQL {med['pg_ms']:4.2f})"
                  f"  waited for a core {med['wait_ms']:4.2f} (PostgreSQL {med['pg_wait_ms']:4.2f})"
                  f"  split {splits}  non-2xx {sum(r['non2xx'] for r in runs)}"
                  f"  socket errors {sum(r['socket_errors'] for r in runs)}")
        loads_seen = [r["load"] for name in names for r in samples[(path, connections, name)]]
        print(f"   (load average {min(loads_seen):.1f}-{max(loads_seen):.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--baseline", type=Path, help="a checkout whose servers run beside these (A/B)")
    parser.add_argument("--fresh-connections", action="store_true", help="a new connection for every request")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    size = 1000 if args.small else 10_000
    seconds = args.seconds or (3 if args.small else 8)
    rounds = args.rounds or (1 if args.small else 2)
    codes = [("", ROOT)] + ([(f" [{args.baseline.resolve().name}]", args.baseline.resolve())] if args.baseline else [])
    from tests.pg import Cluster
    cluster = Cluster().start()
    servers = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = cluster.url()
            app = scale.make_app(url, folder)
            migrate.upgrade(app)
            facts, token = scale.load_portfolio(app, size)
            scale.settle(app)
            app.extensions["vendorrisk.engine"].dispose()
            script = Path(folder) / "latency.lua"
            script.write_text(LATENCY)
            env = dict(os.environ, VENDORRISK_SECRET_KEY=scale.SECRET, VENDORRISK_DATABASE_URL=url,
                       VENDORRISK_INSTANCE_PATH=folder, VENDORRISK_LOG_LEVEL="WARNING")
            for label, code in codes:
                for name, count in KINDS:
                    servers[name + label] = start_server(count, env, args.threads, code)
            print(f"{size} vendors ({facts['arrangements']} arrangements, {facts['links']} links) on PostgreSQL; "
                  f"{seconds} s per run, {rounds} round(s), {args.threads} threads per process"
                  f"{', a new connection per request' if args.fresh_connections else ''}; "
                  f"load average {os.getloadavg()[0]:.1f}")
            missed = [name for name, (process, port) in servers.items() if not warm(process, port, token, script)]
            if missed:
                print("warm-up did not reach every worker of: " + ", ".join(missed))
            loads = [("/api/v1/vendors", 1), ("/api/v1/vendors", 8), ("/api/v1/vendors", 32),
                     ("/api/v1/compliance-matrix", 32)]
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            samples: dict = {}
            for _round in range(rounds):
                for path, connections in loads:
                    for name, (process, port) in servers.items():  # alternating servers within a load
                        found = run(process, port, postmaster, path, token, connections, seconds, script,
                                    args.fresh_connections)
                        samples.setdefault((path, connections, name), []).append(found)
            report(samples, loads, list(servers))
            print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        for process, _port in servers.values():
            process.terminate()
        for process, _port in servers.values():
            process.wait(timeout=30)
        cluster.stop()


if __name__ == "__main__":
    main()
