"""A subcontractor's contract rows (Art. 25(2)/25(3)) are not applicable — it has no direct
contract — but their reason must not claim that the tier-1 contract's sub-outsourcing clause
covers it when that clause is not on record; the maintained matrix follows the tier-1
contract as it is uploaded and reviewed."""
from sqlmodel import select

from tests import factories
from tests.contracts.factories import CORPUS
from vendorrisk.compliance import maintain, store
from vendorrisk.contracts import service
from vendorrisk.contracts.models import ClauseCheck
from vendorrisk.vendors.models import Vendor

JA = {"Accept-Language": "ja"}
COVERED = "No direct contract; covered by the tier-1 contract's sub-outsourcing clause."
CONTRACT_IDS = ["25-2-roles_responsibilities", "25-2-audit_rights", "25-2-subcontracting",
                "25-2-service_levels", "25-3"]


def _chain(db):
    arrangement = factories.gen_arrangement(db, title="Core Banking")
    subcontractor = factories.gen_vendor(db, name="再委託テスト株式会社")
    factories.gen_link(db, arrangement, db.get(Vendor, arrangement.vendor_id), subcontractor)
    maintain.rebuild(db)  # factories publish no event
    db.commit()
    return arrangement, subcontractor


def _reasons(api, vendor_id, headers=None):
    body = api("auditor").get(f"/api/v1/compliance-matrix?vendor_id={vendor_id}", headers=headers or {}).get_json()
    return {row["obligation"]: row for row in body["rows"] if row["obligation"] in CONTRACT_IDS}


def test_no_tier_one_contract_is_not_called_covered(app, db, api):
    arrangement, subcontractor = _chain(db)
    rows = _reasons(api, subcontractor.id)
    for oid, row in rows.items():
        assert row["status"] == "not_applicable", oid
        assert row["reason"] != COVERED and "no contract uploaded for “Core Banking”" in row["reason"], oid
        assert [link["href"] for link in row["links"]] == [f"/contracts/arrangements/{arrangement.id}"]
    japanese = _reasons(api, subcontractor.id, JA)["25-2-audit_rights"]["reason"]
    assert japanese.startswith("直接の契約はなく") and "「Core Banking」の契約書がアップロードされていません" in japanese


def test_the_reason_follows_the_tier_one_sub_outsourcing_clause(app, db, api):
    arrangement, subcontractor = _chain(db)
    user = factories.gen_user(db, role="compliance")
    version = service.upload_version(db, arrangement_id=arrangement.id, user=user, filename="c.md",
                                     data=(CORPUS / "en_complete_msa.md").read_bytes())
    db.commit()  # the contract checked: the chain's subcontractor is evaluated again at commit
    rows = _reasons(api, subcontractor.id)
    assert {row["reason"] for row in rows.values()} == {COVERED}
    assert rows["25-3"]["links"][0]["href"] == f"/contracts/versions/{version.id}"
    check = db.exec(select(ClauseCheck).where(ClauseCheck.version_id == version.id,
                                              ClauseCheck.clause_id == "subcontracting")).one()
    service.review_check(db, check_id=check.id, status="not_found", comment="No flow-down.", user=user)
    db.commit()
    reason = _reasons(api, subcontractor.id)["25-2-roles_responsibilities"]["reason"]
    assert reason.startswith("No direct contract, and the tier-1 contract's sub-outsourcing clause")
    assert "clause not found in “Core Banking /" in reason
    # the maintained rows are what the rules say now
    assert maintain.rebuild(db) == 0
    assert store.vendor_matrix(db, subcontractor.id).verdicts["25-3"].status == "not_applicable"


def test_a_clause_met_on_the_checker_word_alone_says_so(app, db, api):
    """Met from the automatic check is still met (reviewed result, else automatic), but the
    reason tells the inspector that no reviewer has confirmed it; once confirmed, it does not."""
    arrangement, _subcontractor = _chain(db)
    user = factories.gen_user(db, role="compliance")
    version = service.upload_version(db, arrangement_id=arrangement.id, user=user, filename="c.md",
                                     data=(CORPUS / "en_complete_msa.md").read_bytes())
    db.commit()
    row = _reasons(api, arrangement.vendor_id)["25-2-audit_rights"]
    assert row["status"] == "met"
    assert row["reason"] == ("Arrangements whose contract set has the clause: 1; found by the automatic check only, "
                             "not yet confirmed by a reviewer: 1.")
    japanese = _reasons(api, arrangement.vendor_id, JA)["25-2-audit_rights"]["reason"]
    assert japanese == "委託業務1件の契約書一式に条項があります（うち1件は自動判定のみで、確認者による確認は未了です）。"
    check = db.exec(select(ClauseCheck).where(ClauseCheck.version_id == version.id,
                                              ClauseCheck.clause_id == "audit_rights")).one()
    service.review_check(db, check_id=check.id, status="found", comment="Art. 8.", user=user)
    db.commit()
    row = _reasons(api, arrangement.vendor_id)["25-2-audit_rights"]
    assert (row["status"], row["reason"]) == ("met", "Arrangements whose contract set has the clause: 1.")


def test_a_provider_in_many_chains_names_the_first_and_counts_the_rest(app, db, api):
    """A widely shared provider is in thousands of chains: its reason names and links the
    first five chains lacking the clause and counts them all, so its cells stay small."""
    from vendorrisk.contracts.rules import SHOWN_CHAINS
    hub = factories.gen_vendor(db, name="共用クラウド株式会社")
    arrangements = [factories.gen_arrangement(db, title=f"業務{n:02d}") for n in range(SHOWN_CHAINS + 2)]
    for arrangement in arrangements:
        factories.gen_link(db, arrangement, db.get(Vendor, arrangement.vendor_id), hub)
    maintain.rebuild(db)
    db.commit()
    rows = _reasons(api, hub.id)
    for oid, row in rows.items():
        assert row["status"] == "not_applicable", oid
        assert f"is not on record in {SHOWN_CHAINS + 2} chains, among them:" in row["reason"], oid
        assert "“業務04”" in row["reason"] and "“業務05”" not in row["reason"], oid
        assert row["links_total"] == SHOWN_CHAINS, oid
        assert [link["href"] for link in row["links"]] == [f"/contracts/arrangements/{a.id}"
                                                           for a in arrangements[:SHOWN_CHAINS]]
    japanese = _reasons(api, hub.id, JA)["25-3"]["reason"]
    assert f"{SHOWN_CHAINS + 2}件の委託チェーンで確認できていません" in japanese
