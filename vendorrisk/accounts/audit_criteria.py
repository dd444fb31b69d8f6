"""A selection assessment's criteria snapshot (``criteria_snapshot``) as the audit trail shows
it: the sets by title and version, then each criterion by its id and title with its article,
weight and knock-out, in the reader's language — not the JSON it is stored as."""
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _words(value, language: str) -> str:
    """A text stored in both languages (``{"ja": …, "en": …}``) in ``language``; else as stored."""
    if isinstance(value, dict):
        return str(value.get(language) or value.get("en") or value.get("ja") or "")
    return str(value or "")


def _citation(article) -> str:
    # the selection area's own filter (第27条第1号 / Art. 27(1)), read as it registered it
    cite = current_app.jinja_env.filters.get("citation")
    return cite(str(article)) if cite and article else str(article or "")


def is_criteria_snapshot(entity: str | None, key: str, value) -> bool:
    """Whether ``value`` is an assessment's criteria snapshot, shown by ``criteria_parts``."""
    return (entity == "selection_assessment" and key == "criteria_snapshot" and isinstance(value, dict)
            and isinstance(value.get("criteria"), list))


def criteria_parts(value: dict) -> list[tuple[str, str]]:
    """(name, what) pairs: each set (title and version), then each criterion (id and title;
    article, weight, knock-out, optional). A part the snapshot does not hold is left out."""
    language = _language()
    parts = []
    for item in value.get("sets") or ():
        if isinstance(item, dict):
            parts.append((_("Criteria set"), _("%(title)s, version %(version)s",
                                               title=_words(item.get("title"), language) or item.get("key", ""),
                                               version=item.get("version", "?"))))
    for criterion in value["criteria"]:
        if not isinstance(criterion, dict):
            continue
        facts = [_citation(criterion.get("article"))] if criterion.get("article") else []
        if criterion.get("weight") is not None:
            facts.append(_("weight %(weight)s", weight=criterion["weight"]))
        if criterion.get("knockout_below") is not None:
            facts.append(_("knock-out below %(n)s", n=criterion["knockout_below"]))
        if criterion.get("required") is False:
            facts.append(_("optional"))
        name = " ".join(filter(None, [str(criterion.get("id") or ""), _words(criterion.get("title"), language)]))
        parts.append((name or _("Criterion"), " · ".join(facts)))
    return parts
