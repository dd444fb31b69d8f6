"""Chain reads shared by one transaction's listeners (``core.txmemo``): the second asker gets
the first answer without a statement, and never an answer older than a write to what it read
(an ORM flush, a Core statement, raw SQL, a savepoint rolled back). Both engines."""
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event, text, update

from tests import factories
from vendorrisk.monitoring import plans
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors.chain_reach import tiers_for
from vendorrisk.vendors.models import OutsourcingLink, Vendor


@contextmanager
def statements(db):
    """The statements the session's connection sends inside the block (a list, filled)."""
    sent = []
    connection = db.connection()

    def seen(_conn, _cursor, statement, *_args):
        sent.append(statement)
    event.listen(connection, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", seen)


def _chain(db):
    """Arrangement headed by ``top`` with ``top -> middle``, and a vendor ``low`` in no chain."""
    top, middle, low = (factories.gen_vendor(db) for _ in range(3))
    arrangement = factories.gen_arrangement(db, top, status="active")
    link = factories.gen_link(db, arrangement, top, middle)
    return arrangement, link, top, middle, low


def test_the_second_read_of_the_same_tiers_sends_nothing(app, db):
    _arrangement, _link, top, middle, low = _chain(db)
    ids = [top.id, middle.id, low.id]
    with statements(db) as sent:
        first = tiers_for(db, ids)
    assert sent and first == {top.id: 1, middle.id: 2}
    with statements(db) as sent:
        assert tiers_for(db, list(reversed(ids))) == first  # the same vendors in another order
        assert tiers_for(db, ids, deepest=True) == {top.id: 1, middle.id: 2}  # one walk answers both
        db.add(factories.gen_user(db))  # a write to another table keeps the answer
        db.flush()
        assert tiers_for(db, ids) == first
    assert not [s for s in sent if "upward" in s]


def test_a_chain_written_mid_transaction_is_read_anew(app, db):
    arrangement, link, top, middle, low = _chain(db)
    ids = [top.id, middle.id, low.id]
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    factories.gen_link(db, arrangement, middle, low)  # ORM flush of a new link
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2, low.id: 3}
    # a Core update of the link table
    db.connection().execute(update(OutsourcingLink.__table__).where(OutsourcingLink.__table__.c.vendor_id == low.id)
                            .values(parent_vendor_id=top.id))
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2, low.id: 2}
    # raw SQL writing the link table
    db.execute(text("DELETE FROM outsourcing_link WHERE vendor_id = :v"), {"v": low.id})
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    # a savepoint rolled back: what was read inside it is gone with it
    nested = db.begin_nested()
    factories.gen_link(db, arrangement, middle, low)
    assert tiers_for(db, ids)[low.id] == 3
    nested.rollback()
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    # the arrangement's own row is read too: terminated, its chain counts no more
    arrangement.status = "terminated"
    db.add(arrangement)
    db.flush()
    assert tiers_for(db, ids) == {}


def test_raw_sql_forgets_what_it_writes_or_everything_when_it_does_not_say(app, db):
    """A raw INSERT, UPDATE or DELETE naming its table (the counters' upserts) forgets the
    answers read from that table only; other raw SQL forgets every answer."""
    _arrangement, _link, top, middle, _low = _chain(db)
    ids = [top.id, middle.id]
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    with statements(db) as sent:
        db.execute(text("INSERT INTO maintained_count (kind, scope, day, n) VALUES ('memo_test', '', '', 1)"))
        db.execute(text("update vendor SET notes = notes WHERE id = :v"), {"v": top.id})
        assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    assert not [s for s in sent if "upward" in s]
    db.execute(text("UPDATE outsourcing_link SET service = service"))
    with statements(db) as sent:
        assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    assert [s for s in sent if "upward" in s]
    db.execute(text("WITH unused AS (SELECT 1) UPDATE vendor SET notes = notes"))  # not said plainly
    with statements(db) as sent:
        assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    assert [s for s in sent if "upward" in s]


def test_the_transaction_end_forgets(app, db):
    _arrangement, link, top, middle, low = _chain(db)
    db.commit()
    ids = [top.id, middle.id]
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    db.rollback()
    with statements(db) as sent:
        assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    assert [s for s in sent if "upward" in s]


def test_a_review_completed_mid_transaction_moves_the_plans_reads(app, db):
    """The plan listener and rule 26-1 share the last completed reviews: a review written
    between them is seen by the second."""
    _arrangement, _link, top, middle, _low = _chain(db)
    ids = [top.id, middle.id]
    assert plans.last_completed(db, ids) == {}
    db.add(MonitoringReview(vendor_id=middle.id, status="completed", performed_on=date(2026, 1, 5),
                            risk_tier="medium", frequency_months=12, due_date=date(2026, 1, 31)))
    db.flush()
    assert plans.last_completed(db, ids) == {middle.id: date(2026, 1, 5)}
    assert plans.vendor_tiers(db, ids) == {top.id: None, middle.id: None}
    db.connection().execute(update(Vendor.__table__).where(Vendor.__table__.c.id == top.id).values(risk_tier="high"))
    assert plans.vendor_tiers(db, ids) == {top.id: "high", middle.id: None}


def test_a_change_not_yet_flushed_is_flushed_before_the_answer(app, db):
    """A query flushes pending ORM changes first (autoflush); a remembered answer does too."""
    _arrangement, link, top, middle, low = _chain(db)
    ids = [top.id, middle.id, low.id]
    assert tiers_for(db, ids) == {top.id: 1, middle.id: 2}
    link.vendor_id = low.id  # pending in the session, not flushed
    db.add(link)
    assert tiers_for(db, ids) == {top.id: 1, low.id: 2}
