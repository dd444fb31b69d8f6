"""The numbers Word's automatic numbering draws before the paragraphs of a .doc (``第3条``, ``5.2``,
``(iv)``), which are not in its text: the list definitions of the table stream ([MS-DOC] 2.9.150
PlfLst with its LVLs, 2.9.151 PlfLfo) and each paragraph's list and level (``sprmPIlfo``,
``sprmPIlvl``), counted as ``word`` counts a .docx's: on the list definition (the LSTF), an
override's start value (LFOLVL ``fStartAt``) taking effect where its list is first used."""
import struct

from vendorrisk.contracts.checker.numbering import to_kanji, to_roman

PLF_LST, PLF_LFO = 73, 74  # indexes of (fcPlfLst, lcbPlfLst) and (fcPlfLfo, lcbPlfLfo) in FibRgFcLcb97
SPRM_ILFO, SPRM_ILVL = 0x460B, 0x260A
# MSONFC's ideographic counting (dbNum1–4, tpeDbNum1–4, chnDbNum1–4; LibreOffice writes Japanese counting as
# 35): drawn 一, 二, 三 … as word.py draws w:numFmt japaneseCounting
KANJI_FORMATS = {10, 11, 16, 17, *range(33, 41)}
HIDDEN_FORMATS = {23, 255}  # a bullet, no number


class _Cut(Exception):
    pass


def _read(data: bytes, at: int, fmt: str) -> tuple:
    try:
        return struct.unpack_from(fmt, data, at)
    except struct.error as exc:
        raise _Cut from exc


def _level(table: bytes, at: int) -> tuple[tuple[int, int, str], int]:
    """A LVL at ``at``: (start, number format, number text with level placeholders 0–8) and its end."""
    start, nfc = _read(table, at, "<iB")
    chpx_size, papx_size = _read(table, at + 24, "<BB")
    at += 28 + chpx_size + papx_size
    (count,) = _read(table, at, "<H")
    raw = table[at + 2:at + 2 + 2 * count]
    if len(raw) != 2 * count:
        raise _Cut
    return (start, nfc, raw.decode("utf-16-le", errors="replace")), at + 2 + 2 * count


class ListNumbers:
    """Draws the number of each numbered paragraph, in document order."""

    def __init__(self, table: bytes, fib):
        self.lists: dict[int, list[tuple[int, int, str]]] = {}  # lsid → its levels
        self.lfos: list[tuple[int, dict[int, int]]] = []  # ilfo - 1 → (lsid, level → start override)
        self.counters: dict[int, dict[int, int]] = {}
        self.entered: set[int] = set()
        try:
            self._read_lists(table, fib)
        except _Cut:  # damaged list tables: the paragraphs are read without their numbers
            self.lists, self.lfos = {}, []

    def _read_lists(self, table: bytes, fib) -> None:
        fc, lcb = fib.pair(PLF_LST)
        if lcb < 2 or fc + lcb > len(table):
            return
        (count,) = _read(table, fc, "<h")
        lstfs = [_read(table, fc + 2 + 28 * i, "<i4x18xB") for i in range(max(count, 0))]
        at = fc + lcb  # the LVLs follow the PlfLst: nine a list, one for a simple list
        for lsid, flags in lstfs:
            levels = []
            for _level_index in range(1 if flags & 1 else 9):
                level, at = _level(table, at)
                levels.append(level)
            self.lists[lsid] = levels
        fc, lcb = fib.pair(PLF_LFO)
        if lcb < 4 or fc + lcb > len(table):
            return
        (count,) = _read(table, fc, "<I")
        lfos = [_read(table, fc + 4 + 16 * i, "<i8xB") for i in range(min(count, lcb // 16))]
        at = fc + 4 + 16 * len(lfos)
        for lsid, overrides in lfos:
            starts = {}
            at += 4  # the LfoData's cp
            for _override in range(overrides):
                start, flags = _read(table, at, "<iI")
                at += 8
                if flags & 0x10:  # fStartAt
                    starts[flags & 0x0F] = start
                if flags & 0x20:  # fFormatting: a whole LVL follows
                    _unused, at = _level(table, at)
            self.lfos.append((lsid, starts))

    def label(self, found: dict[int, bytes]) -> str:
        """The number drawn before a paragraph of these properties (``""`` when none)."""
        ilfo = int.from_bytes(found.get(SPRM_ILFO, b""), "little", signed=True)
        if ilfo <= 0 or ilfo > len(self.lfos):
            return ""
        lsid, starts = self.lfos[ilfo - 1]
        levels = self.lists.get(lsid)
        ilvl = (found.get(SPRM_ILVL) or b"\x00")[0]
        if not levels or ilvl >= len(levels):
            return ""
        counters = self.counters.setdefault(lsid, {})
        if ilfo not in self.entered:  # an override's start takes effect where its list is first used
            self.entered.add(ilfo)
            for level, value in starts.items():
                if level < ilvl:
                    counters[level] = value
                elif level == ilvl:
                    counters[level] = value - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl][0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if levels[ilvl][1] in HIDDEN_FORMATS:
            return ""
        return "".join(self._number(levels, counters, ord(c)) if ord(c) < 9 else c for c in levels[ilvl][2])

    @staticmethod
    def _number(levels, counters, level: int) -> str:
        if level >= len(levels):
            return ""
        start, nfc, _text = levels[level]
        value = counters.get(level, start)
        if nfc in KANJI_FORMATS:
            return to_kanji(value)
        if nfc in (1, 2):
            return to_roman(value) if nfc == 1 else to_roman(value).lower()
        if nfc in (3, 4):
            return chr((ord("A") if nfc == 3 else ord("a")) + (value - 1) % 26)
        return str(value)
