"""The Word 97–2003 fixtures of ``test_doc.py``: two contracts of the own corpus written as .docx
(python-docx: a table, a footnote, a non-breaking hyphen, a header and a footer; the Japanese one
a tracked insertion and deletion too) and converted to .doc by LibreOffice, an independent writer of the format.

Run ``python -m tests.contracts.doc_fixtures`` where ``soffice`` is installed to write both forms
into ``tests/contracts/files/``; the tests read the committed files (CI has no LibreOffice).
"""
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

HERE = Path(__file__).parent
FILES = HERE / "files"
CORPUS = HERE / "corpus"
# name: (own-corpus text, language, header, footer, table rows, footnote)
FIXTURES = {
    "en_outsourcing": ("en_r3_outsourcing_schedules.txt", "en", "Outsourcing Agreement", "Confidential",
                       [("Service", "Availability", "Response time"), ("Custody platform", "99.9%", "1 hour"),
                        ("Reporting", "99.5%", "1 business day"), ("Support desk", "", "4 hours")],
                       "Amounts exclude consumption tax."),
    "ja_gyomu_itaku": ("ja_r4_wallet_unyou.txt", "ja", "業務委託契約", "機密",
                       [("業務", "内容"), ("監視", "24時間365日の稼働監視"), ("保守", "定期保守及び障害対応"), ("報告", "")],
                       "金額は消費税別とする。"),
}
# name: (language, text) — written in Word's automatic numbering by docx_writer's ``numbered`` form; LibreOffice's
# own reading of its .doc (its text export, which draws the list numbers) is kept beside it as ``.lo.txt``
NUMBERED = {
    "numbered_ja": ("ja", "第一条(目的)\n本契約は、業務の委託について定める。\n第二条(再委託)\n(1) 乙は、甲の書面による承諾なく"
                          "再委託しない。\n(2) 乙は、再委託先の行為について責任を負う。\n第三条(監査)\n甲は、乙の業務を監査することができる。"),
    "numbered_en": ("en", "1. DEFINITIONS\n2. SERVICES\n7. SUBCONTRACTING\n7.1 Supplier shall not subcontract.\n"
                          "7.2 Supplier remains liable.\n12. AUDIT\n(a) first\n(b) second\n(i) one\n(ii) two"),
}
# name: (paragraphs, footnotes): ``[[N]]`` marks a reference to footnote N (``test_word_notes.docx_with_notes``)
NOTES = {"notes_en": (["Article 1 Services[[1]]", "The Provider shall provide the services.", "Article 2 Records[[2]]",
                       "The Provider shall keep records of the services."],
                      {"1": "Amounts exclude consumption tax.", "2": "The Provider shall permit the Customer and its "
                       "auditors to audit and inspect the Provider's premises, systems, books and records relating to "
                       "the services."})}
FOOTNOTES = ('<w:footnotes {ns}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
             '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
             '</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space='
             '"preserve"> {text}</w:t></w:r></w:p></w:footnote></w:footnotes>')


def contract_docx(name: str) -> bytes:
    """The .docx form of fixture ``name``."""
    source, language, header, footer, rows, footnote = FIXTURES[name]
    lines = [line for line in (CORPUS / source).read_text(encoding="utf-8").splitlines() if line.strip()]
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text, section.footer.paragraphs[0].text = header, footer
    first = document.add_paragraph(lines[0])
    first._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:footnoteReference w:id="1"/></w:r>'))
    for line in lines[1:4]:
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 1).add_paragraph("(monthly)" if language == "en" else "（月次報告を含む）")  # a cell of two paragraphs
    hyphen = document.add_paragraph("Incidents are logged within a 24" if language == "en" else "障害は24")
    hyphen._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:noBreakHyphen/></w:r>'))
    hyphen.add_run("hour window." if language == "en" else "時間以内に記録する。")
    for line in lines[4:]:
        document.add_paragraph(line)
    if language == "ja":  # a tracked insertion and deletion (Word's 変更履歴), read as accepted
        paragraph = document.add_paragraph("乙は、本業務の実施状況を毎月甲に報告する。")
        paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="901" w:author="甲" w:date="2026-12-01T00:00:00Z">'
                                      f'<w:r><w:t>報告書は書面で提出する。</w:t></w:r></w:ins>'))
        paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="902" w:author="甲" w:date="2026-12-01T00:00:00Z">'
                                      f'<w:r><w:delText>口頭による報告で足りる。</w:delText></w:r></w:del>'))
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_footnote(buffer.getvalue(), footnote)


def _with_footnote(data: bytes, text: str) -> bytes:
    """Add the footnotes part python-docx does not write (its part, relation and content type)."""
    import zipfile

    rel = ('<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'footnotes" Target="footnotes.xml"/>')
    override = ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.footnotes+xml"/>')
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                part = part.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                part = part.replace(b"</Types>", override.encode() + b"</Types>")
            target.writestr(info, part)
        target.writestr("word/footnotes.xml", FOOTNOTES.format(ns=nsdecls("w"), text=text).encode("utf-8"))
    return out.getvalue()


def main() -> None:
    """Write each fixture's .docx and LibreOffice's .doc of it into tests/contracts/files/."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice (LibreOffice) is not installed: the committed fixtures stay as they are")
    FILES.mkdir(exist_ok=True)
    from tests.contracts.docx_writer import contract_docx as numbered_docx
    from tests.contracts.test_word_notes import docx_with_notes

    with tempfile.TemporaryDirectory() as work:
        profile = f"-env:UserInstallation=file://{work}/profile"
        for name in [*FIXTURES, *NUMBERED, *NOTES]:
            source = FILES / f"{name}.docx"
            source.write_bytes(contract_docx(name) if name in FIXTURES
                               else docx_with_notes(*NOTES[name][:1], "footnote", NOTES[name][1]) if name in NOTES
                               else numbered_docx(NUMBERED[name][1], NUMBERED[name][0], "numbered"))
            subprocess.run([soffice, profile, "--headless", "--convert-to", "doc", "--outdir", str(FILES), str(source)],
                           check=True)
            print(f"{name}.doc: {(FILES / f'{name}.doc').stat().st_size} bytes")
        for name in NUMBERED:
            subprocess.run([soffice, profile, "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", work,
                            str(FILES / f"{name}.doc")], check=True)
            (FILES / f"{name}.lo.txt").write_bytes(Path(work, f"{name}.txt").read_bytes())


if __name__ == "__main__":
    main()
