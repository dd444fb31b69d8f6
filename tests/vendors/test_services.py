"""Vendor and chain services: validation, duplicates, lifecycle, links refused without change."""
import pytest
from sqlmodel import func, select

from tests import factories
from tests.vendors.factories import dag_chain, deep_chain
from vendorrisk.core.errors import Conflict, Forbidden, ValidationFailed
from vendorrisk.vendors import arrangements as arrangement_service
from vendorrisk.vendors import chain_queries, people
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors import service as vendor_service
from vendorrisk.vendors.identifiers import corporate_number_problem
from vendorrisk.vendors.models import OutsourcingLink, Vendor


def _count(db, model):
    return db.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("name", ["株式会社フジシステムズ", "(株)フジシステムズ", "㈱フジシステムズ",
                                  "ﾌｼﾞｼｽﾃﾑｽﾞ株式会社", "株式会社　フジ システムズ", "（株）フジシステムズ"])
def test_japanese_company_forms_normalise_alike(name):
    assert vendor_service.normalise_name(name) == "フジシステムズ"


@pytest.mark.parametrize("name", ["Fuji Systems Co., Ltd.", "FUJI SYSTEMS K.K.", "Ｆｕｊｉ Ｓｙｓｔｅｍｓ Inc.",
                                  "fuji systems co.,ltd", "Fuji-Systems Corporation"])
def test_english_company_forms_normalise_alike(name):
    assert vendor_service.normalise_name(name) == "fujisystems"


def test_check_digit_is_validated():
    assert corporate_number_problem("1010001000006") is None
    assert corporate_number_problem("２０１０００１０００００６")  # full width, wrong check digit
    assert corporate_number_problem("101000100000") == "A corporate number has exactly 13 digits."


def test_create_vendor_validates_and_stores_normalised_name(db):
    vendor = vendor_service.create_vendor(db, {"name": " 株式会社テスト商事 ", "corporate_number": "１０１０００１０００００６",
                                               "country": "jp", "lei": "5493001kjtiigc8y1r12"})
    assert vendor.name == "株式会社テスト商事"
    assert vendor.name_normalized == "テスト商事"
    assert vendor.corporate_number == "1010001000006"
    assert vendor.country == "JP" and vendor.lei == "5493001KJTIIGC8Y1R12"
    assert vendor.status == "prospect"


def test_invalid_fields_are_named_and_nothing_is_stored(db):
    before = _count(db, Vendor)
    with pytest.raises(ValidationFailed) as info:
        vendor_service.create_vendor(db, {"name": "X社", "corporate_number": "2010001000006", "country": "Japan",
                                          "lei": "short"})
    fields = {d["field"]: d["message"] for d in info.value.details}
    assert set(fields) == {"corporate_number", "country", "lei"}
    assert "check digit" in fields["corporate_number"]
    with pytest.raises(ValidationFailed) as info:
        vendor_service.create_vendor(db, {"name": "", "colour": "red"})
    assert info.value.details == [{"field": "colour", "message": "Unknown field."}]
    assert _count(db, Vendor) == before


def test_duplicates_by_corporate_number_and_normalised_name(db):
    vendor_service.create_vendor(db, {"name": "株式会社フジシステムズ", "corporate_number": "1010001000006"})
    with pytest.raises(Conflict) as info:
        vendor_service.create_vendor(db, {"name": "全く別の会社", "corporate_number": "1010001000006"})
    assert info.value.details[0]["field"] == "corporate_number"
    with pytest.raises(Conflict) as info:
        vendor_service.create_vendor(db, {"name": "㈱ﾌｼﾞｼｽﾃﾑｽﾞ"})
    assert info.value.details[0]["field"] == "name"
    second = vendor_service.create_vendor(db, {"name": "㈱ﾌｼﾞｼｽﾃﾑｽﾞ", "confirm_duplicate": True})
    assert second.id
    with pytest.raises(Conflict):  # even when confirmed, a corporate number stays unique
        vendor_service.create_vendor(db, {"name": "Other", "corporate_number": "1010001000006", "confirm_duplicate": True})


def test_update_vendor_keeps_its_own_name_and_number(db):
    vendor = vendor_service.create_vendor(db, {"name": "株式会社ABC", "corporate_number": "1010001000006"})
    vendor_service.update_vendor(db, vendor, {"name": "株式会社ABC", "corporate_number": "1010001000006", "address": "東京"})
    assert vendor.address == "東京"
    other = vendor_service.create_vendor(db, {"name": "DEF K.K."})
    with pytest.raises(Conflict):
        vendor_service.update_vendor(db, other, {"name": "ABC Co., Ltd."})
    vendor_service.update_vendor(db, other, {"name": "DEF Holdings"})
    assert other.name_normalized == "defholdings"


def test_lifecycle_transitions_and_who_decides(db):
    procurement = factories.gen_user(db, role="procurement")
    compliance = factories.gen_user(db, role="compliance")
    vendor = vendor_service.create_vendor(db, {"name": "ライフサイクル株式会社"})
    with pytest.raises(Conflict):
        vendor_service.change_status(db, vendor, "approved", compliance)  # must be assessed first
    vendor_service.change_status(db, vendor, "under_assessment", procurement)
    with pytest.raises(Forbidden):
        vendor_service.change_status(db, vendor, "rejected", procurement)
    factories.gen_check(db, vendor)  # even with a current 反社会的勢力チェック, approval follows an assessment
    with pytest.raises(Conflict):  # (tests/security/test_vendor_approval_paths.py)
        vendor_service.change_status(db, vendor, "conditionally_approved", compliance)
    vendor_service.change_status(db, vendor, "rejected", compliance)
    vendor_service.change_status(db, vendor, "terminated", procurement)
    with pytest.raises(Conflict):
        vendor_service.change_status(db, vendor, "under_assessment", compliance)
    assert vendor.status == "terminated"


def test_owner_assignment_and_edit_rights(db):
    vendor = factories.gen_vendor(db)
    other = factories.gen_vendor(db)
    owner = factories.gen_user(db, role="vendor_owner")
    auditor = factories.gen_user(db, role="auditor")
    people.assign_owner(db, vendor, owner.id)
    with pytest.raises(Conflict):
        people.assign_owner(db, vendor, owner.id)
    with pytest.raises(ValidationFailed):
        people.assign_owner(db, vendor, auditor.id)
    assert vendor_service.can_edit_vendor(db, owner, vendor.id)
    assert not vendor_service.can_edit_vendor(db, owner, other.id)
    assert not vendor_service.can_edit_vendor(db, auditor, vendor.id)


def test_contacts_are_validated(db):
    vendor = factories.gen_vendor(db)
    contact = people.add_contact(db, vendor, {"name": "山田 太郎", "email": "yamada@example.jp"})
    assert contact.vendor_id == vendor.id
    with pytest.raises(ValidationFailed):
        people.add_contact(db, vendor, {"name": "x", "email": "not-an-address"})


def test_arrangement_validation(db):
    vendor = factories.gen_vendor(db)
    arrangement = arrangement_service.create_arrangement(db, {
        "vendor_id": vendor.id, "title": "勘定系", "handles_user_data": True,
        "user_data_categories": "氏名、住所, 取引履歴", "start_date": "2025-04-01", "end_date": "2027-03-31"})
    assert arrangement.user_data_categories == ["氏名", "住所", "取引履歴"]
    with pytest.raises(ValidationFailed) as info:
        arrangement_service.create_arrangement(db, {"vendor_id": vendor.id, "title": "x",
                                                    "start_date": "2025-04-01", "end_date": "2024-01-01"})
    assert "before the start date" in info.value.details[0]["message"]
    with pytest.raises(ValidationFailed):
        arrangement_service.create_arrangement(db, {"vendor_id": 999999, "title": "x"})
    with pytest.raises(ValidationFailed):
        arrangement_service.add_location(db, {"country": "Japan"}, arrangement=arrangement)


def _links_snapshot(db, arrangement):
    db.expire_all()
    return sorted((link.parent_vendor_id, link.vendor_id) for link in db.exec(
        select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)))


def test_self_link_cycle_and_outside_parent_are_refused_without_change(db):
    arrangement, v = deep_chain(db, tiers=4)
    outsider = factories.gen_vendor(db)
    db.commit()
    before = _links_snapshot(db, arrangement)
    with pytest.raises(Conflict, match="itself"):
        chain_service.add_link(db, arrangement, {"parent_vendor_id": v[2].id, "vendor_id": v[2].id})
    with pytest.raises(Conflict, match="cycle"):  # tier 4 back up to tier 2
        chain_service.add_link(db, arrangement, {"parent_vendor_id": v[3].id, "vendor_id": v[1].id})
    with pytest.raises(Conflict, match="cycle"):  # anything back to tier 1
        chain_service.add_link(db, arrangement, {"parent_vendor_id": v[3].id, "vendor_id": v[0].id})
    with pytest.raises(ValidationFailed, match="not in this arrangement's chain"):
        chain_service.add_link(db, arrangement, {"parent_vendor_id": outsider.id, "vendor_id": v[1].id})
    with pytest.raises(Conflict, match="already recorded") as duplicate:
        chain_service.add_link(db, arrangement, {"parent_vendor_id": v[0].id, "vendor_id": v[1].id})
    field = duplicate.value.details[0]["message"]  # names the two vendors, not the link's id
    assert v[0].name in field and v[1].name in field and f"Link {duplicate.value.details[0]['link_id']} " not in field
    db.rollback()
    assert _links_snapshot(db, arrangement) == before


def test_a_vendor_may_sit_under_two_parents_and_in_another_chain(db):
    arrangement, v = dag_chain(db)
    # e under x too: a second parent for e, not a cycle
    link = chain_service.add_link(db, arrangement, {"parent_vendor_id": v["x"].id, "vendor_id": v["e"].id,
                                                    "service": "監視"})
    assert link.approval_status == "unapproved"
    other = factories.gen_arrangement(db, v["d"])  # d is tier 1 elsewhere
    chain_service.add_link(db, other, {"parent_vendor_id": v["d"].id, "vendor_id": v["a"].id})


def test_link_decision_records_who_when_and_basis(db):
    arrangement, v = deep_chain(db, tiers=2)
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).one()
    compliance = factories.gen_user(db, role="compliance")
    with pytest.raises(ValidationFailed, match="basis"):
        chain_service.decide_link(db, link, {"approval_status": "approved"}, compliance)
    chain_service.decide_link(db, link, {"approval_status": "approved", "approval_basis": "prior_consent",
                                         "approved_on": "2026-01-15"}, compliance)
    assert (link.approval_status, link.approval_basis, str(link.approved_on), link.approved_by_id) == \
        ("approved", "prior_consent", "2026-01-15", compliance.id)
    chain_service.decide_link(db, link, {"approval_status": "pending"}, compliance)
    assert link.approved_by_id is None and link.approval_basis is None


def test_ending_a_link_that_would_orphan_subcontractors_is_refused(db):
    arrangement, v = deep_chain(db, tiers=3)
    first = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v[1].id)).one()
    with pytest.raises(Conflict):
        chain_service.end_link(db, first)
    last = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v[2].id)).one()
    chain_service.end_link(db, last)
    chain_service.end_link(db, first)
    assert [n.vendor_id for n in chain_queries.chain_nodes(db, [arrangement.id])] == [v[0].id]
    # both are kept, ended: the chain's history
    assert _links_snapshot(db, arrangement) == sorted([(v[0].id, v[1].id), (v[1].id, v[2].id)])
    with pytest.raises(Conflict):  # once is enough
        chain_service.end_link(db, first)


def test_who_recorded_a_link_cannot_approve_it(app, client, db):
    """Mutual checks (Art. 8(5)): a second person approves the sub-outsourcing."""
    from tests import factories as f
    from vendorrisk.vendors.models import OutsourcingLink
    compliance = f.gen_user(db, role="compliance")
    other = f.gen_user(db, role="compliance")
    arrangement = f.gen_arrangement(db)
    child = f.gen_vendor(db)
    db.commit()
    client.post("/login", data={"email": compliance.email, "password": f.PASSWORD})
    response = client.post(f"/arrangements/{arrangement.id}/links",
                           data={"parent_vendor_id": arrangement.vendor_id, "vendor": str(child.id), "service": "x"})
    assert response.status_code in (302, 303)
    db.rollback()
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == child.id)).one()
    assert link.recorded_by_id == compliance.id
    decision = {"approval_status": "approved", "approval_basis": "prior_consent"}
    refused = client.post(f"/arrangements/{arrangement.id}/links/{link.id}/decision", data=decision)
    assert refused.status_code == 403
    db.rollback()
    assert db.get(OutsourcingLink, link.id).approval_status == "unapproved"
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": f.PASSWORD})
    assert second.post(f"/arrangements/{arrangement.id}/links/{link.id}/decision", data=decision).status_code in (302, 303)
    db.rollback()
    assert db.get(OutsourcingLink, link.id).approval_status == "approved"
