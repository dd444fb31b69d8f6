"""A register import neither ends an arrangement nor puts an ended one back in force: the
arrangements sheet's status and exit columns are read-only, an end is recorded on the
arrangement's exit page (Art. 27(3)); the import stays all or nothing."""
import pytest
from flask_babel import refresh
from sqlmodel import func, select

from tests import factories
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.monitoring.models import MonitoringReview
from vendorrisk.vendors import exits
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.register_check import check_register
from vendorrisk.vendors.register_export import register_workbook
from vendorrisk.vendors.register_reader import read_register
from vendorrisk.vendors.register_store import import_register


def _refusals(app, db, data, headers=None, dry_run=False) -> list[dict]:
    with app.test_request_context(headers=headers or {}):
        refresh()
        try:
            if dry_run:
                check_register(db, read_register(data, "register.xlsx"))
            else:
                import_register(db, data, "register.xlsx")
        except ValidationFailed as exc:
            db.rollback()
            return exc.details
    db.rollback()
    raise AssertionError("expected ValidationFailed")


def _empty_register(db) -> None:
    for model in (MonitoringReview, DataLocation, OutsourcingLink, Arrangement, Vendor):
        for row in db.exec(select(model)).all():
            db.delete(row)
        db.flush()
    db.commit()


@pytest.mark.parametrize("language, page", [("en", "exit page"), ("ja", "「契約終了」画面")])
def test_an_exported_register_with_a_terminated_arrangement_is_refused_on_import(app, db, language, page):
    vendor = factories.gen_vendor(db, name="終了先株式会社")
    in_force = factories.gen_arrangement(db, vendor, title="継続中の業務")
    ended = factories.gen_arrangement(db, vendor, title="終了した業務", is_cloud=True)
    exits.record_exit(db, ended, {"data_disposition": "deleted", "exit_note": "消去証明書受領"})
    vendor.risk_tier = None  # a tier the import refuses on its own (the selection area sets it)
    db.commit()
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        data = register_workbook(db)
    _empty_register(db)
    for dry_run in (True, False):
        problems = _refusals(app, db, data, {"Accept-Language": language}, dry_run=dry_run)
        # the terminated row, on its status column, and nothing else: the row in force is fine
        assert [(p["sheet"], p["column"]) for p in problems] == [("arrangements", "status")], problems
        assert page in problems[0]["message"]
    assert db.exec(select(func.count()).select_from(Arrangement)).one() == 0  # all or nothing
    assert db.exec(select(func.count()).select_from(Vendor)).one() == 0
    assert in_force.title  # exported beside it, refused with it


@pytest.mark.parametrize("cells, column", [
    ({"status": "terminated"}, "status"),
    ({"status": "契約終了"}, "status"),          # the word a Japanese export writes
    ({"status": "終わり"}, "status"),            # not a status: not read as in force either
    ({"terminated_on": "2026-01-31"}, "terminated_on"),
    ({"status": "有効", "data_disposition": "deleted"}, "data_disposition"),
    ({"data_disposition_confirmed_on": "2026-02-01"}, "data_disposition_confirmed_on"),
    ({"exit_note": "返却済み"}, "exit_note"),
])
def test_an_import_does_not_terminate_an_arrangement(app, db, cells, column):
    registered = factories.gen_vendor(db, name="既存委託先株式会社")
    db.commit()
    header = ["ref", "vendor", "title", *cells]
    data = factories.workbook({"arrangements": [header, ["a1", registered.name, "業務A", *cells.values()],
                                                ["a2", registered.name, "業務B", *[""] * len(cells)]]})
    problems = _refusals(app, db, data)
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("arrangements", 2, column)]
    assert "exit page" in problems[0]["message"] or "write active" in problems[0]["message"]
    assert db.exec(select(func.count()).select_from(Arrangement)).one() == 0


@pytest.mark.parametrize("status", ["active", "有効", "Active", ""])
def test_an_arrangement_in_force_is_imported_whatever_language_its_status_is_in(app, db, status):
    registered = factories.gen_vendor(db, name="既存委託先株式会社")
    db.commit()
    data = factories.workbook({"arrangements": [["ref", "vendor", "title", "status", "terminated_on"],
                                                ["a1", registered.name, "業務A", status, ""]]})
    with app.test_request_context():
        report = import_register(db, data, "register.xlsx")
    db.commit()
    assert report.arrangements == 1
    assert db.exec(select(Arrangement)).one().status == "active"
