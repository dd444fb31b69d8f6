"""Worksheet rows written as SpreadsheetML text, without openpyxl's per-cell objects.

A cell is written as openpyxl's write-only sheet writes it (same escaping, same refusal of
illegal characters, formula injection neutralised by ``core.xlsx.neutralise``), but without
its ``r="B7"`` reference: cells of a row are placed one after the other (ECMA-376 makes the
reference optional; Excel, LibreOffice and openpyxl read them so), an empty value as
``<c/>``. So a cell's XML depends on its value alone and can be built once per distinct value:
the matrix export has a million cells and a few thousand distinct values.
"""
from datetime import date
from typing import Any, Iterable, Sequence

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError

from vendorrisk.core.xlsx import neutralise

MEMO_LIMIT = 5_000  # distinct cell texts remembered while spooling (bounded memory)


def cell(value: Any) -> str:
    """The XML of one cell holding ``value``."""
    value = neutralise(value)
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c t="n"><v>{value!r}</v></c>'
    if isinstance(value, date):  # written as ISO text (2026-04-01), not as a styled date serial
        value = value.isoformat()
    value = str(value)[:32767]
    if not value:
        return '<c t="inlineStr"/>'
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if value in ERROR_CODES:
        return f'<c t="e"><v>{text}</v></c>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Cells:
    """``cells(value)``: the XML of a cell, built once per distinct value (bounded memo)."""

    def __init__(self):
        self.memo: dict = {}

    def __call__(self, value: Any) -> str:
        key = (type(value), value)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            found = self.memo[key] = cell(value)
        return found


def spool_rows(rows: Iterable[Sequence[Any]], spool, first: int = 2) -> int:
    """Write ``rows`` as sheet rows numbered from ``first`` into ``spool``; returns their count."""
    cells = Cells()
    count = 0
    for count, row in enumerate(rows, start=1):
        spool.write(f'<row r="{first + count - 1}">{"".join(map(cells, row))}</row>'.encode())
    return count
