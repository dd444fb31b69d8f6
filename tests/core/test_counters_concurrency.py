"""The maintained counts (``core.counters``) stay equal to a recount when two transactions
write at once (review of the counters, defects 1 and 2), and a transaction's savepoints and
own reads see the right counts.

Each race runs two sessions from two threads with their own connections. On PostgreSQL
(``VENDORRISK_TEST_DB=postgres``) both run at the same time under READ COMMITTED: the first
test and the second showed a change counted twice (a per-key advisory lock fixes it), the
third a deadlock on the shared counter rows (writing the counts once, at commit, fixes it).
On SQLite a writing transaction takes the write lock when it begins (BEGIN IMMEDIATE), so the
second writer waits for the first to commit: the same steps run one after the other there,
and the counts must be right all the same. Runs on both engines (``make test``)."""
import threading
import time
from collections import Counter
from datetime import date, timedelta

from tests import factories
from vendorrisk.core import counters, registry
from vendorrisk.core.db import new_session
from vendorrisk.core.models import User
from vendorrisk.monitoring import plans
from vendorrisk.vendors import antisocial, arrangements, chains
from vendorrisk.vendors.findings import raise_finding
from vendorrisk.vendors.models import OutsourcingLink, Vendor

TODAY = date(2026, 12, 1)
APPROVE = {"approval_status": "approved", "approval_basis": "prior_consent"}
CHECK = {"checked_on": TODAY - timedelta(days=3), "method": "database", "result": "clear", "evidence_text": "x"}


def _drift(app) -> dict:
    """The counts whose kept row differs from a recount: {key: (kept, recounted)}."""
    with app.test_request_context():
        session = new_session()
        reg = registry.current()
        kinds = [k for spec in reg.counted.values() for k in spec.kinds]
        connection = session.connection()
        kept, recount = counters.stored(connection, kinds), counters.recounted(connection, reg.counted)
        session.close()
    return {k: (kept.get(k, 0), recount.get(k, 0)) for k in set(kept) | set(recount) if kept.get(k, 0) != recount.get(k, 0)}


def _in_thread(app, body, errors: list) -> threading.Thread:
    """Run ``body(session)`` in a thread with its own writing session, then commit; an
    exception goes to ``errors``."""
    def run():
        with app.test_request_context():
            session = new_session(writes=True)
            try:
                body(session)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test's assertion
                errors.append(exc)
                session.rollback()
            finally:
                session.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _names(errors: list) -> list[str]:
    return [type(e).__name__ + ": " + str(e).splitlines()[0] for e in errors]


def _first_holds_second_waits(app, first_write, second_write) -> list:
    """``first_write`` writes and flushes in one session; ``second_write`` then starts in
    another thread and session, and the first commits 1.5 s later (the second has reached
    its flush or the keys' locks on PostgreSQL, or waits to begin on SQLite). Returns the
    errors of the second."""
    errors: list = []
    with app.test_request_context():
        first = new_session(writes=True)
        first_write(first)
        first.flush()
        second = _in_thread(app, second_write, errors)
        time.sleep(1.5)
        first.commit()
        first.close()
        second.join(60)
    return errors


def test_two_checks_of_one_never_checked_vendor_count_once(app, db):
    """Defect 1: the vendor is the key and nothing else locks it (a double submit)."""
    me = factories.gen_user(db, role="compliance")
    vendor = factories.gen_vendor(db, status="approved")
    db.commit()
    assert _drift(app) == {}
    def check(session):
        antisocial.record_check(session, session.get(Vendor, vendor.id), dict(CHECK), me.id, today=TODAY)
    errors = _first_holds_second_waits(app, check, check)
    assert not errors, _names(errors)
    assert _drift(app) == {}


def test_two_deciders_of_one_arrangement_count_once(app, db):
    """Defect 1: each decider locks its link, but the count's key is the arrangement."""
    a, b = factories.gen_user(db, role="compliance"), factories.gen_user(db, role="compliance")
    hub, one, two = factories.gen_vendor(db), factories.gen_vendor(db), factories.gen_vendor(db)
    db.flush()
    with app.test_request_context():
        arrangement = arrangements.create_arrangement(db, {"vendor_id": hub.id, "title": "x", "service": "hosting"})
        first_link = chains.add_link(db, arrangement, {"parent_vendor_id": hub.id, "vendor_id": one.id, "service": "dc"})
        second_link = chains.add_link(db, arrangement, {"parent_vendor_id": hub.id, "vendor_id": two.id,
                                                        "service": "ops"})
    db.commit()
    assert _drift(app) == {}
    def decide(link_id, user_id):
        return lambda s: chains.decide_link(s, s.get(OutsourcingLink, link_id), dict(APPROVE), s.get(User, user_id))
    errors = _first_holds_second_waits(app, decide(first_link.id, a.id), decide(second_link.id, b.id))
    assert not errors, _names(errors)
    assert _drift(app) == {}


def test_two_writers_flushing_twice_in_opposite_order_do_not_deadlock(app, db):
    """Defect 2: the first raises a high finding then creates a vendor, the second the other
    way round, each flushing after each step; the shared rows (open_findings|high,
    vendors_by_tier|none) were taken at each flush, in opposite orders. On SQLite the second
    cannot flush before the first commits (one writer at a time), so there the steps run one
    transaction after the other; the outcome asserted is the same."""
    vendor = factories.gen_vendor(db)
    db.flush()
    raise_finding(db, vendor_id=vendor.id, source="manual", title="seed", severity="high")
    db.commit()  # both counter rows exist
    errors: list = []
    flushed = threading.Event()

    def second_body(session):
        factories.gen_vendor(session)
        session.flush()
        flushed.set()
        time.sleep(1)
        raise_finding(session, vendor_id=vendor.id, source="manual", title="t2", severity="high")
        session.flush()

    with app.test_request_context():
        first = new_session(writes=True)
        raise_finding(first, vendor_id=vendor.id, source="manual", title="t1", severity="high")
        first.flush()
        second = _in_thread(app, second_body, errors)
        flushed.wait(3)  # SQLite: not set, the second waits for our commit
        try:
            factories.gen_vendor(first)
            first.flush()
            first.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            first.rollback()
        first.close()
        second.join(60)
    assert not errors, _names(errors)
    assert _drift(app) == {}


def test_two_plans_of_the_same_new_reviews_count_them_once(app, db):
    """New reviews planned by Core statements are counted as inserted, not read back: a
    second transaction planning the same vendors at once (its reading saw none of the first's
    reviews) waits for the first, inserts nothing, and must count nothing. On SQLite the
    second begins after the first commits and finds the reviews planned."""
    hub = factories.gen_vendor(db)
    arrangement = factories.gen_arrangement(db, hub)
    for _ in range(3):
        factories.gen_link(db, arrangement, hub, factories.gen_vendor(db))
    db.commit()
    assert _drift(app) == {}
    first_plans: list = []
    second_plans: list = []
    errors = _first_holds_second_waits(app, lambda s: first_plans.append(plans.regenerate_plans(s)),
                                       lambda s: second_plans.append(plans.regenerate_plans(s)))
    assert first_plans[0]["created"] == 4
    assert not errors, _names(errors)
    assert second_plans == [{"created": 0, "updated": 0, "dropped": 0}]
    assert _drift(app) == {}


def test_a_transaction_reads_its_own_counts_and_a_savepoint_rollback_drops_its_own(app, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    with app.test_request_context():
        high = counters.by_scope(db, "open_findings").get("high", 0)
        raise_finding(db, vendor_id=vendor.id, source="manual", title="kept", severity="high")
        db.flush()
        assert counters.by_scope(db, "open_findings").get("high", 0) == high + 1  # not written yet
        with db.begin_nested() as savepoint:
            raise_finding(db, vendor_id=vendor.id, source="manual", title="dropped", severity="high")
            db.flush()
            assert counters.by_scope(db, "open_findings").get("high", 0) == high + 2
            savepoint.rollback()
        assert counters.by_scope(db, "open_findings").get("high", 0) == high + 1
        db.commit()
        assert counters.pending(db) == Counter()
        assert counters.by_scope(db, "open_findings").get("high", 0) == high + 1
    assert _drift(app) == {}


def test_a_failed_flush_leaves_no_before_behind(app, db):
    """Defect 3: the "before" read for a flush that failed (left in the session as if that
    flush had raised) is not used by the next flush, which touches no counted row."""
    vendor = factories.gen_vendor(db)
    db.commit()
    with app.test_request_context():
        db.info[counters.PENDING] = {"vendors": ({vendor.id}, [], Counter({("vendors_by_tier", "none", ""): 5}))}
        factories.gen_user(db)
        db.commit()
    assert _drift(app) == {}


def test_a_session_closed_without_commit_keeps_no_difference(app, db):
    vendor = factories.gen_vendor(db)
    db.commit()
    with app.test_request_context():
        raise_finding(db, vendor_id=vendor.id, source="manual", title="never committed", severity="high")
        db.flush()
        assert counters.pending(db)
        db.close()
        assert counters.pending(db) == Counter()
        factories.gen_user(db)
        db.commit()
    assert _drift(app) == {}
