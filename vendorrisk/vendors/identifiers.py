"""Corporate numbers (法人番号): 13 digits, the first a check digit over the other twelve."""
import unicodedata

from flask_babel import gettext as _


def corporate_check_digit(base12: str) -> int:
    """The check digit of a 12-digit base number (National Tax Agency formula)."""
    digits = [int(c) for c in base12]
    total = 0
    for position, digit in enumerate(reversed(digits), start=1):
        total += digit * (1 if position % 2 else 2)
    return 9 - total % 9


def normalise_corporate_number(value: str) -> str:
    """Full-width digits to ASCII; spaces and hyphens removed."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(c for c in text if c not in " -\u2010\u2212")


def corporate_number_problem(value: str) -> str | None:
    """Return why a corporate number is invalid, or ``None`` when it is valid."""
    number = normalise_corporate_number(value)
    if len(number) != 13 or not number.isdigit():
        return _("A corporate number has exactly 13 digits.")
    if int(number[0]) != corporate_check_digit(number[1:]):
        return _("The check digit (first digit) does not match the other twelve digits.")
    return None
