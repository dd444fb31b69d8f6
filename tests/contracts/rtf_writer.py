"""Contracts written as RTF in the shape Word's "Save as RTF" gives (shared by the tests and
``bench/contracts_rtf_parity.py``).

``contract_rtf(blocks, language)`` writes one paragraph a block (``(text, part)``: ``table`` blocks,
their cells joined by `` | ``, as table rows; ``header`` and ``footer`` blocks as the section's
header and footer): the document's code page (``\\ansicpg932`` for Japanese, 1252 for English), a
font table with a Latin font (``\\fcharset0``) and a Japanese one (``\\fcharset128``, its name in
cp932), colour and style tables, the document's information, ``\\*\\generator`` and ``\\*\\rsidtbl``;
text in runs as Word writes them: ASCII in the Latin font (``\\hich\\af0\\dbch\\af1\\loch\\f0``),
Japanese as cp932 bytes ``\\'hh\\'hh`` in the Japanese font (``\\loch\\af0\\hich\\af0\\dbch\\f1``),
Windows-1252 bytes in an English document, everything else as ``\\uN\\'3f`` (``\\uc1``); a number
Word would number automatically (``第3条``, ``5.2``, ``(a)``) in ``{\\listtext …\\tab}``; a bookmark
on headings, now and then a word as a hyperlink field, a hidden comment (``\\v``) and a deleted
revision; an embedded OLE object with its ``\\objdata`` and a picture at the start; source lines
broken at about 200 characters between tokens (CR LF, as Word does).
"""
import random

from tests.contracts.docx_writer import split_number

LATIN, JAPANESE = 0, 1
HEAD = (r"{\rtf1\adeflang1025\ansi\ansicpg%(cpg)s\uc1\adeff0\deff0\stshfdbch1\stshfloch0\deflang1033\deflangfe1041"
        r"{\fonttbl{\f0\fbidi \froman\fcharset0\fprq2{\*\panose 02020603050405020304}Century;}"
        r"{\f1\fbidi \fmodern\fcharset128\fprq1{\*\panose 02020609040205080304}\'82\'6c\'82\'72 \'96\'be\'92\'a9"
        r"{\*\falt MS Mincho};}}" "\r\n"
        r"{\colortbl;\red0\green0\blue0;\red0\green0\blue255;}" "\r\n"
        r"{\stylesheet{\ql \li0\ri0\widctlpar\wrapdefault\aspalpha\aspnum\faauto\adjustright\rin0\lin0\itap0 "
        r"\rtlch\fcs1 \af0\afs24\alang1025 \ltrch\fcs0 \fs21\lang1033\langfe1041\loch\f0\hich\af0\dbch\af1 "
        r"\snext0 \sqformat \spriority0 Normal;}}" "\r\n"
        r"{\*\rsidtbl \rsid1533\rsid2714}{\*\generator Microsoft Word 16.0;}"
        r"{\info{\title %(title)s}{\author Legal}{\creatim\yr2026\mo12\dy7\hr9\min0}}" "\r\n"
        r"{\*\xmlnstbl {\xmlns1 http://schemas.microsoft.com/office/word/2003/wordml}}"
        r"\paperw11906\paperh16838\margl1701\margr1701\margt1985\margb1701 \sectd \linex0\headery851\footery992" "\r\n")
OBJECT = (r"{\object\objemb\objw2000\objh1000{\*\objclass Package}{\*\objdata 01050000020000000800000050616"
          r"36b616765000000000000000000a0000000" + "d0cf11e0a1b11ae1" * 8 + r"}"
          r"{\result {\pict\wmetafile8\picw2000\pich1000 " + "0100090000036e00" * 8 + r"}}}")
RUN_LATIN = r"{\rtlch\fcs1 \af0 \ltrch\fcs0 \hich\af0\dbch\af1\loch\f0 "
RUN_JAPANESE = r"{\rtlch\fcs1 \af0 \ltrch\fcs0 \loch\af0\hich\af0\dbch\f1 "


def _escaped(text: str, language: str) -> list[tuple[int, str]]:
    """``text`` as RTF, in runs of one font: ``(font, rtf)``."""
    runs: list[tuple[int, list[str]]] = []
    for char in text:
        code = ord(char)
        font, written = LATIN, None
        if code < 128:
            written = "\\" + char if char in "\\{}" else char
        else:
            try:
                raw = char.encode("cp932" if language == "ja" else "cp1252")
            except UnicodeEncodeError:
                raw = b""
            if len(raw) == 2:
                font, written = JAPANESE, "".join(f"\\'{b:02x}" for b in raw)
            elif len(raw) == 1 and language != "ja":
                written = f"\\'{raw[0]:02x}"
            else:  # not in the code page (or a half-width kana, which Word writes as \u too)
                font = JAPANESE if language == "ja" else LATIN
                written = f"\\u{code if code < 32768 else code - 65536}\\'3f" if code < 65536 else "".join(
                    f"\\u{unit - 65536}\\'3f" for unit in _surrogates(code))
        if runs and runs[-1][0] == font:
            runs[-1][1].append(written)
        else:
            runs.append((font, [written]))
    return [(font, "".join(parts)) for font, parts in runs]


def _surrogates(code: int) -> tuple[int, int]:
    code -= 0x10000
    return 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)


def _runs(text: str, language: str, rng: random.Random | None = None) -> str:
    out = []
    for font, rtf in _escaped(text, language):
        words = rtf.split(" ")
        if rng is not None and font == LATIN and len(words) > 2 and words[1].isalpha() and rng.random() < 0.05:
            # a word as a hyperlink, as pasted from a web page: the field's result is the text
            words[1] = ('{\\field{\\*\\fldinst {HYPERLINK "https://example.com/terms" }}'
                        f'{{\\fldrslt {{\\cf2\\ul {words[1]}}}}}}}')
            rtf = " ".join(words)
        out.append((RUN_JAPANESE if font == JAPANESE else RUN_LATIN) + rtf + "}")
    return "".join(out)


def _paragraph(text: str, language: str, rng: random.Random, n: int) -> str:
    number = split_number(text)
    head = r"\pard\plain \ltrpar\qj \li0\ri0\widctlpar\wrapdefault\faauto\rin0\lin0\itap0 "
    if number is None:
        body = _runs(text, language, rng)
    else:
        rest = number[-1]
        drawn = text[:len(text) - len(rest)].strip()
        head += (r"{\listtext\pard\plain \ltrpar \rtlch\fcs1 \af0 \ltrch\fcs0 \loch\af0\hich\af0\dbch\f1 "
                 + "".join(r for _f, r in _escaped(drawn, language)) + r"\tab}")
        body = f"{{\\*\\bkmkstart _Ref{n}}}" + _runs(rest, language, rng) + f"{{\\*\\bkmkend _Ref{n}}}"
    if rng.random() < 0.04:  # a reviewer's hidden note, a deleted revision: neither is read
        body += r"{\v\f0 [check with legal]}{\deleted\revauthdel1\f0  struck words}"
    return head + body + r"\par" + "\r\n"


def _row(text: str, language: str) -> str:
    cells = text.split(" | ")
    widths = "".join(f"\\clbrdrt\\brdrs\\brdrw10 \\cellx{(i + 1) * 8500 // len(cells)}" for i in range(len(cells)))
    return (r"\trowd \irow0\irowband0\ltrrow\ts11\trgaph108\trleft-108" + widths
            + r"\pard\plain \ltrpar\ql \li0\ri0\widctlpar\intbl\wrapdefault\faauto\rin0\lin0 "
            + "".join(_runs(cell, language) + r"\cell " for cell in cells)
            + r"\pard\plain \ltrpar\ql \li0\ri0\widctlpar\intbl\wrapdefault\faauto\rin0\lin0 {\trowd \irow0" + widths
            + r"\row }" + "\r\n")


def _wrapped(source: str, width: int = 200) -> str:
    """Word breaks the source's lines every 200 characters or so, before a control word."""
    out, line = [], 0
    for i, char in enumerate(source):
        if char == "\\" and line > width and (i == 0 or source[i - 1] != "\\"):
            out.append("\r\n")
            line = 0
        out.append(char)
        line = 0 if char == "\n" else line + 1
    return "".join(out)


def contract_rtf(blocks: list[tuple[str, str]], language: str, seed: int = 0) -> bytes:
    """An RTF file of ``blocks`` (``(text, part)``, part one of body, table, header, footer) as Word saves it."""
    rng = random.Random(seed)
    title = next((t for t, p in blocks if p == "body"), "")[:40]
    parts = [HEAD % {"cpg": 932 if language == "ja" else 1252,
                     "title": "".join(r for _f, r in _escaped(title, language))}]
    for part in ("header", "footer"):
        lines = [t for t, p in blocks if p == part]
        if lines:
            parts.append(f"{{\\{part} \\ltrpar " + "".join(_paragraph(t, language, rng, 0) for t in lines) + "}")
    parts.append(OBJECT + r"\par" + "\r\n")
    for n, (text, part) in enumerate(blocks):
        if part == "table":
            parts.append(_row(text, language))
        elif part == "body":
            parts.append(_paragraph(text, language, rng, n))
    parts.append("}")
    return _wrapped("".join(parts)).encode("ascii")
