"""Contracts uploaded as Word 97–2003 files (.doc, doc28): LibreOffice's .doc of a .docx is
checked as the .docx is; the gate tells a Word document from other compound files and refuses a
password-protected or too old one, a damaged one, storing nothing."""
from pathlib import Path

import pytest

from tests.contracts.cfb_writer import compound_file, word_document
from tests.contracts.test_contracts import _arrangement, _stored, _upload
from vendorrisk.contracts.checker import text
from vendorrisk.core import compound

FILES = Path(__file__).parent / "files"
FIXTURES = ("en_outsourcing", "ja_gyomu_itaku")


def _checks(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return {c["clause_id"]: c for c in response.get_json()["checks"]}


def _lines(data: bytes) -> list[tuple[str, str]]:
    return [(b.part, b.text) for b in text.extract(data, "doc").blocks]


@pytest.mark.parametrize("name", FIXTURES)
def test_a_doc_is_checked_as_its_docx_twin(api, db, name):
    client = api("compliance")
    on_doc = _checks(_upload(client, _arrangement(db).id, (FILES / f"{name}.doc").read_bytes(), f"{name}.doc"))
    on_docx = _checks(_upload(client, _arrangement(db).id, (FILES / f"{name}.docx").read_bytes(), f"{name}.docx"))
    assert {k: c["status"] for k, c in on_doc.items()} == {k: c["status"] for k, c in on_docx.items()}
    found = [k for k, c in on_doc.items() if c["status"] == "found"]
    assert len(found) >= 4
    for clause_id in found:
        assert on_doc[clause_id]["location"] == on_docx[clause_id]["location"]
        assert on_doc[clause_id]["evidence"] == on_docx[clause_id]["evidence"]


@pytest.mark.parametrize("name", FIXTURES)
def test_a_doc_reads_the_blocks_of_its_twin_and_its_footnote_after_the_body(name):
    on_doc = _lines((FILES / f"{name}.doc").read_bytes())
    on_docx = [(b.part, b.text) for b in text.extract((FILES / f"{name}.docx").read_bytes(), "docx").blocks]
    body = [line for line in on_docx if line[0] in ("body", "table")]
    footnote = ("footnote", "Amounts exclude consumption tax." if name.startswith("en") else "金額は消費税別とする。")
    assert on_doc == body + [footnote] + [line for line in on_docx if line[0] in ("header", "footer")]


def test_each_footnote_of_a_doc_is_numbered_and_located_as_in_its_docx_twin(api, db):
    data = (FILES / "notes_en.doc").read_bytes()
    assert [(b.part, b.note) for b in text.extract(data, "doc").blocks if b.part != "body"] == [("footnote", 1),
                                                                                                   ("footnote", 2)]
    client = api("compliance")
    on_doc = _checks(_upload(client, _arrangement(db).id, data, "notes_en.doc"))
    on_docx = _checks(_upload(client, _arrangement(db).id, (FILES / "notes_en.docx").read_bytes(), "notes_en.docx"))
    assert on_doc["audit_rights"]["location"] == on_docx["audit_rights"]["location"] == "footnote 2"
    assert on_doc["audit_rights"]["status"] == on_docx["audit_rights"]["status"]


def test_japanese_tables_hyphens_and_tracked_changes_read_right():
    data = (FILES / "ja_gyomu_itaku.doc").read_bytes()
    lines = _lines(data)
    assert ("table", "監視 | 24時間365日の稼働監視 (月次報告を含む)") in lines  # a cell of two paragraphs
    assert ("table", "報告") in lines  # its second cell empty
    assert ("body", "障害は24-時間以内に記録する。") in lines
    assert "口頭による報告".encode("utf-16-le") in data  # the tracked deletion is in the file, not in the reading
    assert not any("口頭" in line for _part, line in lines)
    assert ("body", "第1条【目的】") in lines
    assert ("body", "乙は、本業務の実施状況を毎月甲に報告する。報告書は書面で提出する。") in lines
    assert lines[-2:] == [("header", "業務委託契約"), ("footer", "機密")]


@pytest.mark.parametrize("name", ("numbered_ja", "numbered_en"))
def test_word_numbers_are_drawn_as_libreoffice_draws_them(name):
    # the .doc of a .docx in Word's automatic numbering holds no number in its text: LibreOffice's own
    # reading of the file it wrote (its text export, kept as .lo.txt) draws them from the list tables
    drawn = (FILES / f"{name}.lo.txt").read_text(encoding="utf-8-sig").splitlines()
    assert [b.text for b in text.extract((FILES / f"{name}.doc").read_bytes(), "doc").blocks] \
        == [text.normalise(line) for line in drawn if line.strip()]
    data = (FILES / f"{name}.doc").read_bytes()
    first = drawn[0].strip()  # "第一条 (目的)", "1. DEFINITIONS": its number is drawn, not stored
    assert first.encode("utf-16-le") not in data and first.encode("utf-8") not in data


def test_fields_marks_tables_and_footnotes_of_the_binary_text():
    data = word_document("第1条(目的)\r本契約は\x13 HYPERLINK \"https://x\" \x14委託業務\x15について定める。\x01\x08\x02\r"
                         "Service\x07Level\x07\x07Hosting\x07\x0799.9%\x07\x07\x13 SEQ \x13 REF a \x14x\x15 \x14\x15"
                         "sub\x1fcontractor\x1eowned\x0bnext line\x0cAfter the break\r",
                         footnotes="\x02 A footnote.\r")
    assert _lines(data) == [("body", "第1条(目的)"), ("body", "本契約は委託業務について定める。"),
                            ("table", "Service | Level"), ("table", "Hosting"), ("table", "99.9%"),
                            ("body", "subcontractor-owned next line"), ("body", "After the break"),
                            ("footnote", "A footnote.")]


def test_windows_1252_pieces_read_as_their_characters():
    assert _lines(word_document("The Supplier’s fee – €100\r", compressed=True)) == [("body", "The Supplier’s fee – €100")]


@pytest.mark.parametrize("data, key", [
    (word_document("text\r", fc_shift=1 << 20), "docx_corrupt"),
    (word_document("text\r", pairs={13: (0, 12)}), "docx_corrupt"),  # a paragraph property page outside the stream
    (word_document("text\r", encrypted=True), "doc_password"),
    (word_document("text\r", nfib=0x0068), "doc_old"),
    (compound_file({"Workbook": b"\x09\x08" * 8}), "docx_corrupt"),
])
def test_the_reader_refuses_what_it_cannot_read(data, key):
    with pytest.raises(text.UnreadableContract) as refused:
        text.extract(data, "doc")
    assert refused.value.key == key


def test_the_gate_tells_the_compound_files_apart():
    assert compound.ole_kind((FILES / "en_outsourcing.doc").read_bytes()) == "doc"
    assert compound.ole_kind(word_document("text\r", nfib=0x0065)) == "doc_old"
    assert compound.ole_kind(word_document("text\r", encrypted=True)) == "doc_encrypted"
    assert compound.ole_kind(compound_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00"})) \
        == "ooxml_encrypted"
    assert compound.ole_kind(compound_file({"Workbook": b"\x09\x08"})) == "xls"
    assert compound.ole_kind(compound_file({"__substg1.0_0037001F": b"S\x00", "__properties_version1.0": b"\x00"})) \
        == "msg"


ENCRYPTED_DOCX = compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64})


@pytest.mark.parametrize("data, name, says", [
    (compound_file({"Workbook": b"\x09\x08" * 8}), "契約書.doc", "Excel 97–2003 workbook"),
    (compound_file({"__substg1.0_0037001F": b"S\x00", "__properties_version1.0": b"\x00"}), "contract.doc",
     "Outlook message"),
    (ENCRYPTED_DOCX, "contract.docx", "password-protected: save it without a password"),
    (ENCRYPTED_DOCX, "contract.doc", "password-protected: save it without a password"),
    (word_document("text\r", encrypted=True), "contract.doc", "password-protected: save it without a password"),
    (word_document("text\r", nfib=0x0065), "contract.doc", "too old a Word format"),
    ((FILES / "en_outsourcing.doc").read_bytes()[:20000], "contract.doc", "not recognised as .doc"),
    (word_document("text\r", fc_shift=1 << 20), "contract.doc", "The Word file is corrupt"),
    ((FILES / "en_outsourcing.doc").read_bytes(), "contract.docx", "Word 97–2003 document, which does not match"),
])
def test_a_refused_doc_says_why_and_stores_nothing(api, db, data, name, says):
    before = _stored(db)
    response = _upload(api("compliance"), _arrangement(db).id, data, name)
    assert response.status_code == 422, response.get_json()
    assert says in response.get_json()["error"]["message"]
    assert _stored(db) == before


class _InJapanese:
    """An API client whose reader asks for Japanese."""

    def __init__(self, client):
        self.client = client

    def post(self, path, **kwargs):
        return self.client.post(path, headers={"Accept-Language": "ja"}, **kwargs)


def test_a_refusal_is_said_in_japanese_to_a_japanese_reader(api, db):
    client = _InJapanese(api("compliance"))
    for data, name, says in ((ENCRYPTED_DOCX, "contract.docx", "パスワードで保護されています"),
                             (word_document("text\r", nfib=0x0065), "contract.doc", "古すぎる Word 形式"),
                             (compound_file({"Workbook": b"\x09\x08"}), "contract.doc", "Excel 97–2003 ブック")):
        response = _upload(client, _arrangement(db).id, data, name)
        assert response.status_code == 422
        assert says in response.get_json()["error"]["message"]


def test_a_page_break_ends_a_block_but_is_no_paragraph_mark():
    # a page break (0x0C) inside a numbered paragraph must not look up that paragraph's number a second time
    from vendorrisk.contracts.checker import doc

    assert doc._clean("\x0c第5条\x13 PAGE \x14x\x15\r", 100) == ("\r第5条x\r", [-1, 114])
