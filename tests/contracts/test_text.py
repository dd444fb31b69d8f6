"""Reading contracts: Word (order, tables, headers, numbering), PDF, text; structure."""
import io

import docx
import pytest

from tests.contracts.factories import docx_from_text, pdf_with_text, scanned_pdf
from vendorrisk.contracts import checker
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.checker import numbering
from vendorrisk.contracts.checker import structure as contracts_structure
from vendorrisk.contracts.checker import text as contracts_text
from vendorrisk.contracts.checker.text import UnreadableContract


def _parse(text: str, kind: str = "txt"):
    return contracts_structure.parse(contracts_text.extract(text.encode("utf-8"), kind).blocks)


def _located(structure):
    return {p.location: p.text for s in structure.sections for p in s.passages}


def test_japanese_articles_kanji_numbers_brackets_and_paragraphs():
    structure = _parse("業務委託契約書\n（監査）\n第十二条の二　甲は監査を行うことができる。\n"
                       "２　乙は協力する。\n第１３条（秘密保持）\n乙は秘密を守る。\n第３項　補足。\n")
    assert structure.detected and structure.style == "ja_article"
    located = _located(structure)
    assert located["第12条の2"] == "甲は監査を行うことができる。"
    assert located["第12条の2第2項"] == "乙は協力する。"
    assert located["第13条"] == "乙は秘密を守る。"
    assert located["第13条第3項"] == "補足。"
    headings = {s.label: s.heading for s in structure.sections}
    assert headings["第12条の2"] == "監査" and headings["第13条"] == "秘密保持"


def test_english_articles_sections_and_plain_numbers():
    structure = _parse("AGREEMENT\nArticle 5 Audit Rights\n5.1 The Customer may audit.\n"
                       "Article 6 Fees\n1 Fees are due.\n2 Late fees apply.\n")
    located = _located(structure)
    assert located["5.1"] == "The Customer may audit."
    assert located["Article 6 ¶2"] == "Late fees apply."
    numbered = _parse("1. Services\nThe supplier works.\n2. Audit\n2.1 Records\nAccess is given.\n")
    assert numbered.style == "numbered"
    assert {s.label: s.heading for s in numbered.sections if s.label} == {"1": "Services", "2": "Audit"}
    assert _located(numbered)["2.1"] == "Access is given."
    sections = _parse("Section 3 Security\nSection 3.2 Staff\nStaff are trained.\nSection 4 End\nIt ends.\n")
    assert _located(sections)["Section 3.2"] == "Staff are trained."


def test_full_width_forms_are_normalised_and_wrapped_japanese_lines_joined():
    structure = _parse("第１条（ＳＬＡ）\n乙は稼働率９９．９％を\n維持する。\n第２条（終了）\n終了する。\n")
    assert _located(structure)["第1条"] == "乙は稼働率99.9%を維持する。"
    assert structure.sections[0].heading == "SLA"


def test_articles_numbered_without_jo_and_captions_on_the_line_before():
    bare = _parse("個人情報取扱特記事項\n（秘密の保持）\n第1 受注者は、業務で知った個人情報を他に漏らしてはならない。\n"
                  "（適正管理）\n第2\n受注者は、個人情報を施錠できる保管庫で管理しなければならない。\n"
                  "2\n受注者は、管理の責任者を定める。\n")
    assert bare.detected and bare.style == "ja_bare"
    assert [(s.label, s.heading) for s in bare.sections if s.label] == [("第1", "秘密の保持"), ("第2", "適正管理")]
    second = [p for s in bare.sections if s.label == "第2" for p in s.passages]
    assert [(p.paragraph, p.text) for p in second] == [(1, "受注者は、個人情報を施錠できる保管庫で管理しなければならない。"),
                                                       (2, "受注者は、管理の責任者を定める。")]
    captions = _parse("再委託\n第9条 乙は、甲の承諾なく第三者に再委託してはならない。\n報告\n第10条 乙は、毎月報告する。\n")
    assert [(s.label, s.heading) for s in captions.sections if s.label] == [("第9条", "再委託"), ("第10条", "報告")]
    assert all("報告" != p.text for s in captions.sections for p in s.passages)
    # 第三者 and 第2項 open no article
    assert _parse("第三者に委託しない。\n第2項による。\n").style == "none"


def test_wrapped_japanese_lines_without_articles_are_joined():
    structure = _parse("受託者は、業務で知った顧客の情報を他人に漏らしてはならな\nい。契約の終了後も同様とする。\n"
                       "受託者は、記録媒体を保管庫で管理する。\n")
    assert not structure.detected
    assert [p.text for s in structure.sections for p in s.passages] == [
        "受託者は、業務で知った顧客の情報を他人に漏らしてはならない。契約の終了後も同様とする。",
        "受託者は、記録媒体を保管庫で管理する。"]


def test_text_without_structure_is_flagged():
    structure = _parse("The supplier keeps secrets.\nThe customer pays.\n")
    assert not structure.detected and structure.style == "none"
    assert [p.location for s in structure.sections for p in s.passages] == ["¶1", "¶2"]


def test_docx_reads_numbering_tables_in_order_headers_and_footers():
    text = ("第1条 目的\n本契約は業務について定める。\n第2条 サービスレベル\n乙は次の水準を守る。\n"
            "| 項目 | 水準 |\n|---|---|\n| 稼働率 | 99.9% |\n第3条 監査\n甲は監査を行うことができる。\n")
    data = docx_from_text(text, header="社外秘ヘッダー", footer="フッター 1/1", kanji=True)
    extracted = contracts_text.extract(data, "docx")
    texts = [(b.part, b.text) for b in extracted.blocks]
    assert texts[:2] == [("body", "第一条 目的"), ("body", "本契約は業務について定める。")]
    body = [t for p, t in texts if p in ("body", "table")]
    assert body.index("項目 | 水準") == body.index("乙は次の水準を守る。") + 1
    assert body.index("稼働率 | 99.9%") < body.index("第三条 監査")
    assert ("header", "社外秘ヘッダー") in texts and ("footer", "フッター 1/1") in texts
    structure = contracts_structure.parse(extracted.blocks)
    located = _located(structure)
    rows = [(p.location, p.text) for s in structure.sections for p in s.passages if p.part == "table"]
    assert rows == [("第2条 (table)", "項目 | 水準"), ("第2条 (table)", "稼働率 | 99.9%")]
    assert located["header"] == "社外秘ヘッダー"
    assert located["第3条"] == "甲は監査を行うことができる。"


def test_pdf_text_layer_is_read_and_a_scan_is_reported():
    extracted = contracts_text.extract(pdf_with_text(["Article 1 Audit", "The Customer may audit the Supplier."]), "pdf")
    assert extracted.status == "ok"
    assert [b.text for b in extracted.blocks] == ["Article 1 Audit", "The Customer may audit the Supplier."]
    scan = contracts_text.extract(scanned_pdf(), "pdf")
    assert scan.status == "scanned" and "no text layer" in scan.note


def test_corrupt_and_encrypted_files_are_refused():
    with pytest.raises(UnreadableContract, match="Word file is corrupt"):
        contracts_text.extract(b"PK\x03\x04" + b"\x00" * 200, "docx")
    with pytest.raises(UnreadableContract, match="PDF is corrupt"):
        contracts_text.extract(b"%PDF-1.4\nthis is not a pdf at all", "pdf")
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret-password")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableContract, match="password-protected"):
        contracts_text.extract(buffer.getvalue(), "pdf")
    with pytest.raises(UnreadableContract, match="encoding was not recognised"):
        contracts_text.extract(b"\x80\x81\x8d\xa0 Article 1 Audit", "txt")  # no encoding reads these bytes


@pytest.mark.parametrize("encoding, text", [
    ("cp932", "第1条（監査）\n乙は、甲の監査に協力するものとする。"),  # Excel and older Windows in Japan
    ("cp932", "第1条 監査\n第2条 再委託"),  # kanji and ASCII alone
    ("utf-16", "第1条（監査）\n乙は、甲の監査に協力する。"),  # Notepad's "Unicode", with its byte order mark
    ("cp1252", "1. Audit\nThe \u201cProvider\u201d shall permit the Customer\u2019s audits."),  # English Windows
    ("utf-8-sig", "1. Audit\nThe Provider shall permit audits."),
])
def test_text_files_read_in_the_encodings_people_save_them_in(encoding, text):
    assert contracts_text.extract(text.encode(encoding), "txt").text.splitlines() == [
        contracts_text.normalise(line) for line in text.splitlines()]


def test_word_numbering_formats():
    document = docx.Document()
    assert numbering.to_kanji(21) == "二十一" and numbering.to_kanji(10) == "十"
    assert contracts_structure.kanji_number("二十一") == 21 and contracts_structure.kanji_number("百五") == 105
    buffer = io.BytesIO()
    document.add_paragraph("plain")
    document.save(buffer)
    assert [b.text for b in contracts_text.extract(buffer.getvalue(), "docx").blocks] == ["plain"]


def test_annexes_are_sections_of_their_own_with_numbered_items():
    structure = _parse("第1条（目的）\n本契約の目的を定める。\n第2条（水準）\n別紙1に定める水準で提供する。\n"
                       "別紙1　サービスレベル合意書（SLA）\n1. 対象\n仮想サーバに適用する。\n"
                       "2. 月間稼働率 99.95%以上とする。\n別表第二（作業区分）\n運用は乙が行う。\n")
    by_label = {s.label: s for s in structure.sections}
    assert by_label["第2条"].text == "別紙1に定める水準で提供する。"  # a reference is not an annex
    annex = by_label["別紙1"]
    assert annex.heading == "サービスレベル合意書(SLA)" and "対象" in annex.headings
    assert _located(structure)["別紙1 ¶2"] == "月間稼働率 99.95%以上とする。"
    assert by_label["別表第二"].heading == "作業区分" and by_label["別表第二"].text == "運用は乙が行う。"
    english = _parse("Article 1 Scope\nThe Services.\nArticle 2 Fees\nSchedule 2 sets out the fees.\n"
                     "ANNEX II - Technical and Organisational Measures\n1. Access control: MFA for admins.\n"
                     "2. Encryption. Data is encrypted at rest.\n")
    by_label = {s.label: s for s in english.sections}
    assert by_label["Article 2"].text == "Schedule 2 sets out the fees."
    annex = by_label["Annex II"]
    assert annex.heading == "Technical and Organisational Measures"
    assert "Encryption" in annex.headings and _located(english)["Annex II ¶2"] == "Data is encrypted at rest."


def test_run_in_headings_of_numbered_clauses():
    structure = _parse("1. Use of the Services\n1.1 Generally. Customer may use the Services.\n"
                       "1.2 Shared Responsibility. Each party is responsible for its part.\n"
                       "2. Delivery and Inspection. Supplier shall deliver by 30 June.\n"
                       "3. The Supplier shall invoice monthly.\n")
    headings = {p.location: p.heading for s in structure.sections for p in s.passages}
    located = _located(structure)
    assert headings["1.2"] == "Shared Responsibility" and located["1.2"] == "Each party is responsible for its part."
    assert {s.label: s.heading for s in structure.sections}["2"] == "Delivery and Inspection"
    assert located["2"] == "Supplier shall deliver by 30 June."
    assert located["3"] == "The Supplier shall invoice monthly."  # a sentence, not a heading


def test_check_reads_a_file_and_checks_every_clause_without_an_app():
    clauses = contracts_library.library()
    text = "第1条（監査）\n甲は、乙の事業所に立入り、監査を行うことができる。\n第2条（目的）\n目的。\n"
    result = checker.check(text.encode(), "contract.TXT", clauses)
    assert result.status == "ok" and result.note == "" and result.structure.style == "ja_article"
    assert [r.clause_id for r in result.results] == [c.id for c in clauses]
    assert {r.clause_id: r.status for r in result.results}["audit_rights"] == "found"
    flat = checker.check(b"The Customer may audit the Supplier.", "contract.md", clauses[:1])
    assert flat.status == "no_structure" and "No numbered articles" in flat.note
    scan = checker.check(scanned_pdf(), "scan.pdf", clauses)
    assert scan.status == "scanned" and "no text layer" in scan.note
    assert {r.status for r in scan.results} == {"needs_review"}
    with pytest.raises(UnreadableContract, match=r"\.xlsx files"):
        checker.check(b"PK", "sheet.xlsx", clauses)


def test_a_filings_exhibit_number_is_the_title_not_an_annex():
    # SEC filings put the exhibit number of the filing above the contract; read as an annex it
    # swallowed every article as a paragraph without its heading (12 real training contracts)
    for header in ("Exhibit 10.8", "EXHIBIT 4.25", "Exhibit 4(b)(ii).3", "Exhibit 99(k)(5)"):
        structure = _parse(f"{header}\nHOSTING AGREEMENT\n1. Hosting Agreement. This Agreement is made.\n"
                           "2. Provision of Services. The Provider will host the Software.\n"
                           "2.1 Support. The Provider will answer calls 24 hours a day.\n"
                           "3. Audit. The Customer may audit the Provider.\n"
                           "Exhibit A - Service Levels\n1. Availability of 99.9% each month.\n")
        by_label = {s.label: s for s in structure.sections}
        assert {label: s.heading for label, s in by_label.items() if label and label[0].isdigit()} == \
            {"1": "Hosting Agreement", "2": "Provision of Services", "3": "Audit"}, header
        assert _located(structure)["2.1"] == "The Provider will answer calls 24 hours a day."
        assert by_label["Exhibit A"].heading == "Service Levels"  # the contract's own exhibit stays an annex
        assert _located(structure)["Exhibit A"] == "Availability of 99.9% each month."
    # after the first article a dotted exhibit line is not the filing's: it opens an annex
    later = _parse("1. Services\nThe Provider works.\n2. Fees\nFees are due.\nExhibit 2.1 - Service Levels\n"
                   "1. Availability of 99.9% each month.\n")
    assert [s.label for s in later.sections if s.label] == ["1", "2", "Exhibit 2"]


def test_articles_numbered_in_roman_numerals():
    structure = _parse("TRANSITION SERVICES AGREEMENT\nARTICLE I DEFINITIONS\nSection 1.1 Definitions. Terms.\n"
                       "ARTICLE II SERVICES\nSection 2.1 Services. The Provider shall provide the Services.\n"
                       "Article IV  [Audit]\nSection 4.1 The Customer may audit.\nARTICLE IX MISCELLANEOUS\n"
                       "Section 9.1 Notices. In writing.\n")
    assert structure.style == "en_article"
    assert {s.label: s.heading for s in structure.sections if s.label} == {
        "Article 1": "DEFINITIONS", "Article 2": "SERVICES", "Article 4": "[Audit]", "Article 9": "MISCELLANEOUS"}
    assert _located(structure)["Section 4.1"] == "The Customer may audit."
    # a word after Article / Section is no numeral
    assert contracts_structure.ARTICLE_EN.match("Section is void") is None


def test_a_word_files_header_and_footer_are_not_read_as_sentences_of_the_contract():
    # The Word file and its text are the same contract: the header's title and the footer's
    # "Confidential" are page furniture (kept in the structure, located "header"), and reading
    # them as sentences moved a Word file's document score where its text's did not move.
    from vendorrisk.contracts.checker.reading import read
    text = ("第1条（目的）\n本契約は、甲が乙に委託する保守業務について定める。\n第2条（再委託）\n"
            "乙は、甲の書面による承諾を得た場合に限り、本業務を第三者に再委託することができる。\n")
    word = contracts_structure.parse(contracts_text.extract(
        docx_from_text(text, header="保守契約書 / 社外秘", footer="Confidential - 1/1"), "docx").blocks)
    assert [p.text for s in word.sections for p in s.passages if p.part == "header"] == ["保守契約書 / 社外秘"]
    clauses = contracts_library.library()

    def units(structure):
        return [(u.passage.location, u.heading, u.text, u.obligor, u.candidate, sorted(u.features))
                for u in read(structure, clauses).units]
    assert units(word) == units(_parse(text))


def test_a_word_non_breaking_hyphen_reads_as_a_hyphen():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    document = docx.Document()
    document.add_paragraph("1. Subcontracting")
    document.element.body[-1].addprevious(parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t>Provider shall not engage any sub</w:t><w:noBreakHyphen/>'
        f'<w:t>processor without the prior written consent of Customer.</w:t></w:r></w:p>'))
    buffer = io.BytesIO()
    document.save(buffer)
    lines = [b.text for b in contracts_text.extract(buffer.getvalue(), "docx").blocks]
    assert lines[1] == "Provider shall not engage any sub-processor without the prior written consent of Customer."
