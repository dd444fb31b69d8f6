"""Contracts read from Word files as vendors write them read as their text does (docx26)."""
import io
import zipfile

import pytest

from tests.contracts.docx_writer import VARIANTS, contract_docx
from vendorrisk.contracts import checker, corpus
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.checker import numbering
from vendorrisk.contracts.checker import text as contracts_text


def lines_of(data: bytes) -> list[str]:
    return contracts_text.extract(data, "docx").text.splitlines()


def test_the_writer_puts_the_numbers_in_numbering_xml_not_in_the_text():
    data = contract_docx("第1条(目的)\n本契約は、業務の委託について定める。\n第2条(再委託)\n乙は再委託しない。", "ja", "numbered")
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "第1条" not in body and "第2条" not in body and "(再委託)" in body
    assert lines_of(data) == ["第1条 (目的)", "本契約は、業務の委託について定める。", "第2条 (再委託)", "乙は再委託しない。"]


def test_a_list_restarted_or_set_to_another_value_reads_as_word_shows_it():
    # Word writes "Restart at 1" / "Set Numbering Value" as a w:num with w:lvlOverride/w:startOverride
    text = ("1. DEFINITIONS\n2. SERVICES\n7. SUBCONTRACTING\n7.1 Supplier shall not subcontract.\n"
            "7.2 Supplier remains liable.\n12. AUDIT\n12.3 Customer may audit.\n(a) first\n(b) second\n"
            "(a) again from the start")
    data = contract_docx(text, "en", "numbered")
    assert b"startOverride" in zipfile.ZipFile(io.BytesIO(data)).read("word/numbering.xml")
    assert lines_of(data) == text.splitlines()


def test_roman_numbered_items_read_as_roman_numerals():
    text = "9.4 Upon termination:\n(i) each party returns the data;\n(ii) fees fall due;\n(iii) licences end;\n(iv) survival."
    assert lines_of(contract_docx(text, "en", "numbered")) == text.splitlines()
    assert numbering.to_roman(14) == "XIV" and numbering.to_roman(1990) == "MCMXC"


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_clause_checks_of_a_word_file_are_those_of_its_text(variant):
    clauses = contracts_library.library()
    documents = [d for d in corpus.own_documents() if d.path.suffix == ".txt"]
    for document in (next(d for d in documents if d.language == "ja"), next(d for d in documents if d.language == "en")):
        text = document.path.read_text(encoding="utf-8")
        on_text = checker.check(text.encode("utf-8"), document.path.name, clauses)
        word = contract_docx(text, document.language, variant, title="Agreement", seed=1)
        on_docx = checker.check(word, document.path.stem + ".docx", clauses)
        assert {r.clause_id: r.status for r in on_docx.results} == {r.clause_id: r.status for r in on_text.results}


def test_a_level_redefined_in_a_list_override_reads_with_its_own_text():
    # some tools restart a list by redefining the level inside w:lvlOverride instead of w:startOverride
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    root = document.part.numbering_part.element
    root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                             f'<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="77"/><w:lvlOverride w:ilvl="0">'
                          f'<w:lvl w:ilvl="0"><w:start w:val="4"/><w:numFmt w:val="upperRoman"/>'
                          f'<w:lvlText w:val="ARTICLE %1"/></w:lvl></w:lvlOverride></w:num>'))
    for heading in ("SUBCONTRACTING", "AUDIT"):
        ppr = document.add_paragraph(heading)._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="77"/></w:numPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    assert lines_of(buffer.getvalue()) == ["ARTICLE IV SUBCONTRACTING", "ARTICLE V AUDIT"]


def test_lists_of_one_definition_continue_each_other_unless_restarted():
    # Word counts on the w:abstractNum: a w:num without overrides continues the numbers of
    # another instance of the same definition (a pasted article, a heading style's list);
    # one with a w:startOverride restarts where it is first used, and the others go on from it
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    root = document.part.numbering_part.element
    root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="60"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                             f'<w:numFmt w:val="decimal"/><w:lvlText w:val="Article %1."/></w:lvl>'
                             f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                             f'<w:lvlText w:val="%1.%2"/></w:lvl></w:abstractNum>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="61"><w:abstractNumId w:val="60"/></w:num>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="62"><w:abstractNumId w:val="60"/></w:num>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="63"><w:abstractNumId w:val="60"/><w:lvlOverride w:ilvl="0">'
                          f'<w:startOverride w:val="9"/></w:lvlOverride></w:num>'))
    for text, num_id, level in (("SERVICES", 61, 0), ("Provider performs.", 61, 1), ("FEES", 62, 0),
                                ("Customer pays.", 62, 1), ("AUDIT", 61, 0), ("SUBCONTRACTING", 63, 0),
                                ("Prior consent.", 63, 1), ("TERM", 61, 0)):
        ppr = document.add_paragraph(text)._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    assert lines_of(buffer.getvalue()) == [
        "Article 1. SERVICES", "1.1 Provider performs.", "Article 2. FEES", "2.1 Customer pays.", "Article 3. AUDIT",
        "Article 9. SUBCONTRACTING", "9.1 Prior consent.", "Article 10. TERM"]


def test_a_list_of_a_list_style_reads_with_the_style_definition():
    # a definition with w:numStyleLink has no levels of its own: it numbers with the list
    # style's definition (and counts on it), as Word's "Define New List Style" writes it
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    root = document.part.numbering_part.element
    root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="70"><w:styleLink w:val="ContractList"/>'
                             f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                             f'<w:lvlText w:val="Section %1."/></w:lvl></w:abstractNum>'))
    root.insert(1, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="72">'
                             f'<w:numStyleLink w:val="ContractList"/></w:abstractNum>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="71"><w:abstractNumId w:val="70"/></w:num>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="73"><w:abstractNumId w:val="72"/></w:num>'))
    document.styles.element.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="numbering" w:styleId="ContractList"><w:name w:val="Contract List"/>'
        f'<w:pPr><w:numPr><w:numId w:val="71"/></w:numPr></w:pPr></w:style>'))
    for text, num_id in (("SERVICES", 71), ("SUBCONTRACTING", 73), ("AUDIT", 73)):
        ppr = document.add_paragraph(text)._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    buffer = io.BytesIO()
    document.save(buffer)
    assert lines_of(buffer.getvalue()) == ["Section 1. SERVICES", "Section 2. SUBCONTRACTING", "Section 3. AUDIT"]
