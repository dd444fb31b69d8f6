"""Coverage of important vendors: one set computation vs. one call per vendor.

Builds a throwaway SQLite portfolio (default 2,000 important vendors, three certificates
and a review each), then times ``coverage`` over all vendors at once and, as the baseline
from the same run, vendor by vendor. Prints both and their ratio.

    python bench/certificates.py [--small] [--vendors N]
"""
import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vendorrisk import create_app
from vendorrisk.certificates.coverage import coverage  # noqa: E402
from vendorrisk.certificates.models import Certificate, CertificateReview  # noqa: E402
from vendorrisk.core import migrate  # noqa: E402
from vendorrisk.core.db import new_session  # noqa: E402
from vendorrisk.core.models import (
    StoredFile,  # noqa: E402
    User,  # noqa: E402
)
from vendorrisk.vendors.models import Arrangement, Vendor  # noqa: E402


def build(session, vendors: int, today: date) -> list[int]:
    user = User(email="bench@example.jp", role="compliance")
    session.add(user)
    session.flush()
    ids = []
    for n in range(vendors):
        vendor = Vendor(name=f"ベンチ株式会社{n}", name_normalized=f"ベンチ株式会社{n}")
        session.add(vendor)
        session.flush()
        ids.append(vendor.id)
        session.add(Arrangement(vendor_id=vendor.id, title=f"委託業務{n}", is_important=True))
        for k, (kind, dates) in enumerate((
                ("soc2_type2", {"period_start": today - timedelta(days=400 + n % 200),
                                "period_end": today - timedelta(days=35 + n % 200)}),
                ("iso27001", {"issue_date": today - timedelta(days=900), "expiry_date": today + timedelta(days=n % 300 - 50)}),
                ("bridge_letter", {"period_start": today - timedelta(days=34 + n % 200), "period_end": today - timedelta(days=5)}))):
            stored = StoredFile(sha256=f"{n:058x}{k:06x}", size=1, media_type="application/pdf",
                                original_filename="x.pdf")
            session.add(stored)
            session.flush()
            certificate = Certificate(vendor_id=vendor.id, type=kind, file_id=stored.id,
                                      original_filename="x.pdf", **dates)
            session.add(certificate)
            session.flush()
            if n % 3:
                session.add(CertificateReview(certificate_id=certificate.id, reviewer_id=user.id,
                                              reviewed_on=today, covers_services=True, conclusion="ok"))
    session.commit()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="200 vendors, for a quick run")
    parser.add_argument("--vendors", type=int, default=2000)
    args = parser.parse_args()
    vendors = 200 if args.small else args.vendors
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite", "INSTANCE_PATH": folder,
                          "LOG_LEVEL": "WARNING"})
        migrate.upgrade(app)
        with app.app_context():
            session = new_session()
            started = time.perf_counter()
            ids = build(session, vendors, today)
            print(f"built {vendors} important vendors, {3 * vendors} certificates in "
                  f"{time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            together = coverage(session, ids, today)
            set_seconds = time.perf_counter() - started
            started = time.perf_counter()
            one_by_one = {i: coverage(session, [i], today)[i] for i in ids}
            loop_seconds = time.perf_counter() - started
            assert {i: c.status for i, c in together.items()} == {i: c.status for i, c in one_by_one.items()}
            met = sum(1 for c in together.values() if c.status == "met")
            print(f"coverage, all vendors at once: {set_seconds * 1000:.0f} ms ({met} met, {vendors - met} gap)")
            print(f"baseline, one vendor per call: {loop_seconds * 1000:.0f} ms")
            print(f"ratio baseline / set: {loop_seconds / set_seconds:.1f}x")
            session.close()
        app.extensions["vendorrisk.engine"].dispose()


if __name__ == "__main__":
    main()
