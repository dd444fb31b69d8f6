"""A/B of the hub writes (bench/hub_writes.py) between two source trees on the same portfolio:
each round runs one process of each tree, the order swapped every round, so that both see
the same machine load. Medians over every measured write of every round.

    git archive main | tar -x -C /tmp/base                    # the other tree (any copy)
    cp bench/hub_writes.py bench/scale.py bench/scale_growth.py /tmp/base/bench/  # the same measuring scripts
    python bench/hub_writes_ab.py --trees /tmp/base,. --url URL --rounds 6

Each process warms up with one round of the three writes, then measures ``--inner`` rounds.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", required=True, help="two source trees, A,B")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--inner", type=int, default=3)
    args = parser.parse_args()
    trees = [str(Path(t).resolve()) for t in args.trees.split(",")]
    samples = {tree: {} for tree in trees}
    loads = [os.getloadavg()[0]]
    start = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    for n in range(args.rounds):
        for tree in trees if n % 2 == 0 else list(reversed(trees)):
            out = subprocess.run([sys.executable, f"{tree}/bench/hub_writes.py", "--url", args.url, "--json",
                                  "--rounds", str(args.inner)], check=True, capture_output=True, text=True).stdout
            for name, values in json.loads(out.strip().splitlines()[-1]).items():
                samples[tree].setdefault(name, []).extend(values)
            loads.append(os.getloadavg()[0])
    print(f"{args.url.rsplit('/', 1)[-1]}: {args.rounds} rounds x {args.inner} writes per tree, alternating; "
          f"{start} to {time.strftime('%H:%M:%S', time.gmtime())}; load {min(loads):.1f}-{max(loads):.1f}")
    print(f"   {'write':<44} {'tree':<26} {'wall ms':>8} {'CPU ms':>8} {'stmts':>6} {'SQL ms':>8}")
    for name in samples[trees[0]]:
        for tree in trees:
            values = samples[tree][name]
            wall, cpu, count, sql = (statistics.median(v[i] for v in values) for i in range(4))
            print(f"   {name:<44} {Path(tree).name[:26]:<26} {wall:8.1f} {cpu:8.1f} {count:6.0f} {sql:8.1f}")
        a, b = (statistics.median(v[0] for v in samples[t][name]) for t in trees)
        c, d = (statistics.median(v[1] for v in samples[t][name]) for t in trees)
        print(f"   {'':<44} {'B / A':<26} {b / a:8.2f} {d / c:8.2f}")


if __name__ == "__main__":
    main()
