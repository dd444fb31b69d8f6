"""Plain text as people save it: the encodings of uploaded .txt, .md, .csv and .html files.

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


# the charset a page declares: <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">
_DECLARED = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
# WHATWG's labels, as browsers read them: Latin-1 and ASCII pages are read as Windows-1252, and
# Shift_JIS as Microsoft's cp932 (the NEC and IBM extensions Windows writes)
_HTML_CHARSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
                  "windows-31j": "cp932", "ms932": "cp932", "cp932": "cp932", "ms_kanji": "cp932",
                  "euc-jp": "euc_jp", "x-euc-jp": "euc_jp", "eucjp": "euc_jp", "utf-8": "utf-8", "utf8": "utf-8",
                  "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
                  "windows-1252": "cp1252", "cp1252": "cp1252", "iso-2022-jp": "iso2022_jp"}


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset an HTML page declares in its first 4 KB (``<meta
    charset>`` or ``http-equiv`` Content-Type), or None when it declares none this reader knows."""
    found = _DECLARED.search(data[:4096])
    return _HTML_CHARSETS.get(found.group(1).decode("ascii").lower()) if found else None


def decode_html(data: bytes) -> str | None:
    """The text of a saved web page or an EDGAR exhibit, or None: the byte order mark first, then
    the charset the page declares, else as a plain-text file (``decode_text``). A page that does
    not decode strictly in its declared charset is read as plain text, failing that in its charset
    with the odd byte replaced, as a browser shows it."""
    if data[:3] == codecs.BOM_UTF8 or data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return decode_text(data)
    declared = declared_charset(data)
    if declared:
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            text = decode_text(data)
            if text is None:
                text = data.decode(declared, errors="replace")
        return None if _BINARY.search(text) else text
    return decode_text(data)
