"""The learned scorer, the parties and direction of obligations, reasons in both languages,
the model file, training, and the floor on the real corpus (held-out split apart)."""
import json

import pytest

from vendorrisk.contracts import training
from vendorrisk.contracts.checker import library, matcher, parties, scorer, structure, text
from vendorrisk.contracts.checker.reading import example_features

TAIL_JA = "第8条（協議）\n本契約に定めのない事項は協議する。\n第9条（管轄）\n東京地方裁判所を管轄とする。\n"
TAIL_EN = ("1. DEFINITIONS\n1.1 \"Services\" means hosting.\n12. GOVERNING LAW\n"
           "12.1 This Agreement is governed by Japanese law.\n")
PREAMBLE = "This Hosting Agreement is made between Alpha Bank (the \"Customer\") and Beta Hosting Inc. (the \"Provider\").\n"


def _check(contract: str, clause: str, examples=()):
    parsed = structure.parse(text.extract(contract.encode(), "txt").blocks)
    return matcher.check_contract(parsed, [library.clauses_by_id()[clause]], examples=examples,
                                  reading=matcher.read(parsed, library.library()))[0]


@pytest.mark.parametrize("contract, provider, customer", [
    ("執筆者（以下「甲」という。）と依頼者（以下「乙」という。）とは契約を締結する。\n乙は、甲に対し、原稿の執筆を委託する。",
     {"甲"}, {"乙"}),
    ("委託者株式会社A（以下「甲」という。）と受託者株式会社B（以下「乙」という。）\n甲は、乙に対し、運用業務を委託する。",
     {"乙"}, {"甲"}),
    ("Twin Cities Power Holdings, LLC (the \"Company\") and Redwater LLC (the \"Contractor\") agree.",
     {"Contractor"}, {"Company"}),
    ("This Agreement is between IBM Corporation (\"IBM\") and Quantum Group Inc (\"Customer\"). IBM will provide "
     "the Services.", {"IBM"}, {"Customer"}),
    ("本規約は、当社が提供する本サービスの利用条件を定めます。利用者は本規約に同意します。", {"当社"}, {"利用者"}),
])
def test_parties_are_read_from_the_preamble_and_what_each_does(contract, provider, customer):
    found = parties.find_parties(contract)
    assert provider <= found.provider and customer <= found.customer
    assert not found.provider & found.customer


def test_defined_terms_that_are_no_party_are_not_taken_for_one():
    # a preamble defines the agreement and its date too; before round 10 "Agreement" became the
    # provider, so "This Agreement shall…" read as the provider's duty (13 real training contracts)
    found = parties.find_parties(
        'EXHIBIT 10.14 MASTER SERVICES AGREEMENT This Master Services Agreement (the "Agreement"), dated as of '
        'the 5th day of February, 2020 (the "Effective Date"), is by and between Kubient Inc., with offices located '
        'at 330 7th Avenue, 10th Floor, New York, NY 10001 ("Kubient") and The Associated Press, a New York '
        'not-for-profit corporation, with offices at 200 Liberty Street, New York, NY 10281 ("Customer").')
    assert found.provider == {"Kubient"} and found.customer == {"Customer"}
    # upper-case drafting: (HEREINAFTER "MMI")
    caps = parties.find_parties('OUTSOURCING AGREEMENT BETWEEN: MODUS MEDIA INTERNATIONAL B.V. (HEREINAFTER "MMI") AND '
                                'DRAGON SYSTEMS, INC. (HEREAFTER "DRAGON SYSTEMS"). MMI shall provide the services. '
                                'DRAGON SYSTEMS shall pay the fees.')
    assert found.provider and "MMI" in caps.provider and "DRAGON SYSTEMS" in caps.customer


def test_terms_written_to_the_reader_we_are_the_provider_you_the_customer():
    terms = " ".join(["We provide the service to you and you pay us."] * 10)
    found = parties.find_parties(terms)
    assert parties.obligor(parties.mark_roles("We will notify you of any breach.", found)) == (parties.PROVIDER, "shall")
    assert parties.obligor(parties.mark_roles("You must notify us of any breach.", found)) == (parties.CUSTOMER, "shall")
    # a contract that names its parties keeps them; a few "we" do not make it terms of service
    named = parties.find_parties(PREAMBLE + "We agree. " * 12 + "You agree. " * 12)
    assert "Provider" in named.provider and not {"We", "we"} & named.provider
    assert not parties.find_parties("We agree that you may terminate.").known


def test_mentions_are_marked_and_the_obligor_read():
    found = parties.find_parties(PREAMBLE)
    marked = parties.mark_roles("The Provider shall notify the Customer's security officer.", found)
    assert marked.count(parties.PROVIDER) == 1 and marked.count(parties.CUSTOMER) == 1
    assert parties.obligor(marked) == (parties.PROVIDER, "shall")
    ja = parties.mark_roles("利用者は、当社に通知するものとします。", parties.find_parties("当社と利用者"))
    assert parties.obligor(ja) == (parties.CUSTOMER, "shall")
    assert parties.obligor(parties.mark_roles("当社は監査することができます。", parties.find_parties("当社と利用者"))) \
        == (parties.PROVIDER, "may")


@pytest.mark.parametrize("contract, provider, customer", [
    # BETWEEN X AND Y without definitions, upper case in the heading, another case in the body
    ("MAINTENANCE AGREEMENT BETWEEN ZEPHYRNET AND KOBALT S.A., DEPARTMENT SYSTEMS\n1. Services. Zephyrnet shall "
     "maintain the software. Zephyrnet shall provide a hotline. Kobalt shall pay the fees to Zephyrnet. Kobalt will "
     "report faults to ZEPHYRNET.", {"Zephyrnet", "ZEPHYRNET"}, {"Kobalt"}),
    # HEREINAFTER "TQM" with no legal form
    ('SERVICES AGREEMENT BETWEEN: TORQUE MEDIA GROUP (HEREINAFTER "TQM") AND NORTHWIND LABS, INC. (HEREAFTER '
     '"NORTHWIND") TQM will produce the discs for Northwind. Northwind shall pay TQM within 30 days.',
     {"TQM"}, {"NORTHWIND", "Northwind"}),
    # Party A / Party B, unquoted: Party A commissions the work
    ("The Covenanter: Lotus Hill Resort Inc. (hereinafter referred to as Party A) and the Covenanter: Wen Design "
     "Office (hereinafter referred to as Party B) agree as follows. Party B shall design the hotel.",
     {"Party B"}, {"Party A"}),
    # Party A / Party B tied to role words
    ('by and between: Party A: Ridge (Tianjin) Training Co., Ltd. ("Service Provider") Party B: Oak School '
     '("Service Recipient").', {"Party A", "Service Provider"}, {"Party B", "Service Recipient"}),
    # a role word after a redacted name; (each and both of them "Recipient")
    ('by and between [ * * * ] (the "Provider"), and Kestrel PTE, LTD. and Kestrel Ltd (each and both of them '
     '"Recipient").', {"Provider"}, {"Recipient"}),
    # collectively; retained to provide
    ('Wren, Inc. and Wren Licensee, Inc. (collectively "WREN") and Stellar Media, L.L.C. ("STELLAR") enter into this '
     'Agreement. WREN wishes to retain Stellar to provide services. Stellar shall provide the reports.',
     {"STELLAR", "Stellar"}, {"WREN"}),
])
def test_parties_written_between_and_as_party_a_and_b_are_read(contract, provider, customer):
    # round 11: on main none of these had both parties read (the owners of their duties were unread)
    found = parties.find_parties(contract)
    assert provider <= found.provider and customer <= found.customer, found
    assert not found.provider & found.customer and "Agreement" not in found.provider | found.customer


@pytest.mark.parametrize("sentence, owner", [
    ("Each party shall notify the other party of any breach.", ("Ⓔ", "shall")),
    ("The Parties shall promptly inform each other of a breakdown of their systems.", ("Ⓔ", "shall")),
    ("Either party may terminate this Agreement.", ("Ⓔ", "may")),
    ("Ⓒ and Ⓟ shall meet monthly.", ("Ⓔ", "shall")),
    ("Ⓒ 及び Ⓟ は、誠実に協議するものとする。", ("Ⓔ", "shall")),
    ("両当事者は、相手方に通知する。", ("Ⓔ", "shall")),
    ("The Hardware shall be located at Ⓟ facilities in Malden.", ("Ⓝ", "shall")),
    ("(ii) will collect usage information through the editor.", ("", "")),
    ("利用者データは国内のデータセンターで保管するものとする。", ("Ⓝ", "shall")),
    ("Ⓟ is obligatory to report the progress to Ⓒ.", ("Ⓟ", "shall")),
    ("Ⓟ shall ensure that each party complies.", ("Ⓟ", "shall")),
    ("The term of this Agreement is one year.", ("", "")),
])
def test_duties_without_a_named_obligor_get_their_own_owner(sentence, owner):
    assert parties.obligor(sentence) == owner


@pytest.mark.parametrize("contract, provider, customer", [
    # round 14: one sign alone (an excerpt, an annex, a memorandum to a contract): the convention
    # of 業務委託契約, 甲 the entruster and 乙 the entrusted
    ("第1条（再委託）\n乙は、本業務を第三者に再委託してはならない。", {"乙"}, set()),
    ("第3条（監査）\n甲は、必要に応じて本業務の実施状況を監査することができる。", set(), {"甲"}),
    # the role written in brackets after the sign decides, also against the convention
    ("甲（受託者）と乙（委託者）とは、次のとおり契約する。\n甲は、障害を直ちに通知する。", {"甲"}, {"乙"}),
    ("甲（委託者）は、乙に対し報告を求めることができる。", {"乙"}, {"甲"}),
    # 甲が乙に委託する: whoever entrusts is the customer, also written with が
    ("本契約は、乙が甲に委託するシステム運用業務について定める。", {"甲"}, {"乙"}),
])
def test_a_lone_sign_and_the_role_in_brackets_read_kou_and_otsu(contract, provider, customer):
    found = parties.find_parties(contract)
    signs = {"甲", "乙"}
    assert (found.provider & signs, found.customer & signs) == (provider, customer)


def test_a_provider_named_in_latin_script_in_japanese_terms_is_read():
    # round 14: translated terms write the provider as "GitHub は" — no owner was read before
    terms = ("本規約は、お客様による本サービスの利用に適用されます。GitHub は、本サービスを提供します。"
             "GitHub は、お客様のデータを米国内で処理します。GitHub は、障害を通知します。")
    found = parties.find_parties(terms)
    assert "GitHub" in found.provider and "お客様" in found.customer
    marked = parties.mark_roles("GitHub は、お客様のデータを米国内で処理します。", found)
    assert parties.obligor(marked) == (parties.PROVIDER, "shall")
    # twice is not enough, and a name written as the one who pays is no provider
    assert "GitHub" not in parties.find_parties(terms.rsplit("GitHub は、障害", 1)[0]).provider
    payer = "お客様は本サービスを利用します。Acme は、料金を支払う。" * 3
    assert "Acme" not in parties.find_parties(payer).provider
    # in a contract of 甲 and 乙 a Latin name is a third party (a data centre, a cloud the provider uses)
    kou_otsu = "甲は、乙に対し運用業務を委託する。乙は、AWS を利用する。" + "AWS は、データセンターを運営する。" * 3
    assert "AWS" not in parties.find_parties(kou_otsu).provider | parties.find_parties(kou_otsu).customer


def test_a_definition_in_brackets_does_not_end_the_sentence():
    # round 14: （以下「甲」という。） was cut at its 。, leaving ")と株式会社B(以下「乙」という。" a sentence
    from vendorrisk.contracts.checker.features import sentences
    assert sentences("株式会社A（以下「甲」という。）と株式会社B（以下「乙」という。）は、次のとおり合意する。乙は、通知する。") == [
        "株式会社A（以下「甲」という。）と株式会社B（以下「乙」という。）は、次のとおり合意する。", "乙は、通知する。"]
    assert len(sentences("「本データ」とは、利用者の情報をいう。本データは国内に保管する。")) == 2


def test_kou_inside_a_word_is_no_party():
    found = parties.find_parties("甲斐市は、甲状腺検査の実施を委託する。")
    assert not {"甲", "乙"} & (found.provider | found.customer)


@pytest.mark.parametrize("sentence, owner", [
    ("Ⓟは、本業務を第三者に再委託してはならない。", ("Ⓟ", "shall")),
    ("Ⓟは、Ⓒの承諾なく本業務を第三者に再委託することができない。", ("Ⓟ", "shall")),
    ("Ⓟは、Ⓒの承諾を得た場合に限り再委託することができる。", ("Ⓟ", "may")),
    ("本業務の再委託は、これを禁止する。", ("Ⓝ", "shall")),
    ("個人データを国外に移転してはならない。", ("Ⓝ", "shall")),
    ("個人データを国外に移転してはならず、国内で保管する。", ("Ⓝ", "shall")),
    ("秘密情報を第三者に開示することはできない。", ("Ⓝ", "shall")),
    ("Ⓟ may not subcontract any of the Services without Ⓒ's prior written consent.", ("Ⓟ", "shall")),
    ("Ⓟ cannot assign this Agreement.", ("Ⓟ", "shall")),
    ("Ⓟ is not permitted to store Customer Data outside Japan.", ("Ⓟ", "shall")),
    ("Ⓟ may subcontract with Ⓒ's consent.", ("Ⓟ", "may")),
    ("Neither party may disclose the other party's Confidential Information.", ("Ⓔ", "shall")),
    ("Either party may not assign this Agreement.", ("Ⓔ", "shall")),
    ("Either party may terminate this Agreement.", ("Ⓔ", "may")),
    ("In no event shall Customer Data be stored outside the EEA.", ("Ⓝ", "shall")),
])
def test_a_prohibition_is_a_duty(sentence, owner):
    assert parties.obligor(sentence) == owner


def test_items_owe_what_their_lead_in_says_and_mutual_duties_are_no_customer_duty():
    parsed = structure.parse(text.extract((PREAMBLE + "9. EXIT\n9.1 Upon termination the Provider shall:\n(a) return all "
                                           "Customer Data; and\n(b) permanently erase all Customer Data from its "
                                           "systems.\n" + TAIL_EN).encode(), "txt").blocks)
    units = matcher.read(parsed, library.library()).units
    erase = next(u for u in units if "permanently erase" in u.text)
    assert erase.obligor == (parties.PROVIDER, "shall") and "obl:Ⓟ:shall" in erase.features
    # the conditions listed under a permission are no one's duty
    parsed = structure.parse(text.extract((PREAMBLE + "9. CONFIDENTIALITY\n9.1 Either party may disclose Customer Data "
                                           "if:\n(1) such disclosure is required by applicable laws; or\n(2) the "
                                           "other party consents.\n" + TAIL_EN).encode(), "txt").blocks)
    units = matcher.read(parsed, library.library()).units
    assert next(u for u in units if "required by applicable laws" in u.text).obligor[0] != "Ⓔ"
    mutual = _check(PREAMBLE + "5. SECURITY BREACHES\n5.1 Each party shall notify the other party in writing within 24 "
                    "hours after becoming aware of any Security Breach affecting Customer Data.\n" + TAIL_EN,
                    "incident_notification")
    assert mutual.reason_key != "direction"


def test_a_customers_duty_is_not_the_providers_incident_notification():
    users_duty = _check("第1条（通知）\n利用者は、不正アクセスを発見した場合、直ちに当社に通知するものとします。\n" + TAIL_JA,
                        "incident_notification")
    assert users_duty.status != "found"
    providers = _check("第1条（事故時の報告）\n当社は、利用者データの漏えいを発見した場合、直ちに利用者に通知するものとします。\n"
                       + TAIL_JA, "incident_notification")
    assert providers.status == "found" and providers.location == "第1条"
    en_customer = _check(PREAMBLE + "5. NOTICES OF MISUSE\n5.1 Customer shall notify Provider in writing within 24 hours "
                         "after becoming aware of any misuse of the Services by its users.\n" + TAIL_EN, "incident_notification")
    en_provider = _check(PREAMBLE + "5. SECURITY BREACHES\n5.1 Provider shall notify Customer in writing within 24 hours "
                         "after becoming aware of any Security Breach affecting Customer Data.\n" + TAIL_EN, "incident_notification")
    assert en_customer.status != "found" and en_provider.status == "found"


def test_a_free_right_to_subcontract_is_no_procedure():
    preamble = "This Agreement is made between Alpha Bank (the \"Bank\") and Beta Inc. (\"Beta\").\n"
    consent = _check(preamble + "7. SUBCONTRACTING\n7.1 Beta shall not subcontract any of its obligations without the "
                     "prior written consent of the Bank.\n" + TAIL_EN, "subcontracting")
    free = _check(preamble + "7. SUBCONTRACTING\n7.1 Beta may subcontract any of its obligations to third parties of "
                  "its choosing without notice.\n" + TAIL_EN, "subcontracting")
    assert consent.status == "found" and free.status != "found"
    discretion = _check("第1条（第三者の利用）\n当社は、当社の判断で本サービスの一部を第三者に委託することができるものとします。\n"
                        + TAIL_JA, "subcontracting")
    assert discretion.status != "found"


def test_obeying_the_data_protection_law_is_no_user_data_handling():
    preamble = "株式会社A（以下「甲」という。）と株式会社B（以下「乙」という。）は、甲が乙に業務を委託することについて契約を締結する。\n"
    law_only = _check(preamble + "第5条（個人情報の保護）\n乙は、本業務の遂行に当たり、個人情報の保護に関する法律その他の関係法令等を"
                      "遵守しなければならない。\n" + TAIL_JA, "user_data_handling")
    assert law_only.status != "found" and law_only.reason_key == "negative"
    handled = _check(preamble + "第5条（個人情報の取扱い）\n乙は、個人情報保護法を遵守し、委託業務の終了後、甲の利用者データを"
                     "速やかに返還し、又は消去しなければならない。\n" + TAIL_JA, "user_data_handling")
    assert handled.status == "found"
    en_law_only = _check(PREAMBLE + "8. DATA PROTECTION\n8.1 Provider shall comply with all applicable data protection "
                         "laws and regulations.\n" + TAIL_EN, "user_data_handling")
    en_handled = _check(PREAMBLE + "8. CUSTOMER DATA\n8.1 Provider shall comply with applicable data protection laws and "
                        "shall return or delete all Customer Data at the end of the term.\n" + TAIL_EN, "user_data_handling")
    assert en_law_only.status != "found" and en_handled.status == "found"
    negative = library.clauses_by_id()["user_data_handling"].recognition
    for lang, sentence, only_law in (
            ("ja", "乙は、個人情報の取扱いについては、個人情報保護条例その他関係法令等を遵守しなければならない。", True),
            ("ja", "乙は、甲が定める個人情報の取扱方法を遵守しなければならない。", False),
            ("ja", "乙は、個人情報保護法を遵守し、個人データを日本国内に保管する。", False),
            ("en", "provider shall comply with all applicable data protection laws and regulations.", True),
            ("en", "provider shall comply with applicable laws and shall delete customer data on request.", False)):
        assert any(p.search(sentence) for p in negative[lang].negative) == only_law, sentence


def test_a_negative_best_sentence_is_the_reason_whatever_the_documents_score(monkeypatch):
    # round 14: the negative pattern was reported only for a document that would otherwise be
    # found; one scoring in the review band said "weak" although its best sentence only obeys the law
    preamble = "株式会社A（以下「甲」という。）と株式会社B（以下「乙」という。）は、甲が乙に業務を委託することについて契約を締結する。\n"
    contract = (preamble + "第5条（個人情報の保護）\n乙は、本業務の遂行に当たり、個人情報の保護に関する法律その他の関係法令等を"
                "遵守しなければならない。\n" + TAIL_JA)
    monkeypatch.setattr(scorer.Model, "found", lambda self, lang: 1e9)  # nothing reaches found
    law_only = _check(contract, "user_data_handling")
    assert law_only.status == "needs_review" and law_only.reason_key == "negative", law_only.reason
    assert "遵守" in law_only.reason_params["phrase"]
    # likewise a sentence that only points to another document
    referred = _check(preamble + "第3条（サービスレベル）\nサービスレベルは、別途締結するサービスレベル合意書に定めるとおりとする。\n"
                      + TAIL_JA, "service_levels")
    assert referred.status == "needs_review" and referred.reason_key == "referenced", referred.reason


def test_reasons_are_keys_rendered_in_the_readers_language():
    result = _check("第1条（再委託）\n乙は、甲の事前の書面による承諾を得なければ、本業務を第三者に再委託してはならない。\n"
                    + TAIL_JA, "subcontracting")
    assert result.status == "found" and result.reason_key == "found"
    assert result.reason_params["location"] == "第1条" and float(result.reason_params["score"]) >= 0.5
    assert "見つかりました" in result.reason_in("ja") and "Found at 第1条" in result.reason_in("en")
    absent = _check("第1条（目的）\n本契約は業務の委託を定める。\n" + TAIL_JA, "key_management")
    assert absent.status == "not_found" and absent.evidence == "" and "見当たりません" in absent.reason_in("ja")


def test_the_model_is_json_data_with_weights_for_every_clause():
    path = scorer.model_path()
    raw = path.read_bytes()
    data = json.loads(raw)
    assert data["format"] == scorer.MODEL_FORMAT and not raw.startswith(b"\x80")  # not a pickle
    assert set(data["clauses"]) == {c.id for c in library.library()}
    held = training.heldout_names()
    assert len(held) == 33  # round 1 (12 CUAD + 3 ja), round 2 (3 CUAD + 2 en + 4 ja), round 9 (1 CUAD each of label9a, label9b),
    # round 10 (3 ja: two by the sha256 rule, one sharing text with one of them), round 11 (label11a: 2 en, label11b: 2 en)
    assert not held & set(data["meta"]["documents"]), "a held-out document was trained on"
    model = scorer.load_model()
    assert model.clause_ids == [c.id for c in library.library()]
    for lang in ("ja", "en"):  # document-level thresholds (decision values), per language
        assert model.review(lang) <= model.found(lang)
    assert len(model.stacker["weights"]) == len(model.stacker["features"]) + 2 * len(model.clause_ids)
    assert set(data["meta"]["cv_by_language"]) == {"real ja", "real en", "own ja", "own en"}


def test_the_review_band_is_capped_and_found_is_not_moved():
    # 100 pairs: 10 at or above found; below it, 90 values 0, -0.1, ..., -8.9
    values = [5.0] * 10 + [-i / 10 for i in range(90)]
    present = [True] * 10 + [i % 3 == 0 for i in range(90)]
    found = training.found_threshold(values, present)
    review = training.review_threshold(values, found)
    band = sum(1 for v in values if review <= v < found)
    assert band <= training.MAX_REVIEW * len(values) and band >= training.MAX_REVIEW * len(values) - 1
    assert training.review_threshold([1.0, 2.0], 0.5) == 0.5  # nothing below found: no band
    langs = ["en", "ja"] * 50  # each language gets its own, from its own pairs
    found_by_lang, review_by_lang = training.choose_thresholds(values, present, langs, [True] * 100)
    for lang in ("en", "ja"):
        mine = [v for v, language in zip(values, langs) if language == lang]
        assert review_by_lang[lang] == training.review_threshold(mine, found_by_lang[lang]) < found_by_lang[lang]


def test_training_is_reproducible_and_writes_what_the_checker_reads(tmp_path):
    documents = [d for d in training.real_documents() if not d.heldout][:6] + training.own_documents()[:4]
    first = training.train(documents, log=lambda *_: None)
    second = training.train(documents, log=lambda *_: None)
    assert first == second and first["version"] == second["version"]
    training.write(first, tmp_path / "m.json")
    model = scorer.load_model(tmp_path / "m.json")
    assert model.version == first["version"] and len(model.clause_ids) == 14


def test_reviewer_examples_move_the_scorer_and_leave_the_shipped_weights():
    model = scorer.load_model()
    sentence = "Ⓟ will route every pager alert of the ledger cluster to Ⓒ's duty desk."
    features = example_features(sentence)
    slot = model.slot("incident_notification")
    before = model.scores(features)[slot]
    examples = [scorer.Example("incident_notification", frozenset(features), 1)] * 3
    memory = model.adapt(examples)
    assert model.scores(features, memory)[slot] > before + 0.2
    assert model.scores(features)[slot] == before  # the shipped model is unchanged
    against = model.adapt([scorer.Example("incident_notification", frozenset(features), 0)] * 3)
    assert model.scores(features, against)[slot] <= before
    # a near neighbour of a confirmed example gains for that clause only; an unrelated sentence not at all
    neighbour = example_features("Ⓟ will route every pager alert of the ledger cluster to Ⓒ's night desk.")
    near = model.adapt([scorer.Example("incident_notification", frozenset(features), 1)])
    assert near.changes(neighbour)[slot] > near.changes(example_features("Fees are payable monthly."))[slot]
    assert model.scores(neighbour, near)[slot] > model.scores(neighbour)[slot]


def _real_counts(heldout: bool):
    """Found pairs of the held-out documents, or of the training documents the shipped model was
    fitted on (its ``meta``): a document labelled after the last training run is neither."""
    clauses = library.library()
    fitted = set(json.loads(scorer.model_path().read_bytes())["meta"]["documents"])
    counts = {"pf": 0, "p": 0, "af": 0, "a": 0}
    for document in training.real_documents():
        if document.heldout != heldout or not (heldout or document.key in fitted):
            continue
        results = {r.clause_id: r.status for r in
                   matcher.check_contract(None, clauses, reading=document.reading())}
        for clause_id, present in document.present.items():
            counts["p" if present else "a"] += 1
            if results[clause_id] == "found":
                counts["pf" if present else "af"] += 1
    return counts


def test_real_corpus_floor_tuned_and_held_out():
    tuned, held = _real_counts(False), _real_counts(True)
    assert tuned["pf"] / tuned["p"] >= 0.9 and tuned["af"] / tuned["a"] <= 0.01
    # the held-out split: the figures docs/contracts_accuracy.md reports, look by look (the latest in
    # docs/contracts.md; recall is far from target).
    # Absent->found: 8 of 264 pairs at the eighth look (0.0303), past the 0.03 target since
    # round 10's three Japanese documents (2 of their 39 absent pairs found; rounds 1, 2 and 9
    # alone: 6 of 225). A floor at today's count: one more false found fails.
    assert held["af"] <= 8, held
    assert held["pf"] / held["p"] >= 0.45, held


def test_a_found_clause_without_its_essential_element_says_so():
    breach = PREAMBLE + "5. SECURITY BREACHES\n5.1 Provider shall notify Customer in writing{} after becoming aware of any " \
                        "Security Breach affecting Customer Data.\n" + TAIL_EN
    without = _check(breach.format(""), "incident_notification")
    with_deadline = _check(breach.format(" within 24 hours"), "incident_notification")
    assert with_deadline.status == "found" and with_deadline.reason_key == "found"
    assert without.status == "found" and without.reason_key == "found_without_essential"
    assert "no deadline" in without.reason_in("en") and "報告期限の定めが見当たりません" in without.reason_in("ja")


def test_a_confidentiality_owed_only_by_the_customer_is_not_the_providers():
    customers = _check(PREAMBLE + "8. CONFIDENTIALITY\n8.1 Customer shall keep confidential all pricing, software and "
                       "other Confidential Information of Provider and shall not disclose it to any third party.\n"
                       + TAIL_EN, "confidentiality")
    assert customers.status != "found"
    mutual = _check(PREAMBLE + "8. CONFIDENTIALITY\n8.1 Each party shall keep confidential all Confidential "
                    "Information of the other party and shall not disclose it to any third party.\n" + TAIL_EN,
                    "confidentiality")
    assert mutual.reason_key != "direction"


def test_the_document_model_reads_who_owes_the_best_sentence_and_an_older_model_still_scores():
    from vendorrisk.contracts.checker import evidence
    parsed = structure.parse(text.extract((PREAMBLE + "8. CONFIDENTIALITY\n8.1 Each party shall keep confidential all "
                                           "Confidential Information of the other party.\n" + TAIL_EN).encode(),
                                          "txt").blocks)
    units = matcher.read(parsed, library.library()).units
    scores = [0.9 if "keep confidential" in u.text else 0.1 for u in units]
    row = dict(zip(evidence.FEATURES, evidence.document_features(units, scores, "confidentiality",
                                                                 [True] * len(units), "en")))
    assert row["owner_each"] == 1.0 and row["owner_provider"] == 0.0
    # a model trained before ``owner_each`` names fewer features: it scores the ones it knows
    older = [name for name in evidence.FEATURES if name != "owner_each"]
    stacker = {"features": older, "bias": 0.5, "weights": [1.0] * len(older) + [0.0] * 4}
    features = evidence.document_features(units, scores, "confidentiality", [True] * len(units), "en")
    expected = 0.5 + sum(row[name] for name in older)
    assert evidence.stacker_score(stacker, features, 0, 2) == pytest.approx(expected)


def test_a_providers_right_to_audit_its_customer_is_no_audit_right():
    parsed = structure.parse(text.extract((PREAMBLE + "6. AUDITS\n6.1 Provider may audit the Customer's records of usage "
                                           "upon thirty days written notice.\n" + TAIL_EN).encode(), "txt").blocks)
    unit = next(u for u in matcher.read(parsed, library.library()).units if "may audit" in u.text)
    assert unit.obligor == (parties.PROVIDER, "may")
    assert not training.usable(unit, "audit_rights") and training.usable(unit, "termination_exit")
    providers = _check(PREAMBLE + "6. AUDITS\n6.1 Provider may audit the Customer's records of usage of the Software "
                       "by engaging an independent public audit firm upon thirty days written notice.\n" + TAIL_EN,
                       "audit_rights")
    assert providers.status != "found"
    customers = _check(PREAMBLE + "6. AUDITS\n6.1 Customer may audit the Provider's records, systems and premises "
                       "used for the Services, and Provider shall give Customer's auditors and regulators access "
                       "to them upon thirty days written notice.\n" + TAIL_EN, "audit_rights")
    assert customers.status == "found"


@pytest.mark.parametrize("sentence", [
    "Provider will comply with the Security Policy, if any.",
    "Failure to provide the agreed service levels results in service credits, as outlined in the Support Service Annex."])
def test_a_duty_that_only_points_to_another_document_is_a_reference(sentence):
    class Unit:
        text = sentence
    assert matcher._only_refers(Unit())
