"""Single-line text: names, titles and services that end up in e-mail subjects, Excel
cells and file names may hold no line break, tab or other control character.

``single_line`` is the one check every validator of such a field calls (API, pages,
register import and CLI all validate through the same models); ``fold`` turns text that
is already stored into one safe line where it is used as a header.

Multi-line text (notes, descriptions, comments) may hold line breaks and tabs but nothing
that no document can hold: ``multi_line`` refuses the other C0 control characters (NUL,
vertical tab ...; XML 1.0, and so Excel and Word, cannot hold them, PostgreSQL refuses NUL)
and lone surrogates (no UTF-8 text can hold them). Every request's form fields, query
parameters and JSON strings are checked the same way (``core.input_guard``). ``writable``
makes text that is already stored safe for a document, so that no stored value can break
an export.
"""
import re

from flask_babel import gettext as _

# C0 and C1 control characters (CR, LF, tab, vertical tab, NUL ...), DEL, and the Unicode
# line and paragraph separators, which some mail and spreadsheet software treat as breaks.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def control_character(value: str) -> str | None:
    """The first control character in ``value``, or None."""
    found = CONTROL.search(value or "")
    return found.group(0) if found else None


def problem(value) -> str | None:
    """What is wrong with a single-line value (a message the user can act on), or None."""
    character = control_character(value) if isinstance(value, str) else None
    if character is None:
        return None
    if character in "\r\n\u2028\u2029\x0b\x0c\x85":
        return _("Write this on one line: line breaks are not allowed here.")
    return _("Remove the control character %(character)s: tabs and other control characters "
             "are not allowed here.", character=repr(character))


def single_line(value):
    """Validator body: refuse a value holding a line break or control character (raises
    ``ValueError`` with the message of ``problem``); other values pass unchanged."""
    message = problem(value)
    if message:
        raise ValueError(message)
    return value


# What no XML document (Excel, Word) can hold: C0 controls other than tab, LF and CR, the
# noncharacters U+FFFE/U+FFFF; and lone surrogates, which no UTF-8 text can hold.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def unwritable_problem(value) -> str | None:
    """What is wrong with multi-line text (a message the user can act on), or None."""
    found = UNWRITABLE.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    character = found.group(0)
    if "\ud800" <= character <= "\udfff":
        return _("The text holds an invalid character (a lone UTF-16 surrogate); send it as UTF-8.")
    return _("Remove the control character %(character)s: it cannot be stored or exported.",
             character=repr(character))


def multi_line(value):
    """Validator body for multi-line text: line breaks and tabs pass, other control
    characters and lone surrogates are refused (``ValueError``)."""
    message = unwritable_problem(value)
    if message:
        raise ValueError(message)
    return value


def writable(value: str) -> str:
    """``value`` with every character no document can hold replaced by U+FFFD."""
    return UNWRITABLE.sub("\ufffd", value)


def fold(value: str) -> str:
    """One line: every run of line breaks and control characters becomes one space."""
    return _BREAKS.sub(" ", value or "").strip()
