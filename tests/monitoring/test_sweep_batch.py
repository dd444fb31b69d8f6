"""The sweep's batch: the garbage collector paused while it plans and collects (and given back
as it was, also when a source fails), and the planned reviews' checks stored as the ORM
stores them (written as JSON text, encoded once)."""
import gc
import json
from datetime import date

import pytest
from sqlalchemy import Text, cast, select

from tests.monitoring.factories import gen_chain
from vendorrisk.core import registry
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.monitoring.sweep import run_sweep

TODAY = date(2026, 3, 2)


@pytest.fixture
def collector_on():
    """The collector on for the test, as a process has it (restored after)."""
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def _source(seen: list, fail: bool = False):
    def source(_session, _today):
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("a source failed")
        return []
    return source


def test_the_collector_is_off_while_the_sweep_collects_and_on_after(app, db, monkeypatch, collector_on):
    gen_chain(db, start=date(2025, 2, 1))
    db.commit()
    seen: list = []
    monkeypatch.setitem(registry.of(app).reminder_sources, "zz_probe", _source(seen))
    result = run_sweep(app, today=TODAY, send=False)
    assert result.plans["created"] == 3
    assert seen == [False]
    assert gc.isenabled()


def test_a_failing_source_gives_the_collector_back(app, db, monkeypatch, collector_on):
    seen: list = []
    monkeypatch.setitem(registry.of(app).reminder_sources, "zz_probe", _source(seen, fail=True))
    with pytest.raises(RuntimeError):
        run_sweep(app, today=TODAY, send=False)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(app, db, monkeypatch, collector_on):
    seen: list = []
    monkeypatch.setitem(registry.of(app).reminder_sources, "zz_probe", _source(seen))
    gc.disable()
    run_sweep(app, today=TODAY, send=False)
    assert seen == [False]
    assert not gc.isenabled()


def test_planned_reviews_store_their_checks_as_the_orm_does(app, db):
    _arr, vendors = gen_chain(db, start=date(2025, 2, 1))
    db.commit()
    assert run_sweep(app, today=TODAY, send=False).plans["created"] == 3
    db.expire_all()
    reviews = db.scalars(select(MonitoringReview).where(MonitoringReview.vendor_id.in_([v.id for v in vendors]))).all()
    assert [r.checks for r in reviews] == [{}, {}, {}]
    texts = db.scalars(select(cast(MonitoringReview.__table__.c.checks, Text))
                       .where(MonitoringReview.vendor_id.in_([v.id for v in vendors]))).all()
    assert [json.loads(t) for t in texts] == [{}, {}, {}]
    # the owner records a check afterwards: the ORM reads and writes the dict as before
    reviews[0].checks["service_levels"] = "ok"
    db.commit()
    db.expire_all()
    assert db.get(MonitoringReview, reviews[0].id).checks == {"service_levels": "ok"}
