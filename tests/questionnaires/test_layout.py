"""Finding the vendor's answers in the industry's own questionnaire layouts (CAIQ, HECVAT 3
and 4, SIG-style, Japanese check lists, CSV): every answer lands on its question, nothing is
read from analyst, scoring, crosswalk, lookup or example sheets, and the format is named."""
import io
import json

import pytest
from openpyxl import load_workbook

from tests.questionnaires import factories as fq
from tests.questionnaires import workbooks as qw
from tests.questionnaires.test_foreign import CAIQ_ROWS
from tests.questionnaires.xlsx_writer import Book
from vendorrisk.questionnaires import layout
from vendorrisk.questionnaires import vocabulary as vocab
from vendorrisk.questionnaires.sheets import read_book


def _rows(response) -> list[tuple]:
    return [(q.sheet, q.row, q.question_id, q.question, q.raw, q.comment) for q in response.questions]


def _expected(fixture) -> list[tuple]:
    return [(e.sheet, e.row, e.question_id, e.question, e.answer, e.comment) for e in fixture.expected]


@pytest.fixture(scope="module")
def caiq():
    return qw.caiq_v403()


@pytest.fixture(scope="module")
def hecvat3():
    return qw.hecvat3_full()


@pytest.fixture(scope="module")
def hecvat4():
    return qw.hecvat4()


def test_fixtures_hold_formulas_with_the_cached_values_openpyxl_reads(hecvat3):
    formulas = load_workbook(io.BytesIO(hecvat3.data))
    cached = load_workbook(io.BytesIO(hecvat3.data), data_only=True)
    full, values = formulas["HECVAT - Full"], cached["HECVAT - Full"]
    first = hecvat3.expected[0]
    assert str(full.cell(first.row, 2).value).startswith("=VLOOKUP(")  # a formula...
    assert values.cell(first.row, 2).value == first.question  # ...saved with its result
    assert str(formulas["Analyst Report"]["C4"].value).startswith("=IF(")
    assert [s.title for s in cached.worksheets if s.sheet_state != "visible"] == ["Questions", "Values", "Lookups"]
    ours = read_book(hecvat3.data)
    for sheet in ours.sheets:  # our reader and openpyxl agree on every cached value read
        theirs = cached[sheet.title]
        for row, cells in sheet.rows.items():
            for column, value in enumerate(cells[:10], start=1):
                if (row, column) not in sheet.covered:
                    expected = theirs.cell(row, column).value
                    assert value == (None if expected == "" else expected), (sheet.title, row, column)


def test_caiq_v403_reads_261_of_261_answers_and_skips_the_merged_footer(caiq):
    response = layout.detect(caiq.data)
    assert (response.format, response.profile_id) == ("caiq", "caiq_v4")
    assert len(response.questions) == len(response.answered) == 261
    assert _rows(response) == _expected(caiq)
    (sheet,) = response.sheets
    assert (sheet.sheet, sheet.header_row) == ("CAIQv4.0.3", 2)
    assert sheet.as_dict()["columns"] == {"id": "A", "question": "B", "answer": "C", "ownership": "D", "comment": "E"}
    assert sheet.allowed == ("Yes", "No", "NA")
    assert all(q.in_list for q in response.questions)
    assert {q.answer for q in response.questions} == {"yes", "no", "na"}
    assert all(q.ownership in qw.OWNERSHIP for q in response.questions)
    assert response.questions[-1].row == 263  # End of Standard (264) and the copyright (265) are not questions
    assert response.confidence >= 0.9


def test_caiq_as_csv_reads_the_same_answers():
    fixture = qw.caiq_csv()
    response = layout.detect(fixture.data)
    assert response.format == "caiq" and len(response.answered) == 261
    assert _rows(response) == _expected(fixture)


def test_hecvat3_reads_exactly_the_vendors_176_answers_of_253_and_nothing_from_other_sheets(hecvat3):
    response = layout.detect(hecvat3.data)
    assert (response.format, response.profile_id) == ("hecvat3", "hecvat3")
    assert [s.sheet for s in response.sheets] == ["HECVAT - Full"]
    assert len(response.questions) == 253 and len(response.answered) == 176
    assert _rows(response) == _expected(hecvat3)  # question text: the VLOOKUPs' cached values
    assert {q.sheet for q in response.questions} == {"HECVAT - Full"}
    assert [q.question_id for q in response.unanswered] == [e.question_id for e in hecvat3.expected if not e.answer]
    verdicts = {c.sheet: c.role for c in response.candidates}
    assert verdicts["Analyst Report"] == "derived"  # answers copied by formula
    assert verdicts["Scoring"] == "none"  # ids and copied answers, no question text
    assert verdicts["Analyst Reference"] == "none" and verdicts["Standards Crosswalk"] == "none"
    assert not any(c.chosen for c in response.candidates if c.sheet != "HECVAT - Full")
    general = next(q for q in response.questions if q.question_id == "GNRL-01")
    assert general.answer == "other" and general.raw == "Example Learning Systems, Inc."
    typed = [q for q in response.questions if q.raw == "yes"]
    assert typed and all(q.answer == "yes" and q.in_list for q in typed)  # typed in lower case


def test_hecvat4_reads_every_answered_question_once_across_its_sheets(hecvat4):
    response = layout.detect(hecvat4.data)
    assert (response.format, response.profile_id) == ("hecvat4", "hecvat4")
    assert [s.sheet for s in response.sheets] == [title for title, _s in qw.HECVAT4_SHEETS]
    assert _rows(response) == _expected(hecvat4)
    ids = [q.question_id for q in response.questions]
    assert len(ids) == len(set(ids))
    assert sorted(q.question_id for q in response.duplicates) == sorted(qw.REPEATED_ON_PRIVACY)
    assert all(q.copy and q.sheet == "Privacy" for q in response.duplicates)
    for name in ("Analyst Report", "Scoring", "Summary Report", "START HERE", "Values"):
        assert not next(c for c in response.candidates if c.sheet == name).chosen
    ai = [q for q in response.questions if q.sheet == "AI"]
    assert ai[0].answer == "no" and not any(q.raw for q in ai if q.question_id.startswith("AIGN-0") and q is not ai[0])


def test_sig_reads_every_domain_tab_with_answers_from_the_hidden_lookup_list():
    fixture = qw.sig()
    response = layout.detect(fixture.data)
    assert (response.format, response.profile_id) == ("sig", "sig")
    assert [s.sheet for s in response.sheets] == list(qw.SIG_DOMAINS)
    assert _rows(response) == _expected(fixture)
    assert all(s.allowed == ("Yes", "No", "N/A") for s in response.sheets)  # via a defined name on hidden "Lists"
    assert not any(q.sheet in ("Business Information", "Dashboard", "Glossary") for q in response.questions)


def test_japanese_maru_batsu_check_list():
    fixture = qw.ja_maru_batsu()
    response = layout.detect(fixture.data)
    assert response.format == "ja_checklist"
    assert [s.sheet for s in response.sheets] == ["チェックリスト"]  # not the filled 記入例 (example)
    assert _rows(response) == _expected(fixture)  # section rows, the banner and notes are not questions
    meaning = {"○": "yes", "×": "no", "△": "partial", "－": "na"}
    assert all(q.answer == meaning[q.raw] for q in response.answered)
    assert response.sheets[0].header_row == 5


@pytest.mark.parametrize("build", [qw.ja_hai_iie, qw.ja_hai_iie_csv])
def test_japanese_hai_iie_without_ids_in_xlsx_and_shift_jis_csv(build):
    fixture = build()
    response = layout.detect(fixture.data)
    assert response.format == "ja_checklist"
    assert _rows(response) == _expected(fixture)  # the 【...】 heading row is not a question
    meaning = {"はい": "yes", "いいえ": "no", "該当なし": "na", "一部対応": "partial", "はい（年1回実施）": "yes"}
    assert all(q.answer == meaning[q.raw] for q in response.answered)
    if fixture.name.endswith(".xlsx"):
        beyond = [q for q in response.answered if q.raw == "はい（年1回実施）"]
        assert beyond and all(q.in_list is False for q in beyond)
        assert response.sheets[0].allowed == ("はい", "いいえ", "該当なし", "一部対応")


@pytest.mark.parametrize("words, meanings", [
    (("達成", "一部達成", "未対応", "該当なし"), ("yes", "partial", "no", "na")),
    (("レベル3", "レベル2", "レベル1", "対象外"), ("other", "other", "other", "na")),
])
def test_answers_from_the_workbooks_own_drop_down_are_all_read(words, meanings):
    fixture = qw.ja_own_vocabulary(words)
    response = layout.detect(fixture.data)
    assert response.format == "ja_checklist"
    assert len(response.answered) == len(fixture.answered) == 17
    assert _rows(response) == _expected(fixture)
    assert response.sheets[0].allowed == words  # from the hidden sheet, column B
    assert all(q.in_list for q in response.answered)
    assert {q.raw: q.answer for q in response.answered} == {w: m for w, m in zip(words, meanings)
                                                            if w in {e.answer for e in fixture.expected}}


def test_five_thousand_questions_are_all_read():
    fixture = qw.sig(5000)
    response = layout.detect(fixture.data)
    assert response.format == "sig" and len(response.questions) == 5000
    assert _rows(response) == _expected(fixture)


def test_an_unknown_layout_gets_its_best_guess_columns_and_a_lower_confidence(caiq):
    book = Book()
    sheet = book.add("Vendor form")
    sheet.row(1, ["Supplier self-assessment 2026"])
    for row in range(3, 23):
        sheet.row(row, [None, f"Item {row}", f"Please confirm that safeguard number {row} operates as described.",
                        None, None, ("Yes", "No", "Yes", "Partially")[row % 4], f"note {row}" if row % 3 else None])
    response = layout.detect(book.to_bytes())
    assert response.format == "unknown" and response.profile_id is None
    (chosen,) = response.sheets
    assert chosen.as_dict()["columns"] == {"id": "B", "question": "C", "answer": "F", "comment": "G"}
    assert len(response.answered) == 20 and [q.answer for q in response.questions[:2]] == ["partial", "yes"]
    assert (response.questions[0].question_id, response.questions[0].comment) == ("Item 3", "")
    assert response.confidence < layout.detect(caiq.data).confidence
    json.dumps(response.as_dict())


def test_sheets_picked_by_the_user_are_read_instead(hecvat3):
    response = layout.detect(hecvat3.data, sheets=["Analyst Report"])
    assert [s.sheet for s in response.sheets] == ["Analyst Report"]
    assert len(response.answered) == 176 and {q.sheet for q in response.questions} == {"Analyst Report"}


def test_answer_formula_without_a_cached_value_is_a_problem_not_a_blank():
    book = Book()
    sheet = book.add("Answers")
    sheet.row(1, ["No.", "Question", "Answer", "Comment"])
    sheet.row(2, ["Q1", "Do you encrypt data at rest?", "Yes"])
    sheet.row(3, ["Q2", "Do you log administrator access?", "No"])
    sheet.set("C4", None, formula='IF(C3="No","No","Yes")')  # saved by a tool that does not calculate
    sheet.row(4, ["Q3", "Do you review the logs monthly?"])
    sheet.set("C5", "", formula='IF(C2="","","")')  # calculated: an empty result is blank
    sheet.row(5, ["Q4", "Do you keep the logs for a year?"])
    response = layout.detect(book.to_bytes())
    assert [q.problem for q in response.questions] == [None, None, "no_cached_value", None]
    assert [q.question_id for q in response.problems] == ["Q3"]
    assert [q.question_id for q in response.unanswered] == ["Q4"]


GENERIC_ROWS = [("Q1", "ISMS認証を取得していますか", "はい", "2019年取得"), ("Q2", "データの保管場所", "東京・大阪", ""),
                ("Q3", "再委託先はありますか", "いいえ", "")]


@pytest.mark.parametrize("build, sheet, header_row, columns, rows, fmt", [
    (lambda: fq.caiq_workbook(CAIQ_ROWS), "CAIQv4", 3,
     {"id": "A", "question": "B", "answer": "C", "ownership": "D", "comment": "E"}, CAIQ_ROWS, "caiq"),
    (lambda: fq.generic_workbook(["番号", "質問", "回答", "備考"], GENERIC_ROWS), "回答", 1,
     {"id": "A", "question": "B", "answer": "C", "comment": "D"}, GENERIC_ROWS, "ja_checklist"),
])
def test_plain_sheets_named_by_their_headers_are_read_by_them(build, sheet, header_row, columns, rows, fmt):
    response = layout.detect(build())
    (chosen,) = response.sheets
    assert (chosen.sheet, chosen.header_row) == (sheet, header_row)  # the visible sheet, not the hidden list
    assert chosen.as_dict()["columns"] == columns
    assert [(q.question_id, q.raw) for q in response.questions] == [(r[0], r[2]) for r in rows]
    assert response.format == fmt


def test_columns_given_by_the_user_are_read_as_given(hecvat3):
    response = layout.detect(hecvat3.data, sheets=["HECVAT - Full"], header_row=3,
                             columns={"id": 1, "question": 5, "answer": 3})  # the guidance column as question
    assert len(response.answered) == 176
    assert response.questions[0].question == "Analysts: a strong answer to GNRL-01 cites evidence."
    assert response.sheets[0].as_dict()["columns"] == {"id": "A", "question": "E", "answer": "C"}


def test_grid_style_sheet_with_questions_merged_across_columns():
    book = Book()
    sheet = book.add("確認シート")
    sheet.set("A1", "セキュリティ確認シート")
    sheet.merge("A1:H1")
    sheet.row(3, ["No", "確認内容", None, None, None, "回答", "備考"])
    sheet.merge("B3:E3")
    rows = [(5, "1", "情報セキュリティ方針を定めていますか。", "はい"), (6, "2", "従業員教育を実施していますか。", None),
            (8, "3", "アクセスログを保存していますか。", "いいえ")]
    sheet.set("A4", "■ 管理体制")
    sheet.merge("A4:E4")
    sheet.set("A7", "■ 技術的対策")
    sheet.merge("A7:H7")
    for row, number, text, answer in rows:
        sheet.row(row, [number, text, None, None, None, answer])
        sheet.merge(f"B{row}:E{row}")
    sheet.drop_down("F5:F8", '"はい,いいえ,該当なし"')
    response = layout.detect(book.to_bytes())
    assert response.sheets[0].as_dict()["columns"] == {"id": "A", "question": "B", "answer": "F", "comment": "G"}
    assert [(q.row, q.question_id, q.raw) for q in response.questions] == [(r, n, a or "") for r, n, _t, a in rows]


@pytest.mark.parametrize("raw, meaning", [
    ("Yes", "yes"), ("ＹＥＳ", "yes"), ("〇", "yes"), ("レ", "yes"), ("Yes, annually", "yes"), ("はい（年1回）", "yes"),
    ("No.", "no"), ("×", "no"), ("未対応", "no"), ("Planned", "no"), ("△", "partial"), ("一部対応", "partial"),
    ("N/A", "na"), ("－", "na"), ("該当なし", "na"), ("/", "na"), ("Mostly", "other"), ("x", "other"), ("", ""),
    ("Fully compliant", "yes"), ("Full", "yes"), ("一部適合", "partial"), ("不適合", "no"),
])
def test_answers_are_normalised(raw, meaning):
    assert vocab.normalise(raw) == meaning


@pytest.mark.parametrize("text, shape", [("A&A-01.1", "A-9.9"), ("DOCU-01", "A-9"), ("A.1.2", "A.9.9"),
                                         ("１－１", "9-9"), ("12", "9")])
def test_question_ids_and_their_shapes(text, shape):
    assert vocab.is_id(text) and vocab.shape(text) == shape


@pytest.mark.parametrize("two_header_rows", [False, True])
def test_check_list_answered_by_a_mark_in_one_of_several_columns(two_header_rows):
    fixture = qw.ja_tick_columns(two_header_rows)
    response = layout.detect(fixture.data)
    assert response.format == "ja_checklist"
    (sheet,) = response.sheets
    assert sheet.as_dict()["choices"] == {"C": "はい", "D": "いいえ", "E": "該当なし"}
    assert sheet.as_dict()["columns"] == {"question": "B", "id": "A", "answer": "C", "comment": "F"}
    assert _rows(response) == _expected(fixture)  # the title of the column marked is the answer
    meaning = {"はい": "yes", "いいえ": "no", "該当なし": "na", "はい / 該当なし": "other"}
    assert all(q.answer == meaning[q.raw] for q in response.answered)
    assert len(response.unanswered) == len(fixture.expected) - len(fixture.answered) > 0
    marked_no = next(q for q in response.questions if q.raw == "いいえ")
    assert marked_no.answer_cell == f"D{marked_no.row}"  # the cell that carries the mark


def test_older_cloud_questionnaire_with_x_in_yes_no_not_applicable_columns():
    fixture = qw.caiq_v31_style()
    response = layout.detect(fixture.data)
    assert (response.format, response.profile_id) == ("caiq", "caiq_v3")  # by its v3 ids (EKM-, AIS-...)
    assert layout.detect(qw.caiq_v403().data).profile_id == "caiq_v4"
    (sheet,) = response.sheets
    assert (sheet.header_row, sheet.first_row) == (1, 3)
    assert sheet.as_dict()["columns"]["id"] == "C" and sheet.as_dict()["columns"]["question"] == "E"
    assert sheet.as_dict()["choices"] == {"F": "Yes", "G": "No", "H": "Not Applicable"}
    assert _rows(response) == _expected(fixture)
    assert {q.answer for q in response.answered} == {"yes", "no", "na"}


def test_hecvat3_is_recognised_by_its_structure_when_the_answer_sheet_is_renamed():
    fixture = qw.hecvat3_full(answer_sheet="Acme Responses 2026")
    response = layout.detect(fixture.data)
    assert (response.format, response.profile_id) == ("hecvat3", "hecvat3")
    assert [s.sheet for s in response.sheets] == ["Acme Responses 2026"]
    assert len(response.questions) == 253 and len(response.answered) == 176
    assert _rows(response) == _expected(fixture)


def test_japanese_form_on_a_grid_of_narrow_columns_answered_far_to_the_right():
    fixture = qw.ja_grid_form()
    response = layout.detect(fixture.data)
    assert response.format == "ja_checklist"
    (sheet,) = response.sheets
    assert sheet.as_dict()["columns"] == {"question": "C", "id": "A", "answer": "AE", "comment": "AI"}
    assert _rows(response) == _expected(fixture)
    assert sheet.allowed == ("適合", "一部適合", "不適合", "対象外")
    assert {q.raw: q.answer for q in response.answered} == {
        w: m for w, m in (("適合", "yes"), ("一部適合", "partial"), ("不適合", "no"), ("対象外", "na"))
        if w in {e.answer for e in fixture.answered}}
