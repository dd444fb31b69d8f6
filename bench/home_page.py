"""Bench of the start page 「自分のタスク」 (``GET /``) for a compliance officer at 1k, 10k and
50k vendors, this code against another checkout (``--base``, e.g. ``/work/main``) in the
same run, on the same database.

    python bench/home_page.py --small                                  # 1,000 vendors
    python bench/home_page.py --sizes 1000,10000,50000 --base /work/main
    python bench/home_page.py --sizes 10000 --engine postgres --base /work/main

Data: the hub portfolio of ``bench/scale.py`` (its findings nobody owns and its links waiting
for approval are compliance's tasks, its approved vendors never checked too), plus a
反社会的勢力チェック for 60 % of the vendors falling due from 40 days ago to a year ahead and
an open monitoring review for each tier-1 vendor. Each code base runs in a child process of
its own (its ``vendorrisk`` imported from its checkout) on the same database; the rounds
alternate between them (A/B/A/B) and the figures are medians of wall and CPU time per request.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
root, url, folder = sys.argv[1:4]
sys.path.insert(0, root)
import vendorrisk
from vendorrisk import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789-abcdef-0123456789",
                  "DATABASE_URL": url, "INSTANCE_PATH": folder, "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
client = app.test_client()
assert client.post("/login", data={"email": "bench@example.jp", "password": "quiet river lantern 0123"}).status_code == 302
page = client.get("/").get_data(as_text=True)
print(json.dumps({"module": vendorrisk.__file__, "rows": page.count('data-test="task"')}), flush=True)
for line in sys.stdin:
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get("/")
    wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200
    print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
"""


def extra_tasks(app, seed: int = 11) -> dict:
    """Checks falling due and open reviews, bulk-inserted as ``scale.populate`` does."""
    from sqlalchemy import insert, select

    from vendorrisk.core.db import new_session
    from vendorrisk.monitoring.models import MonitoringReview
    from vendorrisk.vendors.models import AntisocialCheck, Arrangement, Vendor
    rng, today = random.Random(seed), date.today()
    with app.app_context():
        session = new_session(writes=True)
        vendors = list(session.scalars(select(Arrangement.vendor_id).distinct()))
        every = list(session.scalars(select(Vendor.id)))
        checks = []
        for vid in every:
            if rng.random() < 0.6:
                due = today + timedelta(days=rng.randint(-40, 365))
                checks.append({"vendor_id": vid, "checked_on": due - timedelta(days=365), "method": "database",
                               "result": "clear", "evidence_text": "", "evidence_filename": "", "next_due": due})
        session.execute(insert(AntisocialCheck.__table__), checks)
        session.execute(insert(MonitoringReview.__table__), [
            {"vendor_id": vid, "status": "planned", "open_vendor_id": vid, "risk_tier": "high",
             "frequency_months": 12, "due_date": today + timedelta(days=rng.randint(-20, 60)), "checks": {},
             "method": "remote", "outcome": "", "summary": ""} for vid in vendors])
        session.commit()
        session.close()
    return {"checks": len(checks), "reviews": len(vendors)}


def build(size: int, url: str, folder: str) -> dict:
    """The portfolio of ``size`` vendors and the compliance user, counted and analysed."""
    sys.path.insert(0, str(ROOT / "bench"))
    import scale

    from vendorrisk.core import migrate, users
    from vendorrisk.core.db import new_session, refresh_statistics
    app = scale.make_app(url, folder)
    migrate.upgrade(app)
    with app.app_context():
        session = new_session(writes=True)
        facts = scale.populate(session, size)
        users.create_user(session, email="bench@example.jp", role="compliance", password=scale.PASSWORD)
        session.commit()
        session.close()
    facts.update(extra_tasks(app))
    scale.recount(app)
    engine = app.extensions["vendorrisk.engine"]
    refresh_statistics(engine)
    with app.test_request_context():
        from sqlalchemy import select

        from vendorrisk.core import tasks
        session = new_session()
        user = session.scalars(select(users.User).where(users.User.email == "bench@example.jp")).one()
        facts["tasks"] = tasks.count(session, user)
        session.close()
    engine.dispose()
    return facts


def plans(url: str, folder: str) -> list[tuple[float, str, str]]:
    """Each statement of one ``GET /`` with this code: its time (ms), its text and its plan."""
    import time

    from sqlalchemy import event

    from vendorrisk import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789-abcdef-0123456789",
                      "DATABASE_URL": url, "INSTANCE_PATH": folder, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.jp", "password": "quiet river lantern 0123"})
    engine = app.extensions["vendorrisk.engine"]
    seen = []

    def before(conn, cursor, statement, params, context, many):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, many):
        seen.append(((time.perf_counter() - conn.info["bench_started"]) * 1000, statement, params))

    client.get("/")
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    client.get("/")
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (COSTS OFF) "
    found = []
    with engine.connect() as connection:
        for ms, statement, params in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                rows = connection.exec_driver_sql(explain + statement, params).all()
                found.append((ms, statement, "\n".join(" ".join(str(c) for c in r) for r in rows)))
    engine.dispose()
    return found


def child(root: str, url: str, folder: str) -> tuple[subprocess.Popen, dict]:
    """A process serving ``GET /`` with the code of ``root``, one request per line asked."""
    process = subprocess.Popen([sys.executable, "-c", CHILD, root, url, folder], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=root))
    return process, json.loads(process.stdout.readline())


def measure(codes: dict, url: str, folder: str, rounds: int) -> dict:
    """Median wall and CPU ms of ``GET /`` per code base, the rounds alternating."""
    children = {name: child(root, url, folder) for name, root in codes.items()}
    samples = {name: ([], []) for name in codes}
    try:
        for _ in range(rounds):
            for name, (process, _info) in children.items():
                process.stdin.write("go\n")
                process.stdin.flush()
                found = json.loads(process.stdout.readline())
                samples[name][0].append(found["wall"])
                samples[name][1].append(found["cpu"])
    finally:
        for process, _info in children.values():
            process.stdin.close()
            process.wait(timeout=60)
    return {name: {"wall": statistics.median(w), "cpu": statistics.median(c), "rows": children[name][1]["rows"],
                   "module": children[name][1]["module"]} for name, (w, c) in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 vendors only")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated vendor counts")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--base", default=None, help="another checkout to time against (e.g. /work/main)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--plans", action="store_true", help="print the plans of the page's statements")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.pg import throwaway_database
    sizes = [1000] if args.small else [int(s) for s in args.sizes.split(",")]
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    codes = {"this": str(ROOT)} | ({"base": str(Path(args.base).resolve())} if args.base else {})
    print(f"load average {os.getloadavg()[0]:.1f}; code: " + ", ".join(f"{k} = {v}" for k, v in codes.items()))
    for engine in engines:
        results = []
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder, throwaway_database(engine, folder) as url:
                facts = build(size, url, folder)
                found = measure(codes, url, folder, args.rounds)
                statements = plans(url, folder) if args.plans else []
            results.append((size, found))
            print(f"\n== {engine}: {size:,} vendors, {facts['tasks']:,} tasks for compliance "
                  f"({facts['checks']:,} checks, {facts['reviews']:,} open reviews)")
            for name, figures in found.items():
                print(f"   {name:<5} GET /  wall {figures['wall']:8.1f} ms  CPU {figures['cpu']:8.1f} ms  "
                      f"({figures['rows']} rows; {figures['module']})")
            for ms, statement, plan in sorted(statements, key=lambda s: -s[0])[:12]:
                print(f"   {ms:7.1f} ms  {' '.join(statement.split())[:160]}\n      " + plan.replace("\n", "\n      "))
            if "base" in found:
                print(f"   this / base: wall {found['this']['wall'] / found['base']['wall']:.3f}x, "
                      f"CPU {found['this']['cpu'] / found['base']['cpu']:.3f}x")
        if len(results) > 1:
            print(f"\n== {engine}: growth per step (median wall / CPU, ratio to the previous size)")
            for name in codes:
                cells = []
                for (size, found), previous in zip(results, [None] + results[:-1]):
                    cell = f"{size:,}: {found[name]['wall']:.1f}/{found[name]['cpu']:.1f} ms"
                    if previous:
                        cell += (f" ({found[name]['wall'] / previous[1][name]['wall']:.2f}x/"
                                 f"{found[name]['cpu'] / previous[1][name]['cpu']:.2f}x)")
                    cells.append(cell)
                print(f"   {name:<5} " + "   ".join(cells))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
