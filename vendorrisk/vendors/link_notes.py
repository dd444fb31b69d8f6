"""Notes the product writes on a sub-outsourcing link it records itself (a carved-out
subservice organisation of a certificate, a subcontractor a questionnaire listed): stored as
a key and parameters (``OutsourcingLink.approval_note_key`` / ``approval_note_params``) beside
their English in ``approval_note``, and read in each reader's language. A note a person types
(recording a decision) has no key and is shown as typed; so are notes written before."""
from flask_babel import force_locale

from vendorrisk.core.messages import msg as _  # notes are stored as keys; rendered when shown
from vendorrisk.core.messages import render
from vendorrisk.vendors import finding_texts

LINK_NOTES = {
    "certificate_carved_out": _("Carved-out subservice organisation named in the %(kind)s of %(issuer)s "
                                "(%(file)s)."),
    "questionnaire_listed": _("Listed by the vendor in its questionnaire answers (%(file)s, row %(row)s)."),
}
NOTE_MAX = 1000  # OutsourcingLink.approval_note


def note_fields(key: str, params: dict) -> dict:
    """The link's fields for the note ``key`` of ``LINK_NOTES`` with ``params`` (a text in both
    languages as ``{"ja", "en"}``): the key, the parameters and the English."""
    stored = finding_texts.stored_params(params)
    return {"approval_note": finding_texts.english(LINK_NOTES, key, stored, "note")[:NOTE_MAX],
            "approval_note_key": key, "approval_note_params": stored}


def note_text(key: str | None, params: dict | None, stored: str, language: str | None = None) -> str:
    """The note ``key`` of ``LINK_NOTES`` with ``params`` in ``language`` (else the current
    one); ``stored`` (a person's note, or the English as stored) when there is no key or this
    version cannot render it."""
    message = finding_texts.message(LINK_NOTES, key, params) if key else None
    if message is None:
        return stored
    try:
        if language is None:
            return render(message).strip()
        with force_locale(language):
            return render(message).strip()
    except (KeyError, TypeError, ValueError):
        return stored


def display_approval_note(link, language: str | None = None) -> str:
    """The link's note in the reader's language (``language``, else the current one) when the
    product wrote it; a person's note, or one this version cannot render, as stored."""
    return note_text(getattr(link, "approval_note_key", None), link.approval_note_params, link.approval_note, language)
