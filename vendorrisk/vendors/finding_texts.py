"""Descriptions and closure evidence of the findings the product raises and closes, as
``core.messages``: like their titles (``finding_titles``), stored as a key and parameters
and rendered in the reader's language when shown.

A finding raised by the product stores the kind of its description (``description_key``,
one of ``DESCRIPTIONS``) and its facts (``description_params``); a finding the product closes
itself (``findings.settle_finding``) stores what closed it the same way
(``closure_evidence_key``, one of ``CLOSURES``). A parameter is a plain value, a text in both
languages (``{"ja": ..., "en": ...}``, a question's text) or a message (``core.messages``
JSON: a status word, a list of documents), rendered in the reader's language too. The
English text stays in ``description`` / ``closure_evidence`` for search, exports and the API;
text typed by a person has no key and is shown as typed.
"""
from typing import Any

from vendorrisk.core.messages import Bilingual, Join, Msg, from_json, to_json
from vendorrisk.core.messages import msg as _  # texts are stored as keys; rendered when shown
from vendorrisk.vendors.finding_titles import PLACEHOLDER

DESCRIPTIONS = {
    "contract_set_clause_missing": _("No document of the contract set covers the clause. Documents read: "
                                     "%(documents)s."),
    "contract_set_clause_missing_commented": _("No document of the contract set covers the clause. Documents "
                                               "read: %(documents)s.\nReviewer: %(comment)s"),
    "questionnaire_answer": _("%(questionnaire)s (version %(version)s), %(citation)s\n%(question)s\n"
                              "Answer: %(answer)s\n%(comment)s"),
    "questionnaire_answer_mapped": _("%(format)s, read as %(questionnaire)s, %(citation)s\n%(question)s\n"
                                     "Answers: %(answers)s"),
    "selection_condition": _("A condition of the approval of the vendor's selection (Art. 25(1)), approved on "
                             "%(day)s."),
}
CLOSURES = {
    "contract_set_covered": _("The contract set covers the clause now: %(document)s%(where)s, %(how)s."),
    "arrangement_ended": _("The arrangement %(arrangement)s was terminated on %(day)s: its contract no longer "
                           "applies, so the clause is no longer required of it."),
}
# Notes of history steps the product writes when a person's move ends something, kept in
# English in ``FindingEvent.note`` and shown in the reader's language
# (``findings.display_event_note``).
EVENT_NOTES = {
    "request_ended_resolved": _("The request was still waiting for a decision; it ends because the finding "
                                "was resolved."),
}
# Notes of the steps where the product gives a finding to another owner (``findings.pass_on``):
# stored as a key and parameters in ``FindingEvent.note_key`` / ``note_params`` (the English in
# ``note``), shown in the reader's language; ``why`` is one of ``OWNER_CHANGE_REASONS``.
OWNER_NOTES = {
    "owner_passed_on": _("Owner %(before)s -> %(after)s (%(why)s)"),
    "owner_to_nobody": _("Owner %(before)s -> no owner (%(why)s)"),
    "owner_from_nobody": _("No owner -> %(after)s (%(why)s)"),
}
OWNER_CHANGE_REASONS = {
    "deactivated": _("the owner was deactivated"),
    "staff_assigned": _("staff was assigned to the vendor"),
}
# Notes of the steps where a person changes a finding's severity, description, due date or
# owner (``monitoring.findings.update_finding``). One step may change several of them, so the
# note is one message, ``finding_changed``, whose parameter ``changes`` is a ``Join`` (", ") of
# ``CHANGES`` messages in the order of the form: a severity as its word (a message), a date as
# YYYY-MM-DD, an owner by e-mail, no date or no owner as ``NOTHING``, why a due date moved to the
# business day before in both languages (``{"ja", "en"}``). Stored in ``note_key`` /
# ``note_params`` like ``OWNER_NOTES``, the English in ``note``.
CHANGE_NOTES = {
    "finding_changed": _("Changed: %(changes)s"),
}
CHANGES = {
    "severity": _("severity %(before)s -> %(after)s"),
    "description": _("description rewritten"),
    "due": _("due date %(before)s -> %(after)s"),
    "due_moved": _("due date %(before)s -> %(after)s (%(moved)s)"),
    "owner": _("owner %(before)s -> %(after)s"),
}
NOTHING = _("none")
CHANGES_SEPARATOR = _(", ").key
# Notes of the steps asking for and approving a risk acceptance (``monitoring.remediation``):
# its expiry (YYYY-MM-DD) and the reason the person gave, as typed.
ACCEPTANCE_NOTES = {
    "acceptance_until": _("until %(day)s"),
    "acceptance_until_because": _("until %(day)s: %(rationale)s"),
}
# Every note a history step may store as a key (``FindingEvent.note_key``).
NOTES = OWNER_NOTES | CHANGE_NOTES | ACCEPTANCE_NOTES
TEXT_MAX = {"description": 10000, "closure_evidence": 5000, "note": 10000}


def event_note(key: str) -> str:
    """The English note of a history step of ``EVENT_NOTES`` (stored in ``FindingEvent.note``)."""
    return EVENT_NOTES[key].key


def event_note_message(note: str) -> Msg | None:
    """The message whose English is ``note``, when the product wrote it; None otherwise."""
    return next((message for message in EVENT_NOTES.values() if message.key == note), None)


def owner_note(before: str | None, after: str | None, why: str) -> tuple[str, dict]:
    """The key and parameters of the note of a step giving a finding from ``before`` to
    ``after`` (e-mails; None: no owner) because of ``why`` (``OWNER_CHANGE_REASONS``)."""
    key = "owner_passed_on" if before and after else "owner_to_nobody" if before else "owner_from_nobody"
    params = {"why": OWNER_CHANGE_REASONS[why]} | ({"before": before} if before else {}) | (
        {"after": after} if after else {})
    return key, stored_params(params)


def change_note(changes: list[tuple[str, dict]]) -> tuple[str, dict]:
    """The key and parameters of the note of a step where a person changed a finding:
    ``changes`` are (kind of ``CHANGES``, its parameters) in order; a ``before`` or ``after``
    of None (no date, no owner) is ``NOTHING``."""
    parts = []
    for kind, params in changes:
        params = {name: NOTHING if value is None and name in ("before", "after") else value
                  for name, value in params.items()}
        parts.append(Msg(CHANGES[kind].key, tuple(sorted((name, _param(to_json(value)))
                                                         for name, value in params.items()))))
    return "finding_changed", stored_params({"changes": Join(CHANGES_SEPARATOR, tuple(parts))})


def stored_params(params: dict | None) -> dict:
    """Parameters as stored (JSON): messages and bilingual texts in ``core.messages``' form."""
    return {name: to_json(value) for name, value in (params or {}).items()}


def _param(value: Any) -> Any:
    """A stored parameter as a message parameter: ``{"ja", "en"}`` becomes ``Bilingual`` (each
    side standing in for the other when it is empty, as in titles), a stored message a message."""
    if isinstance(value, dict) and "ja" in value:
        ja, en = value.get("ja") or "", value.get("en") or ""
        return Bilingual(ja or en, en or ja)
    if isinstance(value, dict):
        return from_json(value)
    return value


def message(catalogue: dict, key: str | None, params: dict | None) -> Msg | None:
    """The text of kind ``key`` of ``catalogue`` (``DESCRIPTIONS`` or ``CLOSURES``) as a
    message; None for text typed by a person (no key), a kind this version does not know, or
    one stored without a parameter its text needs."""
    template = catalogue.get(key) if key else None
    if template is None or not set(PLACEHOLDER.findall(template.key)) <= set(params or {}):
        return None
    return Msg(template.key, tuple(sorted((name, _param(value)) for name, value in (params or {}).items())))


def _english(value: Any) -> Any:
    """``value`` rendered in English without a locale: message ids are the English text."""
    if isinstance(value, Bilingual):
        return value.en
    if isinstance(value, Msg):
        return value.key % {name: _english(param) for name, param in value.params} if value.params else value.key
    if isinstance(value, Join):
        text = value.separator.join(str(_english(item)) for item in value.items)
        return text[:1].upper() + text[1:] if value.capitalise else text
    return value


def english(catalogue: dict, key: str, params: dict, field: str = "description") -> str:
    """The text in English, as stored in ``Finding.description`` / ``closure_evidence``."""
    shown = message(catalogue, key, stored_params(params))
    if shown is None:
        raise KeyError(key)
    return _english(shown).strip()[:TEXT_MAX[field]]
