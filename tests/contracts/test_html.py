"""Contracts uploaded as HTML: an SEC EDGAR exhibit (.htm in its SGML envelope, layout tables,
page numbers between pages) and a Japanese 利用規約 saved from a browser (Shift_JIS, navigation,
header and footer, ``<ol>`` items) are checked as their text twins; the page is never served
back as a page of our origin."""
import io
from pathlib import Path

import pytest

from tests.contracts.factories import japanese_pdf
from tests.contracts.test_contracts import _arrangement, _stored, _upload
from vendorrisk.contracts.checker import html, text

HERE = Path(__file__).parent / "html"
PAIRS = [("exhibit.htm", "exhibit_twin.txt"), ("kiyaku.html", "kiyaku_twin.txt")]


def _checks(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return {c["clause_id"]: c for c in response.get_json()["checks"]}


def _blocks(data: bytes, kind: str = "html") -> list[str]:
    return [b.text for b in text.extract(data, kind).blocks]


@pytest.mark.parametrize("page,twin", PAIRS)
def test_an_html_contract_is_checked_as_its_text_twin(api, db, page, twin):
    client = api("compliance")
    data = (HERE / page).read_bytes()
    on_page = _checks(_upload(client, _arrangement(db).id, data, page))
    on_twin = _checks(_upload(client, _arrangement(db).id, (HERE / twin).read_bytes(), twin))
    assert {k: c["status"] for k, c in on_page.items()} == {k: c["status"] for k, c in on_twin.items()}
    found = [k for k, c in on_page.items() if c["status"] == "found"]
    assert {"audit_rights", "subcontracting", "data_location", "service_levels"} <= set(found)
    read = " ".join(_blocks(data))  # evidence of two paragraphs quotes them one after the other
    for clause_id in found:  # the evidence is quoted as the page reads, at the twin's place
        page_check, twin_check = on_page[clause_id], on_twin[clause_id]
        assert page_check["location"] == twin_check["location"]
        assert page_check["evidence"] and page_check["evidence"] in read
        assert page_check["evidence"].replace("“", '"').replace("”", '"').replace("’", "'") \
            == twin_check["evidence"]


def test_a_saved_terms_page_reads_without_its_chrome():
    blocks = text.extract((HERE / "kiyaku.html").read_bytes(), "html").blocks
    body = [b.text for b in blocks if b.part == "body"]
    assert body[:3] == ["ウォレット基盤サービス利用規約",
                        "株式会社サンプル(以下「当社」という。)が提供するウォレット基盤サービス(以下「本サービス」という。)"
                        "の利用条件を定める。", "第1条(目的)"]
    assert "第2条(サービス水準)" in body  # <h2>第<span>2</span>条: inline parts joined without a space
    assert "1. 本規約に基づく契約が終了した場合、当社は利用者データを利用者に返還し、その後、復元できない方法で消去する。" in body
    joined = "\n".join(b.text for b in blocks)
    for chrome in ("クッキー", "ホーム", "お問い合わせ", "関連リンク", "検索", "dataLayer", "ol.kiyaku", "｜"):
        assert chrome not in joined
    assert [(b.part, b.text) for b in blocks if b.part != "body"] == [
        ("header", "株式会社サンプル"), ("footer", "Copyright 2026 Sample K.K. All rights reserved.")]


def test_a_page_wrapped_in_a_form_or_a_consent_box_is_still_read():
    page = (HERE / "kiyaku.html").read_bytes().decode("cp932")
    wrapped = page.replace("<main>", '<form id="aspnetForm" method="post"><main>').replace("</main>", "</main></form>")
    boxed = page.replace("<main>", '<div class="terms-consent">').replace("</main>", "</div>")
    for variant in (wrapped, boxed):
        body = _blocks(variant.encode("cp932"))
        assert "第3条(監査)" in body and len(body) == 20
        assert not any("クッキー" in t or "検索" in t for t in body)


def test_an_edgar_exhibit_reads_its_first_document_without_page_numbers():
    body = _blocks((HERE / "exhibit.htm").read_bytes(), "htm")
    assert body[0] == "EXHIBIT 10.1" and "ARTICLE 3 AUDIT" in body
    assert "2.2 If the Provider fails to meet the availability commitment, the Customer is entitled to service " \
           "credits." in body  # numbered by its layout table; a word split by <FONT> kept whole
    assert not any(t in ("- 1 -", "- 2 -", "- 3 -") for t in body)
    assert not any("OTHER EXHIBIT" in t or "EX-10" in t for t in body)


def test_ordered_lists_are_numbered_as_a_browser_draws_them():
    page = ('<ol type="a" start="3"><li>third</li><li>fourth<ol type="i"><li>inner one</li><li>inner two</li></ol>'
            '</li><li value="8">eighth</li></ol><ol type="I" start="4"><li>four</li></ol>'
            '<ol reversed><li>two</li><li>one</li></ol><ul><li>bullet</li></ul>'
            '<ol style="list-style-type:none"><li>plain</li></ol><ol><li>(a) typed</li></ol>').encode()
    assert _blocks(page) == ["c. third", "d. fourth", "i. inner one", "ii. inner two", "h. eighth", "IV. four",
                             "2. two", "1. one", "bullet", "plain", "(a) typed"]


def test_tables_read_as_rows_and_layout_tables_as_paragraphs():
    page = ("<table><tr><th>Service</th><th>Availability</th></tr><tr><td>Wallet API</td><td>99.95%</td></tr></table>"
            "<table><tr><td>(a)</td><td>the Provider shall</td><td>encrypt data.</td></tr>"
            "<tr><td>&#8226;</td><td>a bulleted line</td></tr><tr><td><p>one cell</p><p>two lines</p></td></tr>"
            "</table><p>Art<b>icle</b> <i>9</i><br>next line</p><pre>  kept\n  lines</pre>").encode()
    assert _blocks(page) == ["Service | Availability", "Wallet API | 99.95%", "(a) the Provider shall",
                             "encrypt data.", "a bulleted line", "one cell", "two lines", "Article 9", "next line",
                             "kept", "lines"]
    blocks = text.extract(page, "html").blocks
    assert [b.part for b in blocks][:2] == ["table", "table"]


def test_a_source_line_break_between_japanese_characters_is_no_space():
    page = "<p>甲は、乙\nに対し、\n  委託する。 English\nwords</p><p>第　3　条</p>".encode()
    assert _blocks(page) == ["甲は、乙に対し、委託する。 English words", "第 3 条"]


@pytest.mark.parametrize("declaration,codec", [
    ('<meta charset="Shift_JIS">', "cp932"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">', "euc_jp"),
    ('<meta charset="utf-8">', "utf-8"),
    ('<meta charset="iso-8859-1">', "cp1252"),
    ("", "utf-8-sig"),
])
def test_the_declared_charset_is_read(declaration, codec):
    words = "Provider’s café" if codec == "cp1252" else "第3条（監査）乙は監査に協力する。"
    page = f"<html><head>{declaration}</head><body><p>{words}</p></body></html>".encode(codec)
    assert _blocks(page) == [text.normalise(words)]


def test_euc_jp_page_is_accepted_and_checked(api, db):
    page = (HERE / "kiyaku.html").read_bytes().decode("cp932").replace("charset=Shift_JIS", "charset=EUC-JP")
    checks = _checks(_upload(api("compliance"), _arrangement(db).id, page.encode("euc_jp"), "kiyaku.htm"))
    assert checks["audit_rights"]["status"] == "found" and checks["audit_rights"]["location"] == "第3条"


def test_a_pdf_named_html_and_a_page_without_text_are_refused(api, db):
    client = api("compliance")
    arrangement = _arrangement(db)
    before = _stored(db)
    pdf = _upload(client, arrangement.id, japanese_pdf(["第1条（目的）", "本契約の目的を定める。"]), "terms.html")
    assert pdf.status_code == 422 and "PDF" in pdf.get_json()["error"]["message"]
    empty = _upload(client, arrangement.id, b"<html><head><title>T</title><script>x()</script></head>"
                                            b"<body><nav>Home</nav><p>&nbsp;</p></body></html>", "empty.html")
    assert empty.status_code == 422
    assert "no text" in empty.get_json()["error"]["message"]
    assert _stored(db) == before  # nothing stored


def test_the_uploaded_page_downloads_as_an_attachment_never_inline(client, login, db):
    arrangement = _arrangement(db)
    login("compliance")
    page = (HERE / "kiyaku.html").read_bytes().replace(b"<main>", b"<main><script>alert(document.cookie)</script>")
    response = client.post(f"/contracts/arrangements/{arrangement.id}/upload",
                           data={"file": (io.BytesIO(page), "kiyaku.html"), "title": "利用規約"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    original = client.get(response.headers["Location"] + "/file")
    assert original.status_code == 200 and original.data == page
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in original.headers["Content-Security-Policy"]
    assert "script-src" not in original.headers["Content-Security-Policy"]


def test_marker():
    assert [html.marker(n, "a") for n in (1, 26, 27)] == ["a.", "z.", "aa."]
    assert html.marker(14, "I") == "XIV." and html.marker(3, "1") == "3."


def test_a_plain_text_exhibit_in_its_envelope_reads_as_lines():
    filing = (b"<DOCUMENT>\n<TYPE>EX-10.2\n<TEXT>\nARTICLE 1 AUDIT\n1.1 The Customer may audit the Provider.\n"
              b"<PAGE>\n   2\nARTICLE 2 TERM\n</TEXT>\n</DOCUMENT>\n")
    assert _blocks(filing, "htm") == ["ARTICLE 1 AUDIT", "1.1 The Customer may audit the Provider.", "ARTICLE 2 TERM"]


def test_an_xhtml_page_with_its_xml_declaration_is_read():
    page = ('<?xml version="1.0" encoding="Shift_JIS"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS" /></head>'
            "<body><p>第3条（監査）</p></body></html>").encode("cp932")
    assert _blocks(page) == ["第3条(監査)"]
