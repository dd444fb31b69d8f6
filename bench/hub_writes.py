"""The three hub writes of bench/scale_growth.py on a built portfolio, with what each costs:
wall and CPU ms to commit, the statements it sends and their time seen by the client, and
(``--profile``) where: the statements grouped by the function of the app that sent them, and
cProfile's heaviest functions.

    python bench/scale_growth.py --keep --rounds 1        # build 10k and 50k, print their URLs
    python bench/hub_writes.py --url URL --rounds 5       # medians
    python bench/hub_writes.py --url URL --profile        # one round, statement by statement
    python bench/hub_writes.py --url URL --json           # one line of samples (for an A/B driver)

A first round warms the process (compiled statements, caches) and is not counted, as the
long-running server has them warm. Each round moves every record the other way.
"""
import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402
from scale_growth import opened  # noqa: E402
from sqlalchemy import event  # noqa: E402

APP_ROOT = str(ROOT / "vendorrisk")


class Statements:
    """Every statement sent while on: count, client-side time, and the app function that sent it."""

    def __init__(self, engine, explain: bool = False):
        self.on, self.rows, self.where, self.explain, self.plans = False, [], False, explain, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["hub_writes_start"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if not self.on:
            return
        elapsed = (time.perf_counter() - conn.info.pop("hub_writes_start")) * 1000
        caller = ""
        if self.where:
            frames = [f for f in traceback.extract_stack() if f.filename.startswith(APP_ROOT)]
            caller = " < ".join(f"{Path(f.filename).stem}.{f.name}" for f in reversed(frames[-3:]))
        self.rows.append((elapsed, caller, " ".join(statement.split())[:110]))
        if self.explain and statement.lstrip()[:4].upper() in ("SELE", "WITH") and "advisory" not in statement:
            # the server's own time for the statement, run again under EXPLAIN ANALYZE
            with conn.connection.dbapi_connection.cursor() as again:
                again.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                plan = again.fetchone()[0][0]
            jit = f"JIT {plan['JIT']['Timing']['Total']:.1f} ms: " if "JIT" in plan else ""
            self.plans.append((plan["Execution Time"], caller, jit + _nodes(plan["Plan"]),
                               " ".join(statement.split())[:90]))


def _nodes(node, depth=0) -> str:
    """The plan's join and scan nodes, one line."""
    name = node["Node Type"] + (f"({node['Relation Name']})" if "Relation Name" in node else "")
    inner = [_nodes(child, depth + 1) for child in node.get("Plans", [])]
    return name + (" [" + ", ".join(inner) + "]" if inner else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="one round, statements and cProfile")
    parser.add_argument("--json", action="store_true", help="print the samples as one JSON line")
    parser.add_argument("--explain", action="store_true",
                        help="with --profile on PostgreSQL: each SELECT again under EXPLAIN ANALYZE")
    args = parser.parse_args()
    app, _token, hubs = opened(args.url, tempfile.mkdtemp(prefix="vr-hubw-"))
    watch = Statements(app.extensions["vendorrisk.engine"], args.explain and args.profile)
    samples: dict = defaultdict(list)
    with app.app_context():
        session, user = scale.acting_session()
        steps = scale.hub_write_steps(session, user, hubs[0])
        session.commit()
        rounds = 1 if args.profile else args.rounds
        for n in range(rounds + 1):  # round 0 warms up
            for name, step in steps.items():
                watch.rows, watch.plans, watch.on, watch.where = [], [], n > 0, args.profile and n > 0
                profiler = cProfile.Profile() if args.profile and n > 0 else None
                start, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                step()
                session.commit()
                if profiler:
                    profiler.disable()
                wall, used = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
                watch.on = False
                if n == 0:
                    continue
                samples[name].append((wall, used, len(watch.rows), sum(r[0] for r in watch.rows)))
                if profiler:
                    report(name, wall, used, watch.rows, profiler)
                if watch.plans:
                    print(f"   -- server execution (EXPLAIN ANALYZE): {sum(p[0] for p in watch.plans):.1f} ms "
                          f"in {len(watch.plans)} reads")
                    for ms, caller, nodes, sql in sorted(watch.plans, key=lambda p: -p[0])[:10]:
                        print(f"   {ms:7.2f} ms  {caller}\n              {nodes[:400]}")
        session.close()
    if args.json:
        print(json.dumps(samples))
    elif not args.profile:
        print(f"{args.url.rsplit('/', 1)[-1]}: medians of {rounds} rounds, load {os.getloadavg()[0]:.1f}")
        for name, values in samples.items():
            wall, used, count, sql = (statistics.median(v[i] for v in values) for i in range(4))
            print(f"  {name:<44} wall {wall:7.1f} ms  CPU {used:6.1f} ms  {count:4.0f} statements  "
                  f"SQL {sql:6.1f} ms")


def report(name, wall, used, rows, profiler) -> None:
    print(f"\n== {name}: wall {wall:.1f} ms, CPU {used:.1f} ms, {len(rows)} statements, "
          f"SQL (client) {sum(r[0] for r in rows):.1f} ms")
    by_caller = defaultdict(lambda: [0, 0.0])
    for elapsed, caller, _sql in rows:
        by_caller[caller][0] += 1
        by_caller[caller][1] += elapsed
    for caller, (count, elapsed) in sorted(by_caller.items(), key=lambda kv: -kv[1][1]):
        print(f"   {count:3d} st {elapsed:7.1f} ms  {caller}")
    print("   -- slowest statements")
    for elapsed, caller, sql in sorted(rows, reverse=True)[:8]:
        print(f"   {elapsed:7.1f} ms  {sql}")
    print("   -- cProfile, cumulative")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"vendorrisk", 25)
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
