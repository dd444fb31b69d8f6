"""Bench: the API matrix's first page and a hub's pages with the proof links of every cell
(the code before) against the first few of each (this code), at 10k and 50k vendors.

    git archive main | tar -x -C /tmp/vr-before               # the code to compare with
    python bench/matrix_links.py --before /tmp/vr-before      # 10k and 50k, SQLite and PostgreSQL
    python bench/matrix_links.py --small                      # this code alone, 1,000 vendors, SQLite (make bench)

The hub portfolio of ``bench/scale.py`` (five cloud providers in 5 % of the arrangements each,
sorting onto the first page), built once per engine and size with this code and the maintained
verdicts rebuilt, as after a bulk load. Each code base then serves it from a process of its own
(the app as ``bench/scale.py`` makes it); the processes take turns, one request per page each
turn, the order of the two swapped every round, and the figures are the medians of the rounds:
wall and CPU time of the serving process (SQLite's work included, PostgreSQL's not).
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
PASSWORD = "quiet river lantern 0123"  # bench/scale.py's
SECRET = "bench-secret-key-0123456789-abcdef-0123456789"


def pages(hub: int, cell: str) -> dict[str, tuple[str, bool]]:
    """The measured pages: (path, through the API)."""
    return {"API matrix first page (hubs)": ("/api/v1/compliance-matrix", True),
            "API matrix, the hub vendor": (f"/api/v1/compliance-matrix?vendor_id={hub}", True),
            "API cell, the hub's longest": (f"/api/v1/compliance-matrix/cells/{hub}/{cell}", True),
            "matrix first page (HTML)": ("/compliance/", False),
            "hub vendor's matrix (HTML)": (f"/compliance/vendors/{hub}", False)}


def child(args) -> None:
    """Serve the measures from the code at ``args.root``: one request per page for each line read."""
    sys.path.insert(0, args.root)
    from vendorrisk import create_app
    try:
        from vendorrisk import server
        settle = server.settle
    except (ImportError, AttributeError):
        settle = None
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": args.url, "INSTANCE_PATH": args.folder,
                      "WTF_CSRF_ENABLED": False, "LOG_LEVEL": "WARNING"})
    if settle:
        settle()
    client = app.test_client()
    assert client.post("/login", data={"email": "bench@example.jp", "password": PASSWORD}).status_code == 302
    bearer = {"Authorization": f"Bearer {args.token}"}
    served, shape = {}, {}
    for name, (path, api) in pages(args.hub, args.cell).items():
        response = client.get(path, headers=bearer if api else None)
        if response.status_code == 404:  # a route the code does not have
            continue
        assert response.status_code == 200, (path, response.status_code)
        served[name] = (path, bearer if api else None)
        body = response.get_json() if api else None
        if body and "rows" in body:
            shape[name] = {"bytes": len(response.data), "links": sum(len(r["links"]) for r in body["rows"])}
        elif body:
            shape[name] = {"bytes": len(response.data), "links": len(body["links"])}
    print(json.dumps(shape), flush=True)
    for _line in sys.stdin:
        result = {}
        for name, (path, headers) in served.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            result[name] = ((time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, path
        print(json.dumps(result), flush=True)


def build(url: str, folder: str, size: int) -> dict:
    """The hub portfolio with its maintained verdicts; the user and token the measures use."""
    sys.path.insert(0, str(ROOT / "bench"))
    import scale
    from sqlalchemy import text

    from vendorrisk.compliance import maintain
    from vendorrisk.core import migrate, users
    from vendorrisk.core.db import new_session, refresh_statistics
    app = scale.make_app(url, folder)
    migrate.upgrade(app)
    start = time.perf_counter()
    with app.app_context():
        session = new_session(writes=True)
        facts = scale.populate(session, size)
        user = users.create_user(session, email="bench@example.jp", role="compliance", password=PASSWORD)
        _record, token = users.create_token(session, user, "bench")
        session.commit()
        session.close()
    with app.test_request_context():
        session = new_session(writes=True)
        maintain.rebuild(session)
        session.commit()
        session.close()
    scale.recount(app)
    engine = app.extensions["vendorrisk.engine"]
    refresh_statistics(engine)
    hub = facts["hubs"][0]
    with engine.connect() as connection:
        cell, links = connection.execute(text(
            "SELECT obligation, json_array_length(links) AS n FROM compliance_verdict WHERE vendor_id = :hub "
            "ORDER BY n DESC, obligation LIMIT 1"), {"hub": hub}).one()
    engine.dispose()
    return {"token": token, "hub": hub, "cell": cell, "cell_links": links, "built_s": time.perf_counter() - start}


def measure(roots: dict[str, str], url: str, folder: str, data: dict, rounds: int) -> dict:
    """Medians of wall and CPU ms per code base and page, the code bases taking turns."""
    children = {}
    for label, root in roots.items():
        children[label] = subprocess.Popen(
            [sys.executable, __file__, "--child", "--root", root, "--url", url, "--folder", folder,
             "--token", data["token"], "--hub", str(data["hub"]), "--cell", data["cell"]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    shapes = {label: json.loads(process.stdout.readline()) for label, process in children.items()}
    samples: dict = {label: {} for label in roots}
    order = list(roots)
    for n in range(rounds):
        for label in (order if n % 2 == 0 else order[::-1]):
            process = children[label]
            process.stdin.write("go\n")
            process.stdin.flush()
            for name, figures in json.loads(process.stdout.readline()).items():
                samples[label].setdefault(name, []).append(figures)
    for process in children.values():
        process.stdin.close()
        assert process.wait() == 0
    return {label: {"shape": shapes[label],
                    "pages": {name: (statistics.median(w for w, _c in found), statistics.median(c for _w, c in found))
                              for name, found in samples[label].items()}}
            for label in roots}


def report(engine: str, results: dict[int, dict], labels: list[str]) -> None:
    sizes = sorted(results)
    growth = f"; growth {sizes[0]} → {sizes[-1]}" if len(sizes) > 1 else ""
    print(f"\n== {engine}: medians of the rounds, ms wall / CPU{growth}")
    names = list(pages(0, ""))
    for name in names:
        for label in labels:
            cells = [results[size]["measures"][label]["pages"].get(name) for size in sizes]
            if None in cells:
                continue
            text = "  ".join(f"{size:>6}: {w:6.1f} / {c:5.1f}" for size, (w, c) in zip(sizes, cells))
            growth = (f"  growth wall {cells[-1][0] / cells[0][0]:.2f}×, CPU {cells[-1][1] / cells[0][1]:.2f}×"
                      if len(sizes) > 1 else "")
            print(f"   {name:<30} {label:<7} {text}{growth}")
    for size in sizes:
        data = results[size]["data"]
        print(f"   {size}: the hub's longest cell {data['cell']} holds {data['cell_links']} links "
              f"(built in {data['built_s']:.0f} s)")
        for label in labels:
            for name, shape in results[size]["measures"][label]["shape"].items():
                print(f"      {label:<7} {name:<30} {shape['bytes']:>8} bytes, {shape['links']:>5} links")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=None, help="a checkout of the code to compare with")
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated vendor counts")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--small", action="store_true", help="1,000 vendors on SQLite, 3 rounds")
    for hidden in ("--root", "--url", "--folder", "--token", "--hub", "--cell"):
        parser.add_argument(hidden, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.hub = int(args.hub)
        child(args)
        return
    if args.small:
        args.sizes, args.engine, args.rounds = "1000", "sqlite", 3
    sys.path.insert(0, str(ROOT))
    from tests.pg import throwaway_database
    roots = {"before": str(Path(args.before).resolve())} if args.before else {}
    roots["after"] = str(ROOT)
    print(f"load average {os.getloadavg()[0]:.1f}; code: {', '.join(f'{k} {v}' for k, v in roots.items())}")
    for engine in (("sqlite", "postgres") if args.engine == "both" else (args.engine,)):
        results = {}
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as folder, throwaway_database(engine, folder) as url:
                data = build(url, folder, size)
                results[size] = {"data": data, "measures": measure(roots, url, folder, data, args.rounds)}
            print(f"   ({engine} {size} measured, load average {os.getloadavg()[0]:.1f})", flush=True)
        report(engine, results, list(roots))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
