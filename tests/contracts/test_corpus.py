"""Accuracy floor on the project's own labelled corpus (tests/contracts/corpus/labels.yaml)."""
from tests.contracts.factories import corpus_labels, corpus_sets, evaluate, precision_recall
from vendorrisk.contracts.checker import library as contracts_library
from vendorrisk.contracts.checker import matcher as contracts_matcher
from vendorrisk.contracts.checker import structure as contracts_structure
from vendorrisk.contracts.checker import text as contracts_text


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
    total = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn", "tn")}
    precision, recall = precision_recall(total)
    assert precision == 1.0 and recall >= 0.9, (precision, recall)
    sets = corpus_sets()
    tuned_counts, _rows = evaluate([e for e in corpus_labels() if sets[e["set"]]["tuned_on"]])
    tuned = {k: sum(c[k] for c in tuned_counts.values()) for k in ("tp", "fp", "fn", "tn")}
    assert precision_recall(tuned)[1] >= 0.95, "recall on the contracts the patterns were tuned on"
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



def _check(text, clause):
    structure = contracts_structure.parse(contracts_text.extract(text.encode(), "txt").blocks)
    return contracts_matcher.check_clause(structure, contracts_library.clauses_by_id()[clause])


def test_subcontracting_verb_forms_prohibition_and_discretion():
    tail = "第9条（協議）\n協議する。\n"
    saseru = _check("第1条（第三者の使用）\n乙は、あらかじめ甲の書面による承諾を得た場合に限り、本業務の一部を"
                    "第三者に行わせることができる。\n" + tail, "subcontracting")
    assert saseru.status == "found" and saseru.location == "第1条"
    prohibited = _check("第1条（再委託の禁止）\n乙は、本業務を第三者に再委託してはならない。\n" + tail, "subcontracting")
    assert prohibited.status == "found"  # a prohibition defines the procedure
    discretion = _check("第1条（業務の委託）\n当社は、当社の判断で第三者に委託することができる。\n" + tail, "subcontracting")
    assert discretion.status != "found"
    english = _check("1. Sub-processors\n1.1 The Processor shall inform the Company of any new sub-processor "
                     "at least 30 days in advance, giving it the opportunity to object.\n2. Fees\nFees.\n",
                     "subcontracting")
    assert english.status == "found"



def test_acceptance_inspection_and_assignment_are_not_audit_or_subcontracting():
    po = ("1. Delivery and Inspection. Buyer may inspect the deliverables within 10 days.\n"
          "2. Assignment. Supplier shall not assign this order without Buyer's prior written consent.\n"
          "3. Law. Japanese law.\n")
    assert _check(po, "audit_rights").status != "found"
    assert _check(po, "subcontracting").status == "not_found"
    ja = _check("第1条（検査）\n甲は、納入物を検査することができる。\n第2条（期間）\n一年間。\n", "audit_rights")
    assert ja.status != "found"


