"""Foreign layouts (CAIQ-like, plain question/answer sheets) and robust reading: merged
cells, formulas, dates, full-width text, hidden sheets, formatting down to row 1,048,576."""
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.questionnaires import foreign, service
from vendorrisk.questionnaires.models import QuestionnaireAnswer

CAIQ_ROWS = [
    ("A&A-02.1", "Are independent audit and assurance assessments conducted?", "Yes", "CSP-owned", "Annually"),
    ("DSP-19.1", "Can the data's region be pinned?", "No", "Shared CSP and CSC", "Region chosen by tenant"),
    ("CEK-10.1", "Are key management procedures defined?", "ｙｅｓ", "CSP-owned", ""),
    ("BCR-08.1", "Is the continuity plan exercised?", "NA", "CSC-owned", ""),
    ("GRC-01.1", "Is there an information security program?", "Yes", "CSP-owned", "ISMS"),
]


@pytest.fixture
def vendor(db):
    return factories.gen_vendor(db)


def _import(db, vendor, data, **kw):
    return service.import_response(db, vendor_id=vendor.id, upload=service.inspect_questionnaire(data, "vendor.xlsx"),
                                   key=fq.KEY, **kw)


def _answers(db, response):
    return {a.source_id: a for a in db.exec(select(QuestionnaireAnswer)
                                            .where(QuestionnaireAnswer.response_id == response.id))}


def test_caiq_layout_is_detected_and_mapped_answers_flow_into_the_score(db, vendor):
    result = _import(db, vendor, fq.caiq_workbook(CAIQ_ROWS))
    assert (result.format, result.profile_id, result.template_id) == ("caiq", "caiq_v4", None)
    (sheet,) = result.layout["sheets"]
    assert sheet["sheet"] == "CAIQv4" and sheet["header_row"] == 3  # not the hidden sheet
    assert sheet["columns"] == {"id": "A", "question": "B", "answer": "C", "ownership": "D", "comment": "E"}
    answers = _answers(db, result.response)
    assert answers["CEK-10.1"].value == "yes" and answers["CEK-10.1"].raw == "ｙｅｓ"  # full-width letters
    assert answers["BCR-08.1"].value == "na" and answers["GRC-01.1"].value == "yes"
    assert "SSRM: CSP-owned" in answers["A&A-02.1"].comment and answers["A&A-02.1"].cell == "C4"
    assert all(a.question_id is None and a.points is None for a in answers.values())  # foreign rows as given
    mapped = {m["question_id"]: m for m in result.response.mapped}
    assert (mapped["CLD-14"]["value"], mapped["CLD-14"]["points"]) == ("yes", 2.0)
    assert mapped["CLD-14"]["sources"] == [["CAIQv4", 4, "A&A-02.1"]]
    assert (mapped["CLD-02"]["value"], mapped["CLD-02"]["points"], mapped["CLD-02"]["max_points"]) == ("no", 0.0, 2.0)
    assert mapped["CLD-16"]["value"] == "yes"
    # CLD-14 (2) + CLD-16 (2) met, CLD-02 (2) missed; BCR-08.1 maps onto nothing of ours
    assert result.score == pytest.approx(66.7) and result.flags == 1
    assert result.response.article_scores["27(1)"] == {"questions": 1, "answered": 1, "points": 0.0, "possible": 2.0,
                                                       "score": 0.0}
    assert result.response.article_scores["27(4)"]["score"] == 100.0


def test_answer_outside_the_usual_words_is_kept_and_does_not_score(db, vendor):
    rows = CAIQ_ROWS + [("IAM-05.1", "Is least privilege enforced?", "Mostly", "CSP-owned", "")]
    result = _import(db, vendor, fq.caiq_workbook(rows))
    answer = _answers(db, result.response)["IAM-05.1"]
    assert (answer.raw, answer.value, answer.cell) == ("Mostly", "other", "C9")
    mapped = {m["question_id"]: m for m in result.response.mapped}
    assert mapped["CLD-07"]["value"] == "" and mapped["CLD-07"]["max_points"] is None  # nothing to score
    assert result.answered == 6 and result.score == pytest.approx(66.7)


def test_japanese_sheet_recognised_by_its_headers_keeps_answers_with_source_ids(db, vendor):
    data = fq.generic_workbook(["番号", "質問", "回答", "備考"],
                               [("Q1", "ISMS認証を取得していますか", "はい", "2019年取得"),
                                ("Q2", "データの保管場所", "東京・大阪", ""),
                                (None, "   ", "  ", None), (None, None, None, None)])
    result = _import(db, vendor, data)
    assert (result.format, result.profile_id, result.template_id, result.questions) == (
        "ja_checklist", "ja_checklist", None, 2)
    assert result.score is None and result.response.mapped == []  # neither question maps onto ours
    answers = _answers(db, result.response)
    assert answers["Q1"].raw == "はい" and answers["Q1"].value == "yes" and answers["Q1"].comment == "2019年取得"
    assert answers["Q2"].question_text == "データの保管場所" and answers["Q2"].value == "other"


def test_user_confirms_or_corrects_a_layout_that_was_not_recognised(db, vendor):
    data = fq.generic_workbook(["Question", "Answer", "Answer (revised)", "Comment"],
                               [("Do you encrypt backups?", "No", "Yes", "")], title="Sheet1")
    with pytest.raises(foreign.LayoutUnconfirmed) as caught:
        _import(db, vendor, data, dry_run=True)
    assert caught.value.detected.format == "unknown"
    assert caught.value.detected.sheets[0].as_dict()["columns"]["answer"] == "B"
    assert caught.value.details[0]["sheet"] == "Sheet1"
    corrected = _import(db, vendor, data, layout_params={"answer_column": "C"})
    assert corrected.format == "unknown" and corrected.layout["corrected"]
    assert _answers(db, corrected.response)["R2"].raw == "Yes"
    with pytest.raises(ValidationFailed) as caught:
        _import(db, factories.gen_vendor(db), data, layout_params={"sheet": "Nope", "answer_column": "7"})
    messages = [d["message"] for d in caught.value.details]
    assert "There is no sheet 'Nope' in the workbook." in messages
    assert "'7' is not a column letter (for answer)." in messages
    confirmed = _import(db, factories.gen_vendor(db), data, layout_params={"confirmed": "1"})
    assert _answers(db, confirmed.response)["R2"].raw == "No"  # the guess, as confirmed


def test_workbook_without_questions_is_refused_clearly(db, vendor):
    book = Workbook()
    book.active.append(["Name", "Amount"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, out.getvalue())
    assert "No questionnaire found" in caught.value.message


def _patch_sheet(data: bytes, sheet: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item, change(content) if item.filename == sheet else content)
    return out.getvalue()


def test_merged_section_titles_and_formulas_with_and_without_cached_values(db, vendor):
    book = Workbook()
    sheet = book.active
    sheet.title = "質問票"
    sheet.append(["No.", "質問事項", "回答", "コメント"])
    sheet.append([None, "第1章 管理体制", None, None])
    sheet.merge_cells("B2:D2")
    sheet.append(["1", "監査権限を認めますか", "=\"はい\"", None])
    sheet.append(["2", "再委託していますか", "いいえ", "補足は下の結合セル"])
    sheet.append(["3", "事故はありましたか", "いいえ", None])
    sheet.merge_cells("D4:D5")
    out = io.BytesIO()
    book.save(out)
    cached = _patch_sheet(out.getvalue(), "xl/worksheets/sheet1.xml",
                          lambda x: re.sub(rb'<c r="C3"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                                           lambda m: b'<c r="C3" t="str"><f>' + m.group(2) + b"</f><v>"
                                           + "はい".encode() + b"</v>", x))
    result = _import(db, vendor, cached)
    answers = _answers(db, result.response)
    assert sorted(answers) == ["1", "2", "3"]  # the merged section title is not a question
    assert answers["1"].raw == "はい"  # the formula's cached value
    assert answers["3"].comment == "補足は下の結合セル"  # merged down from D4
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, out.getvalue())  # as openpyxl wrote it: no cached value
    assert caught.value.details[0]["cell"] == "C3"
    assert "formula without a calculated value" in caught.value.details[0]["message"]


def test_native_dates_as_text_and_serials_and_full_width_numbers(db, vendor):
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                   {"ASR-02": "２０２６年４月１日", "DAT-06": "１，２００"})
    answers = _answers(db, _import(db, vendor, data).response)
    assert answers["ASR-02"].value == "2026-04-01" and answers["DAT-06"].value == "1200"
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"ASR-02": "2026/4/1"})
    assert _answers(db, _import(db, vendor, data).response)["ASR-02"].value == "2026-04-01"


def test_sheet_formatted_down_to_the_last_row_is_read_only_to_its_data(db, vendor, sheet_passes):
    data = fq.generic_workbook(["Question", "Answer"], [("Q one", "Yes"), ("Q two", "No")], title="Sheet1")
    styled = b"".join(b'<row r="%d" s="1" customFormat="1" ht="15" customHeight="1"/>' % n
                      for n in range(10, 1048577))

    def format_to_the_end(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(b"</sheetData>", styled + b"</sheetData>")
    patched = _patch_sheet(data, "xl/worksheets/sheet1.xml", format_to_the_end)
    result = _import(db, vendor, patched, layout_params={"confirmed": "1"})
    assert result.questions == 2 and result.answered == 2
    # The million formatted rows hold no value: no pass over the sheet keeps a row for them.
    assert sheet_passes and all(sheet.last_row <= 3 and len(sheet.rows) <= 3 for _path, sheet in sheet_passes)
