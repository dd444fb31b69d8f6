"""フリガナ: the reading of a vendor's name, typed by a person (never guessed from kanji),
kept in full-width katakana, sorted in 50音 (gojūon) order and searched.

``normalise_kana`` turns what was typed — hiragana, half-width katakana (ｶﾌﾞｼｷｶﾞｲｼｬ),
full-width letters — into one form with ``jaconv`` (MIT): full-width katakana, half-width
letters and digits, single spaces. ``sort_key`` orders it as a Japanese reader expects: voiced
and semi-voiced kana sort with their plain kana (ガ with カ), small kana with large ones (ッ
with ツ); spaces and the middle dot are ignored, the long-vowel mark ー sorts after every kana.
A vendor without フリガナ whose name is written in kana or Latin letters sorts by its name
(``reading_key``): Latin letters and digits before the kana (英数字, then 50音); only a name
with kanji and no フリガナ, which has no reading to sort by, comes after the others.
"""
import re
import unicodedata

import jaconv
from flask_babel import gettext as _

from vendorrisk.core.validation import too_long

ALLOWED = re.compile(r"[\u30A1-\u30FA\u30FC\u30FB\u30FD\u30FE A-Za-z0-9&'.,\-]+")
_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_MARKS = {"\u3099", "\u309A"}  # combining (semi-)voiced sound marks, after NFD
_IGNORED = re.compile(r"[\s・]+")


def normalise_kana(text: str | None) -> str:
    """What was typed, as full-width katakana with half-width letters, digits and spaces."""
    text = unicodedata.normalize("NFC", (text or "").strip())
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)  # ｶﾌﾞｼｷ -> カブシキ
    text = jaconv.z2h(text, kana=False, ascii=True, digit=True)  # ＡＢＣ１ -> ABC1
    text = jaconv.hira2kata(text)
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def kana_problem(kana: str) -> str | None:
    """Why a normalised フリガナ is refused (kanji, symbols), or None."""
    if kana and not ALLOWED.fullmatch(kana):
        return _("Type the reading in katakana or hiragana (letters and digits may stay as they are).")
    return too_long(kana, 300)


def sort_key(kana: str | None) -> str:
    """The 50音 sort key of a normalised フリガナ ("" when there is none)."""
    text = _IGNORED.sub("", kana or "")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if c not in _MARKS)
    return unicodedata.normalize("NFC", text.translate(_SMALL)).upper()[:300]


def name_key(normalized_name: str | None) -> str:
    """The sort key of a vendor's name when the name reads as it is written: kana, Latin
    letters and digits (``normalise_name``'s form, legal-form words gone: 株式会社さくら as
    サクラ, ABC株式会社 as ABC); "" for a name with kanji, whose reading only a person can give."""
    text = normalise_kana(normalized_name)
    return sort_key(text) if text and ALLOWED.fullmatch(text) else ""


def reading_key(kana: str | None, normalized_name: str | None) -> str:
    """The register's sort key of a vendor: its フリガナ's, else its name's when the name reads
    as written (``name_key``); "" when neither gives a reading (those come after the others)."""
    return sort_key(kana) or name_key(normalized_name)


def search_form(query: str) -> str:
    """A search as it would be stored (hiragana or half-width kana found as katakana), or ""
    when it holds no kana at all."""
    kana = normalise_kana(query)
    return kana if re.search(r"[\u30A1-\u30FA]", kana) else ""
