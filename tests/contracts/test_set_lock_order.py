"""Two set uploads that start the same new documents in opposite orders both go through
(issue 13, item 3): the documents' titles are locked first, in sorted order
(``core.locking.lock_names``), whatever the order of the files, so the second upload waits for
the first at the first title they share instead of holding a document the first needs (on
PostgreSQL, a deadlock: one upload aborted).

The interleaving is made deterministic: the first transaction starts「DPA」, the second (a
thread, files in the order SLA, DPA) then runs until it waits on a lock — seen in
``pg_stat_activity`` — and only then does the first start「SLA」and commit. Without the title
locks the second held SLA while waiting for DPA, and the first's SLA closed the cycle. On
SQLite the second transaction waits to begin until the first commits, so the steps run one
after the other and the outcome must be the same."""
import threading
import time

from sqlalchemy import text
from sqlmodel import select

from tests import factories
from tests.contracts.test_set_pages import _set_arrangement
from tests.contracts.test_sets import MASTER, SLA
from vendorrisk.contracts import set_service
from vendorrisk.contracts.models import Contract, ContractVersion
from vendorrisk.core.db import new_session
from vendorrisk.core.models import User

WAIT_LIMIT = 120  # seconds to wait for the second upload to block: a precondition, not a timing


def _upload(app, session, arrangement_id: int, user_id: int, files) -> None:
    prepared = set_service.prepare_set(files)
    set_service.upload_set(session, arrangement_id=arrangement_id, prepared=prepared, user=session.get(User, user_id))


def _waiting_on_a_lock(app) -> bool:
    with app.extensions["vendorrisk.engine"].connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar())


def test_two_sets_starting_the_same_documents_in_opposite_orders_both_go_through(app, db):
    arrangement = _set_arrangement(db)
    user = factories.gen_user(db, role="compliance")
    db.commit()
    errors: list = []

    def second():
        with app.test_request_context():
            session = new_session(writes=True)
            try:
                _upload(app, session, arrangement.id, user.id,
                        [(SLA + b"\n2\n", "SLA.txt"), (MASTER + b"\n2\n", "DPA.txt")])
                session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                session.rollback()
            finally:
                session.close()

    postgres = app.extensions["vendorrisk.engine"].dialect.name == "postgresql"
    with app.test_request_context():
        first = new_session(writes=True)
        try:
            _upload(app, first, arrangement.id, user.id, [(MASTER + b"\n1\n", "DPA.txt")])
            first.flush()
            thread = threading.Thread(target=second)
            thread.start()
            if postgres:
                deadline = time.monotonic() + WAIT_LIMIT
                while not _waiting_on_a_lock(app) and thread.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert _waiting_on_a_lock(app), "the second upload never waited on the first"
            _upload(app, first, arrangement.id, user.id, [(SLA + b"\n1\n", "SLA.txt")])
            first.commit()
        except Exception as exc:  # noqa: BLE001 - the first may be the one PostgreSQL aborts
            errors.append(exc)
            first.rollback()
        finally:
            first.close()
        thread.join(WAIT_LIMIT)
    assert not errors, [f"{type(e).__name__}: {str(e).splitlines()[0]}" for e in errors]
    db.rollback()
    rows = db.exec(select(Contract.title, ContractVersion.number)
                   .join(ContractVersion, ContractVersion.contract_id == Contract.id)
                   .where(Contract.arrangement_id == arrangement.id).order_by(Contract.title, ContractVersion.number)).all()
    assert rows == [("DPA", 1), ("DPA", 2), ("SLA", 1), ("SLA", 2)]
