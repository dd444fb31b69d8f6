"""Chains from questionnaires: who contracts each listed subcontractor (委託元), matched to
registered vendors by corporate number and normalised name, shown as the tree it builds
before it is accepted, built through the chain service without putting a company already
in the chain at a second tier; a link that came from a proposal can be removed, with why."""
import json

import pytest
from sqlmodel import select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core import clock
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import AuditEntry
from vendorrisk.questionnaires import service
from vendorrisk.questionnaires.models import SubcontractorProposal
from vendorrisk.vendors import chain_queries
from vendorrisk.vendors.models import OutsourcingLink, Vendor


def _import(db, vendor, subcontractors, **answers):
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), answers,
                   subcontractors=subcontractors)
    return service.import_response(db, vendor_id=vendor.id, upload=service.inspect_questionnaire(data, "回答.xlsx"),
                                   key=fq.KEY)


@pytest.fixture
def chain(db):
    """Tier 1 and its arrangement, a data centre already at tier 2, a registered vendor
    outside the chain (its name stored as the vendors area normalises it)."""
    tier1 = factories.gen_vendor(db, name="株式会社一次請け")
    arrangement = factories.gen_arrangement(db, vendor=tier1)
    centre = factories.gen_vendor(db, name="さくらデータセンター株式会社", corporate_number=factories.corporate_number(7701))
    factories.gen_link(db, arrangement, tier1, centre)
    registered = factories.gen_vendor(db, name="Example Monitoring Ltd.", name_normalized="examplemonitoring")
    db.commit()
    return tier1, arrangement, centre, registered


ROWS = [  # name, corporate number, country, service, user data, data location, contracted by
    ("株式会社運用サポート", "", "JP", "運用", "はい / Yes", "JP Tokyo", ""),
    ("夜間監視合同会社", "", "JP", "夜間監視", "はい / Yes", "JP Osaka", "運用サポート"),
    ("Sakura DC", None, "JP", "ハウジング", "いいえ / No", "", "夜間監視合同会社"),
    ("EXAMPLE MONITORING LIMITED", "", "GB", "ログ監視", "いいえ / No", "GB", "（株）運用サポート"),
    ("株式会社一次請け", "", "JP", "自社", "いいえ / No", "", ""),
]


def _rows(centre):
    rows = [list(r) for r in ROWS]
    rows[2][1] = centre.corporate_number  # listed under another name, with its corporate number
    return [tuple(r) for r in rows]


def test_contracted_by_is_read_and_resolved_to_the_rows_it_names(db, chain):
    tier1, _arrangement, centre, _registered = chain
    result = _import(db, tier1, _rows(centre))
    proposals = db.exec(select(SubcontractorProposal).where(SubcontractorProposal.response_id == result.response.id)
                        .order_by(SubcontractorProposal.row)).all()
    assert [(p.row, p.contracted_by, p.parent_row) for p in proposals] == [
        (2, "", None), (3, "運用サポート", 2), (4, "夜間監視合同会社", 3), (5, "(株)運用サポート", 2), (6, "", None)]


def test_the_plan_shows_the_tree_and_keeps_a_company_at_one_tier(db, chain, client, login):
    tier1, arrangement, centre, registered = chain
    result = _import(db, tier1, _rows(centre))
    login("compliance")
    page = client.get(f"/questionnaires/responses/{result.response.id}/chain?arrangement_id={arrangement.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-test="planned-tree"' in html
    proposals = {p.row: p for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    actions = {row: html.split(f'data-test="plan-{p.id}"')[0].rsplit('data-action="', 1)[1].split('"')[0]
               for row, p in proposals.items()}
    assert actions == {2: "add", 3: "add", 4: "elsewhere", 5: "add", 6: "self"}
    tree = html.split('data-test="planned-tree"')[1].split("</div>")[0]
    # 一次請け (tier 1) > さくら (tier 2, existing), 運用サポート (tier 2, new) > 夜間監視, Example (tier 3)
    assert tree.index("株式会社一次請け") < tree.index("株式会社運用サポート") < tree.index("夜間監視合同会社")
    assert tree.count("さくらデータセンター株式会社") == 1 and "Sakura DC" not in tree
    assert "Example Monitoring Ltd." in tree and "EXAMPLE MONITORING LIMITED" not in tree  # the registered vendor
    assert len(db.exec(select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id)).all()) == 1


def test_accepting_builds_the_real_tree_through_the_chain_service(db, chain, client, login):
    tier1, arrangement, centre, registered = chain
    result = _import(db, tier1, _rows(centre))
    login("compliance")
    ids = [p.id for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))]
    done = client.post(f"/questionnaires/responses/{result.response.id}/chain",
                       data={"arrangement_id": arrangement.id, "proposal_id": ids})
    assert done.status_code == 302
    db.rollback()
    nodes = chain_queries.chain_nodes(db, [arrangement.id])
    tiers = {}
    for node in nodes:
        tiers.setdefault(node.vendor_name, []).append(node.tier)
    assert tiers == {"株式会社一次請け": [1], "さくらデータセンター株式会社": [2], "株式会社運用サポート": [2],
                     "夜間監視合同会社": [3], "Example Monitoring Ltd.": [3]}
    created = db.exec(select(Vendor).where(Vendor.name == "夜間監視合同会社")).one()
    assert created.status == "prospect" and created.name_normalized == "夜間監視"
    links = {db.get(Vendor, link.vendor_id).name: link for link in db.exec(
        select(OutsourcingLink).where(OutsourcingLink.arrangement_id == arrangement.id))}
    assert links["夜間監視合同会社"].approval_status == "pending" and links["夜間監視合同会社"].touches_user_data
    statuses = {p.row: p.status for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    assert statuses == {2: "accepted", 3: "accepted", 4: "pending", 5: "accepted", 6: "pending"}


def test_one_proposal_waits_for_its_contractor(db, chain, api):
    tier1, arrangement, centre, _registered = chain
    result = _import(db, tier1, _rows(centre))
    by_row = {p.row: p.id for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    client = api("compliance")
    accept = lambda row: client.post(f"/api/v1/questionnaire-proposals/{by_row[row]}/accept",  # noqa: E731
                                     json={"arrangement_id": arrangement.id})
    waiting = accept(3)
    assert waiting.status_code == 422 and "株式会社運用サポート" in waiting.get_json()["error"]["message"]
    assert accept(2).status_code == 201 and accept(3).status_code == 201
    elsewhere = accept(4)
    assert elsewhere.status_code == 409 and "tier 2" in elsewhere.get_json()["error"]["message"]
    assert accept(6).status_code == 409


def test_removing_a_link_that_came_from_a_proposal_works_and_records_why(db, chain, client, login):
    tier1, arrangement, centre, _registered = chain
    result = _import(db, tier1, _rows(centre))
    user = login("compliance")
    ids = [p.id for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))]
    client.post(f"/questionnaires/responses/{result.response.id}/chain",
                data={"arrangement_id": arrangement.id, "proposal_id": ids})
    db.rollback()
    proposals = {p.row: p for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    # Its own subcontractor hangs under it: the chain service refuses, nothing changes.
    refused = client.post(f"/questionnaires/proposals/{proposals[2].id}/withdraw", data={"reason": "誤記"})
    assert refused.status_code == 409
    db.rollback()
    assert db.get(SubcontractorProposal, proposals[2].id).status == "accepted"
    # From the response page, with a reason.
    night = proposals[3]
    link_id = night.link_id
    done = client.post(f"/questionnaires/proposals/{night.id}/withdraw",
                       data={"reason": "夜間監視は一次請けが直接委託している"})
    assert done.status_code == 302
    db.rollback()
    night = db.get(SubcontractorProposal, night.id)
    assert (night.status, night.link_id, night.note) == ("withdrawn", None, "夜間監視は一次請けが直接委託している")
    ended = db.get(OutsourcingLink, link_id)  # kept in the chain's history, ended with the reason
    assert (ended.ended_on, ended.end_reason) == (clock.today(), "夜間監視は一次請けが直接委託している")
    event = db.exec(select(AuditEntry).where(AuditEntry.entity == "subcontractor_proposal",
                                             AuditEntry.action == "withdraw")).one()
    assert json.loads(event.after)["reason"] == "夜間監視は一次請けが直接委託している" and event.actor_id == user.id
    # From the chain page (the vendors area): no longer a 500; the removal asks for a reason,
    # and the proposal records it.
    example = proposals[5]
    assert client.post(f"/arrangements/{arrangement.id}/links/{example.link_id}/delete").status_code == 422
    removed = client.post(f"/arrangements/{arrangement.id}/links/{example.link_id}/delete",
                          data={"reason": "監視ツールは一次請けの自社開発だった"})
    assert removed.status_code == 302
    db.rollback()
    example = db.get(SubcontractorProposal, example.id)
    assert (example.status, example.link_id, example.note) == ("withdrawn", None, "監視ツールは一次請けの自社開発だった")
    page = client.get(f"/questionnaires/responses/{result.response.id}").get_data(as_text=True)
    assert f'data-test="withdrawn-{example.id}"' in page and "夜間監視は一次請けが直接委託している" in page


@pytest.mark.parametrize("rows, cell, message", [
    ([("A社", "", "JP", "x", "いいえ / No", "", "B社")], "G2", "'B社' is not listed on this sheet"),
    ([("A社", "", "JP", "x", "いいえ / No", "", "A社")], "G2", "A subcontractor cannot contract itself"),
    ([("A社", "", "JP", "x", "いいえ / No", "", "B社"), ("B社", "", "JP", "y", "いいえ / No", "", "A社")], "G2",
     "contract each other in a circle"),
])
def test_contracted_by_that_names_nobody_or_goes_round_is_a_row_level_error(db, chain, rows, cell, message):
    tier1, *_rest = chain
    with pytest.raises(ValidationFailed) as caught:
        _import(db, tier1, rows)
    assert any(d["sheet"] == "Subcontractors" and d["cell"] == cell and message in d["message"]
               for d in caught.value.details), caught.value.details


def test_the_api_plans_accepts_and_withdraws(db, chain, api):
    tier1, arrangement, centre, registered = chain
    result = _import(db, tier1, _rows(centre))
    db.commit()
    client = api("compliance")
    base = f"/api/v1/questionnaire-responses/{result.response.id}"
    plan = client.get(f"{base}/chain-plan?arrangement_id={arrangement.id}")
    assert plan.status_code == 200
    body = plan.get_json()
    actions = {link["row"]: (link["action"], link["matched_by"], link["tier"]) for link in body["links"]}
    assert actions == {2: ("add", "", 2), 3: ("add", "", 3), 4: ("elsewhere", "corporate_number", None),
                       5: ("add", "name", 3), 6: ("self", "name", None)}
    (root,) = body["tree"]
    assert (root["name"], root["state"]) == ("株式会社一次請け", "existing")
    added = next(n for n in root["children"] if n["state"] == "add")
    assert added["name"] == "株式会社運用サポート" and {c["name"] for c in added["children"]} == {
        "夜間監視合同会社", "Example Monitoring Ltd."}
    assert client.get(f"{base}/chain-plan").status_code == 422
    only = [link["proposal_id"] for link in body["links"] if link["row"] == 2]
    made = client.post(f"{base}/chain", json={"arrangement_id": arrangement.id, "proposal_ids": only})
    assert made.status_code == 201 and [link["vendor_id"] for link in made.get_json()["links"]] != []
    rest = client.post(f"{base}/chain", json={"arrangement_id": arrangement.id})
    assert rest.status_code == 201 and len(rest.get_json()["links"]) == 2
    night = next(link["proposal_id"] for link in body["links"] if link["row"] == 3)
    assert client.post(f"/api/v1/questionnaire-proposals/{night}/withdraw", json={"reason": " "}).status_code == 422
    gone = client.post(f"/api/v1/questionnaire-proposals/{night}/withdraw", json={"reason": "別の委託元の誤り"})
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn" and gone.get_json()["link_id"] is None
    again = client.post(f"/api/v1/questionnaire-proposals/{night}/withdraw", json={"reason": "もう一度"})
    assert again.status_code == 409


def test_accepting_the_chosen_after_someone_else_accepted_one_says_so_on_the_chain_page(db, chain, client, login,
                                                                                     monkeypatch):
    """Two people accept at once (PostgreSQL: both plan while the proposal is pending; the
    second finds it accepted once it holds the row). That answered the bare 409 error page; it
    shows the chain page again: nothing added, who accepted it and when, the chain as it is.
    Simulated: the row lock's re-read returns the proposal as the first person's commit left it."""
    from datetime import datetime, timezone

    from vendorrisk.core.locking import lock
    from vendorrisk.questionnaires import reviews
    tier1, arrangement, centre, _registered = chain
    result = _import(db, tier1, _rows(centre))
    proposals = {p.row: p for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    first = factories.gen_user(db, role="procurement")
    db.commit()
    first_id, raced = first.id, proposals[2].id

    def locked_after_the_first_commit(session, obj):
        lock(session, obj)
        if isinstance(obj, SubcontractorProposal) and obj.id == raced:
            obj.status, obj.reviewed_by_id = "accepted", first_id
            obj.reviewed_at = datetime(2026, 4, 1, 1, 2, tzinfo=timezone.utc)
        return obj

    monkeypatch.setattr(reviews, "lock", locked_after_the_first_commit)
    login("compliance")
    refused = client.post(f"/questionnaires/responses/{result.response.id}/chain", headers={"Accept-Language": "ja"},
                          data={"arrangement_id": arrangement.id, "proposal_id": [proposals[2].id, proposals[3].id]})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'data-test="conflict"' in page and 'data-test="planned-tree"' in page
    assert "この操作では委託チェーンに何も追加されていません" in page and first.display_name in page
    assert "2026-04-01 10:02" in page  # when, in Tokyo time
    db.rollback()
    statuses = {p.row: p.status for p in db.exec(select(SubcontractorProposal).where(
        SubcontractorProposal.response_id == result.response.id))}
    assert statuses[2] == statuses[3] == "pending"  # nothing of the refused request stayed
    as_json = client.post(f"/questionnaires/responses/{result.response.id}/chain",
                          headers={"Accept": "application/json"},
                          data={"arrangement_id": arrangement.id, "proposal_id": [proposals[2].id]})
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"]  # JSON clients keep the body
