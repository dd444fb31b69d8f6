"""The drafting style of a Japanese document read from its parties (round 19; the reader lives in
``bench/contracts_ja_styles.py``, the only code that uses it; text written here)."""
import pytest

from bench.contracts_ja_styles import drafting_style
from vendorrisk.contracts.checker import parties


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
    assert drafting_style(parties.find_parties(contract)) == style
