"""Image headers are read without decoding pixels: sizes, resolutions and pages of PNG, JPEG and
TIFF, and damaged files refused (``core.images``), as uploads check them."""
import struct
import zlib

import pytest

from vendorrisk.core import images
from vendorrisk.core.errors import ValidationFailed
from vendorrisk.core.uploads import inspect_upload, sniff


def _jpeg(width: int, height: int, units: int = 1, density: int = 300, end: bool = True) -> bytes:
    jfif = b"JFIF\x00\x01\x02" + struct.pack(">BHHBB", units, density, density, 0, 0)
    exif = b"Exif\x00\x00" + b"\x00" * 40  # a phone's APP1 before the frame header
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    segments = [(0xE0, jfif), (0xE1, exif), (0xDB, b"\x00" * 65), (0xC2, sof), (0xDA, b"\x01\x01\x00\x00\x3f\x00")]
    body = b"".join(b"\xff" + bytes([m]) + struct.pack(">H", len(s) + 2) + s for m, s in segments)
    return b"\xff\xd8" + body + b"\x12\x34" * 50 + (b"\xff\xd9" if end else b"")


def _tiff(width: int, height: int, resolution: tuple[int, int] | None, unit: int = 2, big_endian: bool = False,
          missing: int = 0) -> bytes:
    o = ">" if big_endian else "<"
    strip = b"\x00" * ((width + 7) // 8 * height)
    data = bytearray((b"MM\x00*" if big_endian else b"II*\x00") + struct.pack(o + "I", 0) + strip)
    rational = len(data)
    data += struct.pack(o + "II", *(resolution or (1, 1)))
    tags = [(256, 3, width), (257, 3, height), (273, 4, 8), (279, 4, len(strip) + missing)]
    if resolution:
        tags += [(282, 5, rational), (296, 3, unit)]
    ifd = len(data)
    data += struct.pack(o + "H", len(tags))
    for tag, kind, value in tags:
        data += struct.pack(o + "HHI", tag, kind, 1) + (struct.pack(o + "HH", value, 0) if kind == 3
                                                         else struct.pack(o + "I", value))
    data += struct.pack(o + "I", 0)
    data[4:8] = struct.pack(o + "I", ifd)
    return bytes(data)


def test_tiff_is_sniffed_in_both_byte_orders():
    assert sniff(_tiff(8, 8, None)) == "tiff" and sniff(_tiff(8, 8, None, big_endian=True)) == "tiff"


def test_a_jpeg_size_and_resolution_come_from_its_frame_and_jfif_headers():
    page, = images.read_header(_jpeg(2480, 3508)).pages
    assert (page.width, page.height, page.dpi) == (2480, 3508, 300)
    assert images.read_header(_jpeg(4032, 3024, density=72)).pages[0].dpi is None  # a phone's 72 dpi: assumed 300
    assert images.read_header(_jpeg(100, 100, units=2, density=118)).pages[0].dpi == 300  # dots per cm
    with pytest.raises(images.BadImage, match="truncated"):
        images.read_header(_jpeg(100, 100, end=False))
    with pytest.raises(images.BadImage, match="no frame header"):
        images.read_header(b"\xff\xd8\xff\xda\x00\x02\xff\xd9")


def test_a_tiff_resolution_is_read_in_inches_or_centimetres_and_its_data_must_be_in_the_file():
    assert images.read_header(_tiff(16, 16, (300, 1))).pages[0].dpi == 300
    assert images.read_header(_tiff(16, 16, (400, 1), big_endian=True)).pages[0].dpi == 400
    assert images.read_header(_tiff(16, 16, (118, 1), unit=3)).pages[0].dpi == 300
    assert images.read_header(_tiff(16, 16, None)).pages[0].dpi is None
    with pytest.raises(images.BadImage, match="outside the file"):
        images.read_header(_tiff(16, 16, None)[:-10])  # the IFD cut short
    with pytest.raises(images.BadImage, match="image data of page 1 runs past the end"):
        images.read_header(_tiff(64, 64, None, missing=10_000))  # its strip declared longer than the file


def test_a_png_failing_its_checksum_is_refused_as_damaged(app):
    body = struct.pack(">IIBBBBB", 10, 10, 8, 0, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + b"IHDR" + body + struct.pack(">I", zlib.crc32(b"IHDR" + body) ^ 1)
    with app.test_request_context(), pytest.raises(ValidationFailed, match="header is damaged"):
        inspect_upload(b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00" * 20, "scan.png", {"png"})
