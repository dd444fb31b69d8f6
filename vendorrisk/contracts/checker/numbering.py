"""Numbers as contracts write them: digits or kanji numerals (``第十二条``, ``別表第二``)."""

KANJI_VALUES = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9〇零一二三四五六七八九十百千]+"


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
