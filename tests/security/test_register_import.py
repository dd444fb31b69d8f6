"""Issue 16, defect 1: the register import must not bypass approvals and four-eyes.

An import creates vendors in their initial status (prospect) and links unapproved; a row
that carries a decision (vendor status other than prospect, link approval, its basis or
date) is refused with a row-level message saying what to do, and nothing is stored —
through the API, the page and the CLI alike. The importer is recorded as the links'
recorder, so that person cannot approve them afterwards (Art. 8(5)); no path records an
approval without an approver."""
import io

import pytest
from sqlalchemy import func, select

from tests import factories
from vendorrisk.core.errors import DomainError
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor

APPROVED_ROWS = {
    "vendors": [["ref", "name", "status"], ["p", "親株式会社", "approved"], ["c", "子株式会社", ""]],
    "arrangements": [["ref", "vendor", "title"], ["a", "p", "委託"]],
    "links": [["arrangement", "parent_vendor", "vendor", "approval_status", "approval_basis"],
              ["a", "p", "c", "approved", "prior_consent"]],
}
PLAIN_ROWS = {
    "vendors": [["ref", "name", "status"], ["p", "親株式会社", "prospect"], ["c", "子株式会社", ""]],
    "arrangements": [["ref", "vendor", "title"], ["a", "p", "委託"]],
    "links": [["arrangement", "parent_vendor", "vendor", "approval_status", "approval_basis", "approved_on"],
              ["a", "p", "c", "unapproved", "", ""]],
}


def _counts(db):
    db.rollback()
    return [db.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Vendor, Arrangement, OutsourcingLink)]


def _problems(details):
    return {(d["sheet"], d["row"], d["column"]) for d in details}


def test_api_import_refuses_recorded_approvals_row_by_row(api, db):
    client = api("procurement")
    response = client.post("/api/v1/register/import", data=factories.workbook(APPROVED_ROWS),
                           content_type="application/octet-stream")
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    assert _problems(details) == {("vendors", 2, "status"), ("links", 2, "approval_status")}
    by_sheet = {d["sheet"]: d["message"] for d in details}
    assert "prospect" in by_sheet["vendors"] and "Art. 8(5)" in by_sheet["vendors"]
    assert "unapproved" in by_sheet["links"] and "Art. 8(5)" in by_sheet["links"]
    assert _counts(db) == [0, 0, 0]


@pytest.mark.parametrize("column,value", [("approval_status", "pending"), ("approval_basis", "notification"),
                                          ("approved_on", "2026-01-05")])
def test_api_import_refuses_any_part_of_a_link_decision(api, db, column, value):
    sheets = {k: [list(r) for r in v] for k, v in PLAIN_ROWS.items()}
    header = sheets["links"][0]
    sheets["links"][1][header.index(column)] = value
    response = api("compliance").post("/api/v1/register/import?dry_run=true", data=factories.workbook(sheets),
                                      content_type="application/octet-stream")
    assert response.status_code == 422
    assert _problems(response.get_json()["error"]["details"]) == {("links", 2, column)}


@pytest.mark.parametrize("status", ["under_assessment", "conditionally_approved", "rejected", "terminated",
                                    "approvd"])
def test_api_import_accepts_only_the_initial_vendor_status(api, db, status):
    sheets = {"vendors": [["ref", "name", "status"], ["v", "状態株式会社", status]]}
    response = api("compliance").post("/api/v1/register/import", data=factories.workbook(sheets),
                                      content_type="application/octet-stream")
    assert response.status_code == 422
    assert _problems(response.get_json()["error"]["details"]) == {("vendors", 2, "status")}
    assert _counts(db) == [0, 0, 0]


def test_imported_links_are_unapproved_recorded_by_the_importer_who_cannot_approve_them(app, api, db):
    importer = factories.gen_user(db, role="compliance")
    from vendorrisk.core import users
    _record, token = users.create_token(db, importer, "t")
    db.commit()
    client = api("compliance")
    client.token = token
    response = client.post("/api/v1/register/import", data=factories.workbook(PLAIN_ROWS),
                           content_type="application/octet-stream")
    assert response.status_code == 200, response.get_json()
    db.rollback()
    assert {v.status for v in db.scalars(select(Vendor))} == {"prospect"}
    link = db.scalars(select(OutsourcingLink)).one()
    assert (link.approval_status, link.approved_by_id, link.recorded_by_id) == ("unapproved", None, importer.id)
    decision = {"approval_status": "approved", "approval_basis": "prior_consent"}
    second = api("compliance")  # made now: the refusal below commits its audit entry
    own = client.patch(f"/api/v1/links/{link.id}", json=decision)
    assert own.status_code == 403 and "Art. 8(5)" in own.get_json()["error"]["message"]
    other = second.patch(f"/api/v1/links/{link.id}", json=decision)
    assert other.status_code == 200
    db.rollback()
    db.refresh(link)
    assert link.approval_status == "approved" and link.approved_by_id not in (None, importer.id)


def test_page_import_refuses_recorded_approvals(client, login, db):
    login("procurement")
    response = client.post("/arrangements/import",
                           data={"file": (io.BytesIO(factories.workbook(APPROVED_ROWS)), "r.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-test="import-errors"' in page
    assert "Art. 8(5)" in page
    assert _counts(db) == [0, 0, 0]


def test_cli_import_refuses_recorded_approvals(runner, db, tmp_path):
    path = tmp_path / "approved.xlsx"
    path.write_bytes(factories.workbook(APPROVED_ROWS))
    result = runner.invoke(args=["import-register", str(path)])
    assert result.exit_code != 0
    assert "vendors!row 2 [status]" in result.output and "links!row 2 [approval_status]" in result.output
    assert _counts(db) == [0, 0, 0]


def test_cli_import_records_the_named_user_as_recorder(runner, db, tmp_path):
    user = factories.gen_user(db, role="procurement")
    db.commit()
    path = tmp_path / "plain.xlsx"
    path.write_bytes(factories.workbook(PLAIN_ROWS))
    result = runner.invoke(args=["import-register", str(path), "--user", user.email])
    assert result.exit_code == 0, result.output
    db.rollback()
    link = db.scalars(select(OutsourcingLink)).one()
    assert link.recorded_by_id == user.id and link.approval_status == "unapproved"


def test_no_approval_is_recorded_without_an_approver(app, db):
    from tests.vendors.factories import dag_chain
    from vendorrisk.vendors import chains as chain_service
    _arrangement, _v = dag_chain(db)
    link = db.scalars(select(OutsourcingLink)).first()
    db.commit()
    with app.test_request_context():
        with pytest.raises(DomainError):
            chain_service.decide_link(db, link, {"approval_status": "approved",
                                                 "approval_basis": "prior_consent"}, None)
    db.rollback()
    db.refresh(link)
    assert link.approval_status == "unapproved" and link.approved_by_id is None
