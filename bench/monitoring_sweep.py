"""Bench: the reminder sweep over 10,000 vendors and 50,000 sub-outsourcing links.

Times a sweep that finds nothing new to send, first with only the reminders of today in
the table, then after many reminders were already sent (500,000 historical rows), and
prints the ratio: the sweep's cost should not grow with the history.

    /work/venv/bin/python bench/monitoring_sweep.py            # 10,000 vendors, 50,000 links
    /work/venv/bin/python bench/monitoring_sweep.py --small    # 1,000 vendors, 5,000 links
    /work/venv/bin/python bench/monitoring_sweep.py --database-url postgresql+psycopg://...
    /work/venv/bin/python bench/monitoring_sweep.py --small --callgrind   # + instructions

``--callgrind`` runs the bench again under valgrind's callgrind and prints the
instructions of the first sweep and of each steady sweep (``bench/callgrind.py``): a figure
that does not move with the machine's load, unlike the seconds (which, under valgrind, are
meaningless and only show that the run went through).
"""
import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update  # noqa: E402

from bench import callgrind  # noqa: E402
from vendorrisk import create_app  # noqa: E402
from vendorrisk.core import migrate  # noqa: E402
from vendorrisk.core.db import engine_of  # noqa: E402
from vendorrisk.core.models import User  # noqa: E402
from vendorrisk.monitoring.models import MonitoringReview  # noqa: E402
from vendorrisk.monitoring.models_reminders import Reminder  # noqa: E402
from vendorrisk.monitoring.sweep import run_sweep  # noqa: E402
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, VendorOwner  # noqa: E402

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 0, 0, tzinfo=timezone.utc)
CHUNK = 5000
# Chains recorded when the arrangements started, years ago: a portfolio in its steady state.
# (Recorded today, a never-reviewed vendor's first review is not due yet since the first-review
# grace of 2026-12-06, and the first sweep would store fewer reminders than 9ae334a's.)
RECORDED = datetime(2023, 4, 1, 0, 0, tzinfo=timezone.utc)


def _bulk(connection, table, rows):
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[start:start + CHUNK])


def build(app, vendors: int, links: int, seed: int = 7) -> None:
    """Portfolio: ``vendors`` vendors, one arrangement per 10 vendors, ``links`` links in
    chains, owners for every vendor, and a completed review for 90% of the vendors."""
    rng = random.Random(seed)
    tiers = ["critical", "high", "medium", "low", None]
    with engine_of(app).begin() as conn:
        _bulk(conn, User.__table__, [{"email": f"user{i}@bench.example", "display_name": f"user {i}",
                                      "role": "compliance" if i < 2 else "vendor_owner", "password_hash": "",
                                      "language": "ja" if i % 3 else "en", "is_active": True,
                                      "created_at": NOW} for i in range(52)])
        user_ids = [r[0] for r in conn.execute(select(User.id).order_by(User.id))]
        _bulk(conn, Vendor.__table__, [{"name": f"ベンチ株式会社{i}", "name_en": f"Bench {i}", "name_normalized": f"ベンチ{i}",
                                        "country": "JP", "address": "", "is_system_subsidiary": False, "is_cloud": False,
                                        "status": "approved", "risk_tier": tiers[i % 5], "notes": "",
                                        "created_at": NOW, "updated_at": NOW} for i in range(vendors)])
        vendor_ids = [r[0] for r in conn.execute(select(Vendor.id).order_by(Vendor.id))]
        arrangements = max(1, vendors // 10)
        _bulk(conn, Arrangement.__table__, [{
            "vendor_id": vendor_ids[i], "title": f"委託業務 {i}", "service": "", "business_function": "",
            "is_important": i % 4 == 0, "is_cloud": False, "handles_user_data": True, "user_data_categories": [],
            "subcontracting_allowed": True, "substitutability": "medium", "start_date": date(2023, 4, 1),
            "end_date": TODAY + timedelta(days=rng.randint(10, 900)), "notice_period_days": 90, "exit_plan": "",
            "status": "active", "created_at": RECORDED} for i in range(arrangements)])
        arrangement_rows = conn.execute(select(Arrangement.id, Arrangement.vendor_id).order_by(Arrangement.id)).all()
        per_chain = max(1, links // arrangements)
        link_rows = []
        for arrangement_id, first in arrangement_rows:
            chain = [first]
            for child in rng.sample(vendor_ids, per_chain + 1):
                if child in chain or len(chain) > per_chain:
                    continue
                link_rows.append({"arrangement_id": arrangement_id, "parent_vendor_id": rng.choice(chain[-5:]),
                                  "vendor_id": child, "service": "", "touches_user_data": False,
                                  "approval_status": "approved", "approval_note": "", "created_at": RECORDED})
                chain.append(child)
        _bulk(conn, OutsourcingLink.__table__, link_rows[:links])
        _bulk(conn, VendorOwner.__table__, [{"vendor_id": v, "user_id": user_ids[2 + v % 50], "is_primary": True,
                                             "assigned_at": NOW} for v in vendor_ids])
        _bulk(conn, MonitoringReview.__table__, [{
            "vendor_id": v, "status": "completed", "open_vendor_id": None, "risk_tier": "medium",
            "frequency_months": 12, "due_date": TODAY, "performed_on": TODAY - timedelta(days=rng.randint(0, 80)),
            "method": "remote", "checks": {}, "outcome": "satisfactory", "summary": "", "planned_at": NOW}
            for v in vendor_ids if rng.random() < 0.9])
    print(f"  portfolio: {vendors:,} vendors, {arrangements:,} arrangements, {min(links, len(link_rows)):,} links")


def history(app, rows: int) -> None:
    """Add ``rows`` reminders sent in past weeks (the history a long-running system keeps)."""
    with engine_of(app).begin() as conn:
        batch = []
        for i in range(rows):
            batch.append({"subject_type": "review", "subject_id": 1_000_000 + i // 50, "kind": f"overdue_w{i % 50 + 1}",
                          "due_date": TODAY - timedelta(days=400), "recipient": f"user{i % 52}@bench.example",
                          "language": "ja", "subject_line": "old", "body": "old", "link": "", "status": "sent",
                          "attempts": 1, "last_error": "", "created_at": NOW, "claimed_by": "bench"})
            if len(batch) == CHUNK:
                conn.execute(insert(Reminder.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(Reminder.__table__), batch)


def timed_sweeps(app, runs: int, name: str) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``runs`` sweeps, each of which must find nothing
    new (CPU time is this process's: on a shared machine it is the steadier figure); under
    callgrind, each sweep's instructions are counted under ``name``."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        with callgrind.counted(name):
            result = run_sweep(app, today=TODAY, now=NOW)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert result.created == 0 and result.sent == 0, result
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Build the portfolio, run the sweeps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 vendors and 5,000 links")
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--history", type=int, default=None, help="historical sent reminders to add")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--callgrind", action="store_true",
                        help="run under valgrind's callgrind and print the sweeps' instructions")
    args = parser.parse_args()
    if args.callgrind and not callgrind.under_callgrind():
        callgrind.report(callgrind.run_under_callgrind(sys.argv))
        return
    vendors, links = (1_000, 5_000) if args.small else (10_000, 50_000)
    past = args.history if args.history is not None else (50_000 if args.small else 500_000)
    folder = Path(tempfile.mkdtemp(prefix="vr-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(folder), "LOG_LEVEL": "WARNING", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1})
    migrate.upgrade(app)
    print(f"monitoring sweep bench on {engine_of(app).dialect.name}")
    start = time.perf_counter()
    build(app, vendors, links)
    print(f"  bulk insert: {time.perf_counter() - start:.1f} s")
    try:  # a bulk load publishes no event: the maintained compliance verdicts are rebuilt after it
        from vendorrisk.compliance import maintain
        from vendorrisk.core.db import transaction
        with app.test_request_context(), transaction(engine=engine_of(app)) as session:
            maintain.rebuild(session)
        from vendorrisk.core import counters
        with app.test_request_context(), transaction(engine=engine_of(app)) as session:
            counters.rebuild(session)
    except ImportError:  # the code before the maintained verdicts (or counts)
        pass
    start, start_cpu = time.perf_counter(), time.process_time()
    with callgrind.counted("first sweep"):
        first = run_sweep(app, today=TODAY, now=NOW, send=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"  first sweep (plans {first.plans['created']:,} reviews, stores {first.created:,} reminders, "
          f"no sending): {wall:.3f} s, {cpu:.3f} s CPU")
    with engine_of(app).begin() as conn:  # as if the SMTP server had accepted them all
        conn.execute(update(Reminder.__table__).where(Reminder.status == "pending").values(status="sent", sent_at=NOW))
        stored = conn.execute(select(func.count()).select_from(Reminder.__table__)).scalar()
    before, before_cpu = timed_sweeps(app, args.runs, "steady sweep")
    print(f"  sweep finding nothing new, {stored:,} reminders in the table (all due today, all sent): "
          f"{before * 1000:.0f} ms wall, {before_cpu * 1000:.0f} ms CPU (median of {args.runs})")
    history(app, past)
    with engine_of(app).connect() as conn:
        stored = conn.execute(select(func.count()).select_from(Reminder.__table__)).scalar()
    after, after_cpu = timed_sweeps(app, args.runs, "steady sweep after the history")
    print(f"  sweep finding nothing new, {stored:,} reminders in the table: "
          f"{after * 1000:.0f} ms wall, {after_cpu * 1000:.0f} ms CPU (median of {args.runs})")
    print(f"  ratio after/before: {after / before:.2f} wall, {after_cpu / before_cpu:.2f} CPU "
          f"(1.0 = cost independent of the reminders already sent)")
    engine_of(app).dispose()


if __name__ == "__main__":
    main()
