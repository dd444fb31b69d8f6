"""PDF reading as real PDFs come (tests/contracts/pdf_writer.py): lines wrapped inside a sentence
joined again, words hyphenated at a line end joined, Japanese lines wrapped inside a word joined
without a space, pages whose text is glyph numbers left out and named; a contract reads the same
from its PDF as from its text."""
import pytest

from tests.contracts.pdf_writer import contract_pdf, pdf_pages, wrap_english, wrap_japanese
from tests.contracts.test_contracts import _arrangement, _upload
from vendorrisk.contracts import checker
from vendorrisk.contracts.checker import library, reasons, structure, text

FILLER = ("The Provider shall perform the Services with the skill, care and diligence that a prudent supplier of "
          "such services would use, and shall keep the Customer informed of the progress of the work. ")


def _english_pages(paragraphs: list[str]) -> list[list[str]]:
    lines = []
    for paragraph in paragraphs:
        lines += wrap_english(paragraph, 90, hyphen_share=0) + [""]
    return [lines[i:i + 40] for i in range(0, len(lines), 40)]


def _body(data: bytes) -> list[str]:
    return [b.text for b in text.extract(data, "pdf").blocks if b.part == "body"]


def test_a_word_hyphenated_at_a_line_end_is_joined_and_a_compound_keeps_its_hyphen():
    lines = wrap_english(FILLER * 3, 90, hyphen_share=0)
    pages = [lines + ["",
                      "1. Subcontracting. The Provider shall not appoint for any part of the Services any sub-",  # typesetter's hyphenation
                      "contractor without the prior written consent of the Customer and shall remain liable for each",
                      "subcontractor it appoints. No third-party software may be installed by the Provider on third-",
                      "party systems of the Customer without that consent, which may be withheld for any reason.",
                      "", "2. Sub-processors. The Provider may use sub-processors listed in Schedule 2, and it gives",
                      "the Customer thirty days' notice in writing before it engages or appoints any new sub-",
                      "processor for the processing of the Customer's personal data under this Agreement."]
             + [""] + lines]
    body = " ".join(_body(pdf_pages(pages)))
    assert "the Services any subcontractor without" in body
    assert "on third-party systems" in body  # the document writes it with its hyphen elsewhere
    assert "any new sub-processor for the processing" in body  # as it writes sub-processors
    assert "sub- contractor" not in body and "sub-contractor" not in body and "thirdparty" not in body


def test_a_wrapped_line_that_opens_with_a_number_or_an_article_does_not_start_a_clause():
    filler = wrap_english(FILLER * 2, 90, hyphen_share=0)
    audit = ["2. Audit. The Customer may audit the Provider's records relating to the Services under Section",
             "5.2 of this Agreement at any time on ten days' notice during the normal business hours of the",
             "Provider."]
    pages = [["1. Services."] + filler + [""] + audit + ["", "3. Fees."] + filler]
    read = structure.parse(text.extract(pdf_pages(pages), "pdf").blocks)
    assert [s.label for s in read.sections if s.label] == ["1", "2", "3"]
    passage = " ".join(p.text for s in read.sections if s.label == "2" for p in s.passages)
    assert "under Section 5.2 of this Agreement at any time" in passage


def test_japanese_lines_wrapped_inside_a_word_are_joined_without_a_space_and_open_no_article():
    opening = "甲は、乙に対し、ウォレット基盤の運用を委託し、乙はこれを受託する。詳細は別紙"
    assert len(opening) == 38  # a full line
    paragraphs = []
    for n in range(1, 7):
        paragraphs += [f"第{2 * n - 1}条（目的）", opening + "第3条に定めるとおりとする。",
                       f"第{2 * n}条（再委託）", "乙は、甲の事前の書面による承諾を得なければ、本業務の全部又は一部を第三者に再委託してはならない。"]
    lines = [line for paragraph in paragraphs for line in wrap_japanese(paragraph)]
    assert "第3条に定めるとおりとする。" in lines  # a line that opens like an article, mid-sentence
    data = pdf_pages([lines[:20], lines[20:]])
    joined = "\n".join(_body(data))
    assert opening + "第3条に定めるとおりとする。" in joined
    assert "本業務の全部又は一部を第三者に再委託してはならない。" in joined  # no space where the line was cut
    read = structure.parse(text.extract(data, "pdf").blocks)
    assert [s.label for s in read.sections if s.label] == [f"第{n}条" for n in range(1, 13)]


def test_a_short_contract_of_headings_and_few_wrapped_lines_is_joined_too():
    clause = ["The Vendor will notify the Customer within seventy-two hours after becoming aware of any",
              "30 unauthorised accesses to Customer Data, and will report on the measures it has taken."]
    lines = []
    for n in range(1, 5):
        lines += [f"{n}. Heading number {n}", "A short clause of the contract.", ""]
    lines += ["5. Security Incidents"] + clause + ["", "6. Term", "This agreement renews each year."]
    lines += [line.replace("Vendor", "Provider") for line in clause]
    body = _body(pdf_pages([lines]))
    assert " ".join(clause) in body


def test_lines_of_a_pdf_not_wrapped_at_a_width_are_left_as_they_are():
    # one paragraph a line (a text exported as PDF without layout), some without a full stop (an
    # item of a list, the lead-in of a list): nothing is joined
    paragraphs = [(FILLER * (1 + i % 3)).rstrip(". ") + ("," if i % 2 else "") for i in range(12)]
    body = _body(pdf_pages([paragraphs]))
    assert len(body) == 12


def _garbled_contract(pages: tuple[int, ...]) -> bytes:
    paragraphs = [f"{n}. Clause {n}. " + FILLER * 3 for n in range(1, 40)]
    return contract_pdf("\n".join(paragraphs), "en", title="Master Services Agreement", lines_per_page=30,
                        garbled_pages=pages)


def test_pages_whose_text_is_glyph_numbers_are_left_out_and_named():
    data = _garbled_contract((2,))
    extracted = text.extract(data, "pdf")
    total = data.count(b"/Type /Page ")
    assert total >= 5
    assert extracted.status == "partly_unreadable" and extracted.unreadable_pages == (2,)
    assert f"Pages 2 of {total} have text that is neither Japanese nor English" in extracted.note
    assert not any(ord(c) < 32 for c in extracted.text if c != "\n")
    # more than half of the pages: the document is not read at all, as before
    assert text.extract(_garbled_contract(tuple(range(1, total))), "pdf").status == "unreadable_text"
    assert text.extract(_garbled_contract(()), "pdf").status == "ok"


def test_a_page_of_a_table_or_a_form_is_no_glyph_numbers():
    # rules of dashes and a form's words: few of the commonest English words, yet English
    rule = "-" * 84
    form = [rule, "Edit Items ***", rule, "Create New Team Folders ***", rule, "Delete ***"] * 8
    pages = _english_pages([FILLER * 4] * 6)
    extracted = text.extract(pdf_pages(pages[:1] + [form] + pages[:2]), "pdf")
    assert extracted.status == "ok" and extracted.unreadable_pages == ()


def test_a_clause_not_found_in_a_partly_unreadable_pdf_needs_review_naming_the_pages():
    result = checker.check(_garbled_contract((2,)), "contract.pdf", library.library())
    assert result.status == "partly_unreadable"
    assert not [r for r in result.results if r.status == "not_found"]
    waiting = [r for r in result.results if r.reason_key == "partly_unreadable"]
    assert waiting and waiting[0].reason_params == {"pages": "2"}
    assert "pages 2 is neither Japanese nor English" in reasons.render("partly_unreadable", {"pages": "2"}, "en")
    assert "2ページの文字は日本語にも英語にもなっておらず" in reasons.render("partly_unreadable", {"pages": "2"}, "ja")


def test_a_partly_unreadable_pdf_upload_is_stored_marked_and_explained_in_japanese(api, client, login, db):
    arrangement = _arrangement(db)
    response = _upload(api("compliance"), arrangement.id, _garbled_contract((2,)), "old-tool.pdf")
    assert response.status_code == 201
    body = response.get_json()
    assert body["extraction_status"] == "partly_unreadable"
    assert not [c for c in body["checks"] if c["status"] == "not_found"]
    login("compliance")
    page = client.get(f"/contracts/arrangements/{arrangement.id}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "一部文字判読不能" in page and "2ページの文字は日本語にも英語にもなっていません" in page
    assert "neither Japanese" not in page


@pytest.mark.parametrize("name", ["corpus/en_complete_msa.md", "corpus/ja_complete_cloud.md", "corpus/en_unusual.txt",
                                  # real training documents (never a held-out one) that read differently from
                                  # their PDF before wrapped lines were joined again
                                  "corpus_real/cuad/texts/ArcaUsTreasuryFund_20200207_N-2_EX-99.K5_11971930_EX-99.K5_"
                                  "Development Agreement.txt",
                                  "corpus_real/ja/texts/gh_enterprise_subscription_agreement.txt",
                                  "corpus_real/ja/texts/moz_subscription_services_tos.txt"])
def test_a_contract_reads_the_same_from_its_pdf_as_from_its_text(name):
    from pathlib import Path
    path = Path(__file__).parent / name
    data = path.read_bytes()
    clauses = library.library()
    on_text = checker.check(data, path.name, clauses)
    lang = "ja" if "/ja" in name else "en"
    for footer in ("page_of", "dashes", "confidential"):
        pdf = contract_pdf(text.extract(data, path.suffix[1:]).text, lang, title="Agreement", footer=footer,
                           hyphen_share=0.5)
        on_pdf = checker.check(pdf, "contract.pdf", clauses)
        assert on_pdf.status == on_text.status, footer
        assert [(r.clause_id, r.status) for r in on_pdf.results] == [(r.clause_id, r.status) for r in on_text.results]
