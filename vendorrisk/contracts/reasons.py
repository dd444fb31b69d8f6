"""The contract checker's reasons and warnings said in the reader's language.

The checker (``checker/matcher.py``) gives each result a reason key and parameters beside
its English sentence; pages render them here, at display time. A check stored before the
keys existed shows its English sentence.
"""
import re

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

REASONS = {
    "absent": _l("No heading or key phrase of this clause appears in the contract."),
    "weakened": _l("Wording that excludes or weakens the obligation: %(focus)s (%(basis)s)."),
    "essential_missing": _l("The clause is present (%(basis)s), but no %(essential)s was found in it."),
    "found": _l("Found in one article: %(basis)s."),
    "weak": _l("Only weak evidence (%(basis)s); check the wording."),
    "scanned": _l("The PDF is a scan without a text layer; read it and record the result."),
}
EXTRACTION_NOTES = {
    "scanned": _l("The PDF has no text layer (it is a scan): every clause needs a manual review, or upload a "
                  "PDF with text or a .docx file."),
    "no_structure": _l("No numbered articles were recognised; every result needs a review."),
}


JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def content_lang(text: str) -> str:
    """The language of a passage quoted from a contract (``ja`` if it has Japanese in it), so
    that the page marks an English contract's words as English."""
    return "ja" if JAPANESE.search(text or "") else "en"


def _quote(text: str) -> Markup:
    return Markup('<q lang="%s">%s</q>') % (content_lang(text), text)


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def _fact(fact: dict) -> str:
    kind = fact.get("fact")
    if kind == "heading":
        return escape(_("the heading %(heading)s", heading="\0")).replace("\0", _quote(fact.get("heading", "")))
    if kind == "phrases":
        quoted = Markup("、").join(_quote(p) for p in fact.get("phrases", []))
        return escape(_("the key phrases %(phrases)s", phrases="\0")).replace("\0", quoted)
    if kind == "sentence":
        label = fact.get("essential") or {}
        return _("one sentence carrying the %(essential)s",
                 essential=label.get(_lang()) or label.get("en") or _("essential element"))
    if kind == "annexes":
        return _("%(annexes)s referred to in the article", annexes="、".join(fact.get("annexes", [])))
    return ""


def clause_reason(check) -> Markup:
    """Why the checker decided what it did, in the reader's language; words quoted from the
    contract are marked with their own language."""
    key = getattr(check, "reason_key", None)
    if key not in REASONS:
        return escape(check.reason)
    params = check.reason_params or {}
    separator = Markup("、" if _lang() == "ja" else "; ")
    basis = separator.join(escape(f) for f in map(_fact, params.get("facts", [])) if f) or escape(_("no other evidence"))
    essential = params.get("essential") or {}
    text = escape(str(REASONS[key])) % {
        "basis": basis, "focus": _quote(params.get("focus", "")) if params.get("focus") else "",
        "essential": essential.get(_lang()) or essential.get("en") or _("essential element")}
    if params.get("unnumbered"):
        return escape(_("No numbered articles were recognised, so the evidence cannot be tied to one article: "
                        "%(reason)s", reason="\0")).replace("\0", text)
    return text


def extraction_note(version) -> str:
    """The warning about how the contract's text was read (a scan, no articles)."""
    note = EXTRACTION_NOTES.get(version.extraction_status)
    return str(note) if note is not None else version.extraction_note


def helpers() -> dict:
    """Template helpers of the contract pages."""
    return {"clause_reason": clause_reason, "extraction_note": extraction_note, "content_lang": content_lang}
