"""Growth from one portfolio size to another under one machine load: the pages and hub writes
of bench/scale.py on two portfolios held side by side, the sizes alternating round by round.

    python bench/scale_growth.py                          # 10k and 50k vendors on PostgreSQL
    python bench/scale_growth.py --small                  # 1k and 2k (make bench)
    python bench/scale_growth.py --engine sqlite --rounds 5
    python bench/scale_growth.py --keep                   # leave the cluster running, print its URLs
    python bench/scale_growth.py --urls URL10K,URL50K     # portfolios built by an earlier --keep

bench/scale.py builds and measures one size after the other: on a machine shared with other
work the load can move between the two (the 50k rebuild alone takes minutes), and a growth
figure then measures the load as much as the code. Here both portfolios are built first
(``scale.populate``, the maintained verdicts rebuilt and counted, ANALYZE), then each round
measures every page once on each size, the order of the sizes swapped every round, and the
three hub writes of ``scale.measure_hub_writes`` once on each. Medians of the rounds; CPU is
this process's (SQLite's work included, PostgreSQL's server not).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from tests.pg import Cluster  # noqa: E402
from vendorrisk.core import migrate, users  # noqa: E402
from vendorrisk.core.db import refresh_statistics  # noqa: E402
from vendorrisk.vendors.models import Vendor  # noqa: E402


def build(url: str, folder: str, size: int):
    """The hub portfolio of ``size`` vendors in the empty database at ``url``, as bench/scale.py
    leaves it before measuring (verdicts rebuilt, counts kept, statistics fresh)."""
    app = scale.make_app(url, folder)
    migrate.upgrade(app)
    scale.load_portfolio(app, size)
    refresh_statistics(app.extensions["vendorrisk.engine"])  # as bench/scale.py: ANALYZE, then the rebuild
    scale.settle(app)
    return app


def opened(url: str, folder: str) -> tuple:
    """The app on a built portfolio, a fresh API token, the hubs (the first vendors inserted)."""
    app = scale.make_app(url, folder)
    with app.app_context():
        session, user = scale.acting_session()
        _record, token = users.create_token(session, user, f"growth {time.time()}")
        hubs = list(session.scalars(select(Vendor.id).order_by(Vendor.id).limit(scale.HUBS)))
        session.commit()
        session.close()
    return app, token, hubs


def hub_writes(app, hubs: list[int]) -> dict:
    """The writes of ``scale.hub_write_steps``, once each: ms to commit and CPU ms."""
    found = {}
    with app.app_context():
        session, user = scale.acting_session()
        steps = scale.hub_write_steps(session, user, hubs[0])
        session.commit()
        for name, step in steps.items():
            start, cpu = time.perf_counter(), time.process_time()
            step()
            session.commit()
            found[name] = ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
        session.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 and 2,000 vendors, 2 rounds")
    parser.add_argument("--sizes", default="10000,50000", help="two comma-separated vendor counts")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL cluster running")
    parser.add_argument("--urls", default=None, help="built portfolios (from --keep), in --sizes order")
    args = parser.parse_args()
    sizes = [1000, 2000] if args.small else [int(s) for s in args.sizes.split(",")]
    rounds = 2 if args.small else args.rounds
    folder = tempfile.mkdtemp(prefix="vr-growth-")
    cluster = None
    try:
        if args.urls:
            urls = args.urls.split(",")
        elif args.engine == "postgres":
            cluster = Cluster().start()
            with scale.make_app(cluster.url(), folder).extensions["vendorrisk.engine"].connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                for size in sizes:
                    connection.execute(text(f"CREATE DATABASE growth_{size}"))
            urls = [cluster.url(f"growth_{size}") for size in sizes]
        else:
            urls = [f"sqlite:///{folder}/growth_{size}.sqlite" for size in sizes]
        if not args.urls:
            for size, url in zip(sizes, urls):
                start = time.perf_counter()
                build(url, folder, size)
                print(f"built {size} vendors in {time.perf_counter() - start:.0f} s")
        if args.keep:
            print("portfolios kept: --urls " + ",".join(urls))
        apps = [opened(url, folder) for url in urls]
        loads = [os.getloadavg()[0]]
        samples: dict = {size: {} for size in sizes}
        for n in range(rounds):
            order = list(zip(sizes, apps))
            for size, (app, token, hubs) in order if n % 2 == 0 else reversed(order):
                for name, value in scale.measure_pages(app, token, hubs, 1).items():
                    samples[size].setdefault(name, []).append(value)
                for name, value in hub_writes(app, hubs).items():
                    samples[size].setdefault("write: " + name, []).append(value)
            loads.append(os.getloadavg()[0])
        print(f"\n{args.engine}, {sizes[0]} and {sizes[1]} vendors alternating, {rounds} rounds, medians "
              f"(wall ms / CPU ms of this process); load average {min(loads):.1f}-{max(loads):.1f}")
        print(f"   {'':<46}{sizes[0]:>16}{sizes[1]:>16}   growth wall / CPU")
        for name in samples[sizes[0]]:
            small, large = ([statistics.median(v[i] for v in samples[size][name]) for i in (0, 1)]
                            for size in sizes)
            print(f"   {name:<46}{small[0]:8.1f} /{small[1]:6.1f}{large[0]:8.1f} /{large[1]:6.1f}"
                  f"   {large[0] / small[0]:5.2f}x / {large[1] / small[1]:4.2f}x")
    finally:
        if cluster is not None and not args.keep:
            cluster.stop()


if __name__ == "__main__":
    main()
