"""Contracts rendered to PDF the way real PDFs come out of Word, LibreOffice and typesetters
(shared by the tests and ``bench/contracts_pdf_parity.py``).

``contract_pdf(text, language)`` lays a contract's text out on pages: English wrapped at about
90 characters on word boundaries, with a share of the line ends hyphenated inside a long word
(``sub-`` / ``contractor``) as justified text gets them, and a compound word broken at its own
hyphen (``third-`` / ``party``) as Word breaks it; Japanese wrapped at 38 characters, inside
words, as Japanese PDFs are; a running header (the title) atop each page, a footer (``Page N of
M``, ``- N -`` or ``Confidential`` over the page number) at its foot, and a blank line between
paragraphs. ``pdf_pages`` writes laid-out pages: every line in a CID-keyed font (Identity-H)
with a ToUnicode map, as word processors write embedded subset fonts (the font is named, not
embedded: no font file is needed); the pages of ``garbled_pages`` use a second font without
the map, as an old tool's font does, so their text comes out as glyph numbers — drawn as blanks by
PDFium (a font neither named nor embedded) unless ``drawn``: then in Type 3 fonts that draw each glyph
with the mapped font but carry no character map either (glyph names ``uniXXXX`` of the glyph
numbers), so that the page reads as glyph numbers yet draws the contract, as an old tool's
embedded subset font does, and OCR reads it."""
import random
import re

from tests.helpers import pdf_document

FOOTERS = ("page_of", "dashes", "confidential")
WORD = re.compile(r"[A-Za-z]{8,}")
LATIN = re.compile(r"[A-Za-z0-9,.]{2}")


def _hyphenate(word: str, room: int) -> tuple[str, str] | None:
    """``(head-, rest)`` of a long plain word split so that the head fits ``room`` characters
    (at least three letters each side), or ``None``."""
    match = WORD.fullmatch(word.strip(".,;:()\"'"))
    if not match or room < 4:
        return None
    core = match.group(0)
    cut = min(room - 1, len(core) - 3)
    if cut < 3:
        return None
    start = word.index(core)
    return word[:start] + core[:cut] + "-", core[cut:] + word[start + len(core):]


def wrap_english(paragraph: str, width: int = 90, hyphen_share: float = 0.3,
                 rng: random.Random | None = None) -> list[str]:
    """A paragraph wrapped at ``width`` characters on word boundaries; where the next word does
    not fit, a ``hyphen_share`` of the long plain words are split with a hyphen instead, and a
    compound word (``third-party``) that does not fit is broken after its own hyphen."""
    rng = rng or random.Random(0)
    lines, line = [], ""
    words = paragraph.split()
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line, i = candidate, i + 1
            continue
        room = width - len(line) - (1 if line else 0)
        split = None
        if "-" in word.strip("-") and 0 < word.index("-") + 1 <= room:
            cut = word.rindex("-", 0, room) + 1
            split = word[:cut], word[cut:]
        elif rng.random() < hyphen_share:
            split = _hyphenate(word, room)
        if split and split[1]:
            lines.append(f"{line} {split[0]}" if line else split[0])
            line, words[i] = "", split[1]
            continue
        if not line:  # a single word longer than the line
            lines.append(word)
            i += 1
            continue
        lines.append(line)
        line = ""
    if line:
        lines.append(line)
    return lines


def wrap_japanese(paragraph: str, width: int = 38) -> list[str]:
    """A Japanese paragraph cut every ``width`` characters, inside words, as Japanese PDFs are
    (an English word inside it is moved to the next line whole, as Japanese layout does)."""
    lines = []
    while len(paragraph) > width:
        cut = width
        while cut > width - 20 and LATIN.match(paragraph[cut - 1:cut + 1]):
            cut -= 1
        cut = cut if cut > width - 20 else width
        lines.append(paragraph[:cut])
        paragraph = paragraph[cut:].lstrip(" ")
    return lines + [paragraph]


def lay_out(text: str, language: str, lines_per_page: int = 48, width: int | None = None,
            hyphen_share: float = 0.3, seed: int = 0) -> list[list[str]]:
    """The text's paragraphs (its non-blank lines) wrapped and laid on pages of
    ``lines_per_page`` lines, a blank line between paragraphs."""
    rng = random.Random(seed)
    laid: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if laid:
            laid.append("")
        laid += wrap_japanese(paragraph, width or 38) if language == "ja" else \
            wrap_english(paragraph, width or 90, hyphen_share, rng)
    pages = [laid[i:i + lines_per_page] for i in range(0, len(laid), lines_per_page)] or [[]]
    return [[line for line in page] for page in pages]


def footer_lines(style: str, number: int, total: int) -> list[str]:
    """The footer of page ``number`` of ``total`` in ``style`` (one of ``FOOTERS``)."""
    if style == "page_of":
        return [f"Page {number} of {total}"]
    if style == "dashes":
        return [f"- {number} -"]
    return ["Confidential", str(number)]


def contract_pdf(text: str, language: str, title: str = "", footer: str = "page_of", lines_per_page: int = 48,
                 hyphen_share: float = 0.3, seed: int = 0, garbled_pages: tuple[int, ...] = (),
                 drawn: bool = False) -> bytes:
    """``text`` rendered as a real contract PDF (module docstring): wrapped, paginated, with
    ``title`` as the running header and a ``footer`` (``FOOTERS``) on every page."""
    pages = lay_out(text, language, lines_per_page, hyphen_share=hyphen_share, seed=seed)
    return pdf_pages(pages, header=title, footer=footer, garbled_pages=garbled_pages, drawn=drawn)


def pdf_pages(pages: list[list[str]], header: str = "", footer: str = "dashes",
              garbled_pages: tuple[int, ...] = (), drawn: bool = False) -> bytes:
    """A PDF of laid-out ``pages`` (lists of lines; a blank line is a paragraph's spacing),
    ``header`` atop each page, a ``footer`` (``FOOTERS``, or ``""`` for none) at each foot;
    the pages in ``garbled_pages`` (from 1) written in a font without a ToUnicode map. ``drawn``:
    the fonts give ASCII characters about their own width (``/W``; a Japanese one is 1000), so that a page drawn
    by PDFium (``scanned_copy``) keeps English lines inside the page (every glyph is otherwise as
    wide as a kanji); text extraction is the same either way."""
    total = len(pages)
    feet = [footer_lines(footer, n, total) if footer else [] for n in range(1, total + 1)]
    chars = sorted({c for page in pages for line in page for c in line} | set(header)
                   | {c for foot in feet for line in foot for c in line})
    # glyph ids as a subset font numbers them, not the characters' own code points
    cid = {c: i + 3 for i, c in enumerate(chars)}
    widths = (b" /W [%s]" % b" ".join(b"%d [%d]" % (cid[c], _latin_width(c)) for c in chars if ord(c) < 128)) \
        if drawn else b""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    fonts = []
    # the mapped font named as the Noto CJK font Debian installs, so that PDFium (``scanned_copy``)
    # draws its characters with that font; text extraction reads the ToUnicode map alone
    for name, mapped in ((b"NotoSerifCJKjp-Regular", True), (b"OldFont", False)):
        tounicode = len(objects) + 2
        objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
                       b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
                       b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                       b"/FontDescriptor << /Type /FontDescriptor /FontName /%s /Flags 6 "
                       b"/FontBBox [0 -140 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
                       b"/StemV 80 >> /DW 1000%s /CIDToGIDMap /Identity >>]%s >>"
                       % (name, name, name, widths, b" /ToUnicode %d 0 R" % tounicode if mapped else b""))
        fonts.append(len(objects))
        objects.append(tounicode_stream(cid) if mapped else b"<< /Length 0 >>\nstream\n\nendstream")
    glyphs = _type3_fonts(objects, chars, cid, fonts[0]) if drawn and garbled_pages else {}
    kids = []
    for number, (page, foot) in enumerate(zip(pages, feet), 1):
        font = "/F2" if number in garbled_pages else "/F1"
        shown = (lambda line, size: _type3_codes(line, glyphs, size)) if glyphs and number in garbled_pages else \
            (lambda line, size: f"{font} {size} Tf <{_codes(line, cid)}> Tj")
        ops = ["BT", "13 TL", "56 800 Td"]
        for line in ([header, ""] if header else []) + page:
            ops.append(f"{shown(line, 10)} T*" if line else "T*")
        ops.append("ET")
        y = 40
        for line in reversed(foot):
            ops += ["BT", f"280 {y} Td", shown(line, 8), "ET"]
            y += 11
        content = "\n".join(ops).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R%s >> >> >>"
                       % (len(objects), fonts[0], fonts[1],
                          b"".join(b" /T%d %d 0 R" % (i, ref) for i, ref in enumerate(sorted(set(
                              ref for ref, _code in glyphs.values()))))))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_document(objects)


def _type3_fonts(objects: list[bytes], chars: list[str], cid: dict[str, int], mapped: int) -> dict:
    """Type 3 fonts (one a 200 characters) whose glyph procedures show each character with the
    mapped font (object ``mapped``), without a character map: their glyphs named after the glyph
    numbers (``uni0003``), which a reader takes for the characters. Each character's font object
    and code, the objects appended to ``objects``."""
    glyphs = {}
    for start in range(0, len(chars), 200):
        chunk, procs = chars[start:start + 200], []
        for code, c in enumerate(chunk, 1):
            width = _latin_width(c) if ord(c) < 128 else 1000
            body = b"%d 0 d0 BT /F1 1000 Tf <%04X> Tj ET" % (width, cid[c])
            objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
            procs.append((b"/uni%04X" % cid[c], len(objects), width))
        objects.append(b"<< /Type /Font /Subtype /Type3 /FontBBox [0 -140 1000 880] /FontMatrix [0.001 0 0 0.001 0 0] "
                       b"/CharProcs << %s >> /Encoding << /Type /Encoding /Differences [1 %s] >> /FirstChar 1 "
                       b"/LastChar %d /Widths [%s] /Resources << /Font << /F1 %d 0 R >> >> >>"
                       % (b" ".join(b"%s %d 0 R" % (name, ref) for name, ref, _w in procs),
                          b" ".join(name for name, _r, _w in procs), len(procs),
                          b" ".join(b"%d" % w for _n, _r, w in procs), mapped))
        glyphs.update({c: (len(objects), code) for code, c in enumerate(chunk, 1)})
    return glyphs


def _type3_codes(line: str, glyphs: dict, size: int) -> str:
    """The operators that show ``line`` in the Type 3 fonts of ``glyphs``, a run a font."""
    refs = sorted({ref for ref, _code in glyphs.values()})
    ops, font, run = [], None, ""
    for c in line:
        ref, code = glyphs[c]
        if ref != font and run:
            ops.append(f"/T{refs.index(font)} {size} Tf <{run}> Tj")
            run = ""
        font, run = ref, run + f"{code:02X}"
    if run:
        ops.append(f"/T{refs.index(font)} {size} Tf <{run}> Tj")
    return " ".join(ops)


def _latin_width(c: str) -> int:
    """About the advance of an ASCII glyph of a proportional serif font, in 1/1000 of the size."""
    if c in "ijlft.,;:'!|()[] -":
        return 300
    if c in "mwMW":
        return 850
    return 680 if c.isupper() else 540


def _codes(line: str, cid: dict[str, int]) -> str:
    return "".join(f"{cid[c]:04X}" for c in line)


def tounicode_stream(cid: dict[str, int]) -> bytes:
    """A ToUnicode CMap stream object mapping each CID of ``cid`` back to its character."""
    cmap = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    items = list(cid.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{code:04X}> <{char.encode('utf-16-be').hex().upper()}>" for char, code in chunk]
        cmap.append("endbfchar")
    cmap += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    stream = "\n".join(cmap).encode("ascii")
    return b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"


def scanned_copy(pdf: bytes, dpi: int = 200, noise: float = 0.0, seed: int = 0,
                 upside_down: tuple[int, ...] = ()) -> bytes:
    """``pdf`` as a scanner gives it back: each page rendered by PDFium (``pypdfium2``) to a gray
    bitmap at ``dpi`` and written as one image XObject (FlateDecode) filling the page, no text
    layer; ``noise``: the share of pixels flipped to black or white at random (dust, toner);
    ``upside_down``: the pages (from 1) fed into the scanner the wrong way round."""
    import zlib

    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pdf)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids, rng = [], random.Random(seed)
    for index in range(len(document)):
        page = document[index]
        width_pt, height_pt = page.get_size()
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        raw = bytes(bitmap.buffer)
        pixels = bytearray(b"".join(raw[row * stride:row * stride + width] for row in range(height)))
        for _ in range(int(len(pixels) * noise)):
            pixels[rng.randrange(len(pixels))] = rng.choice((0, 255))
        if index + 1 in upside_down:
            pixels.reverse()  # turned by 180 degrees: the last pixel of the last row first
        image = zlib.compress(bytes(pixels), 6)
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(image))
                       + image + b"\nendstream")
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q" % (width_pt, height_pt)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                       b"/Resources << /XObject << /Im1 %d 0 R >> >> >>"
                       % (width_pt, height_pt, len(objects), len(objects) - 1))
        kids.append(len(objects))
    document.close()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_document(objects)
