"""Contracts as a scanner saves them — PNG pages and multi-page TIFF — written by hand (zlib and
struct, no imaging library), from a text PDF's pages rendered by PDFium (shared by the tests and
``bench/contracts_ocr_parity.py --image``)."""
import struct
import zlib


def page_bitmaps(pdf: bytes, dpi: int = 200) -> list[tuple[int, int, bytes]]:
    """Each page of ``pdf`` rendered by PDFium to 8-bit gray: ``(width, height, pixels)``."""
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pdf)
    out = []
    for index in range(len(document)):
        page = document[index]
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        raw = bytes(bitmap.buffer)
        out.append((width, height, b"".join(raw[row * stride:row * stride + width] for row in range(height))))
        bitmap.close()
        page.close()
    document.close()
    return out


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, pixels: bytes, dpi: int | None = None) -> bytes:
    """An 8-bit grayscale PNG (filter 0 on every row); ``dpi`` in a pHYs chunk when given."""
    rows = b"".join(b"\x00" + pixels[row * width:(row + 1) * width] for row in range(height))
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))]
    if dpi:
        per_metre = round(dpi / 0.0254)
        chunks.append(_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)))
    chunks += [_chunk(b"IDAT", zlib.compress(rows, 6)), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def bilevel(width: int, height: int, pixels: bytes) -> bytes:
    """Gray pixels thresholded to one bit a pixel, rows padded to a byte, 1 = black (WhiteIsZero),
    as a scanner's bilevel TIFF holds them."""
    black = bytes(0x31 if value < 128 else 0x30 for value in range(256))  # "1" for a dark pixel
    padded, out = (width + 7) // 8 * 8, bytearray()
    for row in range(height):
        bits = pixels[row * width:(row + 1) * width].translate(black).ljust(padded, b"0")
        out += int(bits, 2).to_bytes(padded // 8, "big")
    return bytes(out)


def tiff(pages: list[tuple[int, int, bytes]], dpi: int | None = 200, one_bit: bool = True,
         loop: bool = False) -> bytes:
    """An uncompressed little-endian TIFF of ``pages`` (``page_bitmaps``), one IFD a page:
    bilevel (``one_bit``) or 8-bit gray; ``loop``: the last page's IFD points back to the first
    (a damaged or hostile file)."""
    data = bytearray(b"II*\x00\x00\x00\x00\x00")
    ifds = []
    for width, height, pixels in pages:
        strip = bilevel(width, height, pixels) if one_bit else pixels
        offset = len(data)
        data += strip + (b"\x00" if len(strip) % 2 else b"")
        resolution = len(data)
        data += struct.pack("<II", dpi or 1, 1)
        tags = [(256, 4, width), (257, 4, height), (258, 3, 1 if one_bit else 8), (259, 3, 1),
                (262, 3, 0 if one_bit else 1), (273, 4, offset), (277, 3, 1), (278, 4, height),
                (279, 4, len(strip))]
        if dpi:
            tags += [(282, 5, resolution), (283, 5, resolution), (296, 3, 2)]
        ifd = len(data)
        data += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            data += struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3
                                                         else struct.pack("<I", value))
        data += b"\x00\x00\x00\x00"
        ifds.append(ifd)
    data[4:8] = struct.pack("<I", ifds[0])
    for ifd, following in zip(ifds, ifds[1:] + [ifds[0] if loop else 0]):
        count = struct.unpack("<H", data[ifd:ifd + 2])[0]
        data[ifd + 2 + 12 * count:ifd + 6 + 12 * count] = struct.pack("<I", following)
    return bytes(data)
