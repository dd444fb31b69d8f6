"""The streaming workbook reader: the values openpyxl would give, Excel's way of saving
(shared strings, rich text runs, phonetic guides), and XML declarations refused."""
import io
import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from tests import factories
from tests.questionnaires import factories as fq
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import service
from vendorrisk.questionnaires.models import QuestionnaireAnswer, QuestionnaireResponse
from vendorrisk.questionnaires.reader import WorkbookReader
from vendorrisk.questionnaires.reader_cells import without_empty_row_runs

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


@pytest.fixture
def vendor(db):
    return factories.gen_vendor(db, name="株式会社読取テスト")


def _import(db, vendor, data):
    return service.import_response(db, vendor_id=vendor.id, upload=inspect_upload(data, "x.xlsx", {"xlsx"}),
                                   key=fq.KEY)


def _rewrite(data: bytes, change) -> bytes:
    """Copy a package, letting ``change(parts)`` edit the dict of part name -> bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def _as_excel_saves_it(data: bytes) -> bytes:
    """Move every inline string into a shared string table, as Excel does on saving; the
    Japanese ones become rich text runs with a phonetic guide (which is not part of the text)."""
    def change(parts):
        strings: list[bytes] = []

        def share(match):
            attrs, text = match.group(1), match.group(2)
            if re.search(rb"&#(1[2-9]|[2-9])\d{3,};", text) and len(text) > 12:
                half = text.index(b";", len(text) // 2) + 1
                item = (b"<si><r><t>" + text[:half] + b"</t></r><r><rPr><b/></rPr><t>" + text[half:]
                        + b'</t></r><rPh sb="0" eb="1"><t>\xe3\x83\xa8\xe3\x83\x9f</t></rPh></si>')
            else:
                item = b'<si><t xml:space="preserve">' + text + b"</t></si>"
            strings.append(item)
            return b"<c" + attrs + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"
        for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
            parts[name] = re.sub(rb'<c([^>]*?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', share, parts[name])
        parts["xl/sharedStrings.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
            % (len(strings), len(strings)) + b"".join(strings) + b"</sst>")
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
            % SHARED_STRINGS_TYPE.encode())
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdSst" Type="%s" Target="sharedStrings.xml"/></Relationships>'
            % SHARED_STRINGS_REL.encode())
    return _rewrite(data, change)


def _openpyxl_grid(data: bytes, title: str, max_col: int) -> list[list]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book[title]
        sheet.reset_dimensions()  # read every row, not only the range the sheet declares
        rows = [list(r) for r in sheet.iter_rows(min_row=1, max_col=max_col, values_only=True)]
    finally:
        book.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return [r + [None] * (max_col - len(r)) for r in rows]


def test_cell_values_are_those_openpyxl_gives():
    book = Workbook()
    sheet = book.active
    sheet.title = "値"
    sheet.append(["text", 12, 3.5, -2e-07, True, False, datetime(2026, 4, 1), datetime(2026, 4, 1, 9, 30), None,
                  "  spaced  ", "全角ＡＢＣ"])
    sheet["B3"] = 46000
    sheet["B3"].number_format = "yyyy/mm/dd"
    sheet["C3"] = 0.5
    sheet["C3"].number_format = "[h]:mm"
    sheet["D3"] = "#N/A"
    data = _as_excel_saves_it(_save(book))
    reader = WorkbookReader(data)
    try:
        assert reader.sheets() == [("値", "visible")]
        assert reader.grid("値", 11) == _openpyxl_grid(data, "値", 11)
    finally:
        reader.close()


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_saved_by_excel_imports_like_the_one_sent(db, vendor):
    sent = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name), {"GEN-01": "いいえ / No"},
                   subcontractors=[("株式会社再委託先", "", "JP", "監視", "はい / Yes", "")])
    saved = _as_excel_saves_it(sent)
    with zipfile.ZipFile(io.BytesIO(saved)) as package:
        assert b"<rPh" in package.read("xl/sharedStrings.xml") and b"<r><t>" in package.read("xl/sharedStrings.xml")
    reader = WorkbookReader(saved)
    try:
        assert reader.grid("Questions", 8) == _openpyxl_grid(saved, "Questions", 8)
    finally:
        reader.close()
    first = _import(db, vendor, sent)
    again = _import(db, vendor, saved)
    assert not again.duplicate and (again.score, again.flags, again.subcontractors) == (
        first.score, first.flags, first.subcontractors)

    def answers(result):
        return [(a.question_id, a.value, a.raw, a.comment) for a in db.exec(
            select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == result.response.id)
            .order_by(QuestionnaireAnswer.position))]
    assert answers(again) == answers(first)


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE worksheet SYSTEM "http://example.invalid/sheet.dtd">',
])
def test_xml_declarations_in_a_part_are_refused_and_nothing_is_stored(db, vendor, declaration):
    sent = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))

    def change(parts):
        xml = parts["xl/worksheets/sheet2.xml"]
        start = xml.index(b"<worksheet")
        parts["xl/worksheets/sheet2.xml"] = xml[:start] + declaration + xml[start:]
    before = db.exec(select(func.count()).select_from(QuestionnaireResponse)).one()
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, _rewrite(sent, change))
    assert "XML declarations (DTD, entities or external references)" in caught.value.message
    assert caught.value.details[0]["sheet"] == "Questions"
    assert db.exec(select(func.count()).select_from(QuestionnaireResponse)).one() == before


def test_broken_sheet_xml_is_a_clear_message(db, vendor):
    sent = fq.fill(fq.native_workbook(vendor_id=vendor.id, vendor_name=vendor.name))

    def change(parts):
        parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"][:5000]
    with pytest.raises(ValidationFailed) as caught:
        _import(db, vendor, _rewrite(sent, change))
    assert "not a readable Excel workbook" in caught.value.message
    assert caught.value.details[0]["sheet"] == "Questions"


@pytest.mark.parametrize("chunk", [None, 97, 1000])
def test_runs_of_empty_rows_keep_every_row_number(chunk):
    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["Question", "Answer"])
    book.active.append(["Q one", "Yes"])
    empty = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n if n % 3 else
                     b'<row r="%d"><c r="A%d" s="1"/><c r="B%d" s="1"/></row>' % (n, n, n) for n in range(3, 7990))
    empty += b'<row s="1" customFormat="1"/>' * 10  # rows 7990-7999, numbered by counting
    # Rows without a number count on from the row before them, which the run must keep.
    after = (b'<row><c t="n"/><c t="inlineStr"><is><t>Q two</t></is></c></row>'
             + b'<row><c t="inlineStr"><is><t>Q three</t></is></c><c t="n"><v>7</v></c></row>'
             + b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(8002, 16000)))

    def change(parts):
        xml = parts["xl/worksheets/sheet1.xml"].replace(b"</sheetData>", empty + after + b"</sheetData>")
        parts["xl/worksheets/sheet1.xml"] = xml
        if chunk:  # the reader's own cuts at other places: what it keeps must read the same
            parts["xl/worksheets/sheet1.xml"] = b"".join(without_empty_row_runs(io.BytesIO(xml), chunk))
            assert len(parts["xl/worksheets/sheet1.xml"]) < len(xml) // 2
    original = _rewrite(_save(book), lambda parts: parts.update(
        {"xl/worksheets/sheet1.xml": parts["xl/worksheets/sheet1.xml"].replace(
            b"</sheetData>", empty + after + b"</sheetData>")}))
    data = _rewrite(_save(book), change)
    reader = WorkbookReader(data)
    try:
        grid = reader.grid("Sheet1", 2)
    finally:
        reader.close()
    assert len(grid) == 8001 and grid[7999] == [None, "Q two"] and grid[8000] == ["Q three", 7]
    assert grid == _openpyxl_grid(original, "Sheet1", 2)
