"""Peak RSS and build time of the matrix and register exports, trees alternating, on a
portfolio built once and kept (``bench/scale.py``'s data: hubs, chains, no contracts).

    python bench/export_memory.py --folder /tmp/d50k --vendors 50000          # build once, measure
    python bench/export_memory.py --folder /tmp/d50k --trees /tmp/before,.   # A/B two trees
    python bench/export_memory.py --folder /tmp/pg50k --database-url postgresql+psycopg://...
                                  # a portfolio already loaded in a kept database (PostgreSQL)

Each export runs in a child process exactly as ``bench/scale.py`` runs it (its ``--child-export``:
the app loaded, the export started by a request, built by ``run_pending`` as the scheduler
does, numpy kept out as in production; peak RSS is the child's ``VmHWM``). The trees' code is
what runs in the child: give the root of each checkout; the measuring code (this tree's
``scale.child_export``) is the same for every tree. Peak RSS barely depends on the load of
the machine; the time does, hence the alternation and the medians. On PostgreSQL the child
also reports the CPU the server spent (``scale.server_cpu_s``): the server's share of the build.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from scale import KEEP_OUT  # noqa: E402  (bench/ is the script's folder: first on sys.path)


def build(folder: Path, vendors: int) -> None:
    """The bench's portfolio in ``folder``/bench.sqlite, as ``bench/scale.py`` loads it."""
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("scale", ROOT / "bench" / "scale.py")
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    app = scale.make_app(f"sqlite:///{folder}/bench.sqlite", str(folder))
    scale.migrate.upgrade(app)
    with app.app_context():
        session = scale.new_session(writes=True)
        scale.populate(session, vendors)
        scale.users.create_user(session, email="bench@example.jp", role="compliance", password=scale.PASSWORD)
        session.commit()
        session.close()
    engine = app.extensions["vendorrisk.engine"]
    scale.refresh_statistics(engine)
    with app.test_request_context():
        session = scale.new_session(writes=True)
        scale.maintain.rebuild(session)
        session.commit()
        session.close()
    scale.recount(app)
    scale.refresh_statistics(engine)


def export(tree: Path, kind: str, folder: Path, url: str) -> dict:
    """One export built by ``tree``'s code in a child process (see the module's docstring): this
    tree's ``bench/scale.py`` run as if it were ``tree``'s (its ``ROOT``, hence its ``vendorrisk``)."""
    script, measuring = tree / "bench" / "scale.py", ROOT / "bench" / "scale.py"
    argv = [str(script), "--child-export", kind, "--database-url", url, "--instance", str(folder)]
    code = (KEEP_OUT + f"sys.argv = {argv!r}; exec(compile(open({str(measuring)!r}).read(), {str(script)!r}, 'exec'), "
            f"{{'__name__': '__main__', '__file__': {str(script)!r}}})")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", required=True, help="where the portfolio is kept (built when missing)")
    parser.add_argument("--vendors", type=int, default=50000, help="vendors of a portfolio built now")
    parser.add_argument("--trees", default=str(ROOT), help="comma-separated checkouts whose code is measured")
    parser.add_argument("--kinds", default="matrix,register")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--database-url", default=None,
                        help="a database already holding the portfolio (else the folder's SQLite file)")
    args = parser.parse_args()
    folder = Path(args.folder).resolve()
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
    if args.database_url is None and not (folder / "bench.sqlite").exists():
        folder.mkdir(parents=True, exist_ok=True)
        build(folder, args.vendors)
    trees = [Path(t).resolve() for t in args.trees.split(",")]
    kinds = args.kinds.split(",")
    found = {(t, k): [] for t in trees for k in kinds}
    print(f"load average {os.getloadavg()[0]:.1f}")
    for n in range(args.repeat):
        for kind in kinds:
            for tree in trees if n % 2 == 0 else trees[::-1]:
                found[(tree, kind)].append(export(tree, kind, folder, url))
                run = found[(tree, kind)][-1]
                server = f", PostgreSQL {run['server_cpu_s']:.1f} s" if run.get("server_cpu_s") is not None else ""
                print(f"  {kind:<9} {str(tree):<32} {run['rss_mb']:6.1f} MB, {run['build_s']:5.1f} s "
                      f"(CPU {run['cpu_s']:4.1f} s{server}), load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    for (tree, kind), runs in found.items():
        def median(key: str) -> float:
            return statistics.median(run[key] for run in runs)
        server = (f", PostgreSQL {median('server_cpu_s'):4.1f} s"
                  if all(run.get("server_cpu_s") is not None for run in runs) else "")
        print(f"{kind:<9} {str(tree):<32} peak RSS {median('rss_mb'):6.1f} MB (the loaded app {median('app_mb'):5.1f}), "
              f"built in {median('build_s'):5.1f} s (CPU {median('cpu_s'):4.1f} s{server}), "
              f"{median('bytes') / 1e6:5.1f} MB")


if __name__ == "__main__":
    main()
