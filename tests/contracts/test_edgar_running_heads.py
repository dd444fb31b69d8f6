"""An EDGAR exhibit's running head (the company's name, "Confidential", "Exhibit 10.1"), repeated
atop every page after a page break, is no text of the contract (issue 13, "real files"): the
pages between its page breaks lose it as a PDF's pages do (kept once as a header), and a
paragraph the break cut in two reads whole again."""
from pathlib import Path

import pytest

from tests.contracts.html_writer import HEADING, LONG, contract_html
from vendorrisk.contracts.checker import check, text
from vendorrisk.contracts.checker.library import library

CORPUS = Path(__file__).parent / "corpus"
HEAD = ("ACME HOLDINGS, INC.", "CONFIDENTIAL TREATMENT REQUESTED")
PER_PAGE = 10


def _cut_lines(lines: list[str]) -> list[str]:
    """The paragraphs the writer cuts at a page break (long ones at the end of a page)."""
    return [line for i, line in enumerate(lines) if (i + 1) % PER_PAGE == 0 and len(line) >= LONG and not HEADING.match(line)]


@pytest.mark.parametrize("name,language", [("en_r3_outsourcing_schedules.txt", "en"),
                                           ("ja_r4_wallet_unyou.txt", "ja")])
def test_the_running_head_goes_and_a_paragraph_over_a_page_break_reads_whole(name, language):
    source = (CORPUS / name).read_text(encoding="utf-8")
    lines = [text.normalise(line) for line in source.splitlines() if line.strip()]
    cut = _cut_lines(lines)
    assert cut  # the document has a paragraph cut by a page break
    headed = text.extract(contract_html(source, language, "edgar", head=HEAD, per_page=PER_PAGE), "htm").blocks
    body = [b.text for b in headed if b.part == "body"]
    assert not any(b in HEAD for b in body)
    assert [(b.text, b.part) for b in headed if b.text in HEAD] == [(HEAD[0], "header"), (HEAD[1], "header")]
    for line in cut:
        assert line in body
    # checked as the same exhibit without a running head
    plain = contract_html(source, language, "edgar", per_page=PER_PAGE)
    statuses = [(r.clause_id, r.status, r.location) for r in check(plain, "exhibit.htm", library()).results]
    assert [(r.clause_id, r.status, r.location)
            for r in check(contract_html(source, language, "edgar", head=HEAD, per_page=PER_PAGE), "exhibit.htm",
                           library()).results] == statuses


def _page(body: str) -> bytes:
    return f"<html><body>{body}</body></html>".encode()


def test_every_way_of_writing_a_page_break_makes_a_page():
    pages = ["<p>1.1 The Provider shall keep the Customer's data in Japan and shall not move it without the</p>"
             "<p>Exhibit 10.1</p>",
             "<p>prior written consent of the Customer.</p><p>1.2 The Provider shall keep records.</p><p>Exhibit 10.1</p>",
             "<p>1.3 The Customer may audit the Provider on reasonable notice.</p><p>Exhibit 10.1</p>",
             "<p>1.4 The Provider shall notify the Customer.</p><p>Exhibit 10.1</p>"]
    head = "<p>Acme Holdings, Inc.</p><p>Confidential</p>"
    for opened, closed in (('<hr style="page-break-after:always">', ""), ('<div style="break-before:page">', "</div>"),
                           ('<div style="page-break-before: always">', "</div>")):
        page = _page(head + pages[0] + "".join(f"{opened}{head}{p}{closed}" for p in pages[1:]))
        blocks = text.extract(page, "html").blocks
        body = [b.text for b in blocks if b.part == "body"]
        assert body[0] == "Acme Holdings, Inc." and "Confidential" not in body and "Exhibit 10.1" not in body, opened
        assert "1.1 The Provider shall keep the Customer's data in Japan and shall not move it without the prior " \
               "written consent of the Customer." in body, opened
        # kept once as the header and the footer (the first line stays the title, as in a PDF)
        assert sorted((b.text, b.part) for b in blocks if b.part != "body") == [
            ("Acme Holdings, Inc.", "header"), ("Confidential", "header"), ("Exhibit 10.1", "footer")], opened


def test_a_plain_text_exhibit_loses_its_running_head_between_page_marks():
    page = "ACME HOLDINGS, INC.\n{}\n   {}\n<PAGE>\n"
    texts = ["ARTICLE 1 AUDIT\n1.1 The Customer may audit the Provider on reasonable notice, and the Provider",
             "shall cooperate with the audit.\nARTICLE 2 TERM", "2.1 This Agreement continues for three years."]
    filing = ("<DOCUMENT>\n<TYPE>EX-10.2\n<TEXT>\n" + "".join(page.format(t, n) for n, t in enumerate(texts, 1))
              + "</TEXT>\n</DOCUMENT>\n").encode()
    blocks = text.extract(filing, "htm").blocks
    assert [b.text for b in blocks if b.part == "body"] == [
        "ACME HOLDINGS, INC.", "ARTICLE 1 AUDIT",
        "1.1 The Customer may audit the Provider on reasonable notice, and the Provider shall cooperate with the audit.",
        "ARTICLE 2 TERM", "2.1 This Agreement continues for three years."]
