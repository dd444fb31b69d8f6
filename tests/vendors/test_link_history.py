"""A sub-outsourcing link is ended, not deleted: the chain now leaves it out everywhere, the
chain as of a past day still has it, and the page, the API and the register show it ended."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from tests import factories
from vendorrisk.certificates.coverage import important_vendor_ids
from vendorrisk.core import clock, counters, registry
from vendorrisk.core.errors import Conflict
from vendorrisk.monitoring.plans import chain_members
from vendorrisk.vendors import chain_queries, chain_reach, listing, tasks
from vendorrisk.vendors import chains as chain_service
from vendorrisk.vendors.models import OutsourcingLink, Vendor
from vendorrisk.vendors.register_export import register_workbook


def _chain(db):
    """Tier 1 ``a`` (important, user data) sub-outsources to ``b`` (approved) and to ``gone``
    (unapproved, touching user data), which passes work on to nobody."""
    a, b, gone = (factories.gen_vendor(db, name=name) for name in ("株式会社一次", "株式会社継続", "株式会社離脱"))
    arrangement = factories.gen_arrangement(db, a, is_important=True, handles_user_data=True)
    kept = factories.gen_link(db, arrangement, a, b, approval_status="approved", approval_basis="prior_consent")
    ended = factories.gen_link(db, arrangement, a, gone, service="夜間監視", touches_user_data=True)
    chain_service.chain_changed(db, arrangement.id)
    db.flush()
    return arrangement, a, b, gone, kept, ended


def _dated(db, link, recorded_on):
    """The link as recorded at noon (member's time) of ``recorded_on``."""
    link.created_at = datetime.combine(recorded_on, datetime.min.time().replace(hour=12),
                                       clock.zone()).astimezone(timezone.utc)
    db.add(link)
    db.flush()


def test_an_ended_link_leaves_every_reading_of_the_chain_now(db, app):
    arrangement, a, b, gone, _kept, ended = _chain(db)
    compliance = factories.gen_user(db, role="compliance")
    rule = registry.current().obligations["25-4"].rule

    def reading():
        nodes = chain_queries.chain_nodes(db, [arrangement.id])
        return {
            "nodes": sorted(n.vendor_id for n in nodes),
            "final": sorted(n.vendor_id for n in nodes if n.is_final),
            "exposure": [e.arrangement_id for e in chain_queries.exposure(db, gone.id)],
            "concentration": gone.id in {r["vendor_id"] for r in chain_queries.concentration(db, limit=500)},
            "gaps": [g["unapproved_links"] for g in chain_queries.gaps(db)],
            "tiers": chain_reach.tiers_for(db, [gone.id]),
            "all_tiers": gone.id in {row[0] for row in db.execute(select(chain_reach.vendor_tiers()))},
            "subcontractors": gone.id in set(db.exec(listing.vendor_query(position="subcontractor")
                                                     .with_only_columns(Vendor.id))),
            "monitored": gone.id in chain_members(db, [gone.id]),
            "important": gone.id in important_vendor_ids(db, [gone.id]),
            "tasks": [t.url for t in tasks.tasks_for(db, compliance, clock.today())],
            "unapproved_count": counters.total(db, "links_unapproved"),
            "verdict": rule(db, [a.id])[a.id].status,
        }

    before = reading()
    assert before == {
        "nodes": sorted([a.id, b.id, gone.id]), "final": sorted([b.id, gone.id]), "exposure": [arrangement.id],
        "concentration": True, "gaps": [1], "tiers": {gone.id: 2}, "all_tiers": True, "subcontractors": True,
        "monitored": True, "important": True, "tasks": [f"/arrangements/{arrangement.id}#links"],
        "unapproved_count": 1, "verdict": "gap"}
    chain_service.end_link(db, ended, "契約終了")
    db.flush()
    assert reading() == {
        "nodes": sorted([a.id, b.id]), "final": [b.id], "exposure": [], "concentration": False, "gaps": [0],
        "tiers": {}, "all_tiers": False, "subcontractors": False, "monitored": False, "important": False,
        "tasks": [], "unapproved_count": 0, "verdict": "met"}


def test_the_approval_queue_and_the_matrix_forget_an_ended_link(client, login, db):
    arrangement, a, _b, gone, _kept, ended = _chain(db)
    db.commit()
    login("compliance")
    assert "株式会社離脱" in client.get("/arrangements/approvals").get_data(as_text=True)
    chain_service.end_link(db, ended, "契約終了")
    db.commit()
    assert "株式会社離脱" not in client.get("/arrangements/approvals").get_data(as_text=True)
    from vendorrisk.compliance.store import vendor_matrix
    assert vendor_matrix(db, a.id).verdicts["25-4"].status == "met"
    assert gone.id not in {n.vendor_id for n in chain_queries.chain_nodes(db, None)}


def test_the_same_link_may_be_recorded_again_after_it_ended(db):
    arrangement, a, _b, gone, _kept, ended = _chain(db)
    with pytest.raises(Conflict):  # while it is current, once is enough
        chain_service.add_link(db, arrangement, {"parent_vendor_id": a.id, "vendor_id": gone.id})
    chain_service.end_link(db, ended, "一時停止")
    again = chain_service.add_link(db, arrangement, {"parent_vendor_id": a.id, "vendor_id": gone.id})
    assert again.id != ended.id and again.ended_on is None
    db.refresh(ended)
    assert (ended.ended_on, ended.end_reason) == (clock.today(), "一時停止")  # the ended one as it was
    with pytest.raises(Conflict):
        chain_service.decide_link(db, ended, {"approval_status": "approved", "approval_basis": "notification"},
                                  factories.gen_user(db, role="compliance"))
    with pytest.raises(Conflict):
        chain_service.update_link(db, ended, {"service": "変更"})


def test_the_chain_as_of_a_day(db):
    arrangement, a, b, gone, kept, ended = _chain(db)
    today = clock.today()
    _dated(db, kept, today - timedelta(days=300))
    _dated(db, ended, today - timedelta(days=200))
    chain_service.end_link(db, ended, "契約終了", today=today - timedelta(days=30))

    def on(day):
        return sorted(n.vendor_id for n in chain_queries.chain_nodes(db, [arrangement.id], as_of=day))
    assert on(today - timedelta(days=250)) == sorted([a.id, b.id])  # before the link was recorded
    assert on(today - timedelta(days=200)) == sorted([a.id, b.id, gone.id])  # recorded that day
    assert on(today - timedelta(days=31)) == sorted([a.id, b.id, gone.id])  # the last day it served
    assert on(today - timedelta(days=30)) == sorted([a.id, b.id])  # ended that day
    assert on(today - timedelta(days=301)) == [a.id]
    final = [n.vendor_id for n in chain_queries.chain_nodes(db, [arrangement.id], as_of=today - timedelta(days=100))
             if n.is_final]
    assert sorted(final) == sorted([b.id, gone.id])


def test_page_and_api_show_the_history(client, login, db, api):
    arrangement, _a, _b, gone, _kept, ended = _chain(db)
    _dated(db, ended, clock.today() - timedelta(days=60))
    db.commit()
    login("procurement")
    assert client.get(f"/arrangements/{arrangement.id}/links/{ended.id}/delete").status_code == 200
    response = client.post(f"/arrangements/{arrangement.id}/links/{ended.id}/delete", data={"reason": "委託先の撤退"},
                           headers={"Accept-Language": "ja"})
    assert response.status_code == 302
    page = client.get(f"/arrangements/{arrangement.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    row = page[page.index('data-test="ended-link"'):]
    row = row[:row.index("</tr>")]
    assert "株式会社離脱" in row and f"{clock.today().isoformat()}終了" in row and "委託先の撤退" in row
    assert f'data-test="remove-link-{ended.id}"' not in page  # no action on history
    past = (clock.today() - timedelta(days=10)).isoformat()
    history = client.get(f"/arrangements/{arrangement.id}?as_of={past}", headers={"Accept-Language": "ja"})
    text = history.get_data(as_text=True)
    assert history.status_code == 200 and 'data-test="as-of-note"' in text
    tree = text[text.index('data-test="chain-tree"'):text.index('id="links"')]
    assert f'data-vendor="{gone.id}"' in tree and 'data-test="add-link"' not in text
    assert client.get(f"/arrangements/{arrangement.id}?as_of=yesterday").status_code == 422

    chain = api("auditor").get(f"/api/v1/arrangements/{arrangement.id}/chain?as_of={past}")
    assert chain.status_code == 200 and gone.id in chain.json["final_contractor_ids"]
    assert chain.json["as_of"] == past
    refused = api("auditor").get(f"/api/v1/arrangements/{arrangement.id}/chain?as_of=2026-13-01")
    assert refused.status_code == 422 and "as_of" in refused.get_data(as_text=True)
    now = api("auditor").get(f"/api/v1/arrangements/{arrangement.id}/chain").json
    assert gone.id not in [n["vendor_id"] for n in now["nodes"]] and now["as_of"] is None
    link = api("auditor").get(f"/api/v1/links/{ended.id}").json
    assert (link["ended_on"], link["end_reason"]) == (clock.today().isoformat(), "委託先の撤退")


def test_api_delete_ends_the_link_with_its_reason(db, api):
    arrangement, _a, _b, _gone, _kept, ended = _chain(db)
    db.commit()
    assert api("procurement").delete(f"/api/v1/links/{ended.id}?reason=誤登録").status_code == 204
    assert api("procurement").delete(f"/api/v1/links/{ended.id}").status_code == 409
    db.rollback()
    db.expire_all()
    kept = db.get(OutsourcingLink, ended.id)
    assert (kept.ended_on, kept.end_reason) == (clock.today(), "誤登録")


def test_the_register_lists_ended_links_apart_and_imports_back_without_them(app, db):
    arrangement, _a, _b, gone, _kept, ended = _chain(db)
    chain_service.end_link(db, ended, "契約終了")
    db.commit()
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        data = register_workbook(db)
    book = load_workbook(io.BytesIO(data), read_only=True)
    links = list(book["再委託"].iter_rows(values_only=True))
    assert [row[2] for row in links[1:]] == [f"V{_b.id}"]
    ended_rows = list(book["終了した再委託"].iter_rows(values_only=True))
    header = ended_rows[0]
    assert header[header.index("終了日")] == "終了日"
    (row,) = ended_rows[1:]
    assert (row[header.index("再委託先")], row[header.index("終了日")], row[header.index("終了の理由")]) == \
        (f"V{gone.id}", clock.today().isoformat(), "契約終了")
    assert gone.id not in {n.vendor_id for n in chain_queries.chain_nodes(db, [arrangement.id])}
    from vendorrisk.vendors.register_reader import read_register
    with app.test_request_context():
        sheets = read_register(data, "register.xlsx")
    assert len(sheets.links) == 1  # the history is not imported as a current link


def test_the_migration_keeps_the_links_data_locations(app, db):
    """0034 rebuilds the link table on SQLite; the links' data locations (ON DELETE CASCADE)
    come through it, both ways."""
    from tests.helpers import across_migration
    from vendorrisk.vendors.models import DataLocation
    _arrangement, _a, _b, _gone, kept, ended = _chain(db)
    db.add_all([DataLocation(link_id=kept.id, country="JP", region="東京"), DataLocation(link_id=ended.id, country="SG")])
    before, after = across_migration(app, db, "0033_arrangement_exit",
                                     "SELECT id, link_id FROM data_location WHERE link_id IS NOT NULL")
    assert sorted(before.values()) == sorted([kept.id, ended.id]) and after == before


# Modules that read OutsourcingLink without meaning "the chain now", and why. Any other module
# that reads links must say which chain it means (models.current_link, link_on, or
# chain_queries.in_chain_on): a new query cannot forget the ended links.
NOT_THE_CHAIN_NOW = {
    "vendors/models.py": "defines the conditions",
    "vendors/link_notes.py": "a note's text, no query",
    "vendors/api_shapes.py": "the link's shape, no query",
    "vendors/demo.py": "creates links",
    "vendors/register_store.py": "creates links of new arrangements (no link there yet)",
    "vendors/register_export.py": "every link: current ones on the links sheet, ended ones on ended_links",
    "vendors/arrangements.py": "a link by its id (locations); ended links keep their locations",
    "vendors/pages/chains.py": "the arrangement page lists ended links too, as history",
    "compliance/matrix_xlsx.py": "the link of a node the chain walk (current) found",
    "questionnaires/chain_plan.py": "the link a proposal became, by its id",
}


def test_every_query_on_links_says_which_chain_it_means():
    from pathlib import Path

    import vendorrisk
    root = Path(vendorrisk.__file__).parent
    unsaid = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if "migrations" not in path.parts and "OutsourcingLink" in path.read_text(encoding="utf-8")
        and not any(word in path.read_text(encoding="utf-8") for word in ("current_link", "link_on", "in_chain_on"))
        and str(path.relative_to(root)) not in NOT_THE_CHAIN_NOW)
    assert unsaid == [], "these read links without current_link / link_on; say which chain they mean"


def test_an_ended_link_takes_no_new_data_location(db):
    from vendorrisk.vendors.arrangements import add_location
    _arrangement, _a, _b, _gone, _kept, ended = _chain(db)
    chain_service.end_link(db, ended, "契約終了")
    with pytest.raises(Conflict):
        add_location(db, {"country": "JP"}, link=ended)
