"""Titles of the findings the product raises, as ``core.messages``: the same mechanism as the
compliance verdicts' reasons, rendered in the reader's language when shown.

A finding stores its kind (``title_key``, one of ``FINDING_TITLES``) and its parameters
(``title_params``: plain values, or ``{"ja": ..., "en": ...}`` for a clause's title or a
question's text); ``title_message`` turns them into a ``Msg`` (the parameters in both
languages into ``Bilingual``), so what is stored and what the API answers stay as they were.
"""
import re
from typing import Any

from vendorrisk.core.messages import Bilingual, Msg
from vendorrisk.core.messages import msg as _  # titles are stored as keys; rendered when shown

FINDING_TITLES = {
    "contract_clause_missing": _("Contract clause missing: %(clause)s (%(article)s), %(contract)s"),
    "contract_set_clause_missing": _("Contract set lacks a clause: %(clause)s (%(article)s), %(arrangement)s"),
    "questionnaire_answer": _("Questionnaire %(question)s answered “%(answer)s”: %(text)s"),
    "questionnaire_answer_mapped": _("Questionnaire (%(format)s) %(question)s answered “%(answer)s”: %(text)s"),
    "selection_condition": _("Selection condition: %(condition)s"),
    "certificate_exceptions": _("%(kind)s: exceptions noted by %(issuer)s"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _param(value: Any) -> Any:
    """A stored parameter as a message parameter: ``{"ja", "en"}`` becomes ``Bilingual``,
    each side standing in for the other when it is empty."""
    if isinstance(value, dict):
        ja, en = value.get("ja") or "", value.get("en") or ""
        return Bilingual(ja or en, en or ja)
    return value


def title_message(key: str | None, params: dict | None) -> Msg | None:
    """The title of a finding of kind ``key`` as a message; None for a finding typed by a
    person (no key), of a kind this version does not know, or stored without a parameter
    its title needs."""
    template = FINDING_TITLES.get(key) if key else None
    if template is None or not set(PLACEHOLDER.findall(template.key)) <= set(params or {}):
        return None
    return Msg(template.key, tuple(sorted((name, _param(value)) for name, value in (params or {}).items())))


def english(key: str, params: dict) -> str:
    """The title in English, as stored in ``Finding.title`` (search, exports, the API)."""
    english_params = {}
    for name, value in params.items():
        value = _param(value)
        english_params[name] = value.en if isinstance(value, Bilingual) else value
    return (FINDING_TITLES[key].key % english_params)[:300]
