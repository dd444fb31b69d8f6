"""Benchmark: the register import (issue 17) of a generated workbook of 1,000 and 3,000 rows
(vendors, arrangements and links in the proportions of the SQLite locking test), through
``POST /api/v1/register/import`` (read, check, store, commit), on SQLite and PostgreSQL.

Each import runs in a fresh database, in its own process, so that the code under test can be
another checkout's: with ``--baseline PATH`` (e.g. the main branch's worktree) the baseline
and this checkout are run alternately (A/B/A/B; the machine is shared) and the medians of
process CPU and wall time are compared. Prints statements sent per import too. With
``--check-only`` the request is a dry run (``?dry_run=true``: read and check, nothing stored).

    .venv/bin/python bench/register_import.py --baseline /work/main
    .venv/bin/python bench/register_import.py --rows 1000 --engine sqlite --runs 3
    .venv/bin/python bench/register_import.py --small        # 1,000 rows, one run each engine
    .venv/bin/python bench/register_import.py --check-only --rows 3000 --baseline /work/main
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "seventeen tall giraffes"
SHAPES = {1000: (500, 167, 333), 3000: (1500, 500, 1000)}  # vendors, arrangements, links


def worker(url: str, rows: int, check_only: bool = False) -> dict:
    """One import (or dry run: ``check_only``) into a fresh database at ``url``, with whichever
    ``vendorrisk`` is first on the path; its CPU and wall seconds and the statements it sent."""
    from sqlalchemy import event

    from tests import factories
    from tests.security.factories import register_rows
    from vendorrisk import create_app
    from vendorrisk.core import migrate, users
    from vendorrisk.core.db import new_session
    instance = Path(tempfile.mkdtemp(prefix="bench-register-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "ERROR"})
    migrate.upgrade(app)
    with app.app_context():
        session = new_session()
        user = users.create_user(session, email="bench@example.jp", role="compliance", password=PASSWORD)
        _record, token = users.create_token(session, user, "bench")
        session.commit()
        session.close()
    data = factories.workbook(register_rows(*SHAPES[rows]))
    statements = []
    event.listen(app.extensions["vendorrisk.engine"], "before_cursor_execute",
                 lambda *_args: statements.append(1))
    client = app.test_client()
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.post("/api/v1/register/import" + ("?dry_run=true" if check_only else ""), data=data, content_type="application/octet-stream",
                           headers={"Authorization": f"Bearer {token}"})
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["vendors"] == SHAPES[rows][0]
    assert response.get_json()["dry_run"] is check_only
    app.extensions["vendorrisk.engine"].dispose()
    return {"cpu": cpu, "wall": wall, "statements": len(statements)}


def run_one(code: Path, url: str, rows: int, check_only: bool = False) -> dict:
    """``worker`` in a process importing the checkout at ``code``."""
    env = dict(os.environ, PYTHONPATH=str(code))
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", url, "--rows", str(rows)]
    out = subprocess.run(command + (["--check-only"] if check_only else []),
                         env=env, cwd=str(code), capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def databases(engine: str):
    """Yield a fresh database URL per call of the returned function (and clean up after)."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-register-db-"))
        counter = iter(range(10 ** 6))
        yield lambda: f"sqlite:///{folder / f'r{next(counter)}.sqlite'}"
        return
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from tests.pg import Cluster
    cluster = Cluster().start()
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    counter = iter(range(10 ** 6))

    def fresh():
        name = f"bench{next(counter)}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        return cluster.url(name)
    try:
        yield fresh
    finally:
        admin.dispose()
        cluster.stop()


def main() -> None:
    """Parse options; measure each engine and size, alternating the checkouts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, choices=sorted(SHAPES), action="append")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="1,000 rows, one run (make bench)")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with (e.g. main's)")
    parser.add_argument("--check-only", action="store_true", help="a dry run: read and check, store nothing")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows[0], args.check_only)))
        return
    if args.small:
        args.rows, args.runs = [1000], 1
    codes = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", ROOT)]
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    for engine in engines:
        for fresh in databases(engine):
            for rows in args.rows or sorted(SHAPES):
                figures = {label: [] for label, _code in codes}
                for _run in range(args.runs):
                    for label, code in codes:  # alternating: A/B/A/B
                        figures[label].append(run_one(code, fresh(), rows, args.check_only))
                print(f"\n== {engine}, {'check only, ' if args.check_only else ''}{rows} rows ({'/'.join(map(str, SHAPES[rows]))} vendors/arrangements/links), "
                      f"median of {args.runs}", flush=True)
                medians = {}
                for label, runs in figures.items():
                    medians[label] = {k: statistics.median(r[k] for r in runs) for k in ("cpu", "wall", "statements")}
                    m = medians[label]
                    print(f"   {label:<9} CPU {m['cpu']:7.2f} s  wall {m['wall']:7.2f} s  "
                          f"{m['statements']:7.0f} statements  ({m['cpu'] * 1000 / rows:.2f} ms CPU per row)", flush=True)
                if "baseline" in medians:
                    b, t = medians["baseline"], medians["this"]
                    print(f"   baseline / this: CPU {b['cpu'] / t['cpu']:.1f}x, wall {b['wall'] / t['wall']:.1f}x, "
                          f"statements {b['statements'] / t['statements']:.1f}x", flush=True)


if __name__ == "__main__":
    main()
