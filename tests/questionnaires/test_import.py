"""Importing our own workbook: filled in by code as a vendor would, then imported; every
bad input refused with row-level messages and nothing stored."""
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.models import StoredFile
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import service
from vendorrisk.questionnaires import workbook as layout
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse, SubcontractorProposal
from vendorrisk.vendors.findings import Finding


def _import(db, vendor, data, filename="回答.xlsx", **kw):
    return service.import_response(db, vendor_id=vendor.id, upload=inspect_upload(data, filename, {"xlsx"}),
                                   key=fq.KEY, **kw)


def _counts(db):
    return tuple(db.exec(select(func.count()).select_from(m)).one()
                 for m in (QuestionnaireResponse, QuestionnaireAnswer, SubcontractorProposal, Finding, StoredFile))


def _errors(db, vendor, data, filename="x.xlsx"):
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, data, filename)
    assert _counts(db) == before
    return caught.value


@pytest.fixture
def vendor(db):
    return factories.gen_vendor(db, name="株式会社回答テスト")


def test_generated_workbook_is_protected_with_dropdowns_and_very_hidden_metadata(vendor):
    book = load_workbook(io.BytesIO(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name)))
    assert book.sheetnames == ["Instructions", "Questions", "Subcontractors", "Lists", "_vendorrisk"]
    assert book["_vendorrisk"].sheet_state == "veryHidden"
    assert book.security.lockStructure
    questions = book["Questions"]
    assert questions.protection.sheet and book["Subcontractors"].protection.sheet
    assert questions["A5"].value == "GEN-01" and questions["A5"].protection.locked
    assert questions["C5"].protection.locked and not questions["G5"].protection.locked
    assert not questions["H5"].protection.locked
    lists = [dv for dv in questions.data_validations.dataValidation if dv.type == "list"]
    assert any("G5" in str(dv.sqref) for dv in lists)
    assert [c.value for c in book["Subcontractors"][1]][:7] == list(layout.SUBCONTRACTOR_HEADERS)
    assert layout.SUBCONTRACTOR_HEADERS[6] == "委託元 / Contracted by"
    meta = {r[0].value: r[1].value for r in book["_vendorrisk"].iter_rows(max_col=2)}
    assert meta["template_id"] == "general_outsourcing" and meta["vendor_id"] == vendor.id
    assert len(meta["digest"]) == 64


def test_filled_workbook_imports_with_score_flags_findings_and_proposals(db, vendor):
    sub_number = factories.corporate_number(424242)
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                   {"GEN-01": "いいえ / No", "DAT-02": "日本; 米国", "ASR-02": 46000, "DAT-06": "１２０",
                    "ASR-03": "ＹＥＳ"},
                   subcontractors=[("株式会社再委託先", sub_number, "jp", "夜間監視", "はい / Yes", "JP Tokyo"),
                                   ("LogCloud Inc.", "", "US", "Log analytics", "いいえ / No", "")])
    result = _import(db, vendor, data)
    assert (result.format, result.questions, result.answered, result.flags) == ("native", 17, 17, 2)
    assert result.response.file_sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert 0 < result.score < 100
    answers = {a.question_id: a for a in db.exec(select(QuestionnaireAnswer)
                                                 .where(QuestionnaireAnswer.response_id == result.response.id))}
    assert answers["GEN-01"].value == "no" and answers["GEN-01"].flagged and answers["GEN-01"].severity == "high"
    assert answers["DAT-02"].value == "jp;us" and answers["DAT-02"].points == 0
    assert answers["ASR-02"].value == "2025-12-09"  # Excel serial day 46000
    assert answers["DAT-06"].value == "120"  # full-width digits
    assert answers["ASR-03"].value == "yes" and answers["ASR-03"].flagged
    assert answers["GEN-02"].points == answers["GEN-02"].max_points == 3
    findings = db.exec(select(Finding).where(Finding.vendor_id == vendor.id)).all()
    assert {f.source_ref for f in findings} == {f"questionnaire_response:{result.response.id}:GEN-01",
                                                f"questionnaire_response:{result.response.id}:ASR-03"}
    assert all(f.source == "questionnaire" and f.severity == "high" for f in findings)
    proposals = db.exec(select(SubcontractorProposal).order_by(SubcontractorProposal.row)).all()
    assert [(p.name, p.corporate_number, p.country, p.touches_user_data) for p in proposals] == [
        ("株式会社再委託先", sub_number, "JP", True), ("LogCloud Inc.", None, "US", False)]


def test_reimport_of_the_same_file_is_recognised(db, vendor):
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))
    first = _import(db, vendor, data)
    before = _counts(db)
    again = _import(db, vendor, data)
    assert again.duplicate and again.response.id == first.response.id
    assert _counts(db) == before


def test_dry_run_validates_and_stores_nothing(db, vendor):
    before = _counts(db)
    result = _import(db, vendor, fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                                         {"GEN-02": "No"}), dry_run=True)
    assert result.dry_run and result.response is None and result.flags == 1
    assert _counts(db) == before


def test_missing_required_and_values_outside_the_list_are_row_level_errors(db, vendor):
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                   {"GEN-01": "たぶん", "GEN-02": None, "DAT-02": "日本;火星", "DAT-06": "many",
                    "ASR-02": "来年"},
                   subcontractors=[("", "1234567890123", "Japan", "x", "maybe", "")])
    error = _errors(db, vendor, data)
    cells = {(d["sheet"], d["cell"]): d["message"] for d in error.details}
    assert "is not an allowed answer" in cells[("Questions", "G5")] and "'はい / Yes'" in cells[("Questions", "G5")]
    assert "required answer to GEN-02 is missing" in cells[("Questions", "G6")]
    assert "'火星' not allowed" in cells[("Questions", "G11")]
    assert "not a number" in cells[("Questions", "G15")]
    assert "not a date" in cells[("Questions", "G20")]
    assert "name is missing" in cells[("Subcontractors", "A2")]
    assert "check digit" in cells[("Subcontractors", "B2")]
    assert "not a country code" in cells[("Subcontractors", "C2")]
    assert "expected Yes or No" in cells[("Subcontractors", "E2")]
    assert error.message.startswith(f"The workbook has {len(error.details)} problems")


def _edit_meta(key, value):
    def edit(book):
        for row in book["_vendorrisk"].iter_rows(max_col=2):
            if row[0].value == key:
                row[1].value = value
    return edit


def test_wrong_template_version_and_vendor_are_refused(db, vendor):
    other = factories.gen_vendor(db)
    blank = fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name)
    unknown = _errors(db, vendor, fq.fill(blank, edit=_edit_meta("template_id", "no_such"), template_id="general_outsourcing"))
    assert "'no_such', which is not known" in unknown.details[0]["message"]
    version = _errors(db, vendor, fq.fill(blank, edit=_edit_meta("template_version", 7)))
    assert "version '7'" in version.details[0]["message"] and "expected version 1" in version.details[0]["message"]
    wrong_vendor = _errors(db, other, fq.fill(blank))
    assert "generated for another vendor" in wrong_vendor.details[0]["message"]
    forged = _errors(db, other, fq.fill(blank, edit=_edit_meta("vendor_id", other.id)))
    assert "hidden identification does not match" in forged.details[0]["message"]


def test_workbook_edited_beyond_its_answer_cells_is_detected(db, vendor):
    def tamper(book):
        book["Questions"]["D7"] = "Is an SLA optional?"
        book["Questions"]["A30"] = "EXTRA"
    error = _errors(db, vendor, fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), edit=tamper))
    cells = {d["cell"]: d["message"] for d in error.details}
    assert "protected cell was changed" in cells["D7"] and "Is an SLA optional?" in cells["D7"]
    assert "Row 30 is not part of the questionnaire" in cells["A30"]


def _zip_with(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, extra.pop(item.filename, src.read(item.filename)))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_corrupt_non_excel_bomb_xls_and_xlsm_get_clear_messages(app, db, vendor):
    good = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))
    with app.app_context():
        cases = {
            "corrupt.xlsx": (good[:len(good) // 2], "content was not recognised as .xlsx"),
            "notes.xlsx": ("これは Excel ではありません".encode(), "does not match its extension"),
            "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "legacy or password-protected"),
            "macro.xlsm": (good, ".xlsm files are not accepted"),
            "bomb.xlsx": (_zip_with(good, {"xl/media/padding.bin": b"\0" * (210 * 1024 * 1024)}),
                          "decompression bomb"),
        }
        for name, (data, expected) in cases.items():
            before = _counts(db)
            with pytest.raises(ValidationFailed) as caught:
                _import(db, vendor, data, filename=name)
            assert expected in caught.value.message, name
            assert _counts(db) == before


def test_openpyxl_failure_on_a_broken_part_is_a_clear_message(db, vendor):
    good = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))
    broken = _zip_with(good, {"xl/workbook.xml": b"<workbook><sheets><oops"})
    error = _errors(db, vendor, broken)
    assert "not a readable Excel workbook" in error.message


@pytest.mark.parametrize("template_id", ["general_outsourcing", "cloud_services"])
def test_instructions_name_the_sheets_and_list_every_multiple_choice_answer(template_id):
    from vendorrisk.questionnaires.template_files import get_template
    book = load_workbook(io.BytesIO(fq.native_workbook(template_id)))
    text = "\n".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    for sheet in ("Questions", "Subcontractors"):
        assert sheet in book.sheetnames and f"「{sheet}」" in text and f"'{sheet}'" in text
    assert "「回答 / Answer」" in text and "「委託元 / Contracted by」" in text
    several = [q for q in get_template(template_id).questions if q.type == "multiple_choice"]
    assert several
    for question in several:
        assert f"{question.id}: " + "; ".join(c.label for c in question.choices) in text.splitlines()


def test_numbers_written_with_full_width_digits_are_numbers(db, vendor):
    data = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"DAT-06": "１２，５００"})
    answers = {a.question_id: a for a in db.exec(select(QuestionnaireAnswer).where(
        QuestionnaireAnswer.response_id == _import(db, vendor, data).response.id))}
    assert answers["DAT-06"].value == "12500" and answers["DAT-06"].raw == "１２，５００"
    bad = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"DAT-06": "１２件"})
    assert "not a number" in _errors(db, vendor, bad).details[0]["message"]


def test_a_missing_text_or_number_answer_names_the_kind_in_the_readers_words(app, db, vendor):
    """Walk of a first week: a required free-text or number answer left blank was reported
    「text 形式で回答してください」, the template's code, to a Japanese reader."""
    data = fq.fill(fq.native_workbook("cloud_services", vendor_id=vendor.id, vendor_name=vendor.name),
                   {"CLD-17": None, "CLD-18": None})
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        error = _errors(db, vendor, data)
    messages = {d["message"] for d in error.details}
    assert "CLD-17 の必須の回答がありません。文章で回答してください" in messages
    assert "CLD-18 の必須の回答がありません。数値で回答してください" in messages
