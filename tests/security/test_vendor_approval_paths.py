"""Issue 16, four-eyes: a vendor is approved only through a decided selection assessment.

Compliance could set a vendor's status to ``approved`` on the vendor page or with
``PATCH /api/v1/vendors/{id}``, with no assessment and no second person (Art. 25(1), 8(5)).
Now ``approved`` and ``conditionally_approved`` follow the decision of a selection assessment
only; every other path — the status change (service, page, API), the vendor form and
registration, the register import (page, API and CLI: ``test_register_import.py``) and the
bulk work on the chains — refuses them, saying how a vendor is approved, and stores nothing.
"""
import io

import pytest
from sqlmodel import select

from tests import factories
from tests.selection.factories import gen_assessment
from vendorrisk.core.errors import Conflict
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.models import Vendor

APPROVALS = ("approved", "conditionally_approved")
EN = "A vendor is approved only through a selection assessment (Art. 25(1))"
JA = "外部委託先の承認は選定評価によってのみ行います（第25条第1項）"


def _vendor(db, status="under_assessment"):
    """A vendor that would otherwise be approvable: a clear, current 反社会的勢力チェック."""
    vendor = factories.gen_vendor(db, status=status)
    factories.gen_check(db, vendor)
    db.commit()
    return vendor


def _status(db, vendor_id):
    db.rollback()
    db.expire_all()
    return db.get(Vendor, vendor_id).status


@pytest.mark.parametrize("start,target", [("under_assessment", "approved"),
                                          ("under_assessment", "conditionally_approved"),
                                          ("conditionally_approved", "approved"),
                                          ("approved", "conditionally_approved")])
@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_the_status_change_never_approves(db, start, target, role):
    vendor = _vendor(db, start)
    with pytest.raises(Conflict) as refused:
        vendor_service.change_status(db, vendor, target, factories.gen_user(db, role=role))
    assert EN in refused.value.message and refused.value.details[0]["field"] == "status"
    assert _status(db, vendor.id) == start


def test_an_earlier_approved_assessment_does_not_reapprove_a_vendor_sent_back(db):
    vendor = _vendor(db, "prospect")
    gen_assessment(db, vendor, factories.gen_user(db, role="procurement"), state="approved",
                   approver=factories.gen_user(db, role="compliance"))
    compliance = factories.gen_user(db, role="compliance")
    assert vendor.status == "approved"
    vendor_service.change_status(db, vendor, "approved", compliance)  # unchanged: no decision, accepted
    vendor_service.change_status(db, vendor, "under_assessment", compliance)
    with pytest.raises(Conflict):  # back to approved: a new assessment, decided by a second person
        vendor_service.change_status(db, vendor, "approved", compliance)


def test_the_status_follows_the_assessment_decided_by_another_person(db):
    vendor = _vendor(db, "prospect")
    preparer = factories.gen_user(db, role="procurement")
    approver = factories.gen_user(db, role="compliance")
    gen_assessment(db, vendor, preparer, state="approved", approver=approver)
    assert vendor.status == "approved"
    gen_assessment(db, vendor, preparer, state="approved", approver=approver, value=2,
                   conditions=[{"text": "BCP訓練の結果を提出させる"}])  # the 'conditions' band
    assert vendor.status == "conditionally_approved"
    gen_assessment(db, vendor, preparer, state="rejected", approver=approver)
    assert vendor.status == "rejected"


@pytest.mark.parametrize("language,text", [("en", EN), ("ja", JA)])
def test_the_vendor_page_offers_no_approval_and_refuses_one(client, login, db, language, text):
    vendor = _vendor(db)
    login("compliance")
    headers = {"Accept-Language": language}
    page = client.get(f"/vendors/{vendor.id}", headers=headers).get_data(as_text=True)
    form = page[page.index('data-test="status-form"'):]
    form = form[:form.index("</form>")]
    assert 'value="rejected"' in form and not any(f'value="{s}"' in form for s in APPROVALS)
    assert 'data-test="approval-hint"' in page
    for target in APPROVALS:
        refused = client.post(f"/vendors/{vendor.id}/status", data={"status": target}, headers=headers)
        assert refused.status_code == 409 and text in refused.get_data(as_text=True)
    assert _status(db, vendor.id) == "under_assessment"


@pytest.mark.parametrize("role", ["compliance", "admin", "procurement"])
def test_the_vendor_api_refuses_an_approval_and_stores_nothing(api, db, role):
    vendor = _vendor(db)
    client = api(role)
    for target in APPROVALS:
        refused = client.patch(f"/api/v1/vendors/{vendor.id}", json={"status": target, "notes": "approve please"})
        assert refused.status_code == 409, refused.get_json()
        error = refused.get_json()["error"]
        assert EN in error["message"] and "/api/v1/selection/assessments" in error["details"][0]["message"]
    ja = client.patch(f"/api/v1/vendors/{vendor.id}", json={"status": "approved"}, headers={"Accept-Language": "ja"})
    assert JA in ja.get_json()["error"]["message"]
    assert _status(db, vendor.id) == "under_assessment" and db.get(Vendor, vendor.id).notes == ""


def test_the_vendor_form_and_registration_carry_no_status(client, login, api, db):
    vendor = _vendor(db)
    login("compliance")
    edited = client.post(f"/vendors/{vendor.id}/edit", data={"name": vendor.name, "country": "JP",
                                                             "status": "approved"})
    assert edited.status_code == 302
    assert _status(db, vendor.id) == "under_assessment"
    registered = api("compliance").post("/api/v1/vendors", json={"name": "登録時承認株式会社", "status": "approved"})
    assert registered.status_code == 422 and registered.get_json()["error"]["details"][0]["field"] == "status"
    created = client.post("/vendors/new", data={"name": "画面登録承認株式会社", "status": "approved"})
    assert created.status_code == 302
    db.rollback()
    assert db.exec(select(Vendor.status).where(Vendor.name == "画面登録承認株式会社")).one() == "prospect"
    assert db.exec(select(Vendor).where(Vendor.name == "登録時承認株式会社")).first() is None


@pytest.mark.parametrize("target", APPROVALS)
def test_the_register_import_refuses_an_approval(api, client, login, db, target):
    data = factories.workbook({"vendors": [["ref", "name", "status"], ["v", "取込承認株式会社", target]]})
    refused = api("compliance").post("/api/v1/register/import", data=data, content_type="application/octet-stream")
    assert refused.status_code == 422
    assert [d["column"] for d in refused.get_json()["error"]["details"]] == ["status"]
    login("compliance")
    page = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "r.xlsx")},
                       content_type="multipart/form-data")
    assert "selection assessment" in page.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(Vendor).where(Vendor.name == "取込承認株式会社")).first() is None


def test_bulk_work_on_the_chains_leaves_vendor_statuses_alone(client, login, db):
    vendor = _vendor(db)
    arrangement = factories.gen_arrangement(db)
    link = factories.gen_link(db, arrangement, db.get(Vendor, arrangement.vendor_id), vendor,
                              approval_status="pending", recorded_by_id=factories.gen_user(db, role="procurement").id)
    staff = factories.gen_user(db, role="procurement")
    db.commit()
    login("compliance")
    approved = client.post("/arrangements/approvals", data={"link_ids": [str(link.id)], "status": "approved",
                                                            "approval_basis": "prior_consent"})
    assigned = client.post("/vendors/owners", data={"vendor_ids": [str(vendor.id)], "user_id": str(staff.id),
                                                    "status": "approved"})
    assert (approved.status_code, assigned.status_code) == (302, 302)
    assert _status(db, vendor.id) == "under_assessment"  # the link is approved, the vendor is not
    db.refresh(link)
    assert link.approval_status == "approved"
