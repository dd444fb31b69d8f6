"""The demo portfolio is shown to prospects: invented companies, Japanese descriptions."""
import re

from sqlalchemy import text

from vendorrisk.demo import load_demo

# Real companies the first demo named next to critical findings and compliance gaps.
REAL = ["amazon", "aws", "microsoft", "azure", "google", "さくら", "sakura", "ntt", "富士通", "fujitsu", "deloitte",
        "ey certifypoint", "bsi", "jqa", "cloudsign", "アマゾン", "マイクロソフト"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_demo_names_invented_companies_with_japanese_descriptions(app, db):
    load_demo(app)
    texts = []
    for query in ("SELECT name || ' ' || name_en FROM vendor", "SELECT title || ' ' || service || ' ' || business_function "
                  "FROM arrangement", "SELECT service FROM outsourcing_link", "SELECT issuer || ' ' || original_filename "
                  "FROM certificate", "SELECT original_filename FROM stored_file", "SELECT name FROM subcontractor_proposal",
                  "SELECT display_name FROM user_account", "SELECT title FROM contract"):
        texts += [row[0] for row in db.execute(text(query))]
    found = sorted({word for word in REAL for t in texts if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", t.lower())})
    assert found == []
    for query in ("SELECT name FROM vendor", "SELECT service FROM arrangement", "SELECT service FROM outsourcing_link",
                  "SELECT display_name FROM user_account", "SELECT title FROM contract"):
        not_japanese = [v for (v,) in db.execute(text(query)) if v and not JAPANESE.search(v)]
        assert not_japanese == [], query


def test_demo_history_counts_the_gaps_it_names(app, db):
    """The demo's earlier monthly snapshots count the vendors they name as gaps, so the trend
    (counts) and the board report's changes since the last report (the named vendors) agree:
    the report said "no change since last month" under a trend falling by twenty gaps."""
    from sqlmodel import select

    from vendorrisk.compliance import snapshots
    from vendorrisk.compliance.models import ComplianceSnapshot
    from vendorrisk.core import clock
    load_demo(app)
    rows = db.scalars(select(ComplianceSnapshot)).all()
    assert len({row.month for row in rows}) == 6
    assert all(row.gap == len(row.gap_vendor_ids) for row in rows)
    trend = snapshots.trend(db)
    month, changes = snapshots.changes_since_previous(db, clock.today())
    assert month == trend[-2].month
    assert sum(len(c.closed) - len(c.opened) for c in changes) == trend[-2].gaps - trend[-1].gaps > 0
