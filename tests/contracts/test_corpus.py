"""Accuracy floor on the labelled corpus (tests/contract_corpus/labels.yaml)."""
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


def test_kanji_figures_and_annex_evidence_count_for_service_levels():
    kanji = _check("第一条（運用品質）\n乙は、月間稼働率九十九・九五パーセント以上を確保し、障害の検知から"
                   "三十分以内に初動対応を開始する。\n第二条（期間）\n一年間とする。\n", "service_levels")
    assert kanji.status == "found" and "99.95%" in kanji.reason
    annex = _check("第1条（サービスレベル）\n当社は、別紙1に定める水準で提供する。\n第2条（管轄）\n東京地裁。\n"
                   "別紙1　サービスレベル合意書\n1. 月間稼働率\n99.9%以上とする。\n"
                   "2. 下回った場合は、利用料金の10%を返金する。\n", "service_levels")
    assert annex.status == "found" and annex.location.startswith("別紙1")


def test_acceptance_inspection_and_assignment_are_not_audit_or_subcontracting():
    po = ("1. Delivery and Inspection. Buyer may inspect the deliverables within 10 days.\n"
          "2. Assignment. Supplier shall not assign this order without Buyer's prior written consent.\n"
          "3. Law. Japanese law.\n")
    assert _check(po, "audit_rights").status != "found"
    assert _check(po, "subcontracting").status == "not_found"
    ja = _check("第1条（検査）\n甲は、納入物を検査することができる。\n第2条（期間）\n一年間。\n", "audit_rights")
    assert ja.status != "found"


def test_article_is_read_with_the_annex_it_refers_to():
    text = ("Clause 1 General Duties\n1.1 The Supplier shall observe the Customer's Handling Standard set out in "
            "Schedule 3.\nClause 2 Law\n2.1 Japanese law.\n"
            "SCHEDULE 3 - HANDLING STANDARD\n1. Named accounts with multi-factor authentication only.\n")
    joined = _check(text, "security_requirements")
    assert joined.status == "found" and "Schedule 3" in joined.reason
    missing = _check(text.replace("SCHEDULE 3 - HANDLING STANDARD\n1. Named accounts with multi-factor "
                                  "authentication only.\n", ""), "security_requirements")
    assert missing.status == "needs_review"  # the schedule is not in the document
    ja = ("第1条（サービスレベル）\n乙は、別紙のとおりの水準を維持する。\n第2条（管轄）\n東京地裁。\n"
          "別紙\n1　月間稼働率99.9%以上とする。\n")
    assert _check(ja, "service_levels").status == "found"
    assert _check(ja.replace("別紙のとおりの", "所定の"), "service_levels").status == "needs_review"


def test_one_sentence_counts_only_with_the_essential_element_in_it():
    tail = "第9条（協議）\n協議する。\n"
    deadline = _check("第1条（連絡）\n乙は、不正なアクセス又はその疑いを発見したときは、直ちに甲に連絡する。\n" + tail,
                      "incident_notification")
    assert deadline.status == "found" and "one sentence" in deadline.reason
    no_deadline = _check("第1条（連絡）\n乙は、不正なアクセスを発見したときは、甲に連絡する。"
                         "甲は直ちに協議を開始する。\n" + tail, "incident_notification")
    assert no_deadline.status != "found"
    place = _check("第1条（取扱い）\n乙は、利用者情報を国内に保有するサーバにのみ保存する。\n" + tail, "data_location")
    assert place.status == "found"
    nowhere = _check("第1条（取扱い）\n乙は、利用者情報をサーバに保存する。\n" + tail, "data_location")
    assert nowhere.status != "found"


def test_same_words_matched_in_both_languages_are_one_phrase():
    tail = "2. Law\n2.1 Japanese law.\n"
    report = _check("1. Assurance\n1.1 The Supplier holds ISO/IEC 27001 certification.\n" + tail, "audit_rights")
    assert report.status == "needs_review"  # one phrase, though the ja and en lists both match it
    in_lieu = _check("1. Assurance\n1.1 The Supplier provides its SOC 2 report in lieu of any on-site audit.\n"
                     + tail, "audit_rights")
    assert in_lieu.status == "found"
