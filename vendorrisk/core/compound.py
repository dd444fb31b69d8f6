"""Telling apart the files kept in an OLE compound file (the container of Office 97–2003 files,
and of Office files saved with a password), without Flask: a Word 97–2003 document, one too old
(Word 6/95), one encrypted, a password-protected .docx/.xlsx, an Excel 97 workbook, an Outlook
message. The compound file is read with ``olefile``; the Word header (the FIB) by ``read_fib``,
as [MS-DOC] 2.5 lays it out, shared with the contract reader."""
import io
import struct
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_IDENT = 0xA5EC
WORD_97_NFIB = 0x00C1  # Word 97 and later; Word 6 and 95 wrote 0x0065–0x0068


class BadWordFile(ValueError):
    """The Word header (FIB) is missing, cut short or points outside its streams."""


@dataclass(frozen=True)
class Fib:
    """What the readers need of a Word document's File Information Block."""

    nfib: int
    encrypted: bool  # fEncrypted (or fObfuscated, which sets it too): the text cannot be read
    table_stream: str  # "0Table" or "1Table" (fWhichTblStm)
    counts: tuple[int, ...]  # FibRgLw97: cbMac, -, -, ccpText, ccpFtn, ccpHdd, ccpMcr, ccpAtn, ccpEdn, ...
    fc_lcb: tuple[tuple[int, int], ...]  # FibRgFcLcb: (fc, lcb) pairs, offsets into the table stream

    def pair(self, index: int) -> tuple[int, int]:
        """The (fc, lcb) pair at ``index`` of FibRgFcLcb97 (``(0, 0)`` when the FIB is shorter)."""
        return self.fc_lcb[index] if index < len(self.fc_lcb) else (0, 0)


def read_fib(stream: bytes) -> Fib:
    """The FIB at the start of a ``WordDocument`` stream ([MS-DOC] 2.5.1): FibBase, then the
    counted arrays fibRgW, fibRgLw and fibRgFcLcbBlob; ``BadWordFile`` when it is not one."""
    if len(stream) < 34:
        raise BadWordFile("the WordDocument stream is shorter than a FIB")
    ident, nfib = struct.unpack_from("<HH", stream, 0)
    if ident != WORD_IDENT:
        raise BadWordFile("the WordDocument stream does not start with a Word header")
    flags = struct.unpack_from("<H", stream, 0x0A)[0]
    encrypted = bool(flags & 0x0100)
    table = "1Table" if flags & 0x0200 else "0Table"
    if nfib < WORD_97_NFIB:  # older FIBs have another layout: only the version is read
        return Fib(nfib, encrypted, table, (), ())
    try:
        at = 32
        csw = struct.unpack_from("<H", stream, at)[0]
        at += 2 + 2 * csw
        cslw = struct.unpack_from("<H", stream, at)[0]
        counts = struct.unpack_from(f"<{cslw}i", stream, at + 2)
        at += 2 + 4 * cslw
        pairs = struct.unpack_from("<H", stream, at)[0]
        flat = struct.unpack_from(f"<{2 * pairs}I", stream, at + 2)
    except struct.error as exc:
        raise BadWordFile("the Word header is cut short") from exc
    return Fib(nfib, encrypted, table, counts, tuple(zip(flat[::2], flat[1::2])))


def ole_kind(data: bytes) -> str:
    """What a compound file holds: ``doc`` (Word 97–2003), ``doc_encrypted``, ``doc_old`` (Word
    6/95), ``ooxml_encrypted`` (a .docx/.xlsx/.pptx saved with a password), ``xls``, ``ppt``,
    ``msg`` (Outlook), ``ole`` (another or an unreadable compound file)."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, IndexError, struct.error):  # olefile's damaged-container errors
        return "ole"
    try:
        names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
        if "EncryptionInfo" in names and "EncryptedPackage" in names:
            return "ooxml_encrypted"
        if "WordDocument" in names:
            try:
                fib = read_fib(ole.openstream("WordDocument").read(8192))  # the FIB is under 4 KB
            except (BadWordFile, OSError, ValueError):
                return "ole"
            if fib.nfib < WORD_97_NFIB:
                return "doc_old"
            return "doc_encrypted" if fib.encrypted else "doc"
        if "Workbook" in names or "Book" in names:
            return "xls"
        if "PowerPoint Document" in names:
            return "ppt"
        if any(name.startswith("__substg1.0_") for name in names):
            return "msg"
        return "ole"
    except (OSError, ValueError, IndexError, struct.error):
        return "ole"
    finally:
        ole.close()
