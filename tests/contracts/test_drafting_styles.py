"""The Japanese ``found`` threshold per drafting style (round 19): the style read from the
parties, the thresholds chosen per style in training, and the matcher reading them (text and
values written here)."""
import pytest

from vendorrisk.contracts import training
from vendorrisk.contracts.checker import library, matcher, parties, structure, text


@pytest.mark.parametrize("contract, style", [
    ("委託者株式会社A（以下「甲」という。）と受託者株式会社B（以下「乙」という。）は、次のとおり契約を締結する。\n"
     "第1条 甲は、乙に対し、システム運用業務を委託する。\n第2条 乙は、当社の規程に従う。", "contract"),
    ("乙は、本業務を第三者に再委託してはならない。", "contract"),  # a lone sign (an excerpt)
    ("業務委託基本契約書\n第一条 委託者及び受託者は、信義に従い誠実に本契約を履行する。\n"
     "第二条 受託者は、利用者のデータを日本国内で保管する。", "contract"),
    ("本規約は、株式会社ミライID（以下「当社」という。）が提供するサービスの利用条件を定めるものです。"
     "本サービスを利用する事業者（以下「お客様」といいます。）は、本規約に同意のうえ利用するものとします。\n"
     "当社は、お客様のデータを委託先に取り扱わせることがあります。", "terms"),
    ("GitHub は、お客様のデータを米国内で処理しています。GitHub は、本サービスを提供します。"
     "GitHub は、受託者を利用することがあります。お客様は、料金を支払うものとします。", "terms"),
    ("本書は、システムの概要を説明する資料である。", ""),
])
def test_the_drafting_style_is_read_from_the_parties(contract, style):
    assert parties.drafting_style(parties.find_parties(contract)) == style


def _pairs(values, real, style):
    return [(v, False, "ja", real, style) for v in values]


def test_the_japanese_found_threshold_is_chosen_per_drafting_style():
    # real terms: 100 absent pairs (0, -0.1, ... -9.9), 3 % cap -> three allowed above, found -0.2999;
    # own contracts: 40 absent pairs with two decoys (2.0, 1.5), one allowed above -> 1.5001;
    # own terms: 10 absent pairs with a decoy at 3.0 (fewer than MIN_STYLE_ABSENT: it does not bind).
    # The shipped rule gives every Japanese document the higher group's threshold (2.0001, set by the
    # own documents taken together: 50 absent pairs, 3.0 allowed above, 2.0 next).
    pairs = (_pairs([-i / 10 for i in range(100)], True, "terms")
             + _pairs([2.0, 1.5] + [-5.0] * 38, False, "contract")
             + _pairs([3.0] + [-6.0] * 9, False, "terms")
             + [(v, False, "en", True, "terms") for v in [-i / 10 for i in range(100)]])
    values, present, langs, real, styles = (list(column) for column in zip(*pairs))
    found, review = training.choose_thresholds(values, present, langs, real)
    assert found == {"ja": 2.0001, "en": -0.2999}
    found_by, review_by = training.choose_style_thresholds(values, present, langs, real, styles, review)
    assert found_by == {"ja": {"terms": -0.2999, "contract": 1.5001}}
    stacker = {"found": found, "review": review, "found_by_style": found_by, "review_by_style": review_by}
    assert matcher.thresholds_of(stacker, "ja", "terms")[0] == -0.2999
    assert matcher.thresholds_of(stacker, "ja", "contract")[0] == 1.5001
    for style in ("contract", "terms"):  # the review band is the language's cap, below the style's found
        real_ja = [v for v, _p, lang, r, _s in pairs if lang == "ja" and r]
        assert review_by["ja"][style] == training.review_threshold(real_ja, found_by["ja"][style]) \
            < found_by["ja"][style]
    # no style read, English, and a model written before round 19: the language's thresholds
    assert matcher.thresholds_of(stacker, "ja", "") == (found["ja"], review["ja"])
    assert matcher.thresholds_of(stacker, "en", "terms") == (found["en"], review["en"])
    assert matcher.thresholds_of({"found": found, "review": review}, "ja", "terms") == (found["ja"], review["ja"])


def test_a_style_without_enough_absent_pairs_takes_the_languages_threshold():
    # 29 real terms pairs (one short of MIN_STYLE_ABSENT) and 40 own contract pairs; English as the language needs
    pairs = (_pairs([-i / 10 for i in range(29)], True, "terms") + _pairs([-i / 10 for i in range(40)], False, "contract")
             + [(-1.0, False, "en", True, "")])
    values, present, langs, real, styles = (list(column) for column in zip(*pairs))
    _found, review = training.choose_thresholds(values, present, langs, real)
    found_by, _review_by = training.choose_style_thresholds(values, present, langs, real, styles, review)
    assert found_by == {"ja": {"contract": training.found_threshold(values[29:69], present[29:69])}}


def test_the_matcher_reads_the_documents_style():
    # a lone provider's sentence scores the same in both styles; the thresholds alone differ
    stacker_of = matcher.load_model().stacker
    body = "第1条（再委託）\n{p}は、本業務の全部又は一部を第三者に再委託する場合、事前に{c}の書面による承諾を得るものとする。\n"
    kinds = {"contract": body.format(p="乙", c="甲"), "terms": body.format(p="当社", c="お客様")}
    clause = library.clauses_by_id()["subcontracting"]
    seen = {}
    original = dict(stacker_of)
    try:
        # thresholds that tell the two styles apart whatever the score: contract out of reach, terms always found
        stacker_of["found_by_style"] = {"ja": {"contract": 1e9, "terms": -1e9}}
        stacker_of["review_by_style"] = {"ja": {"contract": 1e9 - 1, "terms": -1e9 - 1}}
        for style, contract in kinds.items():
            parsed = structure.parse(text.extract(contract.encode(), "txt").blocks)
            reading = matcher.read(parsed, library.library())
            assert parties.drafting_style(reading.parties) == style
            seen[style] = matcher.check_contract(parsed, [clause], reading=reading)[0].status
    finally:
        stacker_of.clear()
        stacker_of.update(original)
    assert seen == {"contract": matcher.NOT_FOUND, "terms": matcher.FOUND}
