"""Questionnaire templates and format profiles are content: every shipped file is valid
(both checkers registered), and a broken one is named with its problem."""
from pathlib import Path

from vendorrisk.questionnaires.template_files import load_catalogue
from vendorrisk.questionnaires.template_schema import ARTICLE_PARTS

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"


def test_every_shipped_file_is_valid(app, contributions):
    assert contributions.content_checkers["questionnaires"]() == []
    assert contributions.content_checkers["questionnaire_formats"]() == []
    catalogue = load_catalogue(ROOT)
    assert {t.id for t in catalogue.latest()} == {"general_outsourcing", "cloud_services"}
    assert not (ROOT / "mappings" / "caiq_v4_cloud.yaml").exists()  # one reader, one way to map: the profiles


def test_a_broken_profile_stops_the_format_checker(app, contributions, monkeypatch, tmp_path):
    from vendorrisk.questionnaires import profiles
    for path in (ROOT / "mappings" / "formats").glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sig.yaml").write_text((tmp_path / "sig.yaml").read_text(encoding="utf-8").replace(
        "question: CLD-14", "question: CLD-99"), encoding="utf-8")
    monkeypatch.setattr(profiles, "profiles_folder", lambda: tmp_path)
    problems = [str(p) for p in contributions.content_checkers["questionnaire_formats"]()]
    assert len(problems) == 1 and "sig.yaml" in problems[0] and "CLD-99 is not in template cloud_services" in problems[0]


def test_cloud_questionnaire_covers_all_nine_items_of_article_27():
    cloud = {t.id: t for t in load_catalogue(ROOT).latest()}["cloud_services"]
    items = {int(q.article[3:-1]) for q in cloud.questions if q.article.startswith("27(")}
    assert items == set(range(1, ARTICLE_PARTS[27] + 1))


def test_general_questionnaire_asks_location_access_and_subcontractors():
    general = {t.id: t for t in load_catalogue(ROOT).latest()}["general_outsourcing"]
    articles = {q.article for q in general.questions}
    assert {"25(2)", "25(3)", "25(4)", "26(1)", "26(3)", "26(4)", "27(1)"} <= articles
    assert general.question("GEN-01").citation("ja") == "第25条第2項"
    assert general.question("DAT-02").citation("ja") == "第27条第1号"
    assert general.question("DAT-02").citation("en") == "Art. 27(1)"
    assert general.question("GEN-01").flag_severity == "high"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir(parents=True)
    for path in ROOT.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_broken_template_is_named_with_its_problems(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "general_outsourcing.yaml").read_text(encoding="utf-8")
    text = text.replace('article: "25(3)"', 'article: "25(9)"', 1).replace("flag: {answers: [none], severity: medium}",
                                                                        "flag: {answers: [never], severity: dire}", 1)
    (folder / "general_outsourcing.yaml").write_text(text, encoding="utf-8")
    (folder / "broken.yaml").write_text("id: broken\nversion: one\ntitle: {ja: 壊れた}\nsections: []\n", encoding="utf-8")
    problems = [str(p) for p in load_catalogue(folder).problems]
    assert any("general_outsourcing.yaml" in p and "article '25(9)'" in p for p in problems)
    assert any("general_outsourcing.yaml" in p and "flag answer 'never'" in p for p in problems)
    assert any("general_outsourcing.yaml" in p and "severity 'dire'" in p for p in problems)
    assert any("broken.yaml: version must be a whole number (found 'one')" in p for p in problems)
    assert any("broken.yaml: title.en is missing" in p for p in problems)
    assert any("broken.yaml: sections must have at least 1 item" in p for p in problems)


def test_an_unknown_key_is_named_not_ignored(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "general_outsourcing.yaml").read_text(encoding="utf-8")
    # '{value: none, ja: ..., en: No SLA, yet}' in YAML: the comma ends the text, the rest becomes a key
    text = text.replace("en: No SLA defined}", "en: No SLA, yet}", 1)
    (folder / "general_outsourcing.yaml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in load_catalogue(folder).problems]
    assert any("general_outsourcing.yaml: question GEN-03: choices[3].yet is not a known key" in p for p in problems)


def test_unreadable_yaml_is_named(tmp_path):
    folder = _copy(tmp_path)
    (folder / "cloud_copy.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    problems = [str(p) for p in load_catalogue(folder).problems]
    assert any("cloud_copy.yaml" in p and "not valid YAML" in p for p in problems)


def test_same_id_and_version_twice_is_refused(tmp_path):
    folder = _copy(tmp_path)
    (folder / "copy.yaml").write_text((folder / "cloud_services.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    problems = [str(p) for p in load_catalogue(folder).problems]
    assert any("cloud_services version 2 is also defined in" in p for p in problems)


def test_a_bare_yes_is_explained(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "general_outsourcing.yaml").read_text(encoding="utf-8")
    (folder / "general_outsourcing.yaml").write_text(text.replace('expected: "yes"', "expected: yes", 1),
                                                     encoding="utf-8")
    problems = [str(p) for p in load_catalogue(folder).problems]
    assert problems == [f"{folder / 'general_outsourcing.yaml'}: question GEN-01: expected[0] must be text (found "
                        "True: YAML reads a bare yes/no/true/false as true or false; put it in quotes)"]


def test_workbook_instructions_name_the_real_sheets_and_list_allowed_answers():
    """The instructions call the sheets by the names the workbook gives them, and a
    multiple-choice question (no drop-down) has its allowed answers listed."""
    import io

    from openpyxl import load_workbook

    from vendorrisk.questionnaires.template_files import get_template
    from vendorrisk.questionnaires.workbook import INSTRUCTIONS_SHEET, questionnaire_workbook
    template = get_template("general_outsourcing")
    book = load_workbook(io.BytesIO(questionnaire_workbook(template, 1, "テスト株式会社", b"k" * 32)))
    text = "\n".join(str(c.value) for c in book[INSTRUCTIONS_SHEET]["A"] if c.value)
    for quoted in ("「Questions」", "「Subcontractors」"):
        assert quoted in text and quoted.strip("「」") in book.sheetnames
    multiple = [q for q in template.questions if q.type == "multiple_choice"]
    assert multiple
    for question in multiple:
        line = next(line for line in text.splitlines() if line.startswith(question.id + ": "))
        assert all(choice.label in line for choice in question.choices), line


def test_every_sheet_a_question_names_is_in_the_workbook_it_is_sent_in(app):
    """A question that sends the vendor to another sheet names it as the workbook does (SUB-01
    said 「再委託先」シート, and the sheet is "Subcontractors")."""
    import io
    import re

    from openpyxl import load_workbook

    from vendorrisk.questionnaires import workbook as layout
    referring = 0
    for template in load_catalogue(ROOT).latest():
        with app.app_context():
            sheets = set(load_workbook(io.BytesIO(layout.questionnaire_workbook(template, 1, "テスト株式会社",
                                                                                b"k" * 32))).sheetnames)
        for question in template.questions:
            named = re.findall(r"「([^」]+)」(?:（[^）]*）)?シート", question.text_ja)
            named += re.findall(r"\bon the (\w+) sheet\b|\bthe sheet (\w+)\b", question.text_en)
            named = [n if isinstance(n, str) else "".join(n) for n in named]
            referring += bool(named)
            assert set(named) <= sheets, (template.id, question.id, named, sheets)
    assert referring  # SUB-01 at least: the test reads what it checks
