"""The contracts page shows every document of an arrangement's contract set (master
agreement, DPA, SLA…): its kind, title, latest version and that version's check counts; the
documents of a page are read in one query."""
import re

from sqlalchemy import event

from tests import factories
from tests.contracts.factories import gen_version
from vendorrisk.contracts.documents import documents_of
from vendorrisk.contracts.models import Contract


def _contract(db, arrangement, title, kind):
    contract = Contract(arrangement_id=arrangement.id, title=title, document_kind=kind)
    db.add(contract)
    db.flush()
    return contract


def _set(db, vendor, title):
    arrangement = factories.gen_arrangement(db, vendor, title=title)
    sla = _contract(db, arrangement, "サービスレベル合意書", "sla")
    master = _contract(db, arrangement, "業務委託基本契約書", "master")
    dpa = _contract(db, arrangement, "データ処理契約", "dpa")
    gen_version(db, master, 1, {"audit_rights": ("not_found", None), "roles": ("found", None)})
    latest = gen_version(db, master, 2, {"audit_rights": ("not_found", "found"), "roles": ("found", None),
                                      "sub_outsourcing": ("not_found", None)})
    gen_version(db, dpa, 1, {"data_handling": ("needs_review", None)})
    gen_version(db, sla, 1, {"service_levels": ("found", None)})
    return arrangement, latest


def test_every_document_of_the_set_with_its_latest_version(client, login, db):
    vendor = factories.gen_vendor(db, name="株式会社契約一式")
    arrangement, latest = _set(db, vendor, "勘定系の運用委託")
    factories.gen_arrangement(db, vendor, title="未契約の委託")
    db.commit()
    login("auditor")
    page = client.get("/contracts/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
             for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    documents = [c for c in cells if "基本契約書" in c or "DPA" in c or "SLA" in c]
    # the set's order (master, DPA, SLA), each with its latest version and that version's counts
    assert documents[0].endswith("基本契約書 業務委託基本契約書 第2版 2 1 0")
    assert documents[1] == "データ処理契約（DPA） データ処理契約 第1版 0 0 1"
    assert documents[2] == "サービスレベル合意書（SLA） サービスレベル合意書 第1版 1 0 0"
    assert f'/contracts/versions/{latest.id}"' in page
    assert any("未契約の委託" in c and "契約書は未登録です" in c for c in cells)


def test_a_pages_documents_are_read_in_one_query(db):
    vendor = factories.gen_vendor(db)
    ids = [_set(db, vendor, f"委託{n}")[0].id for n in range(4)]
    db.commit()
    statements = []
    engine = db.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        found = documents_of(db, ids)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [[d.contract.document_kind for d in found[i]] for i in ids] == [["master", "dpa", "sla"]] * 4
    assert {(d.version.number, d.found, d.not_found, d.needs_review) for i in ids for d in found[i]
            if d.contract.document_kind == "master"} == {(2, 2, 1, 0)}
