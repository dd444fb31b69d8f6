"""A clause the checker could not judge says why, truthfully, in both languages: the model file
is missing, the model was not trained for the clause, or the text holds no sentence."""
import dataclasses
from pathlib import Path

from vendorrisk.contracts.checker import library, matcher, reasons, scorer, structure, text

CONTRACT = (Path(__file__).parent / "corpus" / "en_missing_numbered.txt").read_bytes()


def _parsed(data: bytes = CONTRACT):
    return structure.parse(text.extract(data, "txt").blocks)


def test_a_missing_model_file_leaves_every_clause_for_a_reader(monkeypatch, tmp_path):
    monkeypatch.setattr(matcher, "load_model", lambda: scorer.read_model(tmp_path / "scorer_model.json"))
    clauses = library.library()
    results = matcher.check_contract(_parsed(), clauses)
    assert [(r.clause_id, r.status, r.reason_key) for r in results] == \
        [(c.id, "needs_review", "no_model") for c in clauses]
    english, japanese = (reasons.render("no_model", results[0].reason_params, lang) for lang in ("en", "ja"))
    assert "model file is missing" in english and "patterns" not in english
    assert "モデルのファイルがない" in japanese and "パターン" not in japanese


def test_a_clause_the_model_was_not_trained_for_is_not_called_a_missing_model():
    model = scorer.load_model()
    known = library.library()[0]
    added = dataclasses.replace(known, id="added_after_training")
    results = {r.clause_id: r for r in matcher.check_contract(_parsed(), [known, added], model=model)}
    assert results["added_after_training"].status == "needs_review"
    assert results["added_after_training"].reason_key == "not_trained"
    assert results[known.id].reason_key not in ("not_trained", "no_model", "no_sentences")
    assert "学習していない" in reasons.render("not_trained", {}, "ja")


def test_a_text_without_sentences_says_so():
    model = scorer.load_model()
    clauses = library.library()
    empty = structure.parse([])
    results = matcher.check_contract(empty, clauses, model=model)
    assert {(r.status, r.reason_key) for r in results} == {("needs_review", "no_sentences")}
    assert "No sentence could be read" in reasons.render("no_sentences", {}, "en")
