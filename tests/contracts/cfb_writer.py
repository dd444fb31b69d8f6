"""Compound files written by hand for the tests ([MS-CFB] version 3: 512-byte sectors, one FAT
sector, one directory sector, every stream padded with zeros to 4 KB so that none lives in the mini stream),
and the smallest Word 97 document in one ([MS-DOC]: a FIB, a piece table, the text) — olefile
reads compound files but cannot write new ones."""
import struct

END, FREE, FAT_SECTOR, NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _entry(name: str, kind: int, start: int = END, size: int = 0, right: int = NONE, child: int = NONE) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, NONE, right, child)
            + b"\x00" * 36 + struct.pack("<IQ", start, size))


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (at most three, 63 KB in all) under its root."""
    assert 1 <= len(streams) <= 3
    padded = {name: data.ljust(max(4096, -(-len(data) // SECTOR) * SECTOR), b"\x00") for name, data in streams.items()}
    fat, sector, entries = [FAT_SECTOR, END], 2, []
    names = list(padded)
    for index, name in enumerate(names):
        count = len(padded[name]) // SECTOR
        fat += [sector + i + 1 for i in range(count - 1)] + [END]
        right = index + 2 if index + 1 < len(names) else NONE  # a chain of right siblings under the root
        entries.append(_entry(name, 2, sector, len(padded[name]), right=right))
        sector += count
    assert len(fat) <= 128
    directory = _entry("Root Entry", 5, child=1) + b"".join(entries)
    directory = directory.ljust(SECTOR, b"\x00")
    for at in range(len(names) + 1, 4):  # unused entries: no siblings, no child
        directory = directory[:at * 128 + 68] + struct.pack("<III", NONE, NONE, NONE) + directory[at * 128 + 80:]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    fat_sector = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", FREE) * (128 - len(fat))
    return header + fat_sector + directory + b"".join(padded.values())


def word_document(text: str, nfib: int = 0xC1, encrypted: bool = False, compressed: bool = False,
                  footnotes: str = "", fc_shift: int = 0, pairs: dict | None = None) -> bytes:
    """A Word 97 .doc whose body is ``text`` (and footnote story ``footnotes``), in one piece:
    UTF-16LE, or Windows-1252 when ``compressed``; ``fc_shift`` moves the piece's offset (past the
    stream's end: a corrupt file); ``pairs`` sets other (fc, lcb) pairs of the FIB."""
    story = text + footnotes
    at = 2048
    body = story.encode("cp1252" if compressed else "utf-16-le")
    counts = [0] * 22
    counts[3], counts[4] = len(text), len(footnotes)
    fc = (at * 2) | 0x40000000 if compressed else at
    plc = struct.pack("<II", 0, len(story)) + struct.pack("<HIH", 0, fc + fc_shift, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    fc_lcb = [(0, 0)] * 93
    for index, pair in {**(pairs or {}), 33: (0, len(clx))}.items():
        fc_lcb[index] = pair
    flags = 0x0200 | (0x0100 if encrypted else 0)  # fWhichTblStm: the 1Table stream
    fib = (struct.pack("<HHHHH", 0xA5EC, nfib, 0, 0x0409, 0) + struct.pack("<H", flags) + b"\x00" * 20
           + struct.pack("<H", 14) + b"\x00" * 28 + struct.pack("<H", 22) + struct.pack("<22i", *counts)
           + struct.pack("<H", 93) + b"".join(struct.pack("<II", *pair) for pair in fc_lcb))
    word = fib.ljust(at, b"\x00") + body
    return compound_file({"WordDocument": word, "1Table": clx})
