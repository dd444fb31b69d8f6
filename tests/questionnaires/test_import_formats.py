"""The industry's questionnaires imported as vendors return them, end to end: every answer
stored on its question, partial responses stored with the unanswered listed, the format and
where it was read recorded, scores per article, findings; CSV copies too; and refusals with
row-level details when an answer cell cannot be read."""
import re

import pytest
from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from tests.questionnaires import workbooks as qw
from tests.questionnaires.xlsx_writer import Book
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.questionnaires import service
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse
from vendorrisk.vendors.findings import Finding

SSRM = re.compile(r"\n?\[SSRM: [^\]]*\]$")  # CAIQ's control ownership, kept with the comment


@pytest.fixture
def vendor(db):
    return factories.gen_vendor(db, name="株式会社クラウド回答")


def _import(db, vendor, fixture, **kw):
    upload = service.inspect_questionnaire(fixture.data, fixture.name)
    return service.import_response(db, vendor_id=vendor.id, upload=upload, key=fq.KEY, **kw)


def _stored(db, result) -> list[tuple]:
    rows = db.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == result.response.id)
                   .order_by(QuestionnaireAnswer.position)).all()
    return [(a.sheet, int(a.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), a.source_id, a.question_text, a.raw,
             SSRM.sub("", a.comment)) for a in rows]


def _expected(fixture, ids=True) -> list[tuple]:
    return [(e.sheet, e.row, e.question_id if ids else f"R{e.row}", e.question, e.answer, e.comment)
            for e in fixture.expected]


def test_caiq_v403_imports_261_of_261_answers_scored_per_article(db, vendor):
    fixture = qw.caiq_v403()
    result = _import(db, vendor, fixture)
    assert (result.format, result.profile_id, result.questions, result.answered) == ("caiq", "caiq_v4", 261, 261)
    assert _stored(db, result) == _expected(fixture)
    response = db.get(QuestionnaireResponse, result.response.id)
    assert (response.format, response.profile_id, response.answered) == ("caiq", "caiq_v4", 261)
    assert response.layout["sheets"][0]["sheet"] == "CAIQv4.0.3" and response.layout["sheets"][0]["header_row"] == 2
    assert response.score is not None and response.score == result.score
    assert {f"27({n})" for n in range(1, 10)} | {"26(3)"} <= set(response.article_scores)  # every item of Art. 27
    assert all(s["answered"] for s in response.article_scores.values())
    assert {m["template_id"] for m in response.mapped} == {"cloud_services", "general_outsourcing"}
    findings = db.exec(select(Finding).where(Finding.vendor_id == vendor.id)).all()
    assert len(findings) == result.flags == sum(1 for m in response.mapped if m["flagged"])
    assert all(f.source_ref.startswith(f"questionnaire_response:{response.id}:") for f in findings)


def test_hecvat3_partial_response_is_a_result_with_the_unanswered_listed(db, vendor):
    fixture = qw.hecvat3_full()
    result = _import(db, vendor, fixture)
    assert (result.format, result.questions, result.answered) == ("hecvat3", 253, 176)
    assert _stored(db, result) == _expected(fixture)
    assert [u["id"] for u in result.unanswered] == [e.question_id for e in fixture.expected if not e.answer]
    assert {a.sheet for a in db.exec(select(QuestionnaireAnswer).where(
        QuestionnaireAnswer.response_id == result.response.id))} == {"HECVAT - Full"}
    first = next(e for e in fixture.expected if not e.answer)
    assert result.unanswered[0] == {"id": first.question_id, "sheet": "HECVAT - Full", "cell": f"C{first.row}",
                                    "question": first.question}


def test_hecvat4_over_several_sheets_stores_each_question_once(db, vendor):
    fixture = qw.hecvat4()
    result = _import(db, vendor, fixture)
    assert result.format == "hecvat4"
    assert _stored(db, result) == _expected(fixture)
    assert [s["sheet"] for s in result.layout["sheets"]] == [title for title, _s in qw.HECVAT4_SHEETS]
    assert result.layout["duplicates"] == len(qw.REPEATED_ON_PRIVACY)


@pytest.mark.parametrize("build, fmt, ids", [
    (qw.sig, "sig", True),
    (qw.ja_maru_batsu, "ja_checklist", True),
    (lambda: qw.ja_own_vocabulary(), "ja_checklist", True),
    (qw.ja_hai_iie, "ja_checklist", False),
    (qw.ja_tick_columns, "ja_checklist", True),
    (lambda: qw.ja_tick_columns(two_header_rows=True), "ja_checklist", True),
])
def test_every_answer_lands_on_its_question(db, vendor, build, fmt, ids):
    fixture = build()
    result = _import(db, vendor, fixture)
    assert result.format == fmt
    assert _stored(db, result) == _expected(fixture, ids)
    assert result.answered == len(fixture.answered)


@pytest.mark.parametrize("build", [qw.caiq_csv, qw.ja_hai_iie_csv])
def test_csv_copies_import_like_the_workbooks(db, vendor, build):
    fixture = build()
    upload = service.inspect_questionnaire(fixture.data, fixture.name)
    assert upload.kind == "csv" and upload.data == fixture.data  # Shift_JIS kept as it came
    result = service.import_response(db, vendor_id=vendor.id, upload=upload, key=fq.KEY)
    assert result.format in ("caiq", "ja_checklist") and result.answered == len(fixture.answered)
    assert _stored(db, result) == _expected(fixture, ids=fixture.expected[0].question_id != "")


def test_formula_answers_saved_without_results_refuse_the_file_row_by_row(db, vendor):
    book = Book()
    sheet = book.add("回答")
    sheet.row(1, ["No.", "質問", "回答", "備考"])
    sheet.row(2, ["1", "アクセスログを保存していますか。", "はい"])
    sheet.set("C3", None, formula='IF(C2="はい","はい","いいえ")')
    sheet.row(3, ["2", "ログを定期的に点検していますか。"])
    sheet.row(4, ["3", "ログを1年以上保存していますか。"])
    before = db.exec(select(func.count()).select_from(QuestionnaireResponse)).one()
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, qw.Fixture(book.to_bytes(), name="回答.xlsx"))
    assert caught.value.details == [{"sheet": "回答", "cell": "C3", "message": (
        "The cell holds a formula without a calculated value; expected a value (open the workbook in Excel, "
        "let it calculate, save and upload again)")}]
    assert caught.value.message == "The workbook has 1 problem; nothing was imported."
    assert db.exec(select(func.count()).select_from(QuestionnaireResponse)).one() == before


@pytest.mark.parametrize("data", [bytes(range(256)) * 40, b"\xff\xfe" + "質問,回答\n".encode("utf-16-le")[:-1]])
def test_binary_or_broken_text_named_csv_is_refused_at_the_gate(app, data):
    with app.app_context(), pytest.raises(ValidationFailed) as caught:
        service.inspect_questionnaire(data, "answers.csv")
    assert caught.value.message == "The file's content was not recognised as .csv: it may be damaged, or another kind of file renamed."


def test_csv_text_that_the_csv_reader_cannot_take_is_refused(db, vendor):
    data = ("質問,回答\n" + '"' + "あ" * 140000 + '",はい\n').encode("utf-8")
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, qw.Fixture(data, name="answers.csv"))
    assert caught.value.message == "The file is not readable CSV text (UTF-8, UTF-16 or Shift_JIS); it may be corrupt."
    assert caught.value.details[0]["message"].startswith(caught.value.message + " (field larger than field limit")


def test_the_user_picks_other_sheets_and_a_profile(db, vendor):
    fixture = qw.hecvat3_full()
    result = _import(db, vendor, fixture, layout_params={"sheets": ["Analyst Report"], "profile": "none"})
    assert (result.format, result.profile_id, result.score, result.response.mapped) == ("hecvat3", None, None, [])
    assert {s["sheet"] for s in result.layout["sheets"]} == {"Analyst Report"} and result.layout["corrected"]
    assert result.answered == 176
    with pytest.raises(ValidationFailed) as caught:
        _import(db, factories.gen_vendor(db), fixture, layout_params={"profile": "nope"})
    assert caught.value.message.startswith("Unknown format 'nope'")


def _post(client, vendor_id, data, filename, **form):
    import io
    return client.post(f"/api/v1/vendors/{vendor_id}/questionnaire-responses",
                       data={"file": (io.BytesIO(data), filename), **form}, content_type="multipart/form-data")


def test_the_api_imports_a_detected_format_in_one_call_and_asks_to_confirm_an_unknown_one(db, api):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    caiq = _post(client, vendor.id, qw.caiq_v403().data, "CAIQv4.0.3.xlsx")
    body = caiq.get_json()
    assert caiq.status_code == 201 and (body["format"], body["profile_id"], body["answered"]) == ("caiq", "caiq_v4", 261)
    assert body["article_scores"]["27(9)"]["possible"] > 0 and body["unanswered"] == []
    sjis = qw.ja_hai_iie_csv()
    csv = _post(client, vendor.id, sjis.data, sjis.name)
    assert csv.status_code == 201 and csv.get_json()["format"] == "ja_checklist"
    assert len(csv.get_json()["unanswered"]) == len(sjis.expected) - len(sjis.answered)
    book = Book()
    sheet = book.add("Self check")
    sheet.row(1, ["Item", "Control", "Status"])
    sheet.row(2, ["S1", "Is there a written security policy approved by management?", "Yes"])
    sheet.row(3, ["S2", "Are backups tested at least every quarter by the operator?", "No"])
    unknown = _post(client, vendor.id, book.to_bytes(), "self.xlsx")
    error = unknown.get_json()["error"]
    assert unknown.status_code == 422 and error["code"] == "validation_failed"
    assert error["message"].startswith("The questionnaire's layout was not recognised")
    assert error["details"] == [{"sheet": "Self check", "cell": "", "message": (
        "Best guess: header row 1, columns question=B, id=A, answer=C; 2 of 2 questions answered.")}]
    confirmed = _post(client, vendor.id, book.to_bytes(), "self.xlsx", confirmed="1")
    assert confirmed.status_code == 201 and confirmed.get_json()["format"] == "unknown"
    assert confirmed.get_json()["layout"]["sheets"][0]["columns"] == {"question": "B", "id": "A", "answer": "C"}


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
])
def test_hostile_foreign_workbooks_are_refused_as_before_and_nothing_is_stored(db, vendor, declaration):
    import io
    import zipfile
    source = qw.hecvat3_full().data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                start = content.index(b"<worksheet")
                content = content[:start] + declaration + content[start:]
            dst.writestr(item, content)
    before = db.exec(select(func.count()).select_from(QuestionnaireResponse)).one()
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, qw.Fixture(out.getvalue(), name="hecvat.xlsx"))
    assert caught.value.message == ("The workbook contains XML declarations (DTD, entities or external references) "
                                    "that no Excel workbook needs; it is refused.")
    assert caught.value.details[0]["sheet"] == "HECVAT - Full"
    assert db.exec(select(func.count()).select_from(QuestionnaireResponse)).one() == before


def test_cli_imports_a_vendors_own_questionnaire_and_asks_to_confirm_an_unknown_layout(runner, app, db, tmp_path):
    vendor = factories.gen_vendor(db)
    db.commit()
    fixture = qw.hecvat3_full()
    path = tmp_path / fixture.name
    path.write_bytes(fixture.data)
    done = runner.invoke(args=["import-questionnaire", str(vendor.id), str(path)])
    assert done.exit_code == 0 and "format hecvat3, 176/253 answered" in done.output
    book = Book()
    sheet = book.add("Self check")
    sheet.row(1, ["Item", "Control", "Status"])
    sheet.row(2, ["S1", "Is there a written security policy approved by management?", "Yes"])
    sheet.row(3, ["S2", "Are backups tested at least every quarter by the operator?", "No"])
    unknown = tmp_path / "self.xlsx"
    unknown.write_bytes(book.to_bytes())
    refused = runner.invoke(args=["import-questionnaire", str(vendor.id), str(unknown)])
    assert refused.exit_code == 1 and "Self check: Best guess: header row 1" in refused.output
    confirmed = runner.invoke(args=["import-questionnaire", str(vendor.id), str(unknown), "--confirm"])
    assert confirmed.exit_code == 0 and "format unknown, 2/2 answered" in confirmed.output


def test_the_response_page_shows_scores_by_article_and_the_unanswered_in_japanese(client, login, db):
    vendor = factories.gen_vendor(db)
    result = _import(db, vendor, qw.hecvat3_full())
    db.commit()
    login("auditor")
    page = client.get(f"/questionnaires/responses/{result.response.id}", headers={"Accept-Language": "ja"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "条項ごとの得点" in html and "第27条第4号" in html
    assert "253 問中 77 問が未回答です。" in html and 'data-test="mapped"' in html
    assert 'data-test="sheets-read">HECVAT - Full' in html
