"""Word footnotes and endnotes are read (issue 13, "real files"): a clause written only in a note
is found and located there (``footnote 2`` / ``文末脚注1``), numbered as Word numbers the notes,
Word's separator notes are not read, tracked changes in a note read as accepted, the reference
mark leaves no digit in the body; and ``w:suff`` (what follows a list number)."""
import io
import re
import zipfile

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.contracts.factories import _number
from vendorrisk.contracts.checker import check
from vendorrisk.contracts.checker.library import library
from vendorrisk.contracts.checker.text import extract

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
AUDIT_EN = ("The Provider shall permit the Customer and its auditors to audit and inspect the Provider's premises, "
            "systems, books and records relating to the services, and shall provide all information and cooperation "
            "reasonably requested for such audits.")
AUDIT_JA = ("委託者は、本業務の実施状況について、受託者に報告を求め、又は受託者の事業所に立ち入り、監査を行うことができる。"
            "受託者は、当該監査に協力するものとする。")


def _notes_xml(part: str, notes: dict[str, str]) -> str:
    """A notes part: Word's two separator notes (the second with words in it, to show it is not
    read), then ``notes`` ({id: text}), the second run of each an insertion and a deletion."""
    body = "".join(
        f'<w:{part} w:id="{i}"><w:p><w:r><w:{part}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r>'
        f'<w:ins w:id="9{i}" w:author="a"><w:r><w:t xml:space="preserve"> Inserted words.</w:t></w:r></w:ins>'
        f'<w:del w:id="8{i}" w:author="a"><w:r><w:delText>Deleted words.</w:delText></w:r></w:del></w:p></w:{part}>'
        for i, text in notes.items())
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{part}s xmlns:w="{W}">'
            f'<w:{part} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{part}>'
            f'<w:{part} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:t>Separator words of the audit '
            f'rights of the Customer.</w:t></w:r></w:p></w:{part}>{body}</w:{part}s>')


def docx_with_notes(paragraphs: list[str], part: str, notes: dict[str, str]) -> bytes:
    """A Word file of ``paragraphs`` whose ``[[N]]`` marks are references to note ``N`` of ``part``
    (``footnote`` or ``endnote``) holding ``notes[N]``: the part and its relationship added as Word
    writes them."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if not item.filename.endswith((".xml", ".rels")):
                target.writestr(item, data)
                continue
            data = data.decode("utf-8")
            if item.filename == "word/document.xml":
                data = re.sub(r"\[\[(\d+)\]\]", lambda m: f'</w:t></w:r><w:r><w:{part}Reference w:id="{m.group(1)}"/>'
                                                          f'</w:r><w:r><w:t xml:space="preserve">', data)
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", f'<Relationship Id="rIdNotes" Type="{REL}/{part}s" '
                                                        f'Target="{part}s.xml"/></Relationships>')
            elif item.filename == "[Content_Types].xml":
                data = data.replace("</Types>", f'<Override PartName="/word/{part}s.xml" ContentType="application/'
                                                f'vnd.openxmlformats-officedocument.wordprocessingml.{part}s+xml"/></Types>')
            target.writestr(item, data)
        target.writestr(f"word/{part}s.xml", _notes_xml(part, notes))
    return out.getvalue()


ENGLISH = ["Services Agreement", "1. Services", "The Provider shall provide the hosting services.[[2]]",
           "2. Fees", "The Customer shall pay the fees within thirty days.[[1]]",
           "3. Term", "This Agreement continues for three years."]


def test_a_clause_written_only_in_a_footnote_is_found_there():
    data = docx_with_notes(ENGLISH, "footnote", {"1": AUDIT_EN, "2": "Hosting means the services of the order form."})
    blocks = extract(data, "docx").blocks
    body = [b.text for b in blocks if b.part == "body"]
    # the reference mark leaves no digit glued to the sentence
    assert "The Provider shall provide the hosting services." in body
    assert "The Customer shall pay the fees within thirty days." in body
    notes = [(b.note, b.text) for b in blocks if b.part == "footnote"]
    # numbered in the order the body refers to them: note 2 first; insertions kept, deletions out
    assert notes == [(1, "Hosting means the services of the order form. Inserted words."),
                     (2, AUDIT_EN + " Inserted words.")]
    assert not any("Separator words" in b.text or "Deleted words" in b.text for b in blocks)
    results = {r.clause_id: r for r in check(data, "agreement.docx", library()).results}
    assert results["audit_rights"].status == "found" and results["audit_rights"].location == "footnote 2"


def test_a_japanese_endnote_is_located_in_japanese():
    paragraphs = ["業務委託契約書", "第1条（目的）", "委託者は、受託者に対し、システムの運用業務を委託する。[[1]]",
                  "第2条（再委託）", "受託者は、委託者の事前の書面による承諾を得ない限り、本業務を第三者に再委託してはならない。"]
    data = docx_with_notes(paragraphs, "endnote", {"1": AUDIT_JA})
    results = {r.clause_id: r for r in check(data, "契約書.docx", library()).results}
    assert results["audit_rights"].status == "found" and results["audit_rights"].location == "文末脚注1"
    assert results["subcontracting"].location == "第2条"


def _numbered_docx(suff: str | None) -> bytes:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    suffix = f'<w:suff w:val="{suff}"/>' if suff else ""
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="decimal"/>{suffix}<w:lvlText w:val="第%1条"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    for text in ("（目的）", "（監査）"):
        _number(document.add_paragraph(text), "91")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_what_follows_a_list_number_is_drawn_as_word_draws_it():
    # NFKC: （目的） reads (目的)
    assert [b.text for b in extract(_numbered_docx("nothing"), "docx").blocks] == ["第1条(目的)", "第2条(監査)"]
    for suff in ("space", "tab", None):  # a tab is the default
        assert [b.text for b in extract(_numbered_docx(suff), "docx").blocks] == ["第1条 (目的)", "第2条 (監査)"]
