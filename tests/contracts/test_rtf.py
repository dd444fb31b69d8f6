"""Contracts uploaded as RTF (Word's, 一太郎's or LibreOffice's "Save as RTF"): the fixtures made by
LibreOffice from our own .docx are checked as their Word and text twins; Word's ways of writing
Japanese (cp932 bytes in a font of charset 128, ``\\uN`` with a fallback) read as the text; what
is not text (fonts, pictures, embedded objects, field codes, hidden and deleted text) is not read;
a damaged or disguised file is refused and nothing is stored."""
import io
from pathlib import Path

import pytest

from tests.contracts.factories import japanese_pdf
from tests.contracts.rtf_writer import contract_rtf
from tests.contracts.test_contracts import _arrangement, _stored, _upload
from vendorrisk.contracts.checker import rtf, structure, text
from vendorrisk.core import time_budget, uploads

FILES = Path(__file__).parent / "files"
FIXTURES = ["outsourcing_agreement", "gyomu_itaku"]
# the head of a document as Word writes it: Japanese code page, a Latin font (charset 0), a Japanese
# one (charset 128, its name in cp932), Korean, Simplified and Traditional Chinese ones
HEAD = (r"{\rtf1\adeflang1025\ansi\ansicpg932\uc1\adeff31507\deff0\stshfdbch31505\deflang1033\deflangfe1041"
        r"{\fonttbl{\f0\fbidi \froman\fcharset0\fprq2{\*\panose 02020603050405020304}Century;}"
        r"{\f1\fbidi \fmodern\fcharset128\fprq1{\*\panose 02020609040205080304}\'82\'6c\'82\'72 \'96\'be\'92\'a9;}"
        r"{\f2\fnil\fcharset129 Batang;}{\f3\fnil\fcharset134 SimSun;}{\f4\fnil\fcharset136 MingLiU;}"
        r"{\f31505\fbidi \froman\fcharset128\fprq1 Yu Mincho;}{\f31506\fbidi \froman\fcharset0\fprq2 Century;}}"
        r"{\colortbl;\red0\green0\blue0;}{\stylesheet{\ql \f0\fs21 Normal;}}"
        r"{\info{\title \'8b\'c6\'96\'b1}{\author Someone}}{\*\rsidtbl \rsid1\rsid2}"
        r"{\*\generator Microsoft Word 16.0;}{\*\xmlnstbl {\xmlns1 http://x}}" "\n")


def _bytes(words: str, codec: str = "cp932") -> str:
    """``words`` written as Word writes them in a font of that code page: ``\\'hh`` a byte."""
    return "".join(f"\\'{b:02x}" for b in words.encode(codec))


def _read(body: str) -> list[str]:
    return [b.text for b in text.extract((HEAD + body + "}").encode("ascii"), "rtf").blocks]


def _checks(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return {c["clause_id"]: c for c in response.get_json()["checks"]}


@pytest.mark.parametrize("name", FIXTURES)
def test_an_rtf_contract_is_checked_as_its_word_and_text_twins(api, db, name):
    client = api("compliance")
    on = {kind: _checks(_upload(client, _arrangement(db).id, (FILES / f"{name}{suffix}").read_bytes(),
                                f"{name}{suffix}"))
          for kind, suffix in (("rtf", ".rtf"), ("docx", ".docx"), ("md", "_twin.md"))}
    found = [k for k, c in on["rtf"].items() if c["status"] == "found"]
    assert {"audit_rights", "subcontracting", "data_location", "service_levels"} <= set(found)
    for twin in ("docx", "md"):
        assert {k: (c["status"], c["location"], c["evidence"]) for k, c in on["rtf"].items()} \
            == {k: (c["status"], c["location"], c["evidence"]) for k, c in on[twin].items()}


def test_the_fixtures_read_as_their_word_files_block_for_block():
    for name in FIXTURES:
        read = text.extract((FILES / f"{name}.rtf").read_bytes(), "rtf").blocks
        assert read == text.extract((FILES / f"{name}.docx").read_bytes(), "docx").blocks
    japanese = [b.text for b in text.extract((FILES / "gyomu_itaku.rtf").read_bytes(), "rtf").blocks]
    assert "第3条 監査" in japanese and "項目 | 水準" in japanese  # LibreOffice's {\listtext 第3条\tab}
    assert "2. 乙は、甲が他の事業者へ移行するために必要な協力を行う。" in japanese


def test_bytes_are_read_in_the_code_page_of_their_font():
    body = (r"\pard\plain \loch\af31506\hich\af31506\dbch\f1 " + _bytes("第1条（目的）") + r"\par "
            r"\loch\f0 caf\'e9 \'93quoted\'94\par "  # a Latin font: Windows-1252, whatever \ansicpg says
            r"\f2 " + _bytes("계약", "cp949") + r"\par \f3 " + _bytes("合同", "gbk") + r"\par "
            r"\f4 " + _bytes("契約書", "cp950") + r"\par "
            r"\plain \f31506\hich\af31506\dbch\af31505\loch\f31506 \hich\af31506\dbch\af31505\dbch\f31505 "
            + _bytes("監査") + r"\par ")
    assert _read(body) == ["第1条(目的)", "café “quoted”", "계약", "合同", "契約書", "監査"]
    latin = r"\hich\af31506\dbch\af31505\loch\f31506 " + _bytes("監査") + r" caf\'e9\par "  # \loch last
    assert _read(latin) == ["監査 café"]
    split = "\r\n".join(_bytes("再委託").split("\\'")[1:])  # Word breaks its lines between the bytes of a pair too
    assert _read(r"\dbch\f1 \'" + split.replace("\r\n", "\r\n\\'") + r"\par ") == ["再委託"]


def test_the_writer_of_the_bench_writes_what_the_reader_reads():
    blocks = text.extract((FILES / "gyomu_itaku.docx").read_bytes(), "docx").blocks
    written = contract_rtf([(b.text, b.part) for b in blocks] + [("半角ｶﾅ 𠮷野家", "body")], "ja")
    assert b"\\'8a\\'c4\\'8d\\'b8" in written and b"\\objdata" in written  # 監査 in cp932, an embedded object
    read = text.extract(written, "rtf").blocks
    assert [(b.part, b.text.replace(" ", "")) for b in read] == [
        (b.part, b.text.replace(" ", "")) for b in blocks if b.part == "body" or b.part == "table"] + [
        ("body", "半角カナ𠮷野家")] + [(b.part, b.text) for b in blocks if b.part in ("header", "footer")]


def test_a_font_of_the_default_charset_reads_in_the_documents_code_page():
    page = (r"{\rtf1\ansi\ansicpg932\deff0{\fonttbl{\f0\fnil\fcharset1 Default;}}\f0 " + _bytes("再委託")
            + r"\par}").encode("ascii")
    assert [b.text for b in text.extract(page, "rtf").blocks] == ["再委託"]
    raw = b"{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0\\fnil Default;}}\\f0 " + "再委託".encode("cp932") + b"\\par}"
    assert [b.text for b in text.extract(raw, "rtf").blocks] == ["再委託"]  # raw 8-bit bytes, as WordPad writes


def test_unicode_characters_skip_their_fallback():
    body = (r"\uc1\u26178\'3f\u38291?\par "  # 時間: one unit of fallback, a \'hh or a character
            r"{\uc2\u26085" + _bytes("日") + r"\u26412" + _bytes("本") + r"}\par "  # two units: a cp932 pair
            r"\u-248?1\u-247?\par "  # negative N + 65536: （1）
            r"\u-10179?\u-8694?\par "  # a character beyond U+FFFF, as two surrogates
            r"{\uc0\u30002}\u20057 ?\par ")  # no fallback; a space ends the word, the ? is its fallback
    assert _read(body) == ["時間", "日本", "(1)", "\U0001f60a", "甲乙"]


def test_what_is_not_text_is_not_read():
    body = (r"\f1 {\*\bkmkstart art3}{\*\bkmkend art3}" + _bytes("第3条") + r"{\*\unknowndestination secret words}"
            r"{\object\objemb{\*\objclass Package}{\*\objdata 0105000002000000080000005061636b61676500}"
            r"{\result {\pict\wmetafile8 0a0b0c}}}"
            r"{\field{\*\fldinst { HYPERLINK \\l \"x\" }}{\fldrslt {(" + _bytes("監査") + r")}}}"
            r"{\pict\pngblip\bin4 {{{{}{\*\themedata 504b0304}{\*\datastore 0105}"
            r"{\v hidden words}{\deleted deleted words}{\revised inserted words}\par ")
    assert _read(body) == ["第3条(監査)inserted words"]


def test_values_out_of_range_do_not_break_the_reader():
    page = (r"{\rtf1\ansi\ansicpg99999{\fonttbl{\f0\fcharset250\cpg77777 X;}}\f0 caf\'e9 \u99999999?\u-99999?"
            r"{\uc99999999\u26178 a\par b}\par after\par}").encode()  # a fallback ends with its group
    assert [b.text for b in text.extract(page, "rtf").blocks] == ["café 時", "after"]


def test_paragraphs_breaks_and_special_characters():
    body = (r"one\line two\tab three\par four\sect five\~six\emdash seven\endash eight\_nine\-ten\par "
            r"\ldblquote q\rdblquote  \lquote s\rquote  \bullet  \{braces\} back\\slash\par ")
    assert _read(body) == ["one two three", "four", "five six—seven–eight-nineten",
                           "“q” ‘s’ • {braces} back\\slash"]


def test_list_numbers_and_tables():
    body = (r"{\*\pn\pnlvlbody\pndec{\pntxta .}}{\listtext\pard\plain \f1 " + _bytes("第1条") + r"\tab}"
            + r"\f1 " + _bytes("目的") + r"\par {\pntext\f0 1.\tab}first item\par "
            r"\trowd\cellx1000\cellx2000\cellx3000\pard\intbl {\listtext a)\tab}A\cell\cell B\par B2\cell\row"
            r"\pard\intbl outer\nestcell inner\nestcell{\*\nesttableprops\trowd\cellx1\nestrow}{\nonesttables\par}"
            r"\cell last\cell\row\pard after\par ")
    assert _read(body) == ["第1条 目的", "1. first item", "a) A | B B2", "outer | inner | last", "after"]
    blocks = text.extract((HEAD + body + "}").encode("ascii"), "rtf").blocks
    assert [b.part for b in blocks] == ["body", "body", "table", "table", "body"]


def test_headers_footers_and_footnotes_come_after_the_body():
    body = (r"{\header \pard\plain Master Agreement\par}{\headerf \pard\plain Master Agreement\par}"
            r"{\footerl \pard\plain Confidential {\field{\*\fldinst PAGE}{\fldrslt 1}}\par}"
            r"Article 1 Audit{\super\chftn}{\footnote \pard\plain {\super\chftn} As agreed in 2026.}. The Customer "
            r"may audit.\par Article 2 Term\par ")
    blocks = text.extract((HEAD + body + "}").encode("ascii"), "rtf").blocks
    assert [(b.part, b.text) for b in blocks] == [
        ("body", "Article 1 Audit. The Customer may audit."), ("body", "Article 2 Term"),
        ("footnote", "As agreed in 2026."), ("header", "Master Agreement"), ("footer", "Confidential 1")]


def test_footnotes_and_endnotes_are_numbered_parts_located_as_a_word_files_notes():
    body = (r"Article 1 Audit{\footnote \pard\plain First note.}. Article 2 Term{\footnote\ftnalt \pard\plain "
            r"The Provider shall permit the Customer to audit.}.\par Article 3 Law{\footnote \pard\plain Second "
            r"note.\par Its second paragraph.}.\par ")
    blocks = text.extract((HEAD + body + "}").encode("ascii"), "rtf").blocks
    assert [(b.part, b.note, b.text) for b in blocks if b.part != "body"] == [
        ("footnote", 1, "First note."), ("endnote", 1, "The Provider shall permit the Customer to audit."),
        ("footnote", 2, "Second note."), ("footnote", 2, "Its second paragraph.")]
    passages = [p for s in structure.parse(blocks).sections for p in s.passages if p.part != "body"]
    assert [p.location for p in passages] == ["footnote 1", "endnote 1", "footnote 2", "footnote 2"]


def test_the_reader_refuses_a_nesting_too_deep_and_is_bounded_in_time():
    with pytest.raises(text.UnreadableContract) as refused:
        text.extract(b"{\\rtf1 " + b"{" * 10_000 + b"x" + b"}" * 10_001, "rtf")
    assert refused.value.key == "rtf_corrupt"
    assert _read("{" * (rtf.MAX_DEPTH - 2) + "deep enough" + "}" * (rtf.MAX_DEPTH - 2)) == ["deep enough"]
    with pytest.raises(time_budget.TimeBudgetSpent), time_budget.budget(0):
        text.extract((HEAD + "words\\par " * 2000 + "}").encode(), "rtf")


def test_the_gate_sniffs_rtf_after_a_bom_or_blanks():
    assert uploads.sniff(b"{\\rtf1\\ansi x}") == "rtf"
    assert uploads.sniff(b"\xef\xbb\xbf \r\n{\\rtf1 x}") == "rtf"
    assert uploads.sniff(b"{\\rtx1 x}") == "text" and uploads.sniff(b"%PDF-1.7 {\\rtf") == "pdf"


@pytest.mark.parametrize("data,message", [
    (japanese_pdf(["第1条（目的）", "本契約の目的を定める。"]), "PDF"),
    ((FILES / "gyomu_itaku.docx").read_bytes(), "Word"),
    (b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 \\par}", "no text"),
    (b"{\\rtf1\\ansi " + b"{\\b words " * 5 + b"\\par}", "not recognised as .rtf"),
    (b"{\\rtf1\\ansi words}}}}}", "not recognised as .rtf"),
    (b"{\\rtf1 " + b"{" * 10_000 + b"x" + b"}" * 10_001, "not recognised as .rtf"),
])
def test_a_damaged_or_disguised_rtf_is_refused_and_nothing_stored(api, db, data, message):
    client = api("compliance")
    arrangement = _arrangement(db)
    before = _stored(db)
    response = _upload(client, arrangement.id, data, "契約書.rtf")
    assert response.status_code == 422 and message in response.get_json()["error"]["message"]
    assert _stored(db) == before


def test_an_rtf_left_one_group_open_is_still_read(api, db):
    data = (FILES / "outsourcing_agreement.rtf").read_bytes().rstrip().removesuffix(b"}")
    assert _checks(_upload(api("compliance"), _arrangement(db).id, data, "agreement.rtf"))["audit_rights"][
        "status"] == "found"


def test_the_uploaded_rtf_downloads_as_an_attachment_never_inline(client, login, db):
    arrangement = _arrangement(db)
    login("compliance")
    data = (FILES / "gyomu_itaku.rtf").read_bytes()
    response = client.post(f"/contracts/arrangements/{arrangement.id}/upload",
                           data={"file": (io.BytesIO(data), "業務委託契約書.rtf"), "title": "業務委託契約"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    original = client.get(response.headers["Location"] + "/file")
    assert original.status_code == 200 and original.data == data
    assert original.headers["Content-Type"].startswith("application/rtf")
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert original.headers["X-Content-Type-Options"] == "nosniff"
