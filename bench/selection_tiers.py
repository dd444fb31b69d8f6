"""Risk-tier recompute over a large portfolio: set queries vs. one query batch per vendor.

Usage: python bench/selection_tiers.py [--small]   (default 2,000 arrangements, 3-tier chains)
Prints timings and the ratio to a per-vendor baseline measured in the same run.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from vendorrisk import create_app
from vendorrisk.core import migrate  # noqa: E402
from vendorrisk.core.db import transaction  # noqa: E402
from vendorrisk.selection import risk_tier  # noqa: E402
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor  # noqa: E402


def build(session, arrangements: int) -> int:
    """Arrangements with a tier-1 vendor and a two-link chain below it; returns vendor count."""
    vendors = arrangements * 3
    session.execute(insert(Vendor), [{"name": f"V{i}", "name_en": f"V{i}", "name_normalized": f"V{i}",
                                      "country": "JP", "is_cloud": i % 7 == 0, "status": "approved",
                                      "notes": ""} for i in range(vendors)])
    ids = [v.id for v in session.execute(select(Vendor.id).order_by(Vendor.id))]
    session.execute(insert(Arrangement), [{"vendor_id": ids[3 * a], "title": f"A{a}", "is_important": a % 3 == 0,
                                           "handles_user_data": a % 2 == 0, "is_cloud": a % 5 == 0,
                                           "substitutability": ("easy", "medium", "hard")[a % 3],
                                           "user_data_categories": [], "exit_plan": "", "status": "active"}
                                          for a in range(arrangements)])
    arr_ids = [a.id for a in session.execute(select(Arrangement.id).order_by(Arrangement.id))]
    links = []
    for a, arr in enumerate(arr_ids):
        links.append({"arrangement_id": arr, "parent_vendor_id": ids[3 * a], "vendor_id": ids[3 * a + 1],
                      "touches_user_data": a % 2 == 0, "approval_status": "approved"})
        links.append({"arrangement_id": arr, "parent_vendor_id": ids[3 * a + 1], "vendor_id": ids[3 * a + 2],
                      "touches_user_data": a % 4 == 0, "approval_status": "approved"})
    session.execute(insert(OutsourcingLink), links)
    link_ids = [row.id for row in session.execute(select(OutsourcingLink.id).order_by(OutsourcingLink.id))]
    session.execute(insert(DataLocation), [{"link_id": lid, "country": "US" if i % 9 == 0 else "JP",
                                            "region": "", "purpose": "both"} for i, lid in enumerate(link_ids)])
    return vendors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="200 arrangements instead of 2,000")
    args = parser.parse_args()
    arrangements = 200 if args.small else 2000
    folder = Path(tempfile.mkdtemp(prefix="bench-selection-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                      "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "INSTANCE_PATH": str(folder),
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        migrate.upgrade(app)
        with transaction() as session:
            vendors = build(session, arrangements)
        with transaction() as session:
            start = time.perf_counter()
            changed = risk_tier.recompute(session)
            set_seconds = time.perf_counter() - start
        sample = list(range(1, min(vendors, 300) + 1))
        with transaction() as session:
            start = time.perf_counter()
            for vendor_id in sample:  # baseline: the same facts gathered one vendor at a time
                risk_tier.vendor_facts(session, [vendor_id])
            per_vendor = (time.perf_counter() - start) / len(sample)
    baseline = per_vendor * vendors
    print(f"vendors: {vendors}, arrangements: {arrangements}, tiers set: {len(changed)}")
    print(f"recompute (set queries): {set_seconds:.3f} s")
    print(f"per-vendor baseline (extrapolated from {len(sample)}): {baseline:.3f} s")
    print(f"ratio baseline / set queries: {baseline / set_seconds:.1f}x")


if __name__ == "__main__":
    main()
