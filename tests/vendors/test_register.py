"""The register in Excel: real .xlsx export, neutralised cells, import with dry run, all or nothing."""
import io

from openpyxl import load_workbook
from sqlmodel import func, select

from tests import factories
from tests.vendors.factories import dag_chain
from vendorrisk.vendors import chain_queries as chains_queries
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.register_export import register_workbook


def _count(db, model):
    db.rollback()
    return db.exec(select(func.count()).select_from(model)).one()


def _shape(db):
    """Each chain as (tier-1 name, sorted (tier, path names, approval, final)) for comparison."""
    shape = []
    for node in chains_queries.chain_nodes(db, None):
        shape.append((node.path_names[0], node.tier, " > ".join(node.path_names), node.approval_status,
                      node.is_final, node.touches_user_data))
    return sorted(shape, key=str)


def test_export_has_one_row_per_node_and_neutralised_cells(db, login, client):
    arrangement, v = dag_chain(db, title="=HYPERLINK(\"http://evil\")", handles_user_data=True)
    db.add(DataLocation(arrangement_id=arrangement.id, country="JP", region="Tokyo"))
    db.commit()
    login("auditor")
    response = client.get("/arrangements/register.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book["register"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(chains_queries.chain_nodes(db, [arrangement.id])) == 8
    assert all(r[header.index("arrangement")] == "'=HYPERLINK(\"http://evil\")" for r in body)
    tiers = sorted(r[header.index("tier")] for r in body if r[header.index("vendor")] == v["d"].name)
    assert tiers == [3, 4]
    top = next(r for r in body if r[header.index("tier")] == 1)
    assert top[header.index("data_locations")] == "JP:Tokyo"
    assert set(book.sheetnames) == {"register", "vendors", "arrangements", "links", "ended_links"}


def test_round_trip_export_then_import_into_an_empty_register(app, db, tmp_path):
    arrangement, v = dag_chain(db, title="勘定系", is_important=True, handles_user_data=True,
                               user_data_categories=["氏名", "住所"])
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v["e"].id)).one()
    # Approvals do not travel through a workbook (issue 16): they are decisions recorded in the app.
    link.touches_user_data = True
    db.add(DataLocation(link_id=link.id, country="SG", region="ap-southeast-1"))
    v["x"].name = "-minus leading name"
    db.commit()
    expected = _shape(db)
    data = register_workbook(db)
    # empty the register, then import the export
    for model in (DataLocation, OutsourcingLink, Arrangement, Vendor):
        for row in db.exec(select(model)).all():
            db.delete(row)
        db.flush()
    db.commit()
    from vendorrisk.vendors.register_store import import_register
    with app.test_request_context():
        report = import_register(db, data, "register.xlsx")
    db.commit()
    assert (report.vendors, report.arrangements, report.links, report.locations) == (6, 1, 6, 1)
    assert _shape(db) == expected
    imported = db.exec(select(Arrangement)).one()
    assert imported.user_data_categories == ["氏名", "住所"] and imported.is_important
    assert db.exec(select(Vendor).where(Vendor.name == "-minus leading name")).one()


def test_import_reports_row_errors_and_stores_nothing(app, db, login, client):
    factories.gen_vendor(db, name="既存株式会社", corporate_number=factories.corporate_number(777))
    db.commit()
    before = [_count(db, m) for m in (Vendor, Arrangement, OutsourcingLink)]
    data = factories.workbook({
        "vendors": [["ref", "name", "corporate_number", "country", "is_cloud"],
                    ["v1", "新規株式会社", "", "JP", "yes"],
                    ["v2", "番号不正株式会社", "1234567890123", "JP", "no"],
                    ["v3", "フラグ不正", "", "JP", "maybe"]],
        "arrangements": [["ref", "vendor", "title", "start_date", "end_date"],
                         ["a1", "v1", "業務A", "2025-04-01", "2026-03-31"],
                         ["a2", "nobody", "業務B", "", ""]],
        "links": [["arrangement", "parent_vendor", "vendor", "service"],
                  ["a1", "既存株式会社", "v1", "逆向き"],
                  ["a1", "v1", "v1", "自己"],
                  ["a1", "v1", "既存株式会社", "正しい"]],
    })
    login("procurement")
    response = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "onboard.xlsx"), "dry_run": "1"},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-test="import-errors"' in page  # a refused form: 422
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.vendors.register_store import import_register
    with app.test_request_context():
        try:
            import_register(db, data, "onboard.xlsx")
            raise AssertionError("expected ValidationFailed")
        except ValidationFailed as exc:
            problems = {(d["sheet"], d["row"], d["column"]) for d in exc.details}
    db.rollback()
    assert problems == {("vendors", 3, "corporate_number"), ("vendors", 4, "is_cloud"),
                        ("arrangements", 3, "vendor"), ("links", 2, "vendor"),  # a cycle once row 4 is in
                        ("links", 3, "vendor")}
    assert [_count(db, m) for m in (Vendor, Arrangement, OutsourcingLink)] == before


def test_rows_naming_a_refused_row_are_checked_on_their_own_merits(app, db):
    """A refused vendor or arrangement row is still what its ref names: the rows under it
    report their own problems, not that the sheet lacks a row it has (one dry run finds all)."""
    data = factories.workbook({
        "vendors": [["ref", "name", "corporate_number", "country"],
                    ["v1", "番号不正株式会社", "123", "JP"],
                    ["v2", "正しい株式会社", "", "JP"]],
        "arrangements": [["ref", "vendor", "title", "start_date", "end_date"],
                         ["a1", "v1", "業務A", "2026-04-01", "2025-03-31"],
                         ["a2", "v1", "業務B", "2025-04-01", "2026-03-31"]],
        "links": [["arrangement", "parent_vendor", "vendor", "service"],
                  ["a1", "v1", "v1", "自己"],
                  ["a1", "v1", "v2", "正しい"],
                  ["a2", "v1", "nobody", "不明"]],
    })
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.vendors.register_check import check_register
    from vendorrisk.vendors.register_reader import read_register
    with app.test_request_context():  # the check the page, the API and a dry run make before storing
        try:
            check_register(db, read_register(data, "onboard.xlsx"))
            raise AssertionError("expected ValidationFailed")
        except ValidationFailed as exc:
            problems = {(d["sheet"], d["row"], d["column"]) for d in exc.details}
    db.rollback()
    assert {(sheet, row) for sheet, row, _column in problems} == {
        ("vendors", 2), ("arrangements", 2), ("links", 2), ("links", 4)}
    assert ("arrangements", 2, "vendor") not in problems       # its dates, not "no vendor v1"
    assert ("links", 2, "vendor") in problems                  # the self-link, not "no arrangement a1"
    assert ("links", 4, "vendor") in problems                  # nobody: really not there


def test_import_commit_through_page_and_cli(app, db, login, client, runner, tmp_path):
    data = factories.workbook({
        "vendors": [["ref", "name", "status"], ["p", "親株式会社", "prospect"], ["c", "子株式会社", ""]],
        "arrangements": [["ref", "vendor", "title", "handles_user_data", "data_locations"],
                         ["a", "p", "委託", "yes", "JP:Tokyo; US"]],
        "links": [["arrangement", "parent_vendor", "vendor", "approval_status", "approval_basis"],
                  ["a", "p", "c", "unapproved", ""]]})
    path = tmp_path / "onboard.xlsx"
    path.write_bytes(data)
    dry = runner.invoke(args=["import-register", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Would import 2 vendors, 1 arrangements, 1 links, 2 data locations" in dry.output
    assert _count(db, Vendor) == 0
    login("procurement")
    response = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "onboard.xlsx")},
                           content_type="multipart/form-data")
    assert 'data-test="import-report"' in response.get_data(as_text=True)
    assert _count(db, Vendor) == 2 and _count(db, DataLocation) == 2
    assert db.exec(select(Vendor).where(Vendor.name == "親株式会社")).one().status == "prospect"
    assert db.exec(select(OutsourcingLink)).one().approval_status == "unapproved"
    again = runner.invoke(args=["import-register", str(path)])
    assert again.exit_code != 0 and "nothing was stored" in again.output
    assert _count(db, Vendor) == 2


def test_import_refuses_files_that_are_not_workbooks(app, db, api):
    client = api("procurement")
    response = client.post("/api/v1/register/import?dry_run=true", data=b"MZ\x90\x00 not a workbook",
                           content_type="application/octet-stream")
    assert response.status_code == 422
    ok = client.post("/api/v1/register/import?dry_run=true",
                     data=factories.workbook({"vendors": [["name"], ["API株式会社"]]}),
                     content_type="application/octet-stream")
    assert ok.status_code == 200 and ok.get_json()["vendors"] == 1
    assert _count(db, Vendor) == 0


def test_each_problem_of_a_row_names_its_own_column_in_the_readers_language(app, db):
    """Follow-up of the roles walk: a row's problems were merged under its first column (a
    notice-period error under start_date, end-before-start under "body") with pydantic's English
    reasons; each problem now names its own column, in the reader's language."""
    data = factories.workbook({
        "vendors": [["ref", "name", "corporate_number", "country"], ["v1", "正しい株式会社", "", "JP"]],
        "arrangements": [["ref", "vendor", "title", "start_date", "end_date", "notice_period_days"],
                         ["a1", "v1", "業務A", "2025/04/01", "", "99999"],
                         ["a2", "v1", "業務B", "2026-04-01", "2025-03-31", "90"]],
    })
    from vendorrisk.core.errors import ValidationFailed
    from vendorrisk.vendors.register_check import check_register
    from vendorrisk.vendors.register_reader import read_register
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        try:
            check_register(db, read_register(data, "onboard.xlsx"))
            raise AssertionError("expected ValidationFailed")
        except ValidationFailed as exc:
            problems = {(d["sheet"], d["row"], d["column"]): d["message"] for d in exc.details}
    db.rollback()
    assert set(problems) == {("arrangements", 2, "start_date"), ("arrangements", 2, "notice_period_days"),
                             ("arrangements", 3, "end_date")}
    assert problems[("arrangements", 2, "start_date")] == "日付はYYYY-MM-DDの形で入力してください"
    assert "3650" in problems[("arrangements", 2, "notice_period_days")]
    assert "start_date" not in problems[("arrangements", 2, "notice_period_days")]
    assert all(not any("a" <= ch <= "z" for ch in message.replace("YYYY-MM-DD", "")) for message in problems.values())
