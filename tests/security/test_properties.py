"""Property-based tests (hypothesis) of every parser and validator that takes outside input:
corporate numbers, names and multi-line text, request ids, dates, cells written to Excel,
CSV and Word, register rows, questionnaire answers, the contract text reader and upload
sniffing. Each property runs a bounded number of derandomised examples (the profile in
``tests/conftest.py``), so the suite stays within its time budget and never flakes."""
import csv
import io
import re
import string
from datetime import date

import docx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from vendorrisk.contracts.checker.text import UnreadableContract, extract
from vendorrisk.core import logs, textfields
from vendorrisk.core.docx import to_bytes
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.uploads import safe_filename, sniff
from vendorrisk.core.xlsx import FORMULA_TRIGGERS, csv_bytes, neutralise, table_workbook
from vendorrisk.questionnaires import vocabulary
from vendorrisk.vendors.identifiers import corporate_check_digit, corporate_number_problem, normalise_corporate_number
from vendorrisk.vendors.models import Vendor

# Text as people and attackers write it: any code point, control characters, surrogates,
# full-width forms, other scripts' digits and the formula signs.
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=60)
SPICY = st.text(alphabet=st.sampled_from("=+-@\t\r\n\x00\x0b\x1f\u2028\uff1d\uff0b\u3000 aあ1٣५\ud800"), max_size=12)
TEXT = st.one_of(ANY_TEXT, SPICY, st.builds(lambda a, b: a + b, SPICY, ANY_TEXT))
DIGITS = st.text(alphabet="0123456789", min_size=12, max_size=12)
SEPARATORS = st.sampled_from(["", " ", "-", "\u3000", "\u2212", "\uff0d"])


@given(base=DIGITS, separator=SEPARATORS, full_width=st.booleans())
def test_valid_corporate_numbers_in_ascii_or_full_width_normalise_to_13_ascii_digits(base, separator, full_width):
    number = f"{corporate_check_digit(base)}{base}"
    written = separator.join([number[:1], number[1:5], number[5:9], number[9:]])
    if full_width:
        written = written.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert corporate_number_problem(written) is None
    assert normalise_corporate_number(written) == number


@given(value=st.one_of(TEXT, st.text(alphabet=st.characters(categories=["Nd"]), min_size=13, max_size=13)))
def test_an_accepted_corporate_number_is_13_ascii_digits_with_its_check_digit(app, value):
    with app.test_request_context():
        problem = corporate_number_problem(value)
    if problem is None:
        number = normalise_corporate_number(value)
        assert re.fullmatch("[0-9]{13}", number) and int(number[0]) == corporate_check_digit(number[1:])
        assert all(c in "0123456789０１２３４５６７８９ -\u3000\u2010\u2011\u2012\u2013\u2212\uff0d" for c in value)


@given(value=TEXT)
def test_single_line_and_multi_line_validators_agree_with_what_documents_can_hold(app, value):
    with app.test_request_context():
        single, multi = textfields.problem(value), textfields.unwritable_problem(value)
    assert (single is None) == (textfields.CONTROL.search(value) is None)
    assert (multi is None) == (textfields.UNWRITABLE.search(value) is None)
    assert not textfields.UNWRITABLE.search(textfields.writable(value))
    assert len(textfields.writable(value)) == len(value)
    assert not textfields.CONTROL.search(textfields.fold(value))


@given(value=TEXT)
def test_a_neutralised_cell_is_inert_and_writable(value):
    cell = neutralise(value)
    assert not textfields.UNWRITABLE.search(cell)
    assert cell == "" or not cell.lstrip(" \u00a0\u3000").startswith(FORMULA_TRIGGERS) or cell.startswith("'")
    assert neutralise(cell) in (cell, "'" + cell)


@given(rows=st.lists(st.lists(st.one_of(TEXT, st.integers(), st.none()), min_size=1, max_size=4), min_size=1,
                     max_size=4))
def test_any_cells_make_a_csv_and_a_workbook_that_read_back_neutralised(rows):
    parsed = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    assert parsed == [["" if v is None else str(neutralise(v)) for v in row] for row in rows]
    book = load_workbook(io.BytesIO(table_workbook([("Data", ["a", "b", "c", "d"], rows)])), read_only=True)
    for written, read in zip(rows, list(book["Data"].iter_rows(min_row=2, values_only=True))):
        for value, cell in zip(written, read):
            if isinstance(value, str) and value:
                assert cell == neutralise(value).replace("\r\n", "\n") or cell == neutralise(value)
    book.close()


@given(texts=st.lists(TEXT, min_size=1, max_size=5))
def test_any_text_makes_a_word_document(texts):
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
        document.add_table(rows=1, cols=1).cell(0, 0).text = text
    reread = docx.Document(io.BytesIO(to_bytes(document)))
    assert len(reread.paragraphs) == len(texts)


@given(incoming=st.one_of(TEXT, st.text(alphabet=string.ascii_letters + string.digits + "._:-", max_size=70)))
def test_a_request_id_is_kept_only_when_it_is_safe(incoming):
    kept = logs.request_id(incoming)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", kept)
    assert (kept == incoming) == bool(logs.REQUEST_ID.fullmatch(incoming))


@given(name=TEXT, filename=TEXT)
def test_upload_names_are_one_safe_path_component(name, filename):
    for candidate in (name, filename, f"../../{name}/{filename}", f"C:\\{name}\\{filename}.pdf"):
        safe = safe_filename(candidate)
        assert safe and len(safe) <= 200 and "/" not in safe and "\\" not in safe
        assert safe not in (".", "..") and not textfields.UNWRITABLE.search(safe)
        assert not any(c in safe for c in "\r\n\x00\u202e")


@given(data=st.binary(max_size=300), head=st.sampled_from([b"", b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", b"MZ",
                                                          b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG", b"\xff\xd8\xff"]),
       extension=st.sampled_from(["pdf", "docx", "xlsx", "txt", "md", "csv", "zip", "png", "jpg", "exe", "", "xls"]))
@example(data=b"\xa1", head=b"", extension="txt")  # Windows-1252 text, which sniff() calls unknown
def test_sniffing_and_inspecting_any_bytes_names_a_kind_or_refuses(app, data, head, extension):
    from vendorrisk.core.encodings import decode_text
    from vendorrisk.core.uploads import inspect_upload
    content = head + data
    assert sniff(content) in {"pdf", "docx", "xlsx", "pptx", "zip", "ole", "exe", "png", "jpeg", "tiff", "text", "unknown"}
    with app.test_request_context():
        try:
            upload = inspect_upload(content, f"file.{extension}", {"pdf", "docx", "xlsx", "txt", "md", "csv", "png"})
        except ValidationFailed:
            return
    # the kind sniffed; or text: UTF-8, or (named as text) in an encoding ``decode_text`` reads
    # (Shift_JIS, UTF-16, Windows-1252: ``sniff`` knows UTF-8 only)
    assert upload.kind == sniff(content) or sniff(content) == "text" or (
        sniff(content) == "unknown" and upload.kind in ("txt", "md", "csv") and decode_text(content) is not None)


@given(data=st.binary(max_size=400), kind=st.sampled_from(["txt", "md", "pdf", "docx"]))
def test_the_contract_reader_reads_or_refuses_any_bytes(data, kind):
    prefix = {"pdf": b"%PDF-1.4\n", "docx": b"PK\x03\x04"}.get(kind, b"")
    try:
        extracted = extract(prefix + data, kind)
    except UnreadableContract:
        return
    assert isinstance(extracted.text, str)


@given(paragraphs=st.lists(TEXT, min_size=1, max_size=6))
def test_the_contract_reader_reads_any_word_text(paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    try:
        extracted = extract(to_bytes(document), "docx")
    except UnreadableContract:  # nothing but spaces and control characters: no text
        assert not "".join(textfields.writable(t) for t in paragraphs).replace("\ufffd", "").strip()
        return
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", extracted.text)


@given(raw=TEXT)
def test_questionnaire_answers_are_read_or_not_recognised_never_an_error(raw):
    vocabulary.clear_caches()
    normalised = vocabulary.normalise(raw)
    assert isinstance(normalised, str) and vocabulary.normalise(normalised) == normalised
    assert 0.0 <= vocabulary.answer_strength(raw) <= 1.0
    assert isinstance(vocabulary.is_known_answer(raw), bool) and isinstance(vocabulary.shape(raw), str)
    vocabulary.header_role(raw), vocabulary.choice_title(raw), vocabulary.features(raw)


@given(start=st.one_of(st.dates(), TEXT, st.integers()), end=st.one_of(st.dates(), TEXT, st.none()))
def test_arrangement_dates_are_valid_or_refused(app, start, end):
    from vendorrisk.core.validation import parse
    from vendorrisk.vendors.arrangements import ArrangementCreate
    with app.test_request_context():
        try:
            payload = parse(ArrangementCreate, {"vendor_id": 1, "title": "x", "start_date": start, "end_date": end})
        except ValidationFailed:
            return
    assert isinstance(payload.start_date, date)
    assert payload.end_date is None or payload.end_date >= payload.start_date


# What a worksheet can hold (Excel files cannot carry NUL or lone surrogates).
CELL = st.one_of(TEXT.map(textfields.writable), st.integers(min_value=-2**70, max_value=2**70), st.dates(), st.none(), st.booleans(),
                 st.floats(allow_nan=True, allow_infinity=False))


@settings(max_examples=15)  # each example is a whole import through the API
@given(rows=st.lists(st.tuples(CELL, CELL, CELL, CELL, CELL), min_size=1, max_size=3),
       columns=st.permutations(["ref", "name", "corporate_number", "country", "notes"]))
def test_register_rows_are_imported_or_refused_by_row_never_a_500(api, db, rows, columns):
    client = api("procurement")
    data = factories.workbook({"vendors": [list(columns), *[list(r) for r in rows]]})
    answer = client.post("/api/v1/register/import", data=data, content_type="application/octet-stream")
    assert answer.status_code in (200, 422), answer.get_data(as_text=True)[:300]
    if answer.status_code == 422:
        assert all({"sheet", "row", "message"} <= set(d) for d in answer.get_json()["error"]["details"])
    db.rollback()
    for vendor in db.scalars(select(Vendor)):
        assert not textfields.CONTROL.search(vendor.name + vendor.name_en + vendor.address)
        assert vendor.corporate_number is None or re.fullmatch("[0-9]{13}", vendor.corporate_number)


@settings(max_examples=10)  # each example is a whole workbook import through the API
@given(answers=st.lists(st.one_of(TEXT.map(textfields.writable), st.integers(), st.dates()), min_size=3, max_size=3))
def test_questionnaire_answers_in_a_returned_workbook_are_imported_or_refused(db, api, answers):
    from tests.questionnaires.factories import fill, native_workbook
    from vendorrisk.questionnaires.template_files import get_template
    vendor = db.scalars(select(Vendor).where(Vendor.name == "回答 KK")).first() or factories.gen_vendor(db, "回答 KK")
    db.commit()
    questions = get_template("general_outsourcing").questions
    data = fill(native_workbook(vendor_id=vendor.id, vendor_name=vendor.name),
                {q.id: value for q, value in zip(questions[:3], answers)})
    answer = api("compliance").post(f"/api/v1/vendors/{vendor.id}/questionnaire-responses",
                                    data={"file": (io.BytesIO(data), "answers.xlsx"), "dry_run": "1"},
                                    content_type="multipart/form-data")
    assert answer.status_code in (200, 201, 422), answer.get_data(as_text=True)[:300]
