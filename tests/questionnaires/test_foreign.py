"""Foreign layouts (CAIQ-like, plain question/answer sheets) and robust reading: merged
cells, formulas, dates, full-width text, hidden sheets, formatting down to row 1,048,576."""
import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import service
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
    return service.import_response(db, vendor_id=vendor.id, upload=inspect_upload(data, "vendor.xlsx", {"xlsx"}),
                                   key=fq.KEY, **kw)


def _answers(db, response):
    return {a.source_id: a for a in db.exec(select(QuestionnaireAnswer)
                                            .where(QuestionnaireAnswer.response_id == response.id))}


def test_caiq_layout_is_detected_and_mapped_answers_flow_into_the_score(db, vendor):
    result = _import(db, vendor, fq.caiq_workbook(CAIQ_ROWS))
    assert result.format == "caiq" and result.mapping_id == "caiq_v4_cloud"
    assert result.template_id == "cloud_services"
    assert result.layout["sheet"] == "CAIQv4" and result.layout["header_row"] == 3  # not the hidden sheet
    assert result.layout["columns"] == {"id": "A", "question": "B", "answer": "C", "ownership": "D", "comment": "E"}
    answers = _answers(db, result.response)
    assert answers["A&A-02.1"].question_id == "CLD-14" and answers["A&A-02.1"].points == 2
    assert answers["DSP-19.1"].question_id == "CLD-02" and answers["DSP-19.1"].flagged
    assert answers["CEK-10.1"].value == "yes"  # full-width letters
    assert answers["BCR-08.1"].value == "na" and answers["BCR-08.1"].max_points is None
    assert answers["GRC-01.1"].question_id is None and answers["GRC-01.1"].value == "yes"
    assert "SSRM: CSP-owned" in answers["A&A-02.1"].comment and answers["A&A-02.1"].cell == "C4"
    # CLD-14 (2) + CLD-16 (2) met, CLD-02 (2) missed; BCR n.a. does not count
    assert result.score == pytest.approx(66.7) and result.flags == 1


def test_caiq_answer_outside_yes_no_na_is_a_row_level_error(db, vendor):
    rows = CAIQ_ROWS + [("IAM-05.1", "Is least privilege enforced?", "Mostly", "CSP-owned", "")]
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, fq.caiq_workbook(rows))
    assert caught.value.details == [{"sheet": "CAIQv4", "cell": "C9", "message":
                                     "'Mostly' is not an allowed answer; expected one of 'はい / Yes', "
                                     "'いいえ / No', '該当なし / N/A'"}]


def test_generic_japanese_sheet_without_mapping_keeps_answers_with_source_ids(db, vendor):
    data = fq.generic_workbook(["番号", "質問", "回答", "備考"],
                               [("Q1", "ISMS認証を取得していますか", "はい", "2019年取得"),
                                ("Q2", "データの保管場所", "東京・大阪", ""),
                                (None, "   ", "  ", None), (None, None, None, None)])
    result = _import(db, vendor, data)
    assert (result.format, result.template_id, result.score, result.questions) == ("generic", None, None, 2)
    answers = _answers(db, result.response)
    assert answers["Q1"].raw == "はい" and answers["Q1"].comment == "2019年取得"
    assert answers["Q2"].question_text == "データの保管場所"


def test_user_corrects_the_detected_columns(db, vendor):
    data = fq.generic_workbook(["Question", "Answer", "Answer (revised)", "Comment"],
                               [("Do you encrypt backups?", "No", "Yes", "")], title="Sheet1")
    detected = _import(db, vendor, data, dry_run=True)
    assert detected.layout["columns"]["answer"] == "B"
    corrected = _import(db, vendor, data, layout_params={"answer_column": "C"})
    assert _answers(db, corrected.response)["R2"].raw == "Yes"
    with pytest.raises(ValidationFailed) as caught:
        _import(db, factories.gen_vendor(db), data, layout_params={"sheet": "Nope", "answer_column": "7"})
    messages = [d["message"] for d in caught.value.details]
    assert "There is no sheet 'Nope' in the workbook." in messages
    assert "'7' is not a column letter (for answer)." in messages


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


def test_sheet_formatted_down_to_the_last_row_is_read_only_to_its_data(db, vendor):
    data = fq.generic_workbook(["Question", "Answer"], [("Q one", "Yes"), ("Q two", "No")], title="Sheet1")
    styled = b"".join(b'<row r="%d" s="1" customFormat="1" ht="15" customHeight="1"/>' % n
                      for n in range(10, 1048577))

    def format_to_the_end(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(b"</sheetData>", styled + b"</sheetData>")
    patched = _patch_sheet(data, "xl/worksheets/sheet1.xml", format_to_the_end)
    started = time.perf_counter()
    result = _import(db, vendor, patched)
    elapsed = time.perf_counter() - started
    assert result.questions == 2 and result.answered == 2
    # Not a timing assertion on speed: a guard that the 1,048,576 rows were not walked cell by cell.
    assert elapsed < 30, elapsed
