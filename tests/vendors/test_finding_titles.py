"""Finding titles are core.messages: stored as a key and parameters (unchanged), rendered in
the reader's language by the same mechanism as the compliance reasons."""
from types import SimpleNamespace

from vendorrisk.core.messages import Bilingual, Msg, from_json, to_json
from vendorrisk.vendors.finding_titles import title_message
from vendorrisk.vendors.findings import display_title, english_title

CLAUSE = {"clause": {"ja": "監査権", "en": "Audit rights"}, "article": {"ja": "第25条第2項", "en": "Art. 25(2)"},
          "contract": "業務委託契約書 v2"}


def _finding(key, params, title="stored English title"):
    return SimpleNamespace(title=title, title_key=key, title_params=params)


def _in(app, language):
    return app.test_request_context(headers={"Accept-Language": language})


def test_a_title_is_a_message_of_core_messages(app):
    message = title_message("contract_clause_missing", CLAUSE)
    assert isinstance(message, Msg)
    assert message.key == "Contract clause missing: %(clause)s (%(article)s), %(contract)s"
    assert dict(message.params)["clause"] == Bilingual("監査権", "Audit rights")
    assert from_json(to_json(message)) == message
    with _in(app, "ja"):
        assert str(message) == "契約条項の不足：監査権（第25条第2項）、業務委託契約書 v2"


def test_each_reader_sees_the_title_in_their_language(app):
    finding = _finding("contract_clause_missing", CLAUSE)
    with _in(app, "ja"):
        assert display_title(finding) == "契約条項の不足：監査権（第25条第2項）、業務委託契約書 v2"
    with _in(app, "en"):
        assert display_title(finding) == "Contract clause missing: Audit rights (Art. 25(2)), 業務委託契約書 v2"
    answer = _finding("questionnaire_answer", {"question": "Q-03", "answer": "No",
                                               "text": {"ja": "データを暗号化していますか", "en": ""}})
    with _in(app, "en"):  # a side left empty: the other language stands in
        assert display_title(answer) == "Questionnaire Q-03 answered “No”: データを暗号化していますか"
    with _in(app, "ja"):
        assert display_title(answer) == "質問票 Q-03 の回答「No」：データを暗号化していますか"


def test_an_e_mail_in_another_language_than_the_request_renders_wholly_in_it(app):
    finding = _finding("certificate_exceptions", {"kind": {"ja": "SOC 2 タイプ2", "en": "SOC 2 Type 2"},
                                                  "issuer": "Audit LLC"})
    with _in(app, "ja"):
        assert display_title(finding, "en") == "SOC 2 Type 2: exceptions noted by Audit LLC"
        assert display_title(finding) == "SOC 2 タイプ2：Audit LLCによる例外事項の指摘"


def test_typed_unknown_or_unrenderable_titles_show_as_stored(app):
    with _in(app, "ja"):
        assert display_title(_finding(None, {}, "手入力の指摘")) == "手入力の指摘"
        assert display_title(_finding("a_kind_from_a_later_version", {"x": 1})) == "stored English title"
        assert display_title(_finding("selection_condition", {})) == "stored English title"  # a parameter missing
        assert display_title(SimpleNamespace(title="a row without parameters", title_key=None)) == (
            "a row without parameters")


def test_the_stored_english_title_is_unchanged(app):
    with _in(app, "ja"):
        assert english_title("contract_clause_missing", CLAUSE) == (
            "Contract clause missing: Audit rights (Art. 25(2)), 業務委託契約書 v2")
        assert english_title("selection_condition", {"condition": "x" * 400}) == ("Selection condition: " + "x" * 400)[:300]
        assert english_title("questionnaire_answer", {"question": "Q-1", "answer": "No",
                                                      "text": {"ja": "暗号化", "en": ""}}) == (
            "Questionnaire Q-1 answered “No”: 暗号化")
