"""The vendor's chains in its evidence pack: an inspector checks an Art. 25(4) verdict
("sub-outsourcing links not approved") from the pack itself, in the starter's language."""
import io
import zipfile

from flask_babel import force_locale
from openpyxl import load_workbook

from tests import factories
from tests.helpers import exported
from vendorrisk.compliance import maintain


def _chain(db):
    head = factories.gen_vendor(db, name="元請テスト株式会社")
    arrangement = factories.gen_arrangement(db, head, title="勘定系", is_important=True)
    middle, last = factories.gen_vendor(db, name="中間テスト株式会社"), factories.gen_vendor(db, name="末端テスト株式会社")
    factories.gen_link(db, arrangement, head, middle, approval_status="approved", approval_basis="prior_consent")
    factories.gen_link(db, arrangement, middle, last)
    elsewhere = factories.gen_arrangement(db, title="無関係の業務")
    db.commit()
    return head, middle, last, elsewhere


def _rows(data):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return sheet.title, list(sheet.iter_rows(values_only=True))


def test_every_chain_of_the_vendor_node_by_node_in_the_readers_language(app, db, contributions):
    head, middle, last, elsewhere = _chain(db)
    source = contributions.evidence_sources["chains"]
    with app.test_request_context(), force_locale("ja"):
        files = list(source(db, middle.id))  # a subcontractor: its chain, from tier 1 down
    assert [f.path for f in files] == [f"chains/vendor-{middle.id}-chains.xlsx"]
    title, rows = _rows(files[0].data)
    assert title == "委託チェーン"
    assert rows[0][:5] == ("委託業務", "重要", "階層", "経路", "外部委託先")
    nodes = {r[4]: r for r in rows[1:]}
    assert set(nodes) == {"元請テスト株式会社", "中間テスト株式会社", "末端テスト株式会社"}
    assert nodes["中間テスト株式会社"][2] == 2 and nodes["中間テスト株式会社"][10:12] == ("承認済み", "事前承諾")
    assert nodes["末端テスト株式会社"][2] == 3 and nodes["末端テスト株式会社"][8] == "はい"
    assert nodes["末端テスト株式会社"][10] == "未承認"
    assert nodes["末端テスト株式会社"][3] == "元請テスト株式会社 > 中間テスト株式会社 > 末端テスト株式会社"
    with app.test_request_context(), force_locale("en"):
        _title, english = _rows(next(iter(source(db, head.id))).data)
    assert english[0][10] == "Approval" and {r[10] or "" for r in english[1:]} == {"", "approved", "unapproved"}
    alone = factories.gen_vendor(db)  # in no chain: no file
    with app.test_request_context():
        assert list(source(db, alone.id)) == []


def test_the_pack_holds_the_chains(app, client, login, db):
    _head, middle, _last, _elsewhere = _chain(db)
    maintain.rebuild(db)
    db.commit()
    login("auditor")
    response = exported(app, client, f"/compliance/vendors/{middle.id}/evidence-pack.zip",
                        headers={"Accept-Language": "ja"})
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert f"evidence/chains/vendor-{middle.id}-chains.xlsx" in archive.namelist()
