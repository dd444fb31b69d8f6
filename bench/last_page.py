"""Bench: the matrix's last page on PostgreSQL, its vendor query with a plain OFFSET against the
same page read from the other end (``core.pagination.window``), timed in the app (wall, CPU)
and in the server (EXPLAIN ANALYZE), and the whole page as ``store.matrix_page`` reads it.

    python bench/last_page.py 10000
    python bench/last_page.py 50000
    python bench/last_page.py --small    # 1,000 vendors (make bench)

The hub portfolio of ``bench/scale.py`` in a throwaway PostgreSQL cluster; the maintained facts
are filled by one SQL statement (the rows' order and filters only need them to exist) instead
of the rebuild, which takes minutes at 50k; the verdicts stay empty.
"""
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.pg import Cluster  # noqa: E402
from vendorrisk.compliance import store  # noqa: E402
from vendorrisk.compliance.matrix import MatrixFilters, select_obligations  # noqa: E402
from vendorrisk.core import migrate  # noqa: E402
from vendorrisk.core.db import new_session, refresh_statistics  # noqa: E402
from vendorrisk.core.pagination import window  # noqa: E402

size = 1000 if "--small" in sys.argv else int(next((a for a in sys.argv[1:] if a.isdigit()), 10_000))
cluster = Cluster().start()
try:
    with tempfile.TemporaryDirectory() as folder:
        app = scale.make_app(cluster.url(), folder)
        migrate.upgrade(app)
        with app.app_context():
            s = new_session(writes=True)
            scale.populate(s, size)
            s.execute(text("INSERT INTO compliance_vendor (vendor_id, tier, arrangements, important, cloud, user_data, met, gap, not_applicable) "
                           "SELECT id, 1 + id % 4, id % 3, id % 3 = 0, id % 4 = 0, id % 2 = 0, 3, 2, 1 FROM vendor"))
            s.commit()
            s.close()
        scale.recount(app)
        refresh_statistics(app.extensions["vendorrisk.engine"])
        with app.test_request_context():
            s = new_session()
            conn = s.connection()
            for filters in (MatrixFilters(), MatrixFilters(cloud=True)):
                obligations = select_obligations(None)
                q = store.vendors_query(filters, obligations)
                total = store.count(s, filters)
                offset = (-(-total // 50) - 1) * 50
                plain = q.limit(50).offset(offset)
                rev, back = window(q, offset, 50, total)
                assert back
                a = [r.id for r in conn.execute(plain)]
                b = [r.id for r in conn.execute(rev)][::-1]
                assert a == b, "rows differ"
                res = {"plain": [], "reversed": []}
                for _ in range(9):
                    for name, stmt in (("plain", plain), ("reversed", rev)):
                        w, c = time.perf_counter(), time.process_time()
                        conn.execute(stmt).all()
                        w, c = time.perf_counter() - w, time.process_time() - c
                        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
                        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled)).scalar()
                        plan = plan if isinstance(plan, list) else json.loads(plan)
                        res[name].append((w * 1000, c * 1000, plan[0]["Execution Time"]))
                # whole page as the app reads it (count, rows, verdicts)
                page_ms = []
                for _ in range(9):
                    w = time.perf_counter()
                    store.matrix_page(s, filters, -(-total // 50))
                    page_ms.append((time.perf_counter() - w) * 1000)
                print(f"{size} filters={'cloud' if filters.cloud else 'none'} total={total} offset={offset}")
                for name, rows in res.items():
                    print(f"   {name:9} query wall {statistics.median(r[0] for r in rows):6.2f} ms  CPU {statistics.median(r[1] for r in rows):5.2f} ms  server execution {statistics.median(r[2] for r in rows):6.2f} ms")
                print(f"   matrix_page (reversed, whole page) wall {statistics.median(page_ms):6.2f} ms")
            s.close()
        app.extensions["vendorrisk.engine"].dispose()
finally:
    cluster.stop()
