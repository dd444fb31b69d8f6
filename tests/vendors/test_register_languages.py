"""The register workbook in the reader's language: a Japanese export names its sheets and
columns in Japanese, and imports back as it is (as does an English one)."""
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from tests.vendors.factories import dag_chain
from tests.vendors.test_register import _shape
from vendorrisk.vendors.models import Arrangement, DataLocation, OutsourcingLink, Vendor
from vendorrisk.vendors.register_export import register_workbook


def _empty(db):
    for model in (DataLocation, OutsourcingLink, Arrangement, Vendor):
        for row in db.exec(select(model)).all():
            db.delete(row)
        db.flush()
    db.commit()


def test_a_japanese_browser_gets_japanese_sheets_and_columns(db, login, client):
    dag_chain(db, title="勘定系", is_important=True)
    login("auditor")
    response = client.get("/arrangements/register.xlsx", headers={"Accept-Language": "ja,en;q=0.5"})
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["外部委託台帳", "委託先", "委託業務", "再委託", "終了した再委託"]
    vendors = list(book["委託先"].iter_rows(values_only=True))
    assert vendors[0][:4] == ("番号", "名称", "フリガナ", "英語名")
    arrangements = list(book["委託業務"].iter_rows(values_only=True))
    assert arrangements[0][:3] == ("番号", "委託先", "委託業務名")
    assert arrangements[1][2] == "勘定系" and arrangements[1][5] == "はい"
    assert next(book["再委託"].iter_rows(values_only=True))[:3] == ("委託業務", "再委託元", "再委託先")
    assert next(book["外部委託台帳"].iter_rows(values_only=True))[:2] == ("委託業務番号", "委託業務")


def test_a_japanese_export_imports_back_to_the_same_register(app, db):
    arrangement, v = dag_chain(db, title="勘定系", is_important=True, handles_user_data=True,
                               user_data_categories=["氏名", "住所"])
    link = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v["e"].id)).one()
    link.touches_user_data = True
    db.add(DataLocation(link_id=link.id, country="SG", region="ap-southeast-1"))
    v["a"].name_kana = "エーシャ"
    db.commit()
    expected = _shape(db)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        data = register_workbook(db)
    assert "委託先" in load_workbook(io.BytesIO(data), read_only=True).sheetnames
    _empty(db)
    from vendorrisk.vendors.register_store import import_register
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        report = import_register(db, data, "register.xlsx")
    db.commit()
    assert (report.vendors, report.arrangements, report.links, report.locations) == (6, 1, 6, 1)
    assert _shape(db) == expected
    imported = db.exec(select(Arrangement)).one()
    assert imported.user_data_categories == ["氏名", "住所"] and imported.is_important and imported.handles_user_data
    assert db.exec(select(Vendor).where(Vendor.name == v["a"].name)).one().name_kana == "エーシャ"


def test_headers_typed_in_half_width_or_another_case_are_read(app, db):
    from tests import factories
    from vendorrisk.vendors.register_reader import read_register
    data = factories.workbook({"委託先": [["番号", "名称", "クラウド"], ["V1", "株式会社テスト", "はい"]],
                               "委託業務": [["番号", "委託先", "委託業務名", "解約予告期間(日)"], ["A1", "V1", "勘定系", 90]],
                               "Links": [["Arrangement", "Parent_Vendor", "再委託先"]]})
    with app.test_request_context():
        sheets = read_register(data, "register.xlsx")
    assert sheets.errors == []
    assert sheets.vendors == [(2, {"ref": "V1", "name": "株式会社テスト", "is_cloud": "はい"})]
    assert sheets.arrangements == [(2, {"ref": "A1", "vendor": "V1", "title": "勘定系", "notice_period_days": "90"})]


def test_the_import_page_names_a_problems_sheet_and_column_in_japanese_too(db, login, client):
    from tests import factories
    data = factories.workbook({"委託先": [["番号", "名称", "クラウド"], ["V1", "株式会社テスト", "たぶん"]]})
    login("procurement")
    response = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "r.xlsx"), "dry_run": "1"},
                           content_type="multipart/form-data", headers={"Accept-Language": "ja"})
    page = response.get_data(as_text=True)
    assert "<td>vendors（委託先）</td><td>2</td><td>is_cloud（クラウド）</td>" in page
    assert "<code lang=\"zxx\">links</code>（再委託）" in page


def test_approvals_are_written_as_words_in_the_readers_language_and_unapproved_reads_back(app, db):
    from datetime import date

    from flask_babel import refresh
    arrangement, v = dag_chain(db, title="勘定系")
    approved = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v["b"].id)).one()
    approved.approval_status, approved.approval_basis = "approved", "prior_consent"
    approved.approved_on = date(2026, 4, 1)
    pending = db.exec(select(OutsourcingLink).where(OutsourcingLink.vendor_id == v["x"].id)).one()
    pending.approval_status = "pending"
    db.commit()
    words = {"ja": ("承認済み", "事前承諾", "承認待ち", "未承認"), "en": ("approved", "prior consent",
                                                                 "pending approval", "unapproved")}
    for language, (yes, basis, waiting, no) in words.items():
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the locale cached by the request before in the same app context
            book = load_workbook(io.BytesIO(register_workbook(db)), read_only=True)
        register, links = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[::3])
        for rows in (register, links):
            status = rows[0].index("承認状況" if language == "ja" else "approval_status")
            basis_at = rows[0].index("承認の根拠" if language == "ja" else "approval_basis")
            cells = {(row[status], row[basis_at] or "") for row in rows[1:]}  # an empty cell reads None
            assert (yes, basis) in cells and (waiting, "") in cells and (no, "") in cells, (language, cells)
            assert not {"pending", "prior_consent"} & {c for row in rows for c in row}, language
    from vendorrisk.vendors.register_reader import refuse_link_decision
    with app.test_request_context():
        for word in ("未承認", "unapproved", "Unapproved", ""):
            refuse_link_decision({"approval_status": word})  # the word an export writes reads back


def test_the_fixed_approval_words_are_the_pages_words(app):
    """The workbook's approval words are a file format fixed in register_layout; they are the
    words the pages show (the catalogue), checked here so the two do not drift apart."""
    from flask_babel import force_locale

    from vendorrisk.vendors.chains import APPROVAL_BASIS_LABELS, APPROVAL_LABELS
    from vendorrisk.vendors.register_layout import APPROVAL_WORDS, BASIS_WORDS
    with app.test_request_context():
        for language in ("ja", "en"):
            with force_locale(language):
                assert APPROVAL_WORDS[language] == {k: str(v) for k, v in APPROVAL_LABELS.items()}
                assert BASIS_WORDS[language] == {k: str(v) for k, v in APPROVAL_BASIS_LABELS.items()}


def test_vendor_status_and_tier_are_written_as_words_and_read_back(app, db):
    from flask_babel import refresh

    from tests import factories
    from vendorrisk.vendors.register_reader import _Problem, refuse_status_decision, vendor_data
    approved = factories.gen_vendor(db, name="株式会社承認先")
    approved.status, approved.risk_tier = "approved", "high"
    factories.gen_vendor(db, name="株式会社候補先")
    db.commit()
    words = {"ja": ("承認済み", "高", "候補"), "en": ("approved", "high", "prospect")}
    for language, (status, tier, prospect) in words.items():
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            book = load_workbook(io.BytesIO(register_workbook(db)), read_only=True)
        rows = list(book[book.sheetnames[1]].iter_rows(values_only=True))
        at = {key: rows[0].index(name) for key, name in (("name", "名称" if language == "ja" else "name"),
                                                          ("status", "ステータス" if language == "ja" else "status"),
                                                          ("tier", "リスク区分" if language == "ja" else "risk_tier"))}
        cells = {row[at["name"]]: (row[at["status"]], row[at["tier"]] or "") for row in rows[1:]}
        assert cells["株式会社承認先"] == (status, tier), (language, cells)
        assert cells["株式会社候補先"] == (prospect, ""), (language, cells)
    with app.test_request_context():
        for word in ("候補", "prospect", "Prospect", "", "ｐｒｏｓｐｅｃｔ"):
            refuse_status_decision({"status": word})  # the word an export writes reads back
        for word in ("承認済み", "approved", "under assessment"):
            with pytest.raises(_Problem):
                refuse_status_decision({"status": word})
        assert [vendor_data({"name": "x", "risk_tier": w})["risk_tier"] for w in ("高", "high", "最重要", "Low")] == \
            ["high", "high", "critical", "low"]


def test_the_fixed_status_and_tier_words_are_the_pages_words(app):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from vendorrisk.vendors.models import RISK_TIERS, VENDOR_STATUSES
    from vendorrisk.vendors.register_layout import STATUS_WORDS, TIER_WORDS
    with app.test_request_context():
        for language in ("ja", "en"):
            with force_locale(language):
                assert STATUS_WORDS[language] == {s: _(s.replace("_", " ")) for s in VENDOR_STATUSES}
                assert TIER_WORDS[language] == {t: _(t) for t in RISK_TIERS}


def test_a_first_day_register_with_mistakes_tells_a_japanese_reader_what_to_do(db, login, client):
    """Walk of a first week: an administrator's existing register, with a status word the import
    does not take, a name written twice in full- and half-width forms and a sub-outsourcing under
    a parent nobody registered. Each problem names its row and says what to write, in the
    reader's words (「候補」, not the code prospect); nothing is stored."""
    from tests import factories
    data = factories.workbook({
        "委託先": [["名称", "フリガナ", "国", "ステータス"],
                ["株式会社クラウドテック", "クラウドテック", "JP", "有効"],
                ["ＡＢＣシステム株式会社", "エービーシー", "JP", ""],
                ["ABCシステム株式会社", "エービーシー", "JP", "取引中"],
                ["データセンター運営株式会社", "", "JP", "候補"]],
        "委託業務": [["番号", "委託先", "委託業務名"], ["a1", "株式会社クラウドテック", "会計SaaS"]],
        "再委託": [["委託業務", "再委託元", "再委託先", "承認状況"],
                ["a1", "存在しない会社", "データセンター運営株式会社", ""],
                ["a1", "株式会社クラウドテック", "データセンター運営株式会社", "承認済み"]],
    })
    login("procurement")
    response = client.post("/arrangements/import", data={"file": (io.BytesIO(data), "台帳.xlsx")},
                           content_type="multipart/form-data", headers={"Accept-Language": "ja"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "セルを空にするか「候補」と記入し" in page and "prospect" not in page
    assert "セルを空にするか「未承認」と記入してください" in page and "unapproved" not in page
    assert "3 行目（ＡＢＣシステム株式会社）と、正規化すると同じ名称です" in page
    # row 4's two problems are both said at once, not the status only once the name is fixed
    assert "&#39;取引中&#39; は取り込めません" in page
    assert "存在しない会社&#39; は vendors シートにも台帳にもありません。vendors シートにその行を追加するか、名称を直してください" in page
    db.rollback()
    assert db.exec(select(Vendor)).all() == [] and db.exec(select(OutsourcingLink)).all() == []
