"""Issue 16, defect 2: the register check that runs without the write lock (and is the whole
of a dry run) finds exactly the problems that storing the rows finds, cell for cell."""
import pytest
from sqlalchemy import event, func, select

from tests import factories
from tests.security.factories import register_rows
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.register_check import check_register
from vendorrisk.vendors.register_reader import read_register
from vendorrisk.vendors.register_store import apply_register
from vendorrisk.vendors.service import normalise_name

EXISTING = factories.corporate_number(777)
CASES = {
    "mixed problems": {
        "vendors": [["ref", "name", "corporate_number", "country", "is_cloud"],
                    ["v1", "新規株式会社", "", "JP", "yes"],
                    ["v2", "番号不正株式会社", "1234567890123", "JP", "no"],
                    ["v3", "フラグ不正", "", "JP", "maybe"],
                    ["v4", "鎖外株式会社", "", "JP", "no"],
                    ["v5", "国不正株式会社", "", "JPN", "no"]],
        "arrangements": [["ref", "vendor", "title", "start_date", "end_date", "data_locations"],
                         ["a1", "v1", "業務A", "2025-04-01", "2026-03-31", "JP:Tokyo"],
                         ["a2", "nobody", "業務B", "", "", ""],
                         ["a3", "v1", "業務C", "2026-04-01", "2025-03-31", ""],
                         ["a4", "v1", "業務D", "", "", "Japan"],
                         ["a1", "v1", "業務E", "", "", ""]],
        "links": [["arrangement", "parent_vendor", "vendor", "service", "touches_user_data"],
                  ["a1", "既存株式会社", "v1", "逆向き", "no"],
                  ["a1", "v1", "v1", "自己", "no"],
                  ["a1", "v1", "既存株式会社", "正しい", "no"],
                  ["a1", "v1", "既存株式会社", "二重", "no"],
                  ["a1", "v4", "既存株式会社", "親が鎖の外", "no"],
                  ["zz", "v1", "既存株式会社", "契約なし", "no"],
                  ["a1", "既存株式会社", "v2", "失敗した行", "no"],
                  ["a1", "既存株式会社", "v4", "フラグ", "perhaps"]],
    },
    "decisions": {
        "vendors": [["ref", "name", "status"], ["p", "親株式会社", "approved"], ["c", "子株式会社", "rejected"]],
        "arrangements": [["ref", "vendor", "title"], ["a", "p", "委託"]],
        "links": [["arrangement", "parent_vendor", "vendor", "approval_status", "approval_basis", "approved_on"],
                  ["a", "p", "c", "approved", "prior_consent", "2026-01-01"],
                  ["a", "c", "既存株式会社", "", "notification", ""]],
    },
    "duplicates": {
        "vendors": [["ref", "name", "corporate_number"],
                    ["d1", "重複株式会社", factories.corporate_number(778)],
                    ["d2", "別名株式会社", factories.corporate_number(778)],
                    ["d3", "株式会社重複", ""],
                    ["d4", "既存(株)", ""],
                    ["d5", "番号既存株式会社", EXISTING],
                    ["d1", "参照重複株式会社", ""],
                    ["d6", "改行\n株式会社", ""],
                    # an earlier row's number and a registered vendor's name: the register's is named first
                    ["d7", "既存株式会社", factories.corporate_number(778)]],
    },
    "missing columns and sheets": {
        "vendors": [["ref", "corporate_number"], ["x", ""]],
        "links": [["arrangement", "vendor"], ["a", "x"]],
    },
    "no known sheet": {"Sheet": [["name"], ["x"]]},
    "chains in any order": {
        "vendors": [["ref", "name"], ["t", "一次株式会社"], ["s", "二次株式会社"], ["f", "三次株式会社"]],
        "arrangements": [["ref", "vendor", "title"], ["a", "t", "委託"]],
        "links": [["arrangement", "parent_vendor", "vendor"], ["a", "s", "f"], ["a", "t", "s"], ["a", "f", "t"]],
    },
}


def _problems(run) -> set:
    try:
        run()
    except ValidationFailed as exc:
        return {(d["sheet"], d["row"], d["column"]) for d in exc.details}
    return set()


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_and_store_find_the_same_problems(app, db, case):
    factories.gen_vendor(db, name="既存株式会社", name_normalized=normalise_name("既存株式会社"),
                         corporate_number=EXISTING)  # as registered through the service
    db.commit()
    with app.test_request_context():
        sheets = read_register(factories.workbook(CASES[case]), "case.xlsx")
        checked = _problems(lambda: check_register(db, sheets))
        db.rollback()
        stored = _problems(lambda: apply_register(db, sheets))
        db.rollback()
    assert checked, "each case has problems"
    assert checked == stored
    assert db.scalar(select(func.count()).select_from(Vendor)) == 1


def test_check_and_store_agree_on_what_a_valid_workbook_holds(app, db):
    with app.test_request_context():
        sheets = read_register(factories.workbook(register_rows(60, 20, 40)), "ok.xlsx")
        checked = check_register(db, sheets)
        db.rollback()
        stored = apply_register(db, sheets)
        db.rollback()
    assert (checked.vendors, checked.arrangements, checked.links, checked.locations) == \
        (stored.vendors, stored.arrangements, stored.links, stored.locations) == (60, 20, 40, 10)


def _check_statements(app, db, vendors: int) -> int:
    """Statements the check of a valid sheet of ``vendors`` vendors sends."""
    sheets = read_register(factories.workbook(register_rows(vendors, 3, 6)), "ok.xlsx")
    statements, engine = [], db.get_bind()

    def count(*_args):
        statements.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            report = check_register(db, sheets)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    db.rollback()
    assert report.vendors == vendors
    return len(statements)


def test_the_check_looks_duplicates_up_once_per_sheet_not_per_row(app, db):
    """Issue 17: the check reads the registered vendors a sheet may duplicate at once, as
    storing does; its statements do not grow with the rows (below 500 names a query)."""
    factories.gen_vendor(db, name="既存株式会社", corporate_number=EXISTING)
    db.commit()
    few, many = _check_statements(app, db, 5), _check_statements(app, db, 60)
    assert few == many
