"""How questionnaires, formats and answers are named on pages, in the reader's language
(never by their ids: ``general_outsourcing``, ``native``, ``yes_no_na``)."""
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from vendorrisk.questionnaires.profiles import load_profiles
from vendorrisk.questionnaires.template_files import catalogue

FORMATS = {"native": _l("our workbook"), "caiq": _l("CSA CAIQ layout"), "generic": _l("another layout")}
ANSWER_TYPES = {"yes_no_na": _l("Yes, no or not applicable"), "single_choice": _l("One of the choices"),
                "multiple_choice": _l("One or more of the choices"), "text": _l("Text"), "number": _l("Number"),
                "date": _l("Date")}


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def profile_title(profile_id: str | None) -> str:
    """The title of a recognised questionnaire format (CAIQ, HECVAT, ...), or ""."""
    profile = next((p for p in load_profiles() if p.id == profile_id), None) if profile_id else None
    if profile is None:
        return ""
    return profile.title_ja if _lang() == "ja" else profile.title_en


def questionnaire_label(template_id: str | None, format: str | None = None, profile_id: str | None = None) -> str:
    """The questionnaire's title, else the recognised format's, else the layout it was read in."""
    for template in catalogue().latest():
        if template.id == template_id:
            return template.title(_lang())
    return profile_title(profile_id) or str(FORMATS.get(format or "", _l("another layout")))


def format_label(format: str | None, profile_id: str | None = None) -> str:
    """The layout a workbook was read in: ours, a recognised format, or another one."""
    if format == "native":
        return str(FORMATS["native"])
    return profile_title(profile_id) or str(FORMATS.get(format or "", _l("another layout")))


def choice_label(question, value: str) -> str:
    """A choice's label in the reader's language (the value itself when it is no choice)."""
    for choice in getattr(question, "choices", ()) or ():
        if choice.value == value:
            return choice.ja if _lang() == "ja" else choice.en
    return value


def answer_text(question, raw: str) -> str:
    """An answer as written in our bilingual drop-downs (``はい / Yes``), in the reader's language."""
    if question is None or not raw:
        return raw or ""
    labels = {c.label: (c.ja if _lang() == "ja" else c.en) for c in question.choices}
    parts = [p.strip() for p in raw.split(";")]
    if all(p in labels for p in parts):
        return "; ".join(labels[p] for p in parts)
    return raw


def helpers() -> dict:
    """The template helpers the questionnaire pages (and the vendor page's panel) use."""
    return {"questionnaire_label": questionnaire_label, "format_label": format_label, "profile_title": profile_title,
            "choice_label": choice_label,
            "answer_text": answer_text, "answer_type_label": lambda t: str(ANSWER_TYPES.get(t, t))}
