"""The matrix sheet's repeated texts as a shared string table (``sheet_xml.SharedStrings``):
the cells read back as the same values, and the package declares and counts the table."""
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from tests.helpers import assert_reads_back_like, exported, streamed_sheet_case
from vendorrisk.compliance import sheet_xml

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROWS = [(1, " 前後に空白 ", "a<b>&c", None, "yes", "line\r\nbreak", "=SUM(A1)", "#N/A", 2.5, "", "はい", "bad\x01")] * 3


def _package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def check_declared_and_counted(data: bytes) -> ElementTree.Element:
    """The table is declared (content type, one relationship of a fresh id) and its counts are
    those of the sheet: ``count`` the references, ``uniqueCount`` its items, every reference
    to one of its items. Returns the parsed table."""
    parts = _package(data)
    table = ElementTree.fromstring(parts["xl/sharedStrings.xml"])
    assert table.tag == f"{MAIN}sst"
    items = table.findall(f"{MAIN}si")
    references = [int(n) for n in re.findall(rb'<c t="s"><v>(\d+)</v></c>', parts["xl/worksheets/sheet1.xml"])]
    assert int(table.get("count")) == len(references) == parts["xl/worksheets/sheet1.xml"].count(b't="s"')
    assert int(table.get("uniqueCount")) == len(items)
    assert set(references) <= set(range(len(items)))  # a status no row has is still an item
    assert (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument'
            b'.spreadsheetml.sharedStrings+xml"/>') in parts["[Content_Types].xml"]
    relationships = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    ids = [r.get("Id") for r in relationships]
    assert len(ids) == len(set(ids))
    assert [r.get("Target") for r in relationships if r.get("Type").endswith("/sharedStrings")] == ["sharedStrings.xml"]
    return table


def test_shared_cells_read_back_as_openpyxl_writes_them_and_the_table_is_declared():
    expected, skeleton = streamed_sheet_case(ROWS)
    shared = sheet_xml.SharedStrings()

    def write_rows(sheet):
        for number, row in enumerate(ROWS, start=2):
            cells = [shared.cell(value) for value in row]
            shared.count += sum(c.startswith(b'<c t="s">') for c in cells)
            sheet.write(b'<row r="%d">%s</row>' % (number, b"".join(cells)))
        return len(ROWS)

    written = io.BytesIO()
    sheet_xml.streamed(skeleton, write_rows, written, shared)
    table = check_declared_and_counted(written.getvalue())
    # one item per distinct text, written as the inline cell writes it (the spaces kept)
    assert [i.find(f"{MAIN}t").text for i in table] == [" 前後に空白 ", "a<b>&c", "yes", "line\r\nbreak",
                                                       "'=SUM(A1)", "はい", "bad\ufffd"]
    # Excel drops a text's outer spaces unless told to keep them, as the inline cell tells it
    assert '<si><t xml:space="preserve"> 前後に空白 </t></si>'.encode() in _package(written.getvalue())[
        "xl/sharedStrings.xml"]
    assert_reads_back_like(written.getvalue(), expected)


@pytest.mark.parametrize("query", ["", "?status=gap", "?status=met&article=90"])
def test_the_matrix_workbook_counts_its_shared_strings(app, client, login, portfolio, query):
    login("compliance")
    data = exported(app, client, "/compliance/export/matrix.xlsx" + query).data
    table = check_declared_and_counted(data)
    rows = list(load_workbook(io.BytesIO(data))["Matrix"].iter_rows(min_row=2, values_only=True))
    assert rows and int(table.get("count")) == 8 * len(rows)  # three flags, four obligation cells, a status
