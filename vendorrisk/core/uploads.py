"""Accepting uploaded files safely: size limit, type sniffed from content, ZIP-bomb gate.

Every upload passes ``inspect_upload`` before any parser sees it; the file is then kept
through ``storage.store``. Types are decided by the bytes, never by the extension alone,
and a mismatch between the two is refused.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorrisk.core import compound, images
from vendorrisk.core.encodings import decode_html, decode_text
from vendorrisk.core.errors import ValidationFailed

OOXML = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
MEDIA_TYPES = {"pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown",
               "png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff", "zip": "application/zip",
               "csv": "text/csv", "html": "text/html", "rtf": "application/rtf", "doc": "application/msword"}
EXTENSION_KIND = {"docx": "docx", "xlsx": "xlsx", "pdf": "pdf", "txt": "txt", "md": "md",
                  "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "zip": "zip", "csv": "csv",
                  "pptx": "pptx", "tif": "tiff", "tiff": "tiff", "html": "html", "htm": "html",
                  "rtf": "rtf", "doc": "doc"}
IMAGE_KINDS = ("png", "jpeg", "tiff")
TEXT_KINDS = ("txt", "md", "csv", "html")  # typed by extension once the bytes sniff as text
# an RTF file may leave this many groups open at its end, or close this many too many (a truncated or
# hand-edited file that readers still open); its groups may nest this deep (Word's stay under 30)
RTF_TOLERANCE = 2
RTF_MAX_DEPTH = 200
RTF_ESCAPES = re.compile(rb"\\[\\{}]")


def _content_mismatch(sniffed: str, extension: str) -> str:
    """Why a file's content does not match its extension, naming the content in words."""
    kinds = {"pdf": _l("a PDF document"), "docx": _l("a Word document"), "xlsx": _l("an Excel workbook"),
             "pptx": _l("a PowerPoint presentation"), "zip": _l("a ZIP archive"), "png": _l("a PNG image"),
             "jpeg": _l("a JPEG image"), "tiff": _l("a TIFF image"), "text": _l("plain text"),
             "rtf": _l("an RTF document"), "doc": _l("a Word 97–2003 document"),
             "xls": _l("an Excel 97–2003 workbook"), "ppt": _l("a PowerPoint 97–2003 presentation"),
             "msg": _l("an Outlook message")}
    if sniffed not in kinds:
        return _("The file's content was not recognised as .%(extension)s: it may be damaged, or another kind "
                 "of file renamed.", extension=extension)
    return _("The file's content is %(kind)s, which does not match its extension .%(extension)s.",
             kind=str(kinds[sniffed]), extension=extension)


@dataclass(frozen=True)
class Upload:
    """An upload that passed the checks: its bytes, sniffed kind and media type."""

    data: bytes
    filename: str
    kind: str  # docx, xlsx, pdf, txt, md, png, jpeg, tiff, zip, csv, pptx, html, rtf, doc
    media_type: str


def _refuse(message: str, field: str = "file"):
    raise ValidationFailed(message, [{"field": field, "message": message}])


def sniff(data: bytes) -> str:
    """Name the kind of a file from its bytes: ``pdf``, ``docx``, ``xlsx``, ``zip``, ``ole``
    (legacy/encrypted Office), ``exe``, ``png``, ``jpeg``, ``tiff``, ``rtf``, ``text`` or ``unknown``."""
    head = data[:8]
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "exe"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):  # little- and big-endian TIFF
        return "tiff"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "unknown"
        for kind, (marker, _media) in OOXML.items():
            if marker in names:
                return kind
        return "zip"
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 65530:  # a split multi-byte character at the cut is fine
            return "unknown"
    if b"\x00" in data[:65536]:
        return "unknown"
    return "text"


def read_whole(name: str) -> bool:
    """Whether a part of an Office file is XML that readers parse whole, into memory (every
    XML part of a Word file; a workbook's strings, styles and relations). Worksheets are
    streamed row by row, so only the unpacked limit and the time budget bound them."""
    lowered = name.lower()
    if not lowered.endswith((".xml", ".rels", ".vml")):
        return False
    return not (lowered.startswith("xl/worksheets/") and not lowered.startswith("xl/worksheets/_rels/"))


def check_archive(data: bytes, max_unpacked: int | None = None, max_ratio: int = 200,
                  max_xml: int | None = None) -> None:
    """Refuse a ZIP-based file that would expand beyond the limit or ratio (a decompression
    bomb), or whose XML read whole would exceed ``MAX_XML_MB`` (the memory a parser builds
    grows with it). Sizes are those the archive declares: Python's ``zipfile``, which every
    reader here uses, never inflates a part beyond its declared size."""
    limit = max_unpacked or current_app.config["MAX_UNPACKED_MB"] * 1024 * 1024
    xml_limit = max_xml or int(current_app.config.get("MAX_XML_MB", 16) * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = xml = 0
            for info in archive.infolist():
                total += info.file_size
                if read_whole(info.filename):
                    xml += info.file_size
                    if xml > xml_limit:
                        _refuse(_("The file is refused: its XML content (%(part)s and the parts before it) "
                                  "expands beyond %(limit)s MB, more than can be read safely. Split the "
                                  "document or remove content, and upload again.", part=repr(info.filename),
                                  limit=xml_limit // (1024 * 1024)))
                if info.compress_size and info.file_size / max(info.compress_size, 1) > max_ratio and info.file_size > 1024 * 1024:
                    _refuse(_("The file is refused: its part %(part)s would expand %(ratio)s times "
                              "(a decompression bomb).", part=repr(info.filename),
                              ratio=info.file_size // max(info.compress_size, 1)))
            if total > limit:
                _refuse(_("The file is refused: it would expand to %(size)s MB, over the limit of "
                          "%(limit)s MB.", size=total // (1024 * 1024), limit=limit // (1024 * 1024)))
    except zipfile.BadZipFile:
        _refuse(_("The file is corrupt: it is not a readable ZIP/Office container."))


def check_rtf(data: bytes) -> None:
    """Refuse an RTF file whose groups do not balance (beyond ``RTF_TOLERANCE``) or nest deeper than
    ``RTF_MAX_DEPTH``: it is damaged, or made to exhaust a reader. Counted on the bytes, no parsing."""
    depth = deepest = closed_too_many = 0
    for brace in re.finditer(rb"[{}]", RTF_ESCAPES.sub(b"", data)):
        if brace.group() == b"{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
        else:
            closed_too_many += 1
    if depth > RTF_TOLERANCE or closed_too_many > RTF_TOLERANCE or deepest > RTF_MAX_DEPTH:
        _refuse(_content_mismatch("unknown", "rtf"))


def check_image(data: bytes, max_pixels: int | None = None) -> images.ImageHeader:
    """Refuse an image that is not well-formed or has a page over ``MAX_IMAGE_PIXELS`` (a
    decompression bomb), read from its header alone (no pixel is decoded); its header."""
    limit = max_pixels or current_app.config["MAX_IMAGE_PIXELS"]
    try:
        header = images.read_header(data)
    except images.BadImage as exc:
        why = {"truncated": _("it is truncated: the file ends before the image does"),
               "loops": _("the chain of its pages loops back on itself"),
               "pages": _("it has more than %(n)s pages", n=images.MAX_PAGES)}.get(exc.why, _("its header is damaged"))
        _refuse(_("The image is damaged or not a well-formed image (%(why)s); save or scan it again and upload "
                  "it again.", why=why))
    for number, page in enumerate(header.pages, 1):
        if page.pixels > limit:
            _refuse(_("The image is refused: page %(page)s is %(width)s × %(height)s pixels, more than the "
                      "limit of %(limit)s megapixels (MAX_IMAGE_PIXELS). Scan at 300 dpi and upload again.",
                      page=number, width=page.width, height=page.height, limit=limit // 1_000_000))
    return header


_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def safe_filename(filename: str | None) -> str:
    """The name an upload is kept and offered under: its last path component (never a folder:
    ``../../etc/passwd``, ``C:\\x\\y.docx``), NFC, without control or format characters (NUL,
    line breaks, a right-to-left override that disguises an extension) or lone surrogates, at
    most 200 characters (the extension kept), ``upload`` if nothing is left."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE_CATEGORIES).strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[:190] + dot + extension[:9] if dot and len(extension) < 10 else name[:200]
    return name or "upload"


def _compound_kind(data: bytes, extension: str, allowed: set[str]) -> str:
    """The kind of a compound file where Word 97–2003 documents are accepted (``doc``, or what
    else it holds, for the mismatch); refused with its reason when it is password-protected, a
    Word 6/95 document, or where no compound file is accepted."""
    held = compound.ole_kind(data)
    if held in ("ooxml_encrypted", "doc_encrypted"):
        _refuse(_("The file is password-protected: save it without a password and upload again."))
    if "doc" in allowed:
        if held == "doc_old":
            _refuse(_("The file is in too old a Word format (Word 6.0/95): save it as .docx and upload again."))
        if held in ("doc", "xls", "ppt", "msg") or extension == "doc":  # "ole": damaged, said as not recognised
            return held
    _refuse(_("This is a legacy or password-protected Office file (.doc/.xls or encrypted). "
              "Save it as an unencrypted .docx or .xlsx and upload again."))


def inspect_upload(data: bytes, filename: str, allowed: set[str]) -> Upload:
    """Check an upload against size, emptiness, content type and extension; return it typed.

    ``allowed`` names the kinds accepted here (e.g. ``{"docx", "pdf", "txt", "md"}``).
    """
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    filename = safe_filename(filename)
    if not data:
        _refuse(_("The file is empty."))
    if len(data) > limit:
        _refuse(_("The file is %(size)s MB; the limit is %(limit)s MB.",
                  size=len(data) // (1024 * 1024), limit=limit // (1024 * 1024)))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    sniffed = sniff(data)
    if sniffed == "exe":
        _refuse(_("Executable files are not accepted."))
    if sniffed == "ole":
        sniffed = _compound_kind(data, extension, allowed)
    if extension in ("xls", "xlsm", "doc", "docm") and EXTENSION_KIND.get(extension) not in allowed:
        _refuse(_(".%(extension)s files are not accepted; save the file as %(modern)s and upload again.",
                  extension=extension, modern=".xlsx" if extension.startswith("xls") else ".docx"))
    claimed = EXTENSION_KIND.get(extension)
    if sniffed == "unknown" and claimed in TEXT_KINDS \
            and (decode_html(data) if claimed == "html" else decode_text(data)) is not None:
        sniffed = "text"  # Shift_JIS, EUC-JP, UTF-16 or Windows-1252 text: kept as it came, read as declared
    kind = sniffed
    if sniffed == "text":
        kind = claimed if claimed in TEXT_KINDS else "txt"
    if claimed is None:
        _refuse(_("Files of type .%(extension)s are not accepted here; accepted: %(accepted)s.",
                  extension=extension or "(none)", accepted=", ".join(sorted(allowed))))
    if kind != claimed:
        _refuse(_content_mismatch(sniffed, extension))
    if kind not in allowed:
        _refuse(_("Files of type .%(extension)s are not accepted here; accepted: %(accepted)s.",
                  extension=extension, accepted=", ".join(sorted(allowed))))
    if kind in OOXML or kind == "zip":
        check_archive(data)
    if kind in IMAGE_KINDS:
        check_image(data)
    if kind == "rtf":
        check_rtf(data)
    media = OOXML[kind][1] if kind in OOXML else MEDIA_TYPES.get(kind, "application/octet-stream")
    return Upload(data=data, filename=filename, kind=kind, media_type=media)
