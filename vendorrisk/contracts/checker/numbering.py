"""Numbers as contracts write them: digits, kanji numerals (``第十二条``, ``別表第二``) or Roman
numerals (``ARTICLE IV``)."""

KANJI_VALUES = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9〇零一二三四五六七八九十百千]+"
ROMAN = r"[ivxl]{1,7}\b"  # ARTICLE IV of older US drafting (with re.I)
ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def kanji_number(text: str) -> int:
    """Read a number written in digits or kanji numerals (``十二`` -> 12, ``二十一`` -> 21)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in KANJI_VALUES:
            current = current * 10 + KANJI_VALUES[char] if current else KANJI_VALUES[char]
        elif char in KANJI_UNITS:
            total += (current or 1) * KANJI_UNITS[char]
            current = 0
    return total + current


def roman_number(text: str) -> str:
    """``IV`` -> ``4`` (a Roman numeral as digits); digits are returned as they are."""
    if text[:1].isdigit():
        return text
    values = [ROMAN_VALUES[c] for c in text.lower()]
    return str(sum(-v if v < after else v for v, after in zip(values, values[1:] + [0])))


KANJI_DIGITS = "〇一二三四五六七八九"


def to_kanji(n: int) -> str:
    """A positive integer in kanji numerals (``12`` -> ``十二``), as Word's Japanese counting."""
    if n <= 0:
        return str(n)
    out = ""
    for value, sign in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, value)
        if digit:
            out += ("" if digit == 1 else KANJI_DIGITS[digit]) + sign
    return out + (KANJI_DIGITS[n] if n else "")


def to_roman(n: int) -> str:
    """A positive integer in Roman numerals (``4`` -> ``IV``), as Word's ``upperRoman``."""
    out = ""
    for value, sign in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                        (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += sign * count
    return out or str(n)
