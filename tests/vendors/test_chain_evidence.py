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


def test_a_subcontractor_that_left_within_the_year_is_still_in_the_pack(app, db, contributions):
    """Art. 26(1), 11(6): a link ended five months ago stays accounted for, with its dates and
    reason; one ended more than twelve months ago is not listed, and alone brings no file."""
    from datetime import timedelta

    from sqlmodel import select

    from vendorrisk.core import clock
    from vendorrisk.vendors import chains
    from vendorrisk.vendors.models import OutsourcingLink
    head, middle, last, _elsewhere = _chain(db)
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == last.id)).one()
    chains.end_link(db, link, "委託終了", today=clock.today() - timedelta(days=150))
    old = factories.gen_vendor(db, name="旧委託先株式会社")
    arrangement = db.get(type(_elsewhere), link.arrangement_id)
    gone = factories.gen_link(db, arrangement, head, old)
    chains.end_link(db, gone, "昔の話", today=clock.today() - timedelta(days=400))
    db.commit()
    source = contributions.evidence_sources["chains"]
    with app.test_request_context(), force_locale("ja"):
        (file,) = source(db, last.id)  # in no chain now, but in one within the year
    book = load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["委託チェーン", "終了した再委託（過去12か月）"]
    ended = list(book.worksheets[1].iter_rows(values_only=True))
    assert ended[0][-3:] == ("登録日", "終了日", "理由")
    assert [r[1:3] + r[-2:] for r in ended[1:]] == [
        ("中間テスト株式会社", "末端テスト株式会社", (clock.today() - timedelta(days=150)).isoformat(), "委託終了")]
    chain = [r[4] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "末端テスト株式会社" not in chain and "中間テスト株式会社" in chain
    with app.test_request_context():
        assert list(source(db, old.id)) == []
