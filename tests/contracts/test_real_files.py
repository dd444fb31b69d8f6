"""Real files: Japanese PDFs with a text layer (wrapped lines, page numbers), Word files
with tracked changes and comments (read as accepted), scanned PDFs stored and marked."""
import pytest

from tests.contracts.factories import docx_with_revisions, image_pdf, japanese_pdf, scanned_pdf
from tests.contracts.test_contracts import _arrangement, _stored, _upload
from vendorrisk.contracts.checker import pdf, text

JA_LINES = ["クラウドサービス利用契約書",
            "株式会社A（以下「甲」という。）と株式会社B（以下「乙」という。）は、次のとおり契約を締結する。",
            "第1条（目的）", "甲は、乙に対し、ウォレット基盤の運用を委託し、乙はこれを受託する。",
            "第2条（監査）",
            "甲又は甲が指定する監査人は、乙の事業所及びデータセンターに立ち入り、本業務の実施状況を監査することができる。"
            "乙は、これに協力しなければならない。",
            "第3条（再委託）", "乙は、甲の事前の書面による承諾を得なければ、本業務を第三者に再委託してはならない。",
            "第4条（管轄）", "東京地方裁判所を第一審の専属的合意管轄裁判所とする。"]


def test_japanese_pdf_text_layer_is_read_across_wrapped_lines_and_pages():
    pdf = japanese_pdf(JA_LINES, lines_per_page=6, wrap=30)
    extracted = text.extract(pdf, "pdf")
    assert extracted.status == "ok"
    assert "- 1 -" not in extracted.text and "- 2 -" not in extracted.text  # page numbers dropped
    joined = extracted.text.replace("\n", "")
    assert "本業務の実施状況を監査することができる。" in joined


def test_japanese_pdf_upload_is_checked_with_locations(api, db):
    arrangement = _arrangement(db, is_cloud=False, is_important=False, handles_user_data=False)
    response = _upload(api("compliance"), arrangement.id, japanese_pdf(JA_LINES, lines_per_page=6, wrap=30),
                       "契約書.pdf")
    assert response.status_code == 201, response.get_json()
    checks = {c["clause_id"]: c for c in response.get_json()["checks"]}
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["location"] == "第2条"
    assert checks["subcontracting"]["status"] == "found" and checks["subcontracting"]["location"] == "第3条"
    assert checks["service_levels"]["status"] != "found"


def test_tracked_changes_are_read_as_accepted_and_comments_left_out():
    data = docx_with_revisions("第1条（再委託）乙は、", "第三者に自由に再委託することができる。",
                               "甲の事前の書面による承諾を得なければ、本業務を第三者に再委託してはならない。", "",
                               comment="自由な再委託は認めない")
    extracted = text.extract(data, "docx").text
    assert "甲の事前の書面による承諾を得なければ" in extracted
    assert "自由に" not in extracted and "認めない" not in extracted


def test_tracked_changes_decide_the_result(api, db):
    arrangement = _arrangement(db, is_cloud=False, is_important=False, handles_user_data=False)
    data = docx_with_revisions("第1条（再委託）乙は、", "第三者に自由に再委託することができる。",
                               "甲の事前の書面による承諾を得なければ、本業務を第三者に再委託してはならない。", "",
                               comment="自由な再委託は認めない")
    body = _upload(api("compliance"), arrangement.id, data, "変更履歴付き.docx").get_json()
    assert {c["clause_id"]: c["status"] for c in body["checks"]}["subcontracting"] == "found"


def test_a_scan_is_stored_and_marked(api, db):
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, scanned_pdf(), "scan.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["extraction_status"] == "scanned"
    assert all(c["status"] == "needs_review" and c["reason_key"] == "scanned" for c in body["checks"])


@pytest.mark.parametrize("stamp", ["", "Scanned with CamScanner 2026-12-05"])
def test_an_image_only_pdf_is_stored_and_marked_scanned_not_all_missing(api, db, stamp):
    # each page one image, as a scanner writes it; a scanner app's stamp is no text layer
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, image_pdf(pages=4, stamp=stamp), "scan.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["extraction_status"] == "scanned" and "manual review" in body["extraction_note"]
    assert all(c["status"] == "needs_review" and c["reason_key"] == "scanned" for c in body["checks"])
    assert _stored(db)[0] == 1  # the file is kept


def test_a_pdf_is_a_scan_when_most_of_its_pages_are_images():
    assert text.extract(image_pdf(pages=4, text_pages=1), "pdf").status == "scanned"
    half = text.extract(image_pdf(pages=4, text_pages=2), "pdf")  # half read: checked, the rest named
    assert half.status == "partly_scanned" and half.scanned_pages == (3, 4) and "Pages 3, 4 of 4" in half.note
    assert text.extract(image_pdf(pages=2, text_pages=2), "pdf").status == "ok"


def test_a_partly_scanned_pdf_is_checked_and_no_clause_is_reported_missing(api, db):
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, image_pdf(pages=4, text_pages=2), "signed.pdf").get_json()
    assert body["extraction_status"] == "partly_scanned"
    assert not [c for c in body["checks"] if c["status"] == "not_found"]
    assert any(c["reason_key"] == "partly_scanned" for c in body["checks"])


def test_a_pdf_whose_fonts_carry_no_character_map_is_marked_not_read(api, client, login, db):
    # the glyph numbers of a font without a ToUnicode map are no text: checking them would
    # report every clause missing
    garbled = japanese_pdf(JA_LINES * 3, character_map=False)
    extracted = text.extract(garbled, "pdf")
    assert extracted.status == "unreadable_text" and "neither Japanese nor English" in extracted.note
    assert text.extract(japanese_pdf(JA_LINES * 3), "pdf").status == "ok"
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, garbled, "old-tool.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["extraction_status"] == "unreadable_text"
    assert all(c["status"] == "needs_review" and c["reason_key"] == "unreadable_text" for c in body["checks"])
    assert _stored(db)[0] == 1  # the file is kept
    login("compliance")
    page = client.get(f"/contracts/arrangements/{arrangement.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "文字判読不能" in page and "日本語にも英語にもなっていません" in page and "neither Japanese" not in page


def test_text_is_judged_japanese_or_english_on_real_contracts_and_not_on_glyph_numbers():
    from pathlib import Path
    real = Path(__file__).parent / "corpus_real"
    texts = sorted(real.glob("*/texts/*.txt")) + sorted((Path(__file__).parent / "corpus").glob("*.txt"))
    assert len(texts) > 100
    assert [p.name for p in texts if not pdf.reads_as_japanese_or_english(p.read_text())] == []
    english = (real / "en" / "texts" / "supabase_sla.txt").read_text()
    assert pdf.reads_as_japanese_or_english(english.replace(" ", ""))  # read without spaces: still English
    shifted = "".join(chr((ord(c) - 97 + 3) % 26 + 97) if "a" <= c <= "z" else c for c in english)
    assert not pdf.reads_as_japanese_or_english(shifted)  # a font's own encoding: letters, no English
    assert pdf.reads_as_japanese_or_english("Ā" * 150)  # too short to judge


def test_the_checklist_of_an_unread_pdf_says_why_in_its_own_language(api, db):
    import io

    import docx
    arrangement = _arrangement(db)
    body = _upload(api("compliance"), arrangement.id, scanned_pdf(), "scan.pdf").get_json()
    for lang, wanted, unwanted in (("ja", "PDF にテキストがありません", "no text layer"),
                                   ("en", "no text layer", "テキストがありません")):
        response = api("compliance").get(f"/api/v1/contracts/{body['id']}/checklist.docx?lang={lang}")
        assert response.status_code == 200
        written = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
        assert wanted in written and unwanted not in written, lang


def test_a_pdfs_running_header_is_taken_out_of_the_sentences_it_would_break():
    from vendorrisk.contracts.checker import structure
    header = "クラウドサービス利用契約書（機密）"
    extracted = text.extract(japanese_pdf(JA_LINES, lines_per_page=6, wrap=30, running_header=header), "pdf")
    body = [b.text for b in extracted.blocks if b.part == "body"]
    read = text.normalise(header)
    assert body[0] == read  # the title, where the document begins
    assert read not in body[1:]  # not between the lines of a sentence
    assert "本業務の実施状況を監査することができる。" in "".join(body)
    assert [b.text for b in extracted.blocks if b.part == "header"] == [read]  # kept once, as a Word header
    passages = [p.text for s in structure.parse(extracted.blocks).sections for p in s.passages if p.part == "body"]
    audit = [p for p in passages if "監査" in p]
    assert audit and not any("機密" in p for p in audit)
    # two pages are too few to tell a running header from the text
    short = text.extract(japanese_pdf(JA_LINES[:6], lines_per_page=6, wrap=30, running_header=header), "pdf")
    assert not [b for b in short.blocks if b.part != "body"]


def _docx_in_content_controls() -> bytes:
    """A Word file made from a template: a table of contents (a gallery content control), the
    articles inside a rich-text content control, an SLA table with a table inside a cell."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    w = nsdecls("w")
    document = docx.Document()
    document.add_paragraph("システム運用業務委託契約書")
    body = document.element.body
    toc = parse_xml(f'<w:sdt {w}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
                    f'</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>目次</w:t></w:r></w:p>'
                    f'<w:p><w:r><w:t>第2条（監査）........3</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    control = parse_xml(f'<w:sdt {w}><w:sdtPr><w:alias w:val="本文"/></w:sdtPr><w:sdtContent/></w:sdt>')
    for line in JA_LINES[1:]:
        control[1].append(parse_xml(f'<w:p {w}><w:r><w:t>{line}</w:t></w:r></w:p>'))
    sect = body[-1]
    sect.addprevious(toc)
    sect.addprevious(control)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "稼働率"
    inner = table.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "月間"
    inner.cell(0, 1).text = "99.9%以上"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_files_content_controls_are_read_and_its_table_of_contents_is_not(api, db):
    extracted = text.extract(_docx_in_content_controls(), "docx")
    lines = [b.text for b in extracted.blocks]
    assert lines[0] == "システム運用業務委託契約書"
    assert text.normalise(JA_LINES[3]) in lines  # inside the content control
    assert not [line for line in lines if "目次" in line or "...." in line]  # the table of contents left out
    assert [b.text for b in extracted.blocks if b.part == "table"] == ["稼働率 | 月間 | 99.9%以上"]
    arrangement = _arrangement(db, is_cloud=False, is_important=False, handles_user_data=False)
    response = _upload(api("compliance"), arrangement.id, _docx_in_content_controls(), "契約書.docx")
    assert response.status_code == 201, response.get_json()
    checks = {c["clause_id"]: c for c in response.get_json()["checks"]}
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["location"] == "第2条"


def _docx_with_text_box() -> bytes:
    """A Word file whose audit article sits in a text box, written as Word writes one: the
    DrawingML box (``mc:Choice``) and its VML copy for older readers (``mc:Fallback``); a
    second box inside a table cell."""
    import io

    import docx
    from docx.oxml import parse_xml
    namespaces = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                  'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                  'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                  'xmlns:v="urn:schemas-microsoft-com:vml"')

    def anchored(before: str, boxed: str) -> str:
        box = f'<w:txbxContent><w:p><w:r><w:t>{boxed}</w:t></w:r></w:p></w:txbxContent>'
        return (f'<w:p {namespaces}><w:r><w:t>{before}</w:t></w:r><w:r><mc:AlternateContent>'
                f'<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></w:drawing>'
                f'</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>'
                f'</mc:Fallback></mc:AlternateContent></w:r></w:p>')

    document = docx.Document()
    document.add_paragraph("システム運用業務委託契約書")
    body = document.element.body
    body[-1].addprevious(parse_xml(anchored("第1条（目的）本契約は業務の委託について定める。",
                                            "第2条（監査）甲は、乙の業務について監査を行うことができる。")))
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "稼働率"
    cell = table.cell(0, 1)._tc
    cell.remove(cell[-1])
    cell.append(parse_xml(anchored("月間", "99.9%以上")))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_text_box_is_read_once_as_its_own_paragraph():
    lines = [(b.text, b.part) for b in text.extract(_docx_with_text_box(), "docx").blocks]
    assert lines == [("システム運用業務委託契約書", "body"), ("第1条(目的)本契約は業務の委託について定める。", "body"),
                     ("第2条(監査)甲は、乙の業務について監査を行うことができる。", "body"),
                     ("稼働率 | 月間 99.9%以上", "table")], lines
