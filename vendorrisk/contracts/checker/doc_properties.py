"""The few character and paragraph properties the .doc reader needs ([MS-DOC] 2.9.134 PlcBteChpx,
2.9.133 PlcBtePapx, 2.9.44 ChpxFkp, 2.9.175 PapxFkp, 2.2.5 Sprm): which text a tracked change
deleted (``sprmCFRMarkDel``), and which paragraph marks end a table cell or a table row
(``sprmPFInTable``, ``sprmPFTtp``, and their inner-table forms). Properties a paragraph takes from
its style or its piece's Prm are not read: Word and LibreOffice write these ones directly."""
import bisect
import struct

from vendorrisk.core import time_budget

PLCF_BTE_CHPX, PLCF_BTE_PAPX = 12, 13  # indexes in FibRgFcLcb97
PAGE = 512
SPRM_DELETED = 0x0800  # sprmCFRMarkDel
SPRM_IN_TABLE, SPRM_TTP = 0x2416, 0x2417  # sprmPFInTable, sprmPFTtp (the row's end mark)
SPRM_INNER_CELL, SPRM_INNER_TTP, SPRM_ITAP = 0x244B, 0x244C, 0x6649
SPRM_DEF_TABLE = 0xD608  # the one variable operand whose size takes two bytes
OPERAND_SIZES = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # by spra, the sprm's top three bits


class CorruptProperties(ValueError):
    """A property page lies outside the WordDocument stream or does not hold together."""


def sprms(grpprl: bytes) -> dict[int, bytes]:
    """The properties of a ``grpprl``: each sprm's operand (the last one of a sprm repeated)."""
    found, at = {}, 0
    while at + 2 <= len(grpprl):
        sprm = int.from_bytes(grpprl[at:at + 2], "little")
        at += 2
        spra = sprm >> 13
        if spra != 6:
            size = OPERAND_SIZES[spra]
        elif sprm == SPRM_DEF_TABLE:
            size = int.from_bytes(grpprl[at:at + 2], "little") + 1
        else:
            size = (grpprl[at] if at < len(grpprl) else 0) + 1
        found[sprm] = grpprl[at:at + size]
        at += size
    return found


def _on(operand: bytes | None) -> bool:
    return bool(operand) and operand[0] in (1, 0x81)  # a ToggleOperand: on, or the opposite of a style's off


def _runs(word: bytes, table: bytes, pair: tuple[int, int], paragraphs: bool) -> list[tuple[int, int, bytes]]:
    """The (first fc, fc past the end, grpprl) runs of the formatted disk pages a PlcBte names."""
    fc, lcb = pair
    if lcb < 12:
        return []
    if fc + lcb > len(table) or (lcb - 4) % 8:
        raise CorruptProperties("the property table lies outside the table stream")
    count = (lcb - 4) // 8
    runs = []
    for pn in struct.unpack_from(f"<{count}I", table, fc + 4 * (count + 1)):
        time_budget.check()
        page = word[(pn & 0x3FFFFF) * PAGE:(pn & 0x3FFFFF) * PAGE + PAGE]
        crun = page[-1] if len(page) == PAGE else 0
        width = 13 if paragraphs else 1  # a BxPap (offset and PHE), or a byte
        if not crun or 4 * (crun + 1) + width * crun > PAGE - 1:
            raise CorruptProperties("a property page is cut short")
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for index in range(crun):
            offset = page[4 * (crun + 1) + width * index] * 2
            grpprl = b""
            if offset and paragraphs:
                size, start = (2 * page[offset + 1], offset + 2) if page[offset] == 0 else \
                    (2 * page[offset] - 1, offset + 1)
                grpprl = page[start + 2:start + size]  # after the style's istd
            elif offset:
                grpprl = page[offset + 1:offset + 1 + page[offset]]
            runs.append((fcs[index], fcs[index + 1], grpprl))
    return runs


def deleted(word: bytes, table: bytes, fib) -> list[tuple[int, int]]:
    """The fc ranges (first, past the end) of text a tracked change deleted, in order."""
    return sorted((start, end) for start, end, grpprl in _runs(word, table, fib.pair(PLCF_BTE_CHPX), False)
                  if _on(sprms(grpprl).get(SPRM_DELETED)))


class ParagraphMarks:
    """What each paragraph mark of the file ends, looked up by its fc."""

    def __init__(self, word: bytes, table: bytes, fib):
        runs = sorted(_runs(word, table, fib.pair(PLCF_BTE_PAPX), True))
        self.starts = [start for start, _end, _grpprl in runs]
        self.runs = runs
        self.cache: dict[int, dict[int, bytes]] = {}

    def __bool__(self) -> bool:
        return bool(self.runs)

    def properties(self, fc: int) -> dict[int, bytes]:
        """The sprms of the paragraph whose mark is at ``fc`` (none when no run holds it)."""
        index = bisect.bisect_right(self.starts, fc) - 1
        if index < 0 or fc >= self.runs[index][1]:
            return {}
        if index not in self.cache:
            self.cache[index] = sprms(self.runs[index][2])
        return self.cache[index]


def kind_of(found: dict[int, bytes]) -> str:
    """What a paragraph mark of these properties ends: ``row`` (a table row's end mark),
    ``in_table`` (a cell's paragraph: its last when the mark is a cell mark), ``in_cell`` (a nested
    table's cell), ``inner_row`` (a nested table's row end) or ``paragraph``."""
    depth = int.from_bytes(found.get(SPRM_ITAP, b"\x00"), "little")
    return ("inner_row" if _on(found.get(SPRM_INNER_TTP)) else
            "in_cell" if _on(found.get(SPRM_INNER_CELL)) else
            "row" if _on(found.get(SPRM_TTP)) else
            "in_table" if _on(found.get(SPRM_IN_TABLE)) or depth else "paragraph")
