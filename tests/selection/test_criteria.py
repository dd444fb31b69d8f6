"""Selection criteria files: the shipped sets are valid and complete; broken files are named."""
import shutil

import pytest
import yaml

from vendorrisk import create_app
from vendorrisk.core.config import ConfigurationError
from vendorrisk.selection import criteria

GENERAL_TOPICS = ["Financial soundness", "Technical and staff capability", "Security management",
                  "Business continuity and disaster recovery", "User-data protection",
                  "Control of sub-outsourcing", "Incident record", "Legal and regulatory compliance",
                  "Exit and lock-in"]


def test_every_shipped_file_is_valid():
    sets, problems = criteria.load_all()
    assert problems == []
    assert {s.key for s in sets} == {"general", "cloud-art27"}
    for item in sets:
        for c in item.criteria:
            assert c["title"]["ja"] and c["title"]["en"] and c["guidance"]["ja"] and c["guidance"]["en"]
            assert all(level["ja"] and level["en"] for level in c["scale"])


def test_default_set_covers_the_required_topics():
    general = criteria.get_set("general", 1)
    titles = [c["title"]["en"] for c in general.criteria]
    for topic in GENERAL_TOPICS:
        assert topic in titles
    assert any(c["knockout_below"] is not None for c in general.criteria)
    assert any("system_subsidiary" in c["applies_to"] for c in general.criteria)


def test_cloud_set_has_the_nine_article_27_items_with_guideline_text():
    cloud = criteria.get_set("cloud-art27", 1)
    assert sorted(c["article"] for c in cloud.criteria) == [f"27-{n}" for n in range(1, 10)]
    assert all(c["applies_to"] == ["cloud"] for c in cloud.criteria)
    by_article = {c["article"]: c for c in cloud.criteria}
    assert "ハイパーバイザー" in by_article["27-3"]["guidance"]["ja"]
    assert "ISO/IEC 27017" in by_article["27-4"]["guidance"]["ja"]
    assert "所在国の法制度" in by_article["27-1"]["guidance"]["ja"]


def _copy_sets(tmp_path):
    target = tmp_path / "selection"
    shutil.copytree(criteria.CRITERIA_DIR, target)
    return target


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["criteria"][0]["scale"].pop(1), "consecutive"),
    (lambda d: d["criteria"][0].update(weight=0), "weight must be a positive number"),
    (lambda d: d["criteria"][0]["title"].pop("ja"), "criterion GEN-FIN: title.ja is missing"),
    (lambda d: d["criteria"][1].update(id=d["criteria"][0]["id"]), "appears twice"),
    (lambda d: d["criteria"][0].update(applies_to=["everyone"]), "applies_to[0] must be one of 'all', 'cloud'"),
    (lambda d: d["criteria"][0].update(knockout_below=9), "knockout_below"),
    (lambda d: d["criteria"][0].update(article="Art 25"), "article"),
    (lambda d: d.update(version=2), "do not match the file name"),
    # '{en: Sound, confirmed by a rating.}' in YAML: the comma ends the text, the rest becomes a key
    (lambda d: d["criteria"][0]["scale"][3].update({"confirmed by a rating.": None}),
     "criterion GEN-FIN: scale[3].confirmed by a rating. is not a known key"),
    (lambda d: d["criteria"][0].update(required="yes"), "required must be true or false (found 'yes')"),
])
def test_broken_file_is_named_with_its_problem(tmp_path, monkeypatch, mutate, message):
    folder = _copy_sets(tmp_path)
    path = folder / "general-v1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(criteria, "CRITERIA_DIR", folder)
    problems = criteria.check_criteria()
    assert len(problems) == 1
    assert problems[0].path.endswith("general-v1.yaml")
    assert message in problems[0].message


def test_invalid_yaml_is_reported_by_the_content_command_and_at_start_up(app, runner, tmp_path, monkeypatch):
    folder = _copy_sets(tmp_path)
    (folder / "broken-v1.yaml").write_text("set: broken\nversion: 1\ncriteria: [\n", encoding="utf-8")
    monkeypatch.setattr(criteria, "CRITERIA_DIR", folder)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "broken-v1.yaml: not valid YAML" in result.output
    with pytest.raises(ConfigurationError, match="broken-v1.yaml"):
        create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789",
                    "DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path / "inst")})


def test_content_command_passes_on_the_shipped_files(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output


def test_ids_must_be_unique_across_sets(tmp_path, monkeypatch):
    folder = _copy_sets(tmp_path)
    data = yaml.safe_load((folder / "cloud-art27-v1.yaml").read_text(encoding="utf-8"))
    data["criteria"][0]["id"] = "GEN-FIN"
    (folder / "cloud-art27-v1.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(criteria, "CRITERIA_DIR", folder)
    problems = criteria.check_criteria()
    # files load in name order: cloud-art27 claims GEN-FIN first, so general-v1 is refused
    assert [p.path.split("/")[-1] for p in problems] == ["general-v1.yaml"]
    assert "GEN-FIN" in problems[0].message


def test_compare_two_versions(tmp_path, monkeypatch):
    folder = _copy_sets(tmp_path)
    data = yaml.safe_load((folder / "general-v1.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    removed = data["criteria"].pop()  # GEN-SUBSID
    data["criteria"][0]["weight"] = 5
    data["criteria"].append(dict(data["criteria"][1], id="GEN-NEW"))
    (folder / "general-v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(criteria, "CRITERIA_DIR", folder)
    diff = criteria.compare(criteria.get_set("general", 1), criteria.get_set("general", 2))
    assert [c["id"] for c in diff["added"]] == ["GEN-NEW"]
    assert [c["id"] for c in diff["removed"]] == [removed["id"]]
    assert [(c["id"], c["fields"]) for c in diff["changed"]] == [("GEN-FIN", ["weight"])]
    assert [s.version for s in criteria.latest_sets() if s.key == "general"] == [2]


def test_snapshot_takes_only_applicable_criteria():
    plain = criteria.snapshot({"cloud": False, "important": False, "user_data": False, "system_subsidiary": False})
    ids = {c["id"] for c in plain["criteria"]}
    assert "GEN-FIN" in ids and "GEN-DATA" not in ids and "C27-1" not in ids and "GEN-SUBSID" not in ids
    assert [s["key"] for s in plain["sets"]] == ["general"]
    cloud = criteria.snapshot({"cloud": True, "user_data": True})
    assert {"C27-9", "GEN-DATA"} <= {c["id"] for c in cloud["criteria"]}
    assert [s["key"] for s in cloud["sets"]] == ["general", "cloud-art27"]
    assert criteria.snapshot_hash(plain) != criteria.snapshot_hash(cloud)
