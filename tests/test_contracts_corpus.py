"""Accuracy floor on the labelled corpus (tests/contract_corpus/labels.yaml)."""
from vendorrisk.imports import contracts_structure, contracts_text
from vendorrisk.services import contracts_library, contracts_matcher

from .factories_contracts import corpus_labels, corpus_sets, evaluate, precision_recall


def test_corpus_labels_cover_every_clause_once():
    ids = {c.id for c in contracts_library.library()}
    sets = corpus_sets()
    for entry in corpus_labels():
        assert set(entry["found"]) | set(entry["missing"]) == ids, entry["file"]
        assert not set(entry["found"]) & set(entry["missing"]), entry["file"]
        assert entry["set"] in sets, entry["file"]


def test_no_false_found_and_recall_floor():
    counts, rows = evaluate()
    false_found = [r for r in rows if r[2] == "missing" and r[3] == "found"]
    assert false_found == [], "a missing clause was reported found"
    sets = corpus_sets()
    tuned_counts, _rows = evaluate([e for e in corpus_labels() if sets[e["set"]]["tuned_on"]])
    total = {k: sum(c[k] for c in tuned_counts.values()) for k in ("tp", "fp", "fn", "tn")}
    precision, recall = precision_recall(total)
    assert precision == 1.0 and recall >= 0.9, (precision, recall)
    word_rows = {(n.rsplit(".", 1)[0], c): got for n, c, _e, got in rows if n.endswith(".docx")}
    text_rows = {(n.rsplit(".", 1)[0], c): got for n, c, _e, got in rows if not n.endswith(".docx")}
    assert word_rows and all(text_rows[key] == got for key, got in word_rows.items())


def test_found_carries_evidence_and_location():
    text = "第1条（監査）\n甲は、乙の事業所に立入り、監査を行うことができる。\n２　乙は金融庁による検査に協力する。\n第2条（目的）\n目的。\n"
    structure = contracts_structure.parse(contracts_text.extract(text.encode(), "txt").blocks)
    result = contracts_matcher.check_clause(structure, contracts_library.clauses_by_id()["audit_rights"])
    assert result.status == "found" and result.confidence >= 0.9
    assert result.location == "第1条" and result.article == "第1条"
    assert "監査を行うことができる" in result.evidence and "監査" in result.reason


def test_weak_or_negated_evidence_needs_review_and_unstructured_never_found():
    by_id = contracts_library.clauses_by_id()

    def check(text, clause):
        structure = contracts_structure.parse(contracts_text.extract(text.encode(), "txt").blocks)
        return contracts_matcher.check_clause(structure, by_id[clause])
    weak = check("Article 1 Audit\nThe parties discuss things.\nArticle 2 Fees\nFees apply.\n", "audit_rights")
    assert weak.status == "needs_review" and "weak" in weak.reason
    negated = check("Article 1 Audit\nNo rights to audit are granted. The Customer may audit nothing.\n"
                    "Article 2 Fees\nFees.\n", "audit_rights")
    assert negated.status == "needs_review" and "excludes" in negated.reason
    flat = check("The Customer has the right to audit the Supplier. Audit rights include access to its premises.",
                 "audit_rights")
    assert flat.status == "needs_review" and "No numbered articles" in flat.reason
    no_deadline = check("Article 1 Incidents\nThe Supplier shall report any security incident to the Customer "
                        "and deliver a root cause analysis.\nArticle 2 Fees\nFees.\n", "incident_notification")
    assert no_deadline.status == "needs_review" and "deadline" in no_deadline.reason
    absent = check("Article 1 Fees\nFees.\nArticle 2 Law\nJapanese law.\n", "key_management")
    assert absent.status == "not_found" and absent.evidence == ""
