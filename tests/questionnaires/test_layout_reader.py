"""Reading every sheet for layout detection: drop-down lists wherever they point, defined
names, shared formulas, merged cells; and hostile files still refused, without an app and
through ``uploads.inspect_upload`` as the import does."""
import io
import re
import zipfile

import pytest

from tests.questionnaires import workbooks as qw
from tests.questionnaires.xlsx_writer import Book
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.uploads import inspect_upload
from vendorrisk.questionnaires import layout
from vendorrisk.questionnaires import reader_xml as xml
from vendorrisk.questionnaires.sheets import UnreadableWorkbook, read_book


def _rewrite(data: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_drop_down_lists_inline_by_range_by_name_and_in_the_extension_block():
    book = Book()
    sheet = book.add("Answers")
    lookup = book.add("Lookup lists", "veryHidden")
    for row, word in enumerate(("Met", "Not met", "N/A"), start=1):
        lookup.row(row, [None, None, word])
    lookup.set("AF1", "Far")
    lookup.set("AF2", "Away")
    sheet.row(1, ["Q", "A", "B", "C", "D", "E"])
    book.define("Verdicts", "'Lookup lists'!$C$1:$C$3")
    book.define("Local", "Answers!$A$1:$A$1", local_sheet=0)
    sheet.drop_down("B2:B9 B20", '"Yes,No,Partly"')
    sheet.drop_down("C2:C9", "Verdicts")
    sheet.drop_down("D2:D9", "'Lookup lists'!$C$1:$C$3", extension=True)
    sheet.drop_down("E2:E9", "'Lookup lists'!$AF$1:$AF$2", extension=True)
    sheet.drop_down("F2:F9", "INDIRECT(A1)")
    data = book.to_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = xml.read_package(archive)
    assert package.defined_names["Verdicts"] == "'Lookup lists'!$C$1:$C$3"
    assert package.defined_names["0!Local"] == "Answers!$A$1:$A$1"
    answers = read_book(data).sheet("Answers")
    assert answers.allowed_at(5, 2) == answers.allowed_at(20, 2) == ("Yes", "No", "Partly")
    assert answers.allowed_at(10, 2) == ()
    assert answers.allowed_at(3, 3) == answers.allowed_at(3, 4) == ("Met", "Not met", "N/A")
    assert answers.allowed_at(3, 5) == ("Far", "Away")  # a list beyond the columns read at first
    assert answers.allowed_at(3, 6) == ()  # INDIRECT is not followed


def test_shared_formulas_keep_their_text_and_merged_cells_their_anchor():
    fixture = qw.hecvat3_full()
    full = read_book(fixture.data).sheet("HECVAT - Full")
    first = fixture.expected[0].row
    assert full.formulas[(first, 2)].startswith("VLOOKUP(")
    assert full.formulas[(first + 1, 2)] == full.formulas[(first, 2)]  # a follower: the first cell's text
    assert full.value(first + 1, 2) == fixture.expected[1].question
    assert full.is_formula(first, 6) and full.value(first, 6) == 0  # GNRL-01's text answer scores 0
    assert full.value(1, 6) == full.value(1, 1) and full.covered[(1, 6)] == (1, 1)
    unanswered = next(e for e in fixture.expected if not e.answer)
    assert full.value(unanswered.row, 6) is None  # a string formula whose result is empty


@pytest.mark.parametrize("part, declaration", [
    ("sheet3", b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'),
    ("sheet3", b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
    ("sharedStrings", b'<!DOCTYPE sst SYSTEM "http://example.invalid/strings.dtd">'),
])
def test_xml_declarations_are_refused(part, declaration):
    fixture = qw.hecvat3_full()
    name = f"xl/worksheets/{part}.xml" if part.startswith("sheet") else f"xl/{part}.xml"

    def change(parts):
        content = parts[name]
        start = re.search(rb"<(worksheet|sst)\b", content).start()
        parts[name] = content[:start] + declaration + content[start:]
    with pytest.raises(UnreadableWorkbook) as caught:
        layout.detect(_rewrite(fixture.data, change))
    assert caught.value.reason == "declarations"
    assert caught.value.sheet in ("HECVAT - Full", "")


def test_decompression_bomb_is_refused_by_the_reader_and_by_the_upload_gate(app):
    fixture = qw.caiq_v403()
    bomb = _rewrite(fixture.data, lambda parts: parts.update({"xl/media/padding.bin": b"\0" * (210 * 1024 * 1024)}))
    with pytest.raises(UnreadableWorkbook) as caught:
        layout.detect(bomb)
    assert caught.value.reason == "too_large"
    with app.app_context(), pytest.raises(ValidationFailed, match="decompression bomb"):
        inspect_upload(bomb, "caiq.xlsx", {"xlsx", "csv"})


@pytest.mark.parametrize("damage", ["truncated", "broken_xml", "binary"])
def test_broken_files_are_refused_as_corrupt(damage):
    data = qw.caiq_v403().data
    if damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "broken_xml":
        sheet = "xl/worksheets/sheet2.xml"
        data = _rewrite(data, lambda parts: parts.update({sheet: parts[sheet][:4000]}))
    else:
        data = bytes(range(256)) * 40
    with pytest.raises(UnreadableWorkbook) as caught:
        layout.detect(data)
    assert caught.value.reason == "corrupt"
    if damage == "broken_xml":
        assert caught.value.sheet == "CAIQv4.0.3"


def test_sheet_formatted_down_to_the_last_row_costs_one_quick_pass(sheet_passes):
    fixture = qw.ja_maru_batsu()
    styled = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(200, 1048577))

    def change(parts):
        parts["xl/worksheets/sheet3.xml"] = parts["xl/worksheets/sheet3.xml"].replace(b"</sheetData>",
                                                                                      styled + b"</sheetData>")
    response = layout.detect(_rewrite(fixture.data, change))
    assert [(q.row, q.raw) for q in response.questions] == [(e.row, e.answer) for e in fixture.expected]
    # One pass over the formatted sheet, keeping no row for the formatting alone.
    formatted = [sheet for path, sheet in sheet_passes if path == "xl/worksheets/sheet3.xml"]
    assert len(formatted) == 1 and formatted[0].last_row < 200 and len(formatted[0].rows) < 200
