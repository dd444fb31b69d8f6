"""Bench of the worst case at scale: widely shared providers (hubs) that sort onto the first
page, at 1k, 10k and 50k vendors; pages, the dashboard, a write to a hub, and the exports.

    python bench/scale.py --small                       # 1,000 vendors (make bench)
    python bench/scale.py --sizes 1000,10000,50000      # growth per step
    python bench/scale.py --sizes 10000 --engine postgres

Data: one arrangement per 5 vendors, about five links per vendor in chains up to tier 4, and
five cloud providers ("Aクラウド…", sorting before every other name) each in 5 % of the
arrangements as a subcontractor; a third of the arrangements important, a quarter cloud, half
handling user data; data locations, owners, findings. Bulk-inserted with Core (no events),
then ANALYZE and the maintained verdicts' rebuild, as after a real bulk load.

Figures are medians of ``--repeat`` runs, the measures alternating within each round (so that
a burst of load on the shared machine hits them alike), with the plain vendor list of the same
run as the baseline. Exports run as the scheduler runs them, in a child process whose peak
RSS is read from the kernel. On a code base without maintained verdicts (``--legacy``: the
exports are answered synchronously) the same pages and exports are timed for a before/after.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from tests.pg import throwaway_database  # noqa: E402
from vendorrisk import create_app  # noqa: E402

try:
    from vendorrisk import server  # noqa: E402
except ImportError:  # the code before ``serve --workers``
    server = None
from vendorrisk.core import migrate, users  # noqa: E402
from vendorrisk.core.db import new_session, refresh_statistics  # noqa: E402
from vendorrisk.vendors.findings import Finding  # noqa: E402
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor, VendorOwner  # noqa: E402

PASSWORD = "quiet river lantern 0123"
HUBS = 5
SECRET = "bench-secret-key-0123456789-abcdef-0123456789"  # 32+ characters
try:
    from vendorrisk.compliance import maintain  # noqa: E402
except ImportError:  # the code before the maintained matrix
    maintain = None
try:
    from vendorrisk.core import counters  # noqa: E402
except ImportError:  # the code before the maintained counts
    counters = None
try:
    from vendorrisk.vendors.kana import reading_key  # noqa: E402
except ImportError:  # the code before the register's 50音 order
    reading_key = None


KEEP_OUT = ("import sys\nclass NoNumpy:\n def find_spec(self, name, path=None, target=None):\n"
            "  if name.split('.')[0] == 'numpy': raise ImportError('kept out, as in production')\n"
            "sys.meta_path.insert(0, NoNumpy())\n")  # a child's first lines: numpy out, as in production


def load_portfolio(app, size: int) -> tuple[dict, str]:
    """The hub portfolio of ``size`` vendors and the bench's compliance user: the portfolio's
    facts (with ``load_s``, the bulk load's seconds) and an API token of that user."""
    with app.app_context():
        session = new_session(writes=True)
        start = time.perf_counter()
        facts = populate(session, size)
        facts["load_s"] = time.perf_counter() - start
        user = users.create_user(session, email="bench@example.jp", role="compliance", password=PASSWORD)
        _record, token = users.create_token(session, user, "bench")
        session.commit()
        session.close()
    return facts, token


def settle(app) -> float | None:
    """After the bulk load, as the app would stand: the maintained verdicts rebuilt (on code that
    has them), the counts kept, fresh statistics. The rebuild's seconds, or None without one."""
    took = None
    if maintain is not None:
        with app.test_request_context():
            session = new_session(writes=True)
            start = time.perf_counter()
            maintain.rebuild(session)
            session.commit()
            session.close()
            took = time.perf_counter() - start
    recount(app)
    refresh_statistics(app.extensions["vendorrisk.engine"])
    return took


def recount(app) -> None:
    """The maintained counts of the bulk-loaded records (the loader's Core inserts bypass the
    listeners that keep them), as ``db upgrade`` does."""
    if counters is None:
        return
    with app.test_request_context():
        session = new_session(writes=True)
        counters.rebuild(session)
        session.commit()
        session.close()


def populate(session, vendors: int, seed: int = 7) -> dict:
    """Bulk-insert the portfolio; returns the hub ids and counts."""
    rng = random.Random(seed)
    rows = [{"name": f"Aクラウド{i}", "name_en": f"A Cloud {i}", "name_normalized": f"aクラウド{i}", "country": "JP",
             "is_system_subsidiary": False, "is_cloud": True, "status": "approved", "risk_tier": "high",
             "notes": "", "address": ""} for i in range(HUBS)]
    rows += [{"name": f"ベンチ株式会社{i:05d}", "name_en": f"Bench Co {i:05d}", "name_normalized": f"ベンチ{i:05d}",
              "country": "JP", "is_system_subsidiary": False, "is_cloud": i % 7 == 0, "status": "approved",
              "risk_tier": (None, "low", "medium", "high", "critical")[i % 5], "notes": "", "address": ""}
             for i in range(vendors - HUBS)]
    for row in rows if reading_key is not None else ():  # the register's 50音 key, as create_vendor gives it
        row["kana_key"] = reading_key("", row["name_normalized"])
    session.execute(insert(Vendor.__table__), rows)
    ids = list(session.scalars(select(Vendor.id).order_by(Vendor.id)))
    hubs, others = ids[:HUBS], ids[HUBS:]
    tier1 = others[: max(1, vendors // 5)]
    session.execute(insert(Arrangement.__table__), [
        {"vendor_id": vid, "title": f"委託業務 {n}", "service": "system operation", "business_function": "",
         "is_important": n % 3 == 0, "is_cloud": n % 4 == 0, "handles_user_data": n % 2 == 0,
         "user_data_categories": ["氏名"] if n % 4 == 0 else [], "subcontracting_allowed": True,
         "substitutability": "medium", "start_date": date(2024, 4, 1), "exit_plan": "", "status": "active"}
        for n, vid in enumerate(tier1)])
    arrangements = session.execute(select(Arrangement.id, Arrangement.vendor_id).order_by(Arrangement.id)).all()
    links = []
    for n, (arrangement_id, root) in enumerate(arrangements):
        members, seen = [(root, 1)], {root}
        for hub_index, hub in enumerate(hubs):  # each hub in 5 % of the arrangements
            if (n + hub_index * 4) % 20 == 0:
                members.append((hub, 2))
                seen.add(hub)
                links.append((arrangement_id, root, hub))
        for _ in range(25):
            parent, tier = rng.choice([m for m in members if m[1] < 4] or members[:1])
            child = rng.choice(others)
            if child in seen:
                continue
            seen.add(child)
            members.append((child, tier + 1))
            links.append((arrangement_id, parent, child))
    session.execute(insert(OutsourcingLink.__table__), [
        {"arrangement_id": a, "parent_vendor_id": p, "vendor_id": c, "service": "hosting",
         "touches_user_data": rng.random() < 0.3, "approval_status": "approved" if rng.random() < 0.9 else "unapproved",
         "approval_note": ""} for a, p, c in links])
    link_ids = list(session.scalars(select(OutsourcingLink.id).where(OutsourcingLink.touches_user_data.is_(True))))
    session.execute(insert(DataLocation.__table__),
                    [{"arrangement_id": a, "link_id": None, "country": "JP", "region": "", "purpose": "both"}
                     for a, _root in arrangements[::3]]
                    + [{"arrangement_id": None, "link_id": lid, "country": "SG", "region": "", "purpose": "both"}
                       for lid in link_ids[::2]])
    owner = users.create_user(session, email="owner@example.jp", role="vendor_owner", password=PASSWORD)
    session.flush()
    session.execute(insert(VendorOwner.__table__), [{"vendor_id": vid, "user_id": owner.id, "is_primary": True}
                                                   for vid in tier1[::2]])
    session.execute(insert(Finding.__table__), [
        {"vendor_id": rng.choice(others), "source": "manual", "title": f"Finding {n}", "description": "",
         "severity": ("critical", "high", "medium", "low")[n % 4], "status": ("open", "closed")[n % 3 == 0],
         "due_date": date.today() - timedelta(days=n % 90), "closure_evidence": ""} for n in range(vendors // 2)])
    session.commit()
    hub_arrangements = session.execute(select(OutsourcingLink.arrangement_id).where(
        OutsourcingLink.vendor_id == hubs[0]).distinct()).all()
    return {"hubs": hubs, "arrangements": len(arrangements), "links": len(links),
            "hub_share": len(hub_arrangements) / len(arrangements)}


def make_app(url: str, folder: str):
    """The app, settled as ``vendorrisk serve`` and the scheduler settle theirs (gc.freeze)."""
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url, "INSTANCE_PATH": folder,
                      "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
    if server is not None:
        server.settle()
    return app


def signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"email": "bench@example.jp", "password": PASSWORD}).status_code == 302
    return client


def measure_pages(app, token: str, hubs: list[int], repeat: int) -> dict:
    """Median wall and CPU ms of each page, measures alternating within each round."""
    client = signed_in(app)
    bearer = {"Authorization": f"Bearer {token}"}
    pages = {
        "vendor list (baseline)": ("/vendors/", None),
        "API vendor list": ("/api/v1/vendors", bearer),
        "matrix first page (hubs on it)": ("/compliance/", None),
        "API matrix first page (hubs)": ("/api/v1/compliance-matrix", bearer),
        "matrix, important + cloud": ("/compliance/?important=yes&cloud=yes", None),
        "matrix, status=gap": ("/compliance/?status=gap", None),
        "matrix, article 27 gaps": ("/compliance/?article=27&status=gap", None),
        "matrix, chain tier 2": ("/compliance/?tier=2", None),
        "matrix, chain tier 4": ("/compliance/?tier=4", None),
        "matrix, last page": ("/compliance/?page=LAST", None),
        "hub vendor's matrix": (f"/compliance/vendors/{hubs[0]}", None),
        "dashboard": ("/dashboard/", None),
        "dashboard API": ("/api/v1/dashboard", bearer),
    }
    vendors = app.extensions["vendorrisk.engine"].connect().execute(text("SELECT count(*) FROM vendor")).scalar()
    pages["matrix, last page"] = (f"/compliance/?page={-(-vendors // 50)}", None)
    for path, headers in pages.values():  # warm-up
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    samples = {name: ([], []) for name in pages}
    for _ in range(repeat):
        for name, (path, headers) in pages.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            samples[name][0].append((time.perf_counter() - start) * 1000)
            samples[name][1].append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, path
    return {name: (statistics.median(w), statistics.median(c)) for name, (w, c) in samples.items()}


def acting_session():
    """A writing session acting as the bench user, inside an app context: (session, user)."""
    session = new_session(writes=True)
    user = session.scalars(select(users.User).where(users.User.email == "bench@example.jp")).one()
    session.info["actor_id"], session.info["actor"] = user.id, user.email
    return session, user


def hub_write_steps(session, user, hub_id: int) -> dict:
    """The writes that touch a hub, through the services (the events, the maintained
    verdicts): its own record, the first link in one of its chains, the arrangement holding
    that link. Name -> a callable that moves its record the other way each time; the caller
    commits and times it."""
    from vendorrisk.vendors import arrangements as arrangement_service
    from vendorrisk.vendors import chains, service
    hub = session.get(Vendor, hub_id)
    link = session.scalars(select(OutsourcingLink).where(OutsourcingLink.vendor_id == hub.id)
                           .order_by(OutsourcingLink.id)).first()
    arrangement = session.get(Arrangement, link.arrangement_id)
    return {
        "hub vendor record (flag)":
            lambda: service.update_vendor(session, hub, {"is_system_subsidiary": not hub.is_system_subsidiary}),
        "link approved in a hub's chain":
            lambda: chains.decide_link(session, link, {
                "approval_status": "unapproved" if link.approval_status == "approved" else "approved",
                "approval_basis": "prior_consent"}, user),
        "arrangement holding a hub made important":
            lambda: arrangement_service.update_arrangement(session, arrangement,
                                                           {"is_important": not arrangement.is_important}),
    }


def measure_hub_writes(app, hubs: list[int], repeat: int) -> dict:
    """Commit time of writes that touch a hub (``hub_write_steps``): medians of wall and CPU ms."""
    results: dict = {}
    with app.app_context():
        session, user = acting_session()
        steps = hub_write_steps(session, user, hubs[0])
        session.commit()
        for _n in range(repeat):
            for name, step in steps.items():
                start, cpu = time.perf_counter(), time.process_time()
                step()
                session.commit()
                results.setdefault(name, []).append(((time.perf_counter() - start) * 1000,
                                                     (time.process_time() - cpu) * 1000))
        session.close()
    return {name: (statistics.median(w for w, _c in v), statistics.median(c for _w, c in v))
            for name, v in results.items()}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: since its exec, unlike ru_maxrss, which keeps
    the forking parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def server_cpu_s(engine) -> float | None:
    """CPU seconds the PostgreSQL server on this machine has used so far: its postmaster (with
    the backends it reaped) and every live child process; None on SQLite or when the server's
    processes cannot be read. The bench's throwaway cluster serves the bench alone."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        def fields(pid) -> list[str]:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        postmaster = int(fields(backend)[1])
        ticks = sum(int(v) for v in fields(postmaster)[11:15])  # utime stime cutime cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = fields(entry.name)
                except OSError:
                    continue
                if int(stat[1]) == postmaster:
                    ticks += int(stat[11]) + int(stat[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def child_export(args) -> None:
    """In a child process: start the export as a user does and build it as the scheduler does.

    numpy is kept out, as in production: only the bench extras (pandas) bring it, and openpyxl
    imports it when present (25 MB)."""
    app = make_app(args.database_url, args.instance)
    loaded = peak_rss_mb()
    client = signed_in(app)
    path = {"matrix": "/compliance/export/matrix.xlsx", "register": "/compliance/export/register.xlsx"}[args.child_export]
    start = time.perf_counter()
    response = client.get(path)
    started = (time.perf_counter() - start) * 1000
    if response.status_code == 200:  # before the export jobs: built inside the request
        print(json.dumps({"start_ms": started, "build_s": started / 1000, "bytes": len(response.data),
                          "app_mb": loaded, "rss_mb": peak_rss_mb()}))
        return
    assert response.status_code == 202, response.status_code
    from vendorrisk.compliance.jobs import run_pending
    engine = app.extensions["vendorrisk.engine"]
    server = server_cpu_s(engine)
    start, cpu = time.perf_counter(), time.process_time()
    assert run_pending(app) == 1
    built, built_cpu = time.perf_counter() - start, time.process_time() - cpu
    server = server_cpu_s(engine) - server if server is not None else None
    status = client.get(response.headers["Location"] + "?status").get_json()
    assert status["status"] == "done", status  # (the file itself is not fetched: a test client buffers it)
    print(json.dumps({"start_ms": started, "build_s": built, "cpu_s": built_cpu, "server_cpu_s": server,
                      "bytes": status["size"], "app_mb": loaded, "rss_mb": peak_rss_mb()}))


def measure_export(kind: str, url: str, folder: str) -> dict:
    """Run one export in a child process; its wall time, the starting request and peak RSS."""
    process = subprocess.Popen([sys.executable, "-c", KEEP_OUT +
                                f"sys.argv = {[__file__, '--child-export', kind, '--database-url', url, '--instance', folder]!r}; "
                                f"exec(compile(open({__file__!r}).read(), {__file__!r}, 'exec'), "
                                f"{{'__name__': '__main__', '__file__': {__file__!r}}})"], stdout=subprocess.PIPE, text=True)
    out = process.stdout.read()
    assert process.wait() == 0, out
    return json.loads(out.strip().splitlines()[-1])


def startup_time(url: str, folder: str) -> float:
    """Seconds from launching ``vendorrisk serve`` to its first answer on /healthz."""
    import socket
    import urllib.request
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, VENDORRISK_SECRET_KEY=SECRET, VENDORRISK_DATABASE_URL=url, VENDORRISK_INSTANCE_PATH=folder)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "vendorrisk", "serve", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(timeout=20)


def batch_queries(app, ids: list[int], repeat: int = 3) -> float:
    """Median ms of one batch of the live evaluation (chain facts and every rule's set queries)."""
    from vendorrisk.compliance import matrix
    facts_of = getattr(matrix, "with_facts", None) or getattr(matrix, "_with_facts")
    samples = []
    with app.test_request_context():
        session = new_session()
        vendor = Vendor.__table__
        rows = session.execute(select(vendor.c.id, vendor.c.name, vendor.c.name_en, vendor.c.risk_tier,
                                      vendor.c.status, vendor.c.is_cloud).where(vendor.c.id.in_(ids))).all()
        for _ in range(repeat):
            start = time.perf_counter()
            facts_of(session, rows)
            matrix.evaluate(session, ids, matrix.all_obligations())
            samples.append((time.perf_counter() - start) * 1000)
            session.rollback()
        session.close()
    return statistics.median(samples)


def statement_plans(app, ids: list[int]) -> dict:
    """Each statement of one batch evaluation: its time (ms) and its plan (EXPLAIN, without
    costs), to tell whether ANALYZE changes the plans."""
    from sqlalchemy import event
    engine = app.extensions["vendorrisk.engine"]
    seen: dict = {}

    def before(conn, cursor, statement, params, context, many):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, params, context, many):
        found = seen.setdefault(statement, {"ms": 0.0, "params": params})
        found["ms"] += (time.perf_counter() - conn.info["bench_started"]) * 1000

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        batch_queries(app, ids, repeat=1)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (COSTS OFF) "
    with engine.connect() as connection:
        for statement, found in seen.items():
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                rows = connection.exec_driver_sql(explain + statement, found["params"]).all()
                found["plan"] = "\n".join(str(tuple(r)) for r in rows)
            else:
                found["plan"] = ""
    return seen


def run(size: int, url: str, folder: str, args) -> dict:
    app = make_app(url, folder)
    migrate.upgrade(app)
    engine = app.extensions["vendorrisk.engine"]
    if engine.dialect.name == "postgresql":  # "before ANALYZE" must mean no statistics at all
        with engine.begin() as connection:
            for table in ("vendor", "arrangement", "outsourcing_link", "data_location", "vendor_owner", "finding"):
                connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    result = {"size": size, "engine": engine.dialect.name}
    facts, token = load_portfolio(app, size)
    result.update(facts)
    batch = facts["hubs"] + list(range(facts["hubs"][-1] + 1, facts["hubs"][-1] + 1996))
    result["batch_before_analyze_ms"] = batch_queries(app, batch)
    plans_before = statement_plans(app, batch)
    refresh_statistics(engine)
    result["batch_after_analyze_ms"] = batch_queries(app, batch)
    plans_after = statement_plans(app, batch)
    result["statements"] = sorted(
        ((" ".join(s.split())[:70], plans_before[s]["ms"], plans_after.get(s, {}).get("ms", 0.0),
          plans_before[s]["plan"] == plans_after.get(s, {}).get("plan")) for s in plans_before),
        key=lambda row: -max(row[1], row[2]))
    if (rebuilt := settle(app)) is not None:
        result["rebuild_s"] = rebuilt
    result["pages"] = measure_pages(app, token, facts["hubs"], args.repeat)
    result["writes"] = measure_hub_writes(app, facts["hubs"], args.repeat)
    engine.dispose()
    if not args.no_exports:
        result["exports"] = {kind: measure_export(kind, url, folder) for kind in ("matrix", "register")}
    return result


def report(result: dict) -> None:
    print(f"\n== {result['engine']}: {result['size']} vendors, {result['arrangements']} arrangements, "
          f"{result['links']} links; each hub in {result['hub_share']:.1%} of the arrangements "
          f"(loaded in {result['load_s']:.1f} s)")
    print(f"   batch of 2,000 vendors (live rules): {result['batch_before_analyze_ms']:.0f} ms before ANALYZE, "
          f"{result['batch_after_analyze_ms']:.0f} ms after "
          f"({result['batch_after_analyze_ms'] / result['batch_before_analyze_ms']:.2f}x)")
    same = sum(1 for row in result["statements"] if row[3])
    print(f"   its statements' SQL time: {sum(r[1] for r in result['statements']):.0f} ms before ANALYZE, "
          f"{sum(r[2] for r in result['statements']):.0f} ms after")
    print(f"   plans of its {len(result['statements'])} statements: {same} unchanged by ANALYZE; the costliest "
          f"(ms before / after ANALYZE, plan):")
    for text_, before_ms, after_ms, unchanged in result["statements"][:5]:
        print(f"     {before_ms:8.1f} {after_ms:8.1f}  {'same   ' if unchanged else 'CHANGED'}  {text_}")
    if "rebuild_s" in result:
        print(f"   full rebuild of the maintained verdicts: {result['rebuild_s']:.1f} s")
    base = result["pages"]["vendor list (baseline)"][0]
    print(f"   {'(medians)':<36} {'wall':>9} {'CPU':>9}  ratio to the vendor list")
    for name, (wall, cpu) in result["pages"].items():
        print(f"   {name:<36} {wall:7.1f}ms {cpu:7.1f}ms  {wall / base:5.1f}x")
    for name, (ms, cpu) in result["writes"].items():
        print(f"   write: {name:<42} {ms:7.1f} ms to commit (CPU {cpu:.1f} ms, SQLite included)")
    for kind, found in result.get("exports", {}).items():
        cpu = f" (CPU {found['cpu_s']:.1f} s)" if "cpu_s" in found else ""
        if found.get("server_cpu_s") is not None:
            cpu = f" (CPU {found['cpu_s']:.1f} s, PostgreSQL's {found['server_cpu_s']:.1f} s)"
        print(f"   export {kind:<9} request {found['start_ms']:6.0f} ms, built in {found['build_s']:6.1f} s{cpu}, "
              f"{found['bytes'] / 1e6:5.1f} MB, peak RSS {found['rss_mb']:5.0f} MB "
              f"(the loaded app alone: {found.get('app_mb', 0):.0f} MB)")


def growth(results: list[dict]) -> None:
    if len(results) < 2:
        return
    print("\n== growth per step (median wall, ratio to the previous size)")
    names = list(results[0]["pages"]) + [f"write: {n}" for n in results[0]["writes"]]
    header = "".join(f"{r['size']:>12}" for r in results)
    print(f"   {'':<44}{header}")
    for name in names:
        values = [r["writes"][name[7:]][0] if name.startswith("write: ") else r["pages"][name][0] for r in results]
        cells = [f"{values[0]:9.1f}ms"] + [f"{v:7.1f}({v / p:.1f}x)" for p, v in zip(values, values[1:])]
        print(f"   {name:<44}" + "".join(f"{c:>12}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 vendors only")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated vendor counts")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--startup", action="store_true", help="also time start-up to the first /healthz")
    parser.add_argument("--json", default=None, help="write the results to this file")
    parser.add_argument("--child-export", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--instance", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        child_export(args)
        return
    sizes = [1000] if args.small else [int(s) for s in args.sizes.split(",")]
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    print(f"code: {'maintained verdicts, export jobs' if maintain else 'before (verdicts computed per request)'}; "
          f"load average {os.getloadavg()[0]:.1f}")
    results = []
    for engine in engines:
        per_engine = []
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder, throwaway_database(engine, folder) as url:
                result = run(size, url, folder, args)
            report(result)
            per_engine.append(result)
        growth(per_engine)
        results += per_engine
    if args.startup:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/s.sqlite"
            migrate.upgrade(make_app(url, folder))
            times = sorted(startup_time(url, folder) for _ in range(5))
            print(f"\nstart-up to the first /healthz: median {statistics.median(times):.2f} s (of 5)")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, default=str, indent=1))


if __name__ == "__main__":
    main()
