"""The clause library: every file is valid, every required clause exists, a broken file is named."""
import shutil

import pytest

from vendorrisk import create_app
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.core import content
from vendorrisk.core.config import ConfigurationError
from vendorrisk.vendors.models import Arrangement


def test_every_clause_file_is_valid_and_the_required_ids_exist(app, contributions):
    clauses, problems = contracts_library.load_library()
    assert problems == []
    assert {c.id for c in clauses} >= set(contracts_library.REQUIRED_CLAUSE_IDS)
    assert "contract_clauses" in contributions.content_checkers
    for clause in clauses:
        assert clause.title["ja"] and clause.title["en"] and clause.guidance["ja"] and clause.guidance["en"]
        assert clause.article["ja"].startswith("第") and clause.article["en"].startswith("Art.")
        assert set(clause.recognition) == {"ja", "en"}


def test_a_broken_file_is_named_with_its_problem(tmp_path):
    folder = tmp_path / "contract_clauses"
    shutil.copytree(content.CONTRACT_CLAUSES_DIR, folder)
    audit = folder / "audit_rights.yaml"
    audit.write_text(audit.read_text(encoding="utf-8").replace("'audit rights'", "'audit (rights'"), encoding="utf-8")
    (folder / "service_levels.yaml").write_text("id: service_levels\nrequired_when: [sometimes]\n", encoding="utf-8")
    _clauses, problems = contracts_library.load_library(folder)
    messages = [str(p) for p in problems]
    assert any("audit_rights.yaml" in m and "not a valid pattern" in m for m in messages)
    assert any("service_levels.yaml" in m and "required_when" in m for m in messages)
    assert any("service_levels.yaml" in m and "title is missing" in m for m in messages)


def test_an_unknown_key_is_reported_not_ignored(tmp_path):
    folder = tmp_path / "contract_clauses"
    shutil.copytree(content.CONTRACT_CLAUSES_DIR, folder)
    audit = folder / "audit_rights.yaml"
    audit.write_text(audit.read_text(encoding="utf-8").replace("guidance:", "guidence:"), encoding="utf-8")
    messages = [str(p) for p in contracts_library.load_library(folder)[1]]
    assert "contract_clauses/audit_rights.yaml: guidence is not a known key" in " ".join(messages)
    assert any("audit_rights.yaml: guidance is missing" in m for m in messages)


def test_a_missing_required_clause_is_reported(tmp_path):
    folder = tmp_path / "contract_clauses"
    shutil.copytree(content.CONTRACT_CLAUSES_DIR, folder)
    (folder / "key_management.yaml").unlink()
    _clauses, problems = contracts_library.load_library(folder)
    assert [p.message for p in problems] == ["the required clause 'key_management' has no file"]


def test_applicability_follows_the_arrangement_flags():
    by_id = contracts_library.clauses_by_id()
    plain = Arrangement(vendor_id=1, title="x", is_cloud=False, is_important=False,
                        handles_user_data=False, subcontracting_allowed=False)
    cloud = Arrangement(vendor_id=1, title="y", is_cloud=True, is_important=False,
                        handles_user_data=True, subcontracting_allowed=False)
    assert by_id["audit_rights"].applies_to(plain)
    assert not by_id["data_location"].applies_to(plain) and by_id["data_location"].applies_to(cloud)
    assert not by_id["user_data_handling"].applies_to(plain) and by_id["user_data_handling"].applies_to(cloud)
    assert not by_id["monitoring_reporting"].applies_to(cloud)
    plain.subcontracting_allowed = True
    assert by_id["monitoring_reporting"].applies_to(plain)


def test_the_content_command_and_start_up_name_a_broken_clause_file(app, runner, tmp_path, monkeypatch):
    folder = tmp_path / "contract_clauses"
    shutil.copytree(content.CONTRACT_CLAUSES_DIR, folder)
    audit = folder / "audit_rights.yaml"
    audit.write_text(audit.read_text(encoding="utf-8").replace("order: 20", "order: twenty"), encoding="utf-8")
    monkeypatch.setattr(content, "CONTRACT_CLAUSES_DIR", folder)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "audit_rights.yaml: order must be a whole number (found 'twenty')" in result.output
    with pytest.raises(ConfigurationError, match="audit_rights.yaml: order must be a whole number"):
        create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789",
                    "DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path / "inst")})


def test_the_start_up_check_reads_the_scorer_model_without_keeping_it(tmp_path, monkeypatch):
    """The model file is checked (missing, or without weights for a clause: named), and the
    check does not leave the model in the checker's cache (a process that never reads a
    contract, the scheduler building exports, would otherwise hold its ~10 MB)."""
    import json

    from vendorrisk.contracts.checker import scorer
    assert contracts_library.check_contract_clauses() == []
    scorer.load_model.cache_clear()
    assert contracts_library.check_contract_clauses() == []
    assert scorer.load_model.cache_info().currsize == 0
    folder = tmp_path / "contract_clauses"
    shutil.copytree(content.CONTRACT_CLAUSES_DIR, folder)
    monkeypatch.setattr(content, "CONTRACT_CLAUSES_DIR", folder)
    model = json.loads((folder / scorer.MODEL_FILE).read_text(encoding="utf-8"))
    del model["clauses"]["audit_rights"]
    model["stacker"]["weights"] = model["stacker"]["weights"][:-2]  # one clause fewer: still consistent
    (folder / scorer.MODEL_FILE).write_text(json.dumps(model), encoding="utf-8")
    problems = contracts_library.check_contract_clauses()
    assert [p.message for p in problems] == ["the model has no weights for audit_rights: run 'vendorrisk contracts train'"]
    assert problems[0].path.endswith("contract_clauses/scorer_model.json")
    (folder / scorer.MODEL_FILE).unlink()
    problems = contracts_library.check_contract_clauses()
    assert [p.message for p in problems] == ["scorer_model.json is missing: run 'vendorrisk contracts train'"]
