"""Reading an uploaded image's header without decoding its pixels: its pages, each page's size
and resolution (PNG, JPEG, TIFF with one page or several).

An upload is refused before anything decodes it when a page is larger than ``MAX_IMAGE_PIXELS``
(a decompression bomb: a small file that declares 100000 x 100000 pixels would take tens of GB
to decode) or when the file is not a well-formed image (truncated, chunks or segments running
past its end, a TIFF whose chain of pages loops or points outside the file). Pure: bytes in,
``ImageHeader`` out or ``BadImage`` with the reason in English (``uploads`` says it localised).
"""
import struct
import zlib
from dataclasses import dataclass

MAX_PAGES = 1000  # IFDs walked in a TIFF; a longer chain is refused (a real scan has far fewer)
MAX_ARRAY = 1_000_000  # strip or tile offsets of one TIFF page
# A resolution outside this range is not a scan's (a phone photo says 72 dpi in its EXIF,
# whatever it shows): it is taken as absent, and the OCR assumes 300 dpi.
SANE_DPI = (100, 1200)
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start of frame (baseline, progressive...)
TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8}


class BadImage(ValueError):
    """The file is not a well-formed image; the message says where it breaks, ``why`` in a word
    (``truncated``, ``loops``, ``pages`` or ``damaged``) for a message in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.why = "truncated" if "truncated" in message else "loops" if "loops" in message else \
            "pages" if "more than" in message else "damaged"


@dataclass(frozen=True)
class ImagePage:
    """One page of an image: its size in pixels, its resolution (None when the header gives
    none, or one no scanner uses) and, for a TIFF, where its IFD starts."""

    width: int
    height: int
    dpi: int | None = None
    ifd: int = 0

    @property
    def pixels(self) -> int:
        """How many pixels the page has."""
        return self.width * self.height


@dataclass(frozen=True)
class ImageHeader:
    """The kind of an image (``png``, ``jpeg``, ``tiff``) and its pages."""

    kind: str
    pages: tuple[ImagePage, ...]


def _sane(dpi: float | None) -> int | None:
    if dpi is None or not SANE_DPI[0] <= dpi <= SANE_DPI[1]:
        return None
    return round(dpi)


def read_header(data: bytes) -> ImageHeader:
    """The header of a PNG, JPEG or TIFF image; ``BadImage`` when it is none of them or is
    not well-formed."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageHeader("png", (_png(data),))
    if data.startswith(b"\xff\xd8\xff"):
        return ImageHeader("jpeg", (_jpeg(data),))
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return ImageHeader("tiff", _tiff(data))
    raise BadImage("not a PNG, JPEG or TIFF image")


def _png(data: bytes) -> ImagePage:
    position, size, dpi, seen = 8, None, None, set()
    while True:
        if position + 12 > len(data):
            raise BadImage("the PNG is truncated (it ends before its IEND chunk)")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise BadImage(f"the PNG is truncated (its {kind.decode('latin-1')} chunk runs past the end)")
        body = data[position + 8:position + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise BadImage(f"the PNG is damaged (its {kind.decode('latin-1')} chunk fails its checksum)")
        if size is None and kind != b"IHDR":
            raise BadImage("the PNG does not begin with its IHDR chunk")
        if kind == b"IHDR":
            if length != 13:
                raise BadImage("the PNG's IHDR chunk is malformed")
            size = struct.unpack(">II", body[:8])
        elif kind == b"pHYs" and length == 9:
            x, _y, unit = struct.unpack(">IIB", body)
            dpi = x * 0.0254 if unit == 1 else None  # pixels per metre
        elif kind == b"IEND":
            break
        seen.add(kind)
        position = end
    if b"IDAT" not in seen:
        raise BadImage("the PNG has no image data")
    if not size[0] or not size[1]:
        raise BadImage("the PNG declares no pixels")
    return ImagePage(size[0], size[1], _sane(dpi))


def _jpeg(data: bytes) -> ImagePage:
    position, dpi = 2, None
    while True:
        if position + 4 > len(data):
            raise BadImage("the JPEG is truncated (it ends before its frame header)")
        if data[position] != 0xFF:
            raise BadImage("the JPEG is damaged (a segment does not begin with a marker)")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        if marker in (0xD9, 0xDA):
            raise BadImage("the JPEG has no frame header (no image size) before its data")
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        body = data[position + 4:position + 2 + length]
        if length < 2 or position + 2 + length > len(data):
            raise BadImage("the JPEG is truncated (a segment runs past the end)")
        if marker == 0xE0 and body[:5] == b"JFIF\x00" and len(body) >= 12:
            units, x = body[7], struct.unpack(">H", body[8:10])[0]
            dpi = x if units == 1 else x * 2.54 if units == 2 else None
        if marker in SOF_MARKERS:
            if len(body) < 5:
                raise BadImage("the JPEG's frame header is malformed")
            height, width = struct.unpack(">HH", body[1:5])
            if not width or not height:
                raise BadImage("the JPEG declares no pixels")
            if data.rfind(b"\xff\xd9") < position:
                raise BadImage("the JPEG is truncated (it has no end marker)")
            return ImagePage(width, height, _sane(dpi))
        position += 2 + length


def _tiff(data: bytes) -> tuple[ImagePage, ...]:
    order = "<" if data[:2] == b"II" else ">"
    if len(data) < 8:
        raise BadImage("the TIFF is truncated")

    def unpack(fmt: str, at: int, what: str):
        size = struct.calcsize(order + fmt)
        if at < 0 or at + size > len(data):
            raise BadImage(f"the TIFF is damaged ({what} points outside the file)")
        return struct.unpack(order + fmt, data[at:at + size])

    def values(entry: int, what: str) -> list[int]:
        kind, count = unpack("HI", entry + 2, what)
        if kind not in (3, 4, 5) or count > MAX_ARRAY:
            raise BadImage(f"the TIFF's {what} is malformed")
        size = TIFF_TYPE_SIZES[kind] * count
        at = entry + 8 if size <= 4 else unpack("I", entry + 8, what)[0]
        if kind == 5:  # rationals
            pairs = unpack("%dI" % (2 * count), at, what)
            return [pairs[i] / pairs[i + 1] if pairs[i + 1] else 0 for i in range(0, len(pairs), 2)]
        return list(unpack(("%dH" if kind == 3 else "%dI") % count, at, what))

    pages, seen = [], set()
    ifd = unpack("I", 4, "the first page")[0]
    while ifd:
        if ifd in seen:
            raise BadImage("the TIFF is damaged (its chain of pages loops)")
        if len(pages) >= MAX_PAGES:
            raise BadImage(f"the TIFF has more than {MAX_PAGES} pages")
        seen.add(ifd)
        count = unpack("H", ifd, f"page {len(pages) + 1}")[0]
        unpack("%ds" % (12 * count + 4), ifd + 2, f"page {len(pages) + 1}")  # the whole IFD is in the file
        tags = {unpack("H", ifd + 2 + 12 * i, "a tag")[0]: ifd + 2 + 12 * i for i in range(count)}
        page = len(pages) + 1
        if 256 not in tags or 257 not in tags:
            raise BadImage(f"the TIFF's page {page} declares no size")
        width, height = values(tags[256], "width")[0], values(tags[257], "height")[0]
        if not width or not height:
            raise BadImage(f"the TIFF's page {page} declares no pixels")
        for offsets_tag, counts_tag in ((273, 279), (324, 325)):  # strips, tiles
            if offsets_tag in tags:
                offsets = values(tags[offsets_tag], "image data")
                counts = values(tags[counts_tag], "image data") if counts_tag in tags else []
                if len(counts) != len(offsets) or any(o + c > len(data) for o, c in zip(offsets, counts)):
                    raise BadImage(f"the TIFF is truncated (the image data of page {page} runs past the end)")
                break
        else:
            raise BadImage(f"the TIFF's page {page} has no image data")
        dpi = values(tags[282], "resolution")[0] if 282 in tags else None
        unit = values(tags[296], "resolution unit")[0] if 296 in tags else 2
        dpi = dpi * 2.54 if dpi and unit == 3 else dpi if unit == 2 else None
        pages.append(ImagePage(width, height, _sane(dpi), ifd))
        ifd = unpack("I", ifd + 2 + 12 * count, "the next page")[0]
    if not pages:
        raise BadImage("the TIFF has no page")
    return tuple(pages)


def tiff_page(data: bytes, page: ImagePage) -> bytes:
    """One page of a multi-page TIFF as a TIFF of its own: the same bytes, the header pointing
    at that page's IFD and the IFD pointing at no next page (its image data stays where it is)."""
    order = "<" if data[:2] == b"II" else ">"
    count = struct.unpack(order + "H", data[page.ifd:page.ifd + 2])[0]
    next_at = page.ifd + 2 + 12 * count
    out = bytearray(data)
    out[4:8] = struct.pack(order + "I", page.ifd)
    out[next_at:next_at + 4] = b"\x00\x00\x00\x00"
    return bytes(out)
