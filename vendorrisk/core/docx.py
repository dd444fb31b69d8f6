"""Word documents with python-docx: Japanese-ready fonts, page numbers, shading, bytes out.

Japanese text needs the East Asian font set in ``w:rFonts/@w:eastAsia`` (and the
``w:lang/@w:eastAsia`` language), not only the Latin font name, or Word and LibreOffice
fall back to a Latin face for kanji. Every Word export goes through these helpers.

No stored value can break a Word export: python-docx writes the text of every run
(``add_paragraph``, ``add_run``, ``cell.text``, headings) through ``CT_R.add_t``, and lxml
refuses text that XML cannot hold (NUL, vertical tab, lone surrogates ...). Importing this
module makes ``add_t`` replace such characters with U+FFFD first (``textfields.writable``).
"""
import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R

from vendorrisk.core.textfields import writable


def _writable_text(add_t):
    def add_t_writable(self, text: str):
        return add_t(self, writable(text))
    add_t_writable.writable = True
    return add_t_writable


if not getattr(CT_R.add_t, "writable", False):
    CT_R.add_t = _writable_text(CT_R.add_t)

LATIN_FONT = "Calibri"
GOTHIC = "Yu Gothic"
MINCHO = "MS Mincho"
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid")


def set_fonts(element, east_asian: str = GOTHIC, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts and the Japanese language on a style's or a run's
    ``w:rPr`` (pass ``style.element`` or ``run._r``)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def japanese_styles(document, east_asian: str = GOTHIC) -> None:
    """Give the document's common styles the Japanese-ready fonts."""
    for name in STYLES:
        try:
            style = document.styles[name]
        except KeyError:
            continue
        style.font.name = LATIN_FONT
        set_fonts(style.element, east_asian)


def add_page_field(paragraph) -> None:
    """Append a PAGE field to a paragraph (the page number Word and LibreOffice compute)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def page_number_footer(document, prefix: str = "") -> None:
    """Centre a page number (with an optional label before it) in every section's footer."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if prefix:
            paragraph.add_run(prefix)
        add_page_field(paragraph)


def shade(cell, fill: str) -> None:
    """Fill a table cell with a background colour (hex, e.g. ``EEF2F7``)."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def to_bytes(document) -> bytes:
    """Serialise a document."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
