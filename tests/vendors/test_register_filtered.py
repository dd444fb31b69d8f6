"""The arrangements list's register export keeps the list's filter: the link carries it and
the workbook holds only the arrangements the list shows (and the vendors their chains name)."""
import html
import io
import re

from openpyxl import load_workbook

from tests import factories
from tests.vendors.factories import dag_chain
from vendorrisk.vendors import chain_queries as chains_queries


def _export_href(page: str) -> str:
    return html.unescape(re.search(r'<a class="button" href="([^"]+)" data-test="export-register"', page).group(1))


def _sheet(book, name):
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_filtered_register_export_holds_only_the_filtered_arrangements(db, login, client):
    kept, v = dag_chain(db, title="勘定系システム", is_important=True)
    other_vendor = factories.gen_vendor(db, name="別件株式会社", name_en="Other Affair Ltd.")
    other = factories.gen_arrangement(db, other_vendor, title="社内メール", is_important=False)
    db.commit()
    login("auditor")
    everything = load_workbook(io.BytesIO(client.get("/arrangements/register.xlsx").data), read_only=True)
    assert {r["arrangement"] for r in _sheet(everything, "register")} == {"勘定系システム", "社内メール"}
    for query in ("important=1", "q=%E5%8B%98%E5%AE%9A"):  # important only; the words 「勘定」
        href = _export_href(client.get(f"/arrangements/?{query}").get_data(as_text=True))
        assert query.split("=")[0] in href
        book = load_workbook(io.BytesIO(client.get(href).data), read_only=True)
        register = _sheet(book, "register")
        assert {r["arrangement"] for r in register} == {"勘定系システム"}
        assert len(register) == len(chains_queries.chain_nodes(db, [kept.id]))
        assert [r["title"] for r in _sheet(book, "arrangements")] == ["勘定系システム"]
        named = {r["name"] for r in _sheet(book, "vendors")}
        assert named == {vendor.name for vendor in v.values()} and other_vendor.name not in named
        assert len(_sheet(book, "links")) == 6
    # no filter: the link is the whole register's
    assert _export_href(client.get("/arrangements/").get_data(as_text=True)) == "/arrangements/register.xlsx"
    assert other.id
