"""Benchmark of the chain queries and pages on SQLite and PostgreSQL.

Generates a portfolio (default 10,000 vendors, 2,000 arrangements, 50,000 links, chains
up to 8 tiers; a few shared cloud vendors sit at the bottom of many chains, under several
parents) with bulk core inserts, then reports the median time of the chain, exposure and
concentration queries, the vendor list and arrangement pages through the test client, and
a naive per-node traversal of the same chain as the baseline, with the ratio.

    /work/venv/bin/python bench/chains.py [--small] [--engine sqlite|postgres|both] [--runs N]
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from vendorrisk import create_app  # noqa: E402
from vendorrisk.core import migrate, users  # noqa: E402
from vendorrisk.core.db import new_session  # noqa: E402
from vendorrisk.vendors import chain_queries as chains_queries  # noqa: E402
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor  # noqa: E402

MAX_TIER = 8
SHARED_CLOUDS = 20
PASSWORD = "seventeen tall giraffes"


def generate(engine, vendors: int, arrangements: int, links: int, seed: int = 7) -> dict:
    """Bulk-insert the portfolio; return the ids the measurements use."""
    rng = random.Random(seed)
    vendor_rows = [{"id": i, "name": f"ベンチ株式会社{i:05d}", "name_en": f"Bench Co {i:05d}",
                    "name_normalized": f"ベンチ{i:05d}", "country": "JP", "is_cloud": i <= SHARED_CLOUDS,
                    "is_system_subsidiary": False, "status": "approved", "notes": ""} for i in range(1, vendors + 1)]
    ordinary = list(range(SHARED_CLOUDS + 1, vendors + 1))
    arrangement_rows, link_rows = [], []
    per_arrangement = links // arrangements
    big = 1  # the arrangement whose chain is measured: 8 tiers, about 6x the average size
    link_id = 0
    for a in range(1, arrangements + 1):
        size = per_arrangement * 6 if a == big else max(1, int(rng.gauss(per_arrangement, per_arrangement / 4)))
        if a != big and a == arrangements:
            size = max(1, links - len(link_rows))
        root = rng.choice(ordinary)
        arrangement_rows.append({"id": a, "vendor_id": root, "title": f"委託業務 {a}", "service": "",
                                 "business_function": "", "is_important": a % 3 == 0, "is_cloud": False,
                                 "handles_user_data": a % 2 == 0, "user_data_categories": [],
                                 "subcontracting_allowed": True, "substitutability": "medium", "exit_plan": "",
                                 "status": "active"})
        tiers = {root: 1}
        spine = [root]
        edges = set()
        for n in range(size):
            if len(spine) < MAX_TIER:  # make sure the chain reaches 8 tiers
                parent = spine[-1]
            else:
                parent = rng.choice([v for v in list(tiers)[-40:] if tiers[v] < MAX_TIER and v > SHARED_CLOUDS] or [root])
            if n % 5 == 4:
                child = rng.randint(1, SHARED_CLOUDS)  # shared clouds: leaves, under many parents
            else:
                child = rng.choice(ordinary)
                while child in tiers:
                    child = rng.choice(ordinary)
            if (parent, child) in edges or child == parent:
                continue
            edges.add((parent, child))
            tiers.setdefault(child, tiers[parent] + 1)
            if len(spine) < MAX_TIER and child > SHARED_CLOUDS and parent == spine[-1]:
                spine.append(child)
            link_id += 1
            link_rows.append({"id": link_id, "arrangement_id": a, "parent_vendor_id": parent, "vendor_id": child,
                              "service": "再委託", "touches_user_data": n % 4 == 0,
                              "approval_status": "approved" if n % 7 else "unapproved", "approval_note": ""})
    with engine.begin() as conn:
        for table, rows in ((Vendor.__table__, vendor_rows), (Arrangement.__table__, arrangement_rows),
                            (OutsourcingLink.__table__, link_rows)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
        if engine.dialect.name == "postgresql":
            for table in ("vendor", "arrangement", "outsourcing_link"):
                conn.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        conn.execute(text("ANALYZE"))
    return {"big": big, "cloud": 1, "vendor": ordinary[len(ordinary) // 2], "links": len(link_rows)}


def naive_chain(session, arrangement_id: int) -> int:
    """The baseline: walk the chain one query per node (and one per vendor name)."""
    root = session.execute(select(Arrangement.vendor_id).where(Arrangement.id == arrangement_id)).scalar_one()
    stack, count = [(root, 1)], 0
    while stack:
        vendor_id, tier = stack.pop()
        session.execute(select(Vendor.name).where(Vendor.id == vendor_id)).scalar_one()
        count += 1
        children = session.execute(select(OutsourcingLink.vendor_id).where(
            OutsourcingLink.arrangement_id == arrangement_id, OutsourcingLink.parent_vendor_id == vendor_id)).scalars()
        stack.extend((child, tier + 1) for child in children)
    return count


def median_ms(fn, runs: int) -> float:
    """Median wall time of ``fn`` in milliseconds (after one warm-up run)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(url: str, label: str, sizes: tuple[int, int, int], runs: int) -> None:
    """Migrate, generate and measure on one database."""
    instance = Path(tempfile.mkdtemp(prefix="bench-chains-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    migrate.upgrade(app)
    engine = app.extensions["vendorrisk.engine"]
    start = time.perf_counter()
    ids = generate(engine, *sizes)
    load_s = time.perf_counter() - start
    with app.app_context():
        session = new_session()
        users.create_user(session, email="bench@example.jp", role="compliance", password=PASSWORD)
        session.commit()
        nodes = chains_queries.chain_nodes(session, [ids["big"]])
        exposure = chains_queries.exposure(session, ids["cloud"])
        figures = {
            "chain (CTE)": median_ms(lambda: chains_queries.chain_nodes(session, [ids["big"]]), runs),
            "chain (naive per node)": median_ms(lambda: naive_chain(session, ids["big"]), runs),
            "exposure, shared cloud": median_ms(lambda: chains_queries.exposure(session, ids["cloud"]), runs),
            "exposure, ordinary vendor": median_ms(lambda: chains_queries.exposure(session, ids["vendor"]), runs),
            "concentration (top 50)": median_ms(lambda: chains_queries.concentration(session, limit=50), runs),
            "gaps": median_ms(lambda: chains_queries.gaps(session), max(3, runs // 4)),
        }
        assert naive_chain(session, ids["big"]) == len(nodes)
        session.close()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.jp", "password": PASSWORD})

    def page(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    figures["page: vendor list"] = median_ms(lambda: page("/vendors/"), runs)
    figures["page: vendor search"] = median_ms(lambda: page("/vendors/?q=Bench+Co+0500"), runs)
    figures["page: arrangement (chain tree)"] = median_ms(lambda: page(f"/arrangements/{ids['big']}"), runs)
    print(f"\n== {label}: {sizes[0]} vendors, {sizes[1]} arrangements, {ids['links']} links "
          f"(loaded in {load_s:.1f} s)")
    print(f"   measured chain: {len(nodes)} nodes, {max(n.tier for n in nodes)} tiers; "
          f"shared cloud in {len(exposure)} arrangements; median of {runs} runs")
    for name, value in figures.items():
        print(f"   {name:<34} {value:8.2f} ms")
    ratio = figures["chain (naive per node)"] / figures["chain (CTE)"]
    print(f"   naive / CTE for the same chain: {ratio:.1f}x")
    engine.dispose()


def main() -> None:
    """Parse options and run on the chosen engines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 vendors, 200 arrangements, 5,000 links")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    sizes = (1000, 200, 5000) if args.small else (10000, 2000, 50000)
    runs = args.runs or (5 if args.small else 20)
    if args.engine in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp(prefix="bench-chains-db-"))
        run(f"sqlite:///{folder / 'bench.sqlite'}", "SQLite", sizes, runs)
    if args.engine in ("postgres", "both"):
        from tests.pg import Cluster
        cluster = Cluster().start()
        try:
            admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("CREATE DATABASE bench"))
            admin.dispose()
            run(cluster.url("bench"), "PostgreSQL", sizes, runs)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
