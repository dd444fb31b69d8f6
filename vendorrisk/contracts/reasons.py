"""What the contract pages say about a check, in the reader's language: the checker's reason
(stored as a key and parameters, rendered by ``checker.reasons``) and the warning about how
the contract's text was read (a scan, no numbered articles)."""
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorrisk.contracts.checker import reasons as checker_reasons
from vendorrisk.contracts.models import DOCUMENT_KIND_NAMES, DOCUMENT_KINDS
from vendorrisk.core.i18n import language

EXTRACTION_NOTES = {
    "scanned": _l("The PDF has no text layer (it is a scan): every clause needs a manual review, or upload a "
                  "PDF with text or a .docx file."),
    "unreadable_text": _l("The text read from the PDF is neither Japanese nor English — its fonts probably carry "
                          "no character map: every clause needs a manual review, or upload a .docx file or the PDF "
                          "exported again with text."),
    "no_structure": _l("No numbered articles were recognised; every result needs a review."),
    "ocr": _l("Read by OCR from the scan: the text may hold misread characters; check the evidence of each clause "
              "against the scanned pages."),
    "ocr_glyphs": _l("Read by OCR from the drawn pages (their text layer is glyph numbers of a font without a "
                     "character map): the text may hold misread characters; check the evidence of each clause against "
                     "the PDF's pages."),
}
# how the OCR of a scanned version stands (``ocr_jobs``), as the version's page says it
OCR_STATES = {
    "queued": _l("Waiting for OCR: the scanned pages will be read in the background and the clauses checked again."),
    "running": _l("OCR in progress: the scanned pages are being read."),
    "done": _l("Read by OCR: %(pages)s page(s) of the scan were read and the clauses checked on that text."),
    "failed": _l("OCR failed; the version stays as it was uploaded (scanned). Why it failed:"),
    "unavailable": _l("OCR is not available on this server (Tesseract is not installed): the scanned pages were not "
                      "read."),
}
# the same for a PDF whose text layer is glyph numbers on the pages to read (drawn fine, not scanned)
GLYPH_OCR_STATES = {
    "queued": _l("Waiting for OCR: the pages whose text is glyph numbers (a font without a character map) will be "
                 "read from how they are drawn, in the background, and the clauses checked again."),
    "running": _l("OCR in progress: the pages whose text is glyph numbers are being read."),
    "done": _l("Read by OCR: %(pages)s page(s) whose text was glyph numbers were read and the clauses checked on "
               "that text."),
    "failed": _l("OCR failed; the version stays as it was uploaded (those pages not read). Why it failed:"),
    "unavailable": _l("OCR is not available on this server (Tesseract is not installed): the pages whose text is "
                      "glyph numbers were not read."),
}
GLYPHS = ("unreadable_text", "partly_unreadable")
GLYPH_NOTE = "Read by OCR from the drawn pages"  # the start of ``checker.ocr``'s English note for them
# an image (PNG, JPEG, TIFF) before OCR: the scanned PDF's note would tell to upload a PDF with text
IMAGE_NOTE = _l("The file is an image (a scan or a photo): every clause needs a manual review until its pages are "
                "read by OCR.")
IMAGE_KINDS = ("png", "jpeg", "tiff")
OCR_LABELS = {"ocr": _l("read by OCR")}
# why an OCR failed, as the runner records it in English (``checker.ocr``, ``ocr_jobs``): its key and its
# sentence in the reader's language; any other reason (Tesseract or PDFium failing) is ``engine_error``,
# said in a general sentence, its English detail kept in the column (the audit trail, the API) and the log
OCR_REASONS = (
    ("page_limit", re.compile(r"The scan has (\d+) pages to read, more than the limit of (\d+)"),
     _l("The scan has %(a)s pages to read, more than the limit of %(b)s (CONTRACT_OCR_PAGE_LIMIT).")),
    ("page_time", re.compile(r"Reading a page took longer than (\d+) seconds"),
     _l("Reading a page took longer than %(a)s seconds (CONTRACT_OCR_PAGE_SECONDS).")),
    ("not_installed", re.compile(r"Tesseract is not installed"), _l("Tesseract is not installed.")),
    ("stopped", re.compile(r"The OCR stopped"), _l("The OCR stopped (its runner crashed or was stopped).")),
    ("too_poor", re.compile(r"The OCR text was too poor"),
     _l("The text read was too poor to check (low OCR confidence on most pages): the version stays as it was "
        "uploaded.")),
)
ENGINE_ERROR = _l("The OCR engine could not read the file (an error of Tesseract or of the PDF renderer); the "
                  "administrator finds the error in the server's log.")
# the stored English note of a partly scanned or partly unreadable PDF (``checker.pdf``), read back for its pages
PARTLY_SCANNED = re.compile(r"Pages ([\d, ]+) of (\d+) ")
PARTLY_NOTES = {
    "partly_scanned": _l("Pages %(pages)s of %(total)s are scanned images without text: what is written there was not "
                         "read, and a clause not found may be on them."),
    "partly_unreadable": _l("Pages %(pages)s of %(total)s have text that is neither Japanese nor English (a font "
                            "without a character map): it was left out, and a clause not found may be on them."),
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def content_lang(text: str) -> str:
    """The language of a passage quoted from a contract (``ja`` if it has Japanese in it), so
    that the page marks an English contract's words as English."""
    return "ja" if JAPANESE.search(text or "") else "en"


def clause_reason(check) -> str:
    """Why the checker decided what it did, in the reader's language (a check stored before
    reasons had keys keeps its English sentence)."""
    if not getattr(check, "reason_key", ""):
        return check.reason
    return checker_reasons.render(check.reason_key, check.reason_params, language())


def extraction_note(version, lang: str | None = None) -> str:
    """The warning about how the contract's text was read, in ``lang`` (a document built in a
    language of its own), else in the reader's."""
    if lang is not None:
        with force_locale(lang):
            return extraction_note(version)
    partly = PARTLY_NOTES.get(version.extraction_status)
    if partly is not None and (m := PARTLY_SCANNED.match(version.extraction_note or "")):
        return str(partly) % {"pages": m.group(1), "total": m.group(2)}
    note = EXTRACTION_NOTES.get(version.extraction_status)
    if version.extraction_status == "ocr" and (version.extraction_note or "").startswith(GLYPH_NOTE):
        note = EXTRACTION_NOTES["ocr_glyphs"]
    if version.extraction_status == "scanned" and getattr(version, "file_kind", "") in IMAGE_KINDS:
        note = IMAGE_NOTE
    if version.extraction_status == "ocr" and (m := PARTLY_SCANNED.search(version.extraction_note or "")):
        # pages of the scan read with too little confidence are still unread
        poor = _("Pages %(pages)s of %(total)s could not be read (OCR confidence too low): a clause not found may "
                 "be on them.", pages=m.group(1), total=m.group(2))
        return f"{note} {poor}"
    return str(note) if note is not None else version.extraction_note


def ocr_reason_key(version) -> tuple[str, dict]:
    """Why the OCR of a version failed (or read too little) as a key (``OCR_REASONS``, else
    ``engine_error``; "" when it did not) and its parameters."""
    reason = version.ocr_reason or ""
    if not reason:
        return "", {}
    for key, pattern, _text in OCR_REASONS:
        if m := pattern.search(reason):
            return key, dict(zip("ab", m.groups()))
    return "engine_error", {}


def ocr_reason(version) -> tuple[str, bool]:
    """Why the OCR of a version failed (or read too little), in the reader's language, and
    whether it is in that language (always: an unknown error is said in a general sentence)."""
    key, params = ocr_reason_key(version)
    if not key:
        return "", True
    text = next((t for k, _p, t in OCR_REASONS if k == key), ENGINE_ERROR)
    return (str(text) % params if params else str(text)), True


def ocr_reason_fields(version) -> dict:
    """The API's fields on why the OCR failed: in the reader's language, as a key, and the
    runner's English detail."""
    key, _params = ocr_reason_key(version)
    return {"ocr_reason": ocr_reason(version)[0], "ocr_reason_key": key, "ocr_reason_detail": version.ocr_reason or ""}


def extraction_label(status: str) -> str:
    """How a version's file was read, in a word or two (``partly scanned``, ``read by OCR``)."""
    return str(OCR_LABELS[status]) if status in OCR_LABELS else _(status.replace("_", " "))


def ocr_state(version) -> str:
    """How the OCR of a scanned version stands, in the reader's language ("" when not a scan; the
    reason of a failure, in the runner's English, is shown beside it)."""
    glyphs = version.extraction_status in GLYPHS or (version.extraction_note or "").startswith(GLYPH_NOTE)
    text = (GLYPH_OCR_STATES if glyphs else OCR_STATES).get(version.ocr_state or "")
    if text is None:
        return ""
    return str(text) % {"pages": version.ocr_pages} if version.ocr_state == "done" else str(text)


def unreadable(exc) -> str:
    """Why a file cannot be read as a contract (``checker.UnreadableContract``), in the
    reader's language; an error without a key keeps the checker's English sentence."""
    params = exc.params
    messages = {
        "kind": lambda: _("Contracts cannot be read from .%(kind)s files.", kind=params.get("kind", "")),
        "no_text": lambda: _("The file contains no text."),
        "not_utf8": lambda: _("The text file's encoding was not recognised; save it as UTF-8 and upload again."),
        "pdf_password": lambda: _("The PDF is password-protected; upload an unprotected copy."),
        "pdf_corrupt": lambda: _("The PDF is corrupt and cannot be read; save or export it again and upload the "
                                 "new copy."),
        "docx_corrupt": lambda: _("The Word file is corrupt and cannot be read; save it again in Word and upload "
                                  "the new copy."),
        "rtf_corrupt": lambda: _("The RTF file is damaged and cannot be read; save it again (in Word: Save As, "
                                 "Rich Text Format) and upload the new copy."),
        "doc_password": lambda: _("The file is password-protected: save it without a password and upload again."),
        "doc_old": lambda: _("The file is in too old a Word format (Word 6.0/95): save it as .docx and upload "
                             "again."),
    }
    message = messages.get(getattr(exc, "key", ""))
    return message() if message else str(exc)


def document_kind_name(kind: str) -> str:
    """The name of a document kind of the set (``other`` for one not known), in the reader's
    language."""
    names = DOCUMENT_KIND_NAMES.get(kind, DOCUMENT_KIND_NAMES["other"])
    return names["ja"] if language() == "ja" else names["en"]


def helpers() -> dict:
    """Template helpers of the contract pages."""
    return {"clause_reason": clause_reason, "extraction_note": extraction_note, "content_lang": content_lang,
            "extraction_label": extraction_label, "ocr_state": ocr_state, "ocr_reason": ocr_reason,
            "document_kinds": DOCUMENT_KINDS, "document_kind_name": document_kind_name}
