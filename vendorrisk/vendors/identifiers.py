"""Corporate numbers (法人番号): 13 digits, the first a check digit over the other twelve.

Written with ASCII or full-width digits (and spaces or hyphens between groups), stored as 13
ASCII digits. Other scripts' digits (Arabic-Indic, Devanagari, Thai ...), which Python's
``isdigit`` and ``int`` accept, are refused: the National Tax Agency writes none of them."""
import re

from flask_babel import gettext as _

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# Separators people type between the groups: spaces (ASCII, ideographic) and hyphens/dashes.
_SEPARATORS = " \u3000-\u2010\u2011\u2012\u2013\u2212\uff0d"


def corporate_check_digit(base12: str) -> int:
    """The check digit of a 12-digit base number (National Tax Agency formula)."""
    digits = [int(c) for c in base12]
    total = 0
    for position, digit in enumerate(reversed(digits), start=1):
        total += digit * (1 if position % 2 else 2)
    return 9 - total % 9


def normalise_corporate_number(value: str) -> str:
    """Full-width digits to ASCII; spaces and hyphens removed; anything else left as it is
    (for ``corporate_number_problem`` to refuse)."""
    return "".join(c for c in (value or "").translate(_FULL_WIDTH) if c not in _SEPARATORS)


def corporate_number_problem(value: str) -> str | None:
    """Return why a corporate number is invalid, or ``None`` when it is valid."""
    number = normalise_corporate_number(value)
    if not re.fullmatch("[0-9]{13}", number):
        return _("A corporate number has exactly 13 digits.")
    if int(number[0]) != corporate_check_digit(number[1:]):
        return _("The check digit (first digit) does not match the other twelve digits.")
    return None
