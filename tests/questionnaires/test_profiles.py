"""Known formats as content: the shipped profiles are valid against our templates, a broken
one is named, and a detected response maps onto our questions and scores per article."""
import pytest

from tests.questionnaires import workbooks as qw
from tests.questionnaires.xlsx_writer import Book
from vendorrisk.questionnaires import layout
from vendorrisk.questionnaires.profiles import check_profiles, load_profiles, map_response, profiles_folder
from vendorrisk.questionnaires.template_files import load_catalogue


@pytest.fixture(scope="module")
def templates():
    return {t.id: t for t in load_catalogue().latest()}


@pytest.fixture(scope="module")
def profiles():
    return {p.id: p for p in load_profiles()}


def test_every_shipped_profile_is_valid_and_covers_each_format(templates, profiles):
    assert check_profiles(templates) == []
    assert {p.format for p in profiles.values()} == {"caiq", "hecvat3", "hecvat4", "sig", "ja_checklist"}


def test_a_broken_profile_is_named_with_its_problems(tmp_path, templates):
    for path in profiles_folder().glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nformat: pdfform\ntitle: {ja: 壊れた}\nrecognise: {ids: '^(A'}\n"
        "map:\n  cloud_services:\n    ids: {X-1: CLD-99, X-2: CLD-17}\n  nothing: {ids: {X-3: GEN-01}}\n",
        encoding="utf-8")
    problems = [message for path, message in check_profiles(templates, tmp_path) if path.endswith("broken.yaml")]
    assert any("format 'pdfform'" in m for m in problems)
    assert any("'title' needs both 'ja' and 'en'" in m for m in problems)
    assert any("does not compile" in m for m in problems)
    with pytest.raises(ValueError, match="broken.yaml"):
        load_profiles(tmp_path)
    (tmp_path / "broken.yaml").write_text(
        "id: broken\nformat: sig\ntitle: {ja: 壊れた, en: Broken}\nrecognise: {min_questions: 2}\n"
        "map:\n  cloud_services:\n    ids: {X-1: CLD-99, X-2: CLD-17}\n  nothing: {ids: {X-3: GEN-01}}\n",
        encoding="utf-8")
    problems = [message for path, message in check_profiles(templates, tmp_path) if path.endswith("broken.yaml")]
    assert sorted(problems) == ["CLD-17 is text; only yes/no/n.a. questions take a foreign answer",
                                "question CLD-99 is not in template cloud_services",
                                "template 'nothing' does not exist"]


def test_caiq_answers_score_per_article_and_for_article_26_3(templates, profiles):
    chosen = {"DSP-19.1": "No", "DCS-15.1": "Yes",                      # 27(1): CLD-02 no, CLD-03 yes
              "TVM-06.1": "Yes", "A&A-02.1": "No",                      # 27(4): CLD-14, the worse one counts
              "CEK-10.1": "Yes", "CEK-12.1": "NA", "CEK-14.1": "Yes",   # 27(5): n.a. left aside
              "BCR-06.1": "NA", "BCR-04.1": "NA",                       # 27(9): n.a. does not count
              "IAM-05.1": "Yes", "IAM-03.1": "Yes", "IAM-08.1": "Yes",  # 26(3): DAT-04 met
              "LOG-08.1": "No", "IAM-12.1": "Yes"}                      # 26(3): DAT-05 missed
    response = layout.detect(qw.caiq_v403(answers=chosen).data)
    mapped = map_response(response, profiles["caiq_v4"], templates)
    scores = {article: (s.points, s.possible, s.score) for article, s in mapped.by_article.items()}
    assert scores["27(1)"] == (1.0, 3.0, 33.3)
    assert scores["27(4)"] == (0.0, 2.0, 0.0)
    assert scores["27(5)"] == (2.0, 2.0, 100.0)
    assert scores["27(9)"] == (0.0, 0.0, None) and mapped.by_article["27(9)"].answered == 1
    assert scores["26(3)"] == (3.0, 6.0, 50.0)
    answers = {a.question_id: a for a in mapped.answers}
    assert (answers["CLD-14"].value, answers["CLD-14"].flagged, answers["CLD-14"].severity) == ("no", True, "medium")
    assert {source[2] for source in answers["CLD-14"].sources} == {"TVM-06.1", "A&A-02.1"}
    assert (answers["DAT-05"].value, answers["DAT-05"].severity) == ("no", "high")
    assert answers["CLD-22"].value == "na" and answers["CLD-22"].max_points is None
    assert {a.template_id for a in mapped.answers} == {"cloud_services", "general_outsourcing"}
    assert len(mapped.unmapped) == 261 - len({q for a in mapped.answers for _s, _r, q in a.sources})


def test_japanese_check_list_maps_by_wording_and_partial_earns_half(templates, profiles):
    book = Book()
    sheet = book.add("チェックシート")
    sheet.row(1, ["項番", "確認項目", "回答", "備考"])
    sheet.row(2, ["1-1", "当社または当社の指定する監査人による監査を受け入れていますか。", "△", "書面のみ"])
    sheet.row(3, ["1-2", "再委託にあたり、当社の事前承認を得る手続きを定めていますか。", "○"])
    sheet.row(4, ["1-3", "過去12か月に情報セキュリティ事故が発生しましたか。", "×"])
    sheet.row(5, ["1-4", "データの保管場所を日本国内のリージョンに限定できますか。", "－"])
    sheet.row(6, ["1-5", "従業員と秘密保持契約を締結していますか。", "○"])
    response = layout.detect(book.to_bytes())
    assert response.format == "ja_checklist"
    mapped = map_response(response, profiles["ja_checklist"], templates)
    answers = {a.question_id: (a.value, a.points, a.max_points, a.flagged) for a in mapped.answers}
    assert answers == {"CLD-05": ("partial", 1.5, 3.0, True), "GEN-02": ("partial", 1.5, 3.0, True),
                       "SUB-02": ("yes", 3.0, 3.0, False), "ASR-03": ("no", 2.0, 2.0, False),
                       "CLD-02": ("na", None, None, False)}
    assert [q.question_id for q in mapped.unmapped] == ["1-5"]
    assert mapped.by_article["25(2)"].score == 75.0 and mapped.score == pytest.approx(round(100 * 8 / 11, 1))


def test_text_patterns_reach_hecvat_and_sig_questions(templates, profiles):
    for build, profile in ((qw.hecvat3_full, "hecvat3"), (qw.hecvat4, "hecvat4"), (qw.sig, "sig")):
        response = layout.detect(build().data)
        assert response.profile_id == profile
        mapped = map_response(response, profiles[profile], templates)
        reached = {a.question_id for a in mapped.answers}
        assert {"CLD-14", "CLD-22"} <= reached, profile


def test_four_letter_ids_alone_do_not_make_a_hecvat():
    book = Book()
    sheet = book.add("Vendor Answers")
    sheet.row(1, ["ID", "Question", "Answer"])
    for n in range(2, 30):
        prefix = ("SECU", "NETW", "OPER", "PEOP")[n % 4]
        sheet.row(n, [f"{prefix}-{n:02d}", f"Do you keep control {n} documented and reviewed every year?", "Yes"])
    response = layout.detect(book.to_bytes())
    assert len(response.answered) == 28 and response.format == "unknown"


def test_text_rules_find_exactly_what_trying_every_rule_finds(profiles):
    texts = [e.question for build in (qw.caiq_v403, qw.hecvat3_full, qw.hecvat4, qw.sig, qw.ja_maru_batsu, qw.ja_hai_iie)
             for e in build().expected]
    texts += ["DATA STORED IN THE REGION OF YOUR CHOICE?", "Is there an SLA?", "SLAの定めはありますか", "ＳＬＡ", ""]
    reached = 0
    for profile in profiles.values():
        for text in texts:
            every = []
            for pattern, template, ours in profile.by_text:
                if (template, ours) not in every and pattern.search(text):
                    every.append((template, ours))
            assert profile.text_rules.matches(text) == every, (profile.id, text)
            reached += bool(every)
    assert reached > 100
    skipped = [rule for rule in profiles["sig"].text_rules.rules if rule[3] is None]
    assert not skipped  # every shipped English rule has literal pieces to look for first
