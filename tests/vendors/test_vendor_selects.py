"""Vendor selects on the filter and choice forms, and the lists of vendors, are in the register's 50音 order
(by フリガナ, then name), not by the code points of their names."""
import re

import pytest

from tests import factories
from vendorrisk.vendors.kana import sort_key

# by code point 安 < 渡 < 鈴, by reading アンドウ < スズキ < ワタナベ; no reading: after them
VENDORS = (("渡辺商事", "ワタナベショウジ"), ("安藤物産", "アンドウブッサン"), ("鈴木工業", "スズキコウギョウ"), ("ABC Ltd", ""))
READING = ["安藤物産", "鈴木工業", "渡辺商事", "ABC Ltd"]


@pytest.mark.parametrize("path", ["/findings/", "/findings/new", "/questionnaires/", "/selection/new"])
def test_vendor_selects_follow_the_reading(db, client, login, path):
    login("compliance")
    for name, kana in VENDORS:
        factories.gen_vendor(db, name=name, name_kana=kana, kana_key=sort_key(kana))
    db.commit()
    page = client.get(path)
    assert page.status_code == 200
    select = page.get_data(as_text=True).split('name="vendor_id"')[1].split("</select>")[0]
    names = [n.strip() for n in re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)", select)]
    assert [n for n in names if n in READING] == READING


@pytest.mark.parametrize("path", ["/contracts/", "/certificates/coverage"])
def test_vendor_lists_follow_the_reading(db, client, login, path):
    """The contracts index and the coverage list of important vendors, in the register's order."""
    login("compliance")
    for name, kana in VENDORS:
        vendor = factories.gen_vendor(db, name=name, name_en="", name_kana=kana, kana_key=sort_key(kana))
        factories.gen_arrangement(db, vendor, is_important=True)
    db.commit()
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert sorted(text.index(name) for name in READING) == [text.index(name) for name in READING]
