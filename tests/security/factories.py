"""Builders for the security tests (issue 16): the rows of large register workbooks (saved by
``tests.factories.workbook``) and decompression bombs."""
import io
import random
import string
import zipfile

from tests import factories

XML_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
XML_TAIL = b"</w:body></w:document>"


def register_rows(vendors: int, arrangements: int, links: int, offset: int = 0) -> dict:
    """Sheets of a register workbook: ``vendors`` new vendors, ``arrangements`` arrangements
    (tier 1 round robin) and ``links`` links, each under an arrangement's tier 1, to a vendor
    that is not tier 1 of that arrangement. Row counts add up to the sum of the three."""
    vendor_rows = [["ref", "name", "name_en", "corporate_number", "country", "is_cloud"]]
    for i in range(vendors):
        n = offset + i
        vendor_rows.append([f"v{n}", f"大量取込{n}株式会社", f"Bulk Import {n} KK",
                            factories.corporate_number(700000 + n), "JP", "yes" if n % 3 == 0 else "no"])
    arrangement_rows = [["ref", "vendor", "title", "handles_user_data", "data_locations"]]
    tier1 = {}
    for i in range(arrangements):
        vendor = f"v{offset + i % vendors}"
        tier1[f"a{offset + i}"] = vendor
        arrangement_rows.append([f"a{offset + i}", vendor, f"委託業務{offset + i}", "yes" if i % 2 else "no",
                                 "JP:Tokyo" if i % 2 else ""])
    link_rows = [["arrangement", "parent_vendor", "vendor", "service", "touches_user_data"]]
    refs = list(tier1)
    for i in range(links):
        arrangement = refs[i % len(refs)]
        parent = tier1[arrangement]
        child = f"v{offset + (int(parent[1:]) - offset + 1 + i // len(refs)) % vendors}"
        link_rows.append([arrangement, parent, child, f"再委託{i}", "no"])
    return {"vendors": vendor_rows, "arrangements": arrangement_rows, "links": link_rows}


def paragraphs(size: int, vocabulary: int, seed: int = 16) -> bytes:
    """About ``size`` bytes of Word paragraphs of words drawn from ``vocabulary`` made-up
    words: the fewer the words, the better it compresses (32 words: about 6 times; a
    repeated sentence with a counter: about 70 times)."""
    rng = random.Random(seed)
    out, total, n = [], 0, 0
    if vocabulary:
        words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                 for _ in range(vocabulary)]
    while total < size:
        n += 1
        if vocabulary:
            text = " ".join(rng.choice(words) for _ in range(40))
        else:
            text = f"第{n}条 受託者は、委託者の監査権限に従い、再委託の手続を守る。" * 3
        piece = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
        out.append(piece)
        total += len(piece)
    return b"".join(out)


def docx_bomb(xml_mb: int, chunk: bytes) -> bytes:
    """A .docx whose word/document.xml holds ``xml_mb`` MB of XML: ``chunk`` (about 1 MB of
    paragraphs, see ``paragraphs``) repeated; deflate sees 32 KB back, so the repetition
    does not change the ratio. Streamed into the archive: building it needs little memory."""
    import docx
    template = io.BytesIO()
    docx.Document().save(template)
    source = zipfile.ZipFile(io.BytesIO(template.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(XML_HEAD)
            written = 0
            while written < xml_mb * 1024 * 1024:
                part.write(chunk)
                written += len(chunk)
            part.write(XML_TAIL)
    return out.getvalue()
