"""Bench of the compliance area: matrix first page, dashboard and the full Excel export,
against the plain vendor list as the baseline of the same run.

    python bench/compliance.py            # 10,000 vendors, 50,000 links
    python bench/compliance.py --small    # 1,000 vendors, 5,000 links

Data are bulk-inserted with Core inserts (no ORM, no audit trail) into a fresh SQLite
database in a temporary instance folder (or ``--database-url`` for PostgreSQL), then the
planner statistics are refreshed (ANALYZE), as the app does after upgrade and daily. When no
area has registered obligations yet, three bench obligations of the usual shape (a few
set queries per batch) stand in for them.
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from vendorrisk import create_app
from vendorrisk.core import (  # noqa: E402
    migrate,
    registry,
    users,  # noqa: E402
)
from vendorrisk.core.db import new_session, refresh_statistics  # noqa: E402
from vendorrisk.vendors.findings import Finding  # noqa: E402
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor  # noqa: E402

try:
    from vendorrisk.compliance import maintain  # noqa: E402
except ImportError:  # the code before the maintained verdicts
    maintain = None

PASSWORD = "quiet river lantern 0123"


def populate(session, vendors: int, links: int, seed: int = 7) -> None:
    """Bulk-insert vendors, one arrangement per 5 vendors, links in trees up to tier 4, findings."""
    rng = random.Random(seed)
    session.execute(insert(Vendor.__table__), [
        {"name": f"ベンチ株式会社{i:05d}", "name_en": f"Bench Co {i:05d}", "name_normalized": f"ベンチ{i:05d}",
         "country": "JP", "is_system_subsidiary": False, "is_cloud": i % 7 == 0, "status": "approved",
         "risk_tier": (None, "low", "medium", "high", "critical")[i % 5], "notes": "", "address": ""}
        for i in range(vendors)])
    ids = list(session.scalars(select(Vendor.id).order_by(Vendor.id)))
    tier1 = ids[: max(1, vendors // 5)]
    session.execute(insert(Arrangement.__table__), [
        {"vendor_id": vid, "title": f"委託業務 {n}", "service": "system operation", "business_function": "",
         "is_important": n % 3 == 0, "is_cloud": n % 4 == 0, "handles_user_data": n % 2 == 0,
         "user_data_categories": [], "subcontracting_allowed": True, "substitutability": "medium",
         "start_date": date(2024, 4, 1), "exit_plan": "", "status": "active"}
        for n, vid in enumerate(tier1)])
    arrangements = session.execute(select(Arrangement.id, Arrangement.vendor_id)).all()
    per_arrangement = max(1, links // len(arrangements))
    # A few providers (clouds) are used everywhere: the concentration the dashboard shows.
    popular = ids[-20:]
    rows = []
    for arrangement_id, root in arrangements:
        members, seen = [(root, 1)], {root}
        for _ in range(per_arrangement):
            parent, tier = rng.choice([m for m in members if m[1] < 4] or members[:1])
            child = rng.choice(popular) if rng.random() < 0.1 else rng.choice(ids)
            if child in seen:
                continue
            seen.add(child)
            members.append((child, tier + 1))
            rows.append({"arrangement_id": arrangement_id, "parent_vendor_id": parent, "vendor_id": child,
                         "service": "hosting", "touches_user_data": rng.random() < 0.3,
                         "approval_status": "approved" if rng.random() < 0.9 else "unapproved",
                         "approval_note": ""})
    session.execute(insert(OutsourcingLink.__table__), rows)
    session.execute(insert(Finding.__table__), [
        {"vendor_id": rng.choice(ids), "source": "manual", "title": f"Finding {n}", "description": "",
         "severity": ("critical", "high", "medium", "low")[n % 4], "status": ("open", "closed")[n % 3 == 0],
         "due_date": date.today() - timedelta(days=n % 90), "closure_evidence": ""}
        for n in range(vendors // 2)])
    session.commit()
    print(f"data: {len(ids)} vendors, {len(arrangements)} arrangements, {len(rows)} links, {vendors // 2} findings")


def bench_obligations(contributions: registry.Registry) -> None:
    """Stand-in rules of the real rules' shape (one or two IN queries per batch)."""
    def chain_approved(session, vendor_ids):
        """Bench: links to the vendor approved."""
        bad = set(session.scalars(select(OutsourcingLink.vendor_id).where(
            OutsourcingLink.vendor_id.in_(vendor_ids), OutsourcingLink.approval_status != "approved")))
        return {v: registry.Verdict("gap" if v in bad else "met", "bench") for v in vendor_ids}

    def tiered(session, vendor_ids):
        """Bench: a risk tier is recorded."""
        rows = dict(session.execute(select(Vendor.id, Vendor.risk_tier).where(Vendor.id.in_(vendor_ids))).all())
        return {v: registry.Verdict("met" if rows.get(v) else "gap", "bench") for v in vendor_ids}

    def findings_closed(session, vendor_ids):
        """Bench: no open finding."""
        bad = set(session.scalars(select(Finding.vendor_id).where(Finding.vendor_id.in_(vendor_ids),
                                                                  Finding.status != "closed")))
        return {v: registry.Verdict("gap" if v in bad else "met", "bench") for v in vendor_ids}

    for ob_id, fn in (("25-4", chain_approved), ("26-2", tiered), ("26-1", findings_closed)):
        contributions.add_obligations(
            registry.obligation(ob_id, citation_ja=ob_id, citation_en=ob_id, title_ja=ob_id, title_en=ob_id)(fn))


def timed(client, path: str, repeat: int, headers: dict | None = None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``repeat`` GETs (after one warm-up). The CPU time
    (of this process, SQLite included) is the steadier figure on a shared machine."""
    assert client.get(path, headers=headers).status_code == 200, path
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, path
    return statistics.median(samples), statistics.median(cpu)


def export(app, client, path: str) -> int:
    """An export, start to file: built in the request before the export jobs, else queued (202)
    and built as the scheduler builds it; returns the file's size."""
    response = client.get(path)
    if response.status_code == 200:
        return len(response.data)
    assert response.status_code == 202, response.status_code
    from vendorrisk.compliance.jobs import run_pending
    assert run_pending(app) == 1
    return client.get(response.headers["Location"] + "?status").get_json()["size"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 vendors and 5,000 links")
    parser.add_argument("--vendors", type=int, default=None)
    parser.add_argument("--links", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster (tests/pg.py)")
    args = parser.parse_args()
    if args.postgres:
        from tests.pg import Cluster
        cluster = Cluster().start()
        try:
            args.database_url = cluster.url()
            run(args)
        finally:
            cluster.stop()
    else:
        run(args)


def run(args) -> None:
    """Populate, then time the pages and exports."""
    vendors = args.vendors or (1_000 if args.small else 10_000)
    links = args.links or (5_000 if args.small else 50_000)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789", "DATABASE_URL": url,
                          "INSTANCE_PATH": folder, "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
        migrate.upgrade(app)
        obligations = registry.of(app).obligations
        if not obligations:
            bench_obligations(registry.of(app))
        print(f"obligations: {len(obligations)} ({', '.join(sorted(obligations))})")
        with app.app_context():
            session = new_session(writes=True)
            start = time.perf_counter()
            populate(session, vendors, links)
            print(f"bulk insert: {time.perf_counter() - start:.1f} s")
            # as a real installation has: ANALYZE runs after upgrade, demo load and daily
            refresh_statistics(app.extensions["vendorrisk.engine"])
            if maintain is not None:  # a bulk load publishes no event: rebuild, as after a real one
                with app.test_request_context():
                    start = time.perf_counter()
                    maintain.rebuild(session)
                    session.commit()
                    print(f"rebuild of the maintained verdicts: {time.perf_counter() - start:.1f} s")
                try:  # the counts of the bulk-loaded records, as db upgrade keeps them
                    from vendorrisk.core import counters
                    with app.test_request_context():
                        counters.rebuild(session)
                        session.commit()
                except ImportError:  # the code before the maintained counts
                    pass
            user = users.create_user(session, email="bench@example.jp", role="auditor", password=PASSWORD)
            _record, token = users.create_token(session, user, "bench")
            session.commit()
            session.close()
        client = app.test_client()
        assert client.post("/login", data={"email": "bench@example.jp", "password": PASSWORD}).status_code == 302
        baseline = timed(client, "/vendors/", args.repeat)
        bearer = {"Authorization": f"Bearer {token}"}
        results = {
            "matrix first page": timed(client, "/compliance/", args.repeat),
            "matrix first page, important + cloud": timed(client, "/compliance/?important=yes&cloud=yes", args.repeat),
            "matrix first page, status=gap": timed(client, "/compliance/?status=gap", args.repeat),
            "matrix first page, chain tier 2": timed(client, "/compliance/?tier=2", args.repeat),
            "matrix first page, chain tier 4 (deepest)": timed(client, "/compliance/?tier=4", args.repeat),
            "API matrix first page": timed(client, "/api/v1/compliance-matrix", args.repeat, bearer),
            "dashboard API": timed(client, "/api/v1/dashboard", args.repeat, bearer),
            "dashboard": timed(client, "/dashboard/", args.repeat),
        }
        print(f"{'(medians)':<42} {'wall':>8}    {'CPU':>8}    ratio to baseline (wall)")
        print(f"{'vendor list (baseline)':<42} {baseline[0]:8.1f} ms {baseline[1]:8.1f} ms   1.0x")
        for name, (wall, cpu) in results.items():
            print(f"{name:<42} {wall:8.1f} ms {cpu:8.1f} ms {wall / baseline[0]:6.1f}x   (target < 300 ms)")
        start, start_cpu = time.perf_counter(), time.process_time()
        size = export(app, client, "/compliance/export/matrix.xlsx")
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        tracemalloc.start()
        export(app, client, "/compliance/export/matrix.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{'full matrix Excel export':<40} {elapsed:8.2f} s  (CPU {elapsed_cpu:.2f} s) "
              f"{size / 1e6:.1f} MB file, "
              f"peak Python memory {peak / 1e6:.0f} MB (target < 10 s)")
        start = time.perf_counter()
        export(app, client, "/compliance/export/register.xlsx")
        print(f"{'register Excel export':<40} {time.perf_counter() - start:8.2f} s")
        app.extensions["vendorrisk.engine"].dispose()


if __name__ == "__main__":
    main()
