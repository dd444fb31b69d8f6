"""A matrix cell carries its first proof links inline and points to the rest: a hub vendor's
cell holds one link per arrangement it is in, the API gives the first ``CELL_LINKS``, how many
there are, and the cell's own endpoint with all of them, in the same order and words."""
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from vendorrisk.compliance import maintain, matrix, store
from vendorrisk.compliance.api import CELL_LINKS
from vendorrisk.compliance.models import ComplianceVerdict
from vendorrisk.core.access import ALL_ROLES
from vendorrisk.core.messages import Msg, from_json, msg, render, to_json

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}
MANY = CELL_LINKS + 3


@pytest.fixture
def hubs(db):
    """A vendor brought in as a subcontractor touching user data (no location recorded, not
    approved) by ``MANY`` arrangements, another by exactly ``CELL_LINKS``: their Art. 26(3) and
    25(4) cells hold one proof link per link or arrangement."""
    hub, edge = factories.gen_vendor(db, name="ハブ委託先"), factories.gen_vendor(db, name="境界委託先")
    for n in range(MANY):
        head = factories.gen_vendor(db, name=f"元請{n}")
        arrangement = factories.gen_arrangement(db, head, title=f"委託業務{n}")
        factories.gen_link(db, arrangement, head, hub, touches_user_data=True, approval_status="unapproved")
        if n < CELL_LINKS:
            factories.gen_link(db, arrangement, head, edge, touches_user_data=True, approval_status="approved")
    maintain.rebuild(db)  # factories publish no event
    db.commit()
    return {"hub": hub.id, "edge": edge.id, "head": head.id}


def _stored(app, db, vendor_id, obligation, headers) -> list[dict]:
    """The cell's links as the API gave them before the cap: every stored link, its label
    rendered in the language ``headers`` ask for, in the stored order."""
    links = db.scalars(select(ComplianceVerdict.links).where(ComplianceVerdict.vendor_id == vendor_id,
                                                              ComplianceVerdict.obligation == obligation)).one()
    with app.test_request_context(), force_locale(headers["Accept-Language"]):
        return [{"label": render(from_json(label)), "href": href} for label, href in links]


def _cell(client, vendor_id, obligation, headers=EN):
    rows = client.get(f"/api/v1/compliance-matrix?vendor_id={vendor_id}", headers=headers).get_json()["rows"]
    return next(row for row in rows if row["obligation"] == obligation)


@pytest.mark.parametrize("obligation", ["26-3", "25-4"])
def test_a_cell_with_many_links_gives_the_first_and_where_the_rest_are(app, db, api, hubs, obligation):
    client = api("auditor")
    for headers in (EN, JA):
        every = _stored(app, db, hubs["hub"], obligation, headers)
        assert len(every) == MANY
        cell = _cell(client, hubs["hub"], obligation, headers)
        assert cell["links"] == every[:CELL_LINKS]
        assert cell["links_total"] == MANY
        assert cell["links_href"] == f"/api/v1/compliance-matrix/cells/{hubs['hub']}/{obligation}"
        whole = client.get(cell["links_href"], headers=headers).get_json()
        assert whole["links"] == every
        assert (whole["links_total"], whole["page"], whole["has_next"]) == (MANY, 1, False)
        assert {k: v for k, v in whole.items() if k not in ("links", "page", "per_page", "has_next")} == \
            {k: v for k, v in cell.items() if k not in ("links", "links_href")}
    # the Japanese labels, naming the arrangement by its title
    assert every[0]["label"] == {"26-3": "委託業務0の再委託", "25-4": "委託業務0"}[obligation]


def test_a_cell_with_few_links_holds_them_all(app, db, api, hubs):
    client = api("compliance")
    edge = _cell(client, hubs["edge"], "26-3")
    assert edge["links"] == _stored(app, db, hubs["edge"], "26-3", EN)
    assert (edge["links_total"], edge["links_href"]) == (CELL_LINKS, None)
    head = _cell(client, hubs["head"], "26-2")
    assert (len(head["links"]), head["links_total"], head["links_href"]) == (1, 1, None)
    no_links = next(row for row in client.get("/api/v1/compliance-matrix").get_json()["rows"] if not row["links"])
    assert (no_links["links_total"], no_links["links_href"]) == (0, None)
    whole = client.get(f"/api/v1/compliance-matrix/cells/{hubs['head']}/26-2").get_json()
    assert whole["links"] == head["links"] and whole["links_total"] == 1 and not whole["has_next"]


def test_every_matrix_page_caps_its_cells(api, hubs):
    rows = api("auditor").get("/api/v1/compliance-matrix?per_page=200").get_json()["rows"]
    assert max(len(row["links"]) for row in rows) == CELL_LINKS
    capped = {(row["vendor_id"], row["obligation"]) for row in rows if row["links_href"]}
    # the hub's contract rows name and link only the first chains (contracts.rules.SHOWN_CHAINS)
    assert capped == {(hubs["hub"], "26-3"), (hubs["hub"], "25-4")}
    assert all(row["links_total"] == len(row["links"]) for row in rows if not row["links_href"])


def test_the_cell_endpoint_pages_its_links(app, db, api, hubs):
    client = api("vendor_owner")
    every = _stored(app, db, hubs["hub"], "26-3", EN)
    url = f"/api/v1/compliance-matrix/cells/{hubs['hub']}/26-3"
    pages = [client.get(f"{url}?per_page=3&page={n}").get_json() for n in (1, 2, 3, 4)]
    assert [p["links"] for p in pages] == [every[0:3], every[3:6], every[6:9], []]
    assert [p["has_next"] for p in pages] == [True, True, False, False]
    assert {p["links_total"] for p in pages} == {MANY} and {p["per_page"] for p in pages} == {3}


def test_the_cell_endpoint_is_read_by_every_role_and_refuses_the_rest(api, client, hubs):
    url = f"/api/v1/compliance-matrix/cells/{hubs['hub']}/26-3"
    for role in ALL_ROLES:
        assert api(role).get(url).status_code == 200, role
    assert client.get(url).status_code == 401
    reader = api("auditor")
    missing_vendor = reader.get("/api/v1/compliance-matrix/cells/999999/26-3")
    assert missing_vendor.status_code == 404 and missing_vendor.get_json()["error"]["code"] == "not_found"
    missing_obligation = reader.get(f"/api/v1/compliance-matrix/cells/{hubs['hub']}/99-9", headers=JA)
    assert missing_obligation.status_code == 404
    assert missing_obligation.get_json()["error"]["message"] == "義務 99-9 は存在しません。"
    for query, field in (("per_page=0", "per_page"), ("per_page=501", "per_page"), ("page=0", "page"),
                         ("page=two", "page")):
        refused = reader.get(f"{url}?{query}")
        assert refused.status_code == 422, query
        assert [d["field"] for d in refused.get_json()["error"]["details"]] == [field], query


def test_the_html_pages_show_what_they_showed(client, login, hubs):
    login("auditor")
    matrix_page = client.get("/compliance/").get_data(as_text=True)
    assert f'data-vendor="{hubs["hub"]}"' in matrix_page and "#locations" not in matrix_page  # no proof links
    vendor_page = client.get(f"/compliance/vendors/{hubs['hub']}", headers=EN).get_data(as_text=True)
    row = vendor_page.split('data-obligation="26-3"')[1].split("</tr>")[0]
    assert row.count("<a href=") == 1 + MANY  # the rules link, then every proof link


def test_the_openapi_document_lists_the_cell_endpoint_and_fields(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/compliance-matrix/cells/{vendor_id}/{obligation}"]["get"]
    assert operation["operationId"] == "getComplianceCell"
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["vendor_id", "obligation", "page", "per_page"]
    cell = document["components"]["schemas"]["ComplianceCell"]
    assert {"links", "links_total", "links_href"} <= set(cell["required"])
    assert "getComplianceCell" in document["paths"]["/api/v1/compliance-matrix"]["get"]["description"]


@pytest.mark.parametrize("links", [
    [], [["Link", "/a"]], [[to_json(msg("Link %(id)s", id=n)), f"/links/{n}"] for n in range(MANY)],
    [[{"ja": "日本語", "en": "English"}, "/b"]] * CELL_LINKS,
])
@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":"), (" ,\n ", " : ")])
def test_stored_links_decodes_the_first_and_counts_them_all(links, separators):
    text = json.dumps(links, separators=separators, ensure_ascii=False)
    if separators[0].startswith(" "):
        text = text.replace("[", "[ \n").replace("]", " \n]")
    every = [(from_json(label), href) for label, href in links]
    assert store.stored_links(text) == (every, len(links))
    for first in (0, 1, CELL_LINKS, MANY, MANY + 1):
        assert store.stored_links(text, first) == (every[:first], len(links))
    if links and isinstance(links[0][0], dict) and "m" in links[0][0]:
        assert isinstance(store.stored_links(text, 1)[0][0][0], Msg)


def test_a_page_decodes_only_the_links_it_asks_for(db, hubs):
    every = store.vendor_matrix(db, hubs["hub"]).verdicts["26-3"].links
    for first in (0, 2):
        page = store.matrix_page(db, matrix.MatrixFilters(vendor_id=hubs["hub"]), first_links=first)
        verdict = page.rows[0].verdicts["26-3"]
        assert (verdict.links, matrix.links_total(verdict)) == (every[:first], MANY)
    assert matrix.links_total(store.vendor_matrix(db, hubs["hub"]).verdicts["26-3"]) == MANY
