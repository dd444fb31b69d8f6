"""Plain text as people save it: the encodings of uploaded .txt, .md and .csv files.

Pure (no Flask): the contract checker reads text files through it, as the upload gate
(``uploads.inspect_upload``) and the questionnaire CSV reader do."""
import codecs
import re

# Japanese prose and forms always hold kana or Japanese punctuation; English mis-read as
# Shift_JIS (a curly quote taken for a lead byte) gives kanji only.
_JAPANESE_MARKS = re.compile(r"[\u3001\u3002\u300c\u300d\u3041-\u3096\u30a1-\u30fa\u30fc]")
# control characters (C0 but tab and line ends, DEL, C1) and what cp932 makes of bytes no text holds
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\uf8f0-\uf8f3]")


def _reads_as_western(text: str) -> bool:
    """Mostly ASCII with a few accented letters and quotes, one at a time (English or European
    text): Shift_JIS read as Windows-1252 turns each kanji into two such characters side by side
    (``監査`` -> ``ŠÄ¸``), so Japanese headers of an ASCII form are not taken for it."""
    others = [i for i, c in enumerate(text) if ord(c) > 127]
    if len(others) * 10 > len(text):
        return False
    paired = sum(1 for a, b in zip(others, others[1:]) if b == a + 1)
    return paired * 4 <= len(others)


def decode_text(data: bytes) -> str | None:
    """The text of a plain-text file as people save it, or None: UTF-8 (with or without a byte
    order mark), UTF-16 by its byte order mark (Notepad's "Unicode"), Shift_JIS (cp932: Excel
    and older Windows in Japan) and Windows-1252 (English Windows, curly quotes). A file that
    reads as several is taken as the one it plausibly is; control characters of binary data
    make it None."""
    candidates = []
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        candidates.append(("utf-16", lambda _text: True))
    candidates += [("utf-8-sig", lambda _text: True),
                   ("cp932", lambda text: _JAPANESE_MARKS.search(text) is not None),
                   ("cp1252", _reads_as_western),
                   ("cp932", lambda _text: True)]  # kanji and ASCII alone (a list of terms, a form)
    for encoding, plausible in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausible(text):
            return None if _BINARY.search(text) else text
    return None
